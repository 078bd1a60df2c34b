/**
 * Presence the gateway must refuse or decline, and the Lync partner-type decision for an
 * XMPP user's subscription request (issue #8; RFC 8048 §5.2.1, §5.3.1; RFC 7247 §7;
 * anchors.md §1.2.1), through the real gateway with real ejabberd / Prosody clients.
 *
 * The XMPP-watches-SIP direction itself is another suite's; here only whether the request
 * is declined (`unsubscribed` back) or forwarded (a SUBSCRIBE reaches the gateway's SIP
 * proxy, a sipp UAS on lab.proxyPort).
 */
import xml, { type Element } from '@xmpp/xml';
import { E2E, PEER_KINDS, START_MS, STOP_MS, startE2ELab, type E2ELab, type PeerKind } from '../im-e2e/e2e-lab';
import { describeSipp, sendSipMessage, tracedMessages } from '../im-e2e/sip-side';
import { sipAddress } from '../harness/drachtio-target';
import { runSippUac, startSippUas, type SippResult, type SippUas } from '../harness/sipp';
import { startWatcher, stateOf } from './sip-watcher';

const STEP_MS = 15_000;
/** How long "nothing arrives" is watched for: well past a loopback round trip through both servers. */
const QUIET_MS = 2_000;

const bare = (jid: unknown): string => String(jid ?? '').split('/')[0] ?? '';
const presenceOf = (type: string | undefined, from: string) => (e: Element): boolean =>
  e.is('presence') && bare(e.attrs.from) === from && (type === undefined ? e.attrs.type === undefined : e.attrs.type === type);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function refusedSubscribe(lab: E2ELab, ruri: string, from: string, expect: number, accept = 'application/pidf+xml'): Promise<SippResult> {
  return runSippUac(sipAddress(lab.target), { scenario: 'uac_presence_refused.xml', vars: { RURI: ruri, FROM: from, EVENT: 'presence', ACCEPT: accept, EXPECT: String(expect) }, timeoutMs: 15_000 });
}

/** The gateway's SIP proxy for one forwarded SUBSCRIBE (uas_presence_accept.xml). */
const presenceServer = (lab: E2ELab, note: string): Promise<SippUas> =>
  startSippUas({ scenario: 'uas_presence_accept.xml', vars: { NOTE: note }, localPort: lab.proxyPort, timeoutMs: 30_000 });

const subscribesAt = (r: SippResult) => tracedMessages(r.messages).filter((m) => m.direction === 'received' && m.startLine.startsWith('SUBSCRIBE '));

/** romeo asks a SIP user for presence; the partner type decides. Returns what the proxy saw. */
async function xmppSubscribes(lab: E2ELab, kind: PeerKind, sipUser: string, expectForwarded: boolean): Promise<SippResult> {
  const romeo = lab.peer(kind).client('romeo');
  const note = `${sipUser} is in (${kind})`;
  const uas = await presenceServer(lab, note);
  try {
    await romeo.send(xml('presence', { to: sipUser, type: 'subscribe' }));
    if (expectForwarded) {
      // The SIP side accepted: `subscribed`, then the SIP user's presence (RFC 8048 §5.2.1).
      await romeo.waitForStanza(presenceOf('subscribed', sipUser), STEP_MS);
      const p = await romeo.waitForStanza(presenceOf(undefined, sipUser), STEP_MS);
      expect(p.getChildText('status')).toBe(note);
      const r = await uas.done;
      expect({ exit: r.exitCode, sipp: r.exitCode === 0 ? '' : describeSipp(r) }).toEqual({ exit: 0, sipp: '' });
      return r;
    }
    // Declined: the XMPP user hears `unsubscribed` from the SIP user (Lync PublicUnverified).
    const no = await romeo.waitForStanza(presenceOf('unsubscribed', sipUser), STEP_MS);
    expect(bare(no.attrs.to)).toBe(`romeo@${E2E[kind].domain}`);
    await sleep(QUIET_MS);
    return await uas.stop();
  } finally {
    await uas.stop();
  }
}

describe('one lab: ejabberd is PublicUnverified (the default), Prosody PublicVerified', () => {
  let lab: E2ELab;
  beforeAll(async () => {
    lab = await startE2ELab({ label: 'presence-refusals', peers: PEER_KINDS, partnerTypes: { prosody: 'PublicVerified' } });
  }, START_MS);
  afterAll(async () => { await lab?.stop(); }, STOP_MS);

  describe('SIP SUBSCRIBEs the gateway refuses (the admission checks of a MESSAGE, issue #8)', () => {
    it.each(PEER_KINDS)('mallory (no EnableXmppAccess) → 403 and nothing reaches romeo on %s', async (kind) => {
      const romeo = lab.peer(kind).client('romeo');
      const before = romeo.received.length;
      const r = await refusedSubscribe(lab, `sip:romeo@${E2E[kind].domain}`, '<sip:mallory@sip.test>', 403);
      expect({ exit: r.exitCode, sipp: r.exitCode === 0 ? '' : describeSipp(r) }).toEqual({ exit: 0, sipp: '' });
      await sleep(QUIET_MS);
      expect(romeo.received.slice(before).filter((e) => bare(e.attrs.from) === 'mallory@sip.test')).toEqual([]);
    }, 30_000);

    it('a domain that is not an allowed partner → 403 (RFC 7247 §7: policy-violation)', async () => {
      const r = await refusedSubscribe(lab, 'sip:bob@not-a-partner.test', '<sip:alice@sip.test>', 403);
      expect({ exit: r.exitCode, sipp: r.exitCode === 0 ? '' : describeSipp(r) }).toEqual({ exit: 0, sipp: '' });
    }, 30_000);

    it.each(['application/xpidf+xml', 'application/pidf+xml;q=0'])('a watcher whose Accept (%s) admits no PIDF → 406, and nothing reaches romeo (RFC 6665 §3.1.2, RFC 3261 §21.4.7)', async (accept) => {
      const romeo = lab.peer('ejabberd').client('romeo');
      const before = romeo.received.length;
      const r = await refusedSubscribe(lab, `sip:romeo@${E2E.ejabberd.domain}`, '<sip:judy@sip.test>', 406, accept);
      expect({ exit: r.exitCode, sipp: r.exitCode === 0 ? '' : describeSipp(r) }).toEqual({ exit: 0, sipp: '' });
      await sleep(QUIET_MS);
      expect(romeo.received.slice(before).filter((e) => bare(e.attrs.from) === 'judy@sip.test')).toEqual([]);
    }, 30_000);

    it('an allowed partner whose server is down: NOTIFY pending, then terminated;reason=giveup once the subscribe cannot be delivered — not left pending until it expires', async () => {
      const w = startWatcher(lab.target, { scenario: 'uac_presence_until_terminated.xml', ruri: `sip:bob@${E2E.down.domain}`, from: '<sip:alice@sip.test>', timeoutMs: 40_000 });
      const ended = await w.waitForNotify((n) => stateOf(n).startsWith('terminated'), 30_000, 'terminated');
      expect({ state: stateOf(ended), body: ended.body.length }).toEqual({ state: 'terminated;reason=giveup', body: 0 });
      const r = await w.done;
      expect({ exit: r.exitCode, sipp: r.exitCode === 0 ? '' : describeSipp(r) }).toEqual({ exit: 0, sipp: '' });
      expect(w.notifies().map(stateOf)).toEqual(['pending', 'terminated;reason=giveup']);
    }, 60_000);
  });

  describe('an XMPP user\'s subscription request, by partner type (Lync, anchors.md §1.2.1)', () => {
    it('PublicUnverified, the SIP user never contacted romeo → declined: romeo gets unsubscribed, nothing reaches the SIP side', async () => {
      const r = await xmppSubscribes(lab, 'ejabberd', 'bob@sip.test', false);
      expect(subscribesAt(r)).toEqual([]);
    }, 60_000);

    it('PublicUnverified, the SIP user messaged romeo first → forwarded: SUBSCRIBE to the SIP proxy, romeo gets subscribed and the presence', async () => {
      const romeo = lab.peer('ejabberd').client('romeo');
      const m = await sendSipMessage(lab.target, { ruri: `sip:romeo@${E2E.ejabberd.domain}`, from: '<sip:alice@sip.test>', body: 'hello romeo', expect: 202 });
      expect(m.exitCode).toBe(0);
      await romeo.waitForStanza((e) => e.is('message') && e.getChildText('body') === 'hello romeo', STEP_MS);
      const r = await xmppSubscribes(lab, 'ejabberd', 'alice@sip.test', true);
      const [sub] = subscribesAt(r);
      expect({ ruri: sub?.startLine, from: sub?.header('From')?.replace(/;tag=.*$/, ''), to: sub?.header('To'), event: sub?.header('Event') })
        .toEqual({ ruri: 'SUBSCRIBE sip:alice@sip.test SIP/2.0', from: `<sip:romeo@${E2E.ejabberd.domain}>`, to: '<sip:alice@sip.test>', event: 'presence' });
    }, 60_000);

    it('PublicUnverified, the SIP user subscribed to romeo first → forwarded', async () => {
      const romeo = lab.peer('ejabberd').client('romeo');
      const w = startWatcher(lab.target, { scenario: 'uac_presence_until_terminated.xml', ruri: `sip:romeo@${E2E.ejabberd.domain}`, from: '<sip:carol@sip.test>', timeoutMs: 50_000 });
      await romeo.waitForStanza(presenceOf('subscribe', 'carol@sip.test'), STEP_MS);
      await w.waitForNotify((n) => stateOf(n) === 'pending', STEP_MS, 'pending');
      const r = await xmppSubscribes(lab, 'ejabberd', 'carol@sip.test', true);
      expect(subscribesAt(r).map((s) => s.startLine)).toEqual(['SUBSCRIBE sip:carol@sip.test SIP/2.0']);
      // End carol's own watch (the SIP watcher's scenario runs until terminated).
      await romeo.send(xml('presence', { to: 'carol@sip.test', type: 'unsubscribed' }));
      const done = await w.done;
      expect(done.exitCode).toBe(0);
    }, 80_000);

    it('PublicVerified (Prosody), no prior contact → forwarded to the SIP side, which decides', async () => {
      const r = await xmppSubscribes(lab, 'prosody', 'bob@sip.test', true);
      expect(subscribesAt(r).map((s) => [s.startLine, s.header('From')?.replace(/;tag=.*$/, '')])).toEqual([['SUBSCRIBE sip:bob@sip.test SIP/2.0', `<sip:romeo@${E2E.prosody.domain}>`]]);
    }, 60_000);
  });
});

describe('another lab: ejabberd is Federated', () => {
  let lab: E2ELab;
  beforeAll(async () => {
    lab = await startE2ELab({ label: 'presence-refusals-federated', peers: ['ejabberd'], partnerTypes: { ejabberd: 'Federated' } });
  }, START_MS);
  afterAll(async () => { await lab?.stop(); }, STOP_MS);

  it('Federated, no prior contact → forwarded (trusted; the local presence server decides)', async () => {
    const r = await xmppSubscribes(lab, 'ejabberd', 'bob@sip.test', true);
    expect(subscribesAt(r).map((s) => s.startLine)).toEqual(['SUBSCRIBE sip:bob@sip.test SIP/2.0']);
  }, 60_000);
});

/**
 * An XMPP user watches a SIP user through the whole gateway (RFC 8048 §5.2, issue #8):
 * romeo on a real ejabberd / Prosody → S2S → the real composition root
 * (bin/start-gateway.ts) → SUBSCRIBE through the drachtio target → the gateway's SIP
 * proxy port, where sipp plays alice@sip.test (uas_presentity_watch.xml) or a presence
 * server that refuses (uas_presentity_refuse.xml).
 *
 * The partners are Federated (Lync, anchors.md §1.2.1): their subscription requests are
 * forwarded to SIP, which decides. The SIP side's every NOTIFY is answered before the next
 * is sent, so the order of the presence stanzas romeo gets is the order of the NOTIFYs.
 */
import xml, { type Element } from '@xmpp/xml';
import type { XmlElement } from '../../plugin/core/xml/xml-element';
import { describeSipp, receivedRequests } from '../im-e2e/sip-side';
import { E2E, PEER_KINDS, START_MS, STOP_MS, startE2ELab, type E2ELab, type PeerKind } from '../im-e2e/e2e-lab';
import { pidf, presencesFrom, startPresentity, tapEdge, viewOf, waitForPresences, type PresenceView } from './sip-presentity';

const ALICE = 'alice@sip.test';

async function waitFor(cond: () => Promise<boolean>, ms: number, what: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + ms;
  for (let i = 0; i < 1000 && Date.now() < deadline; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!(await cond())) throw new Error(`not within ${ms} ms: ${await what()}`);
}
const PENDING_MS = 1500;
const UNICODE_NOTE = 'Bin gleich zurück ✓ 😀 שלום & co';

/** NOTIFY bodies in the order the presentity sends them, and what romeo must see for each (RFC 8048 §6.3, rpid-mapping.ts). */
const NOTIFIES: ReadonlyArray<readonly [string, string, PresenceView]> = [
  ['basic open with a note', pidf('sip:alice@sip.test', { basic: 'open', note: { text: 'Alice is here' } }), { status: 'Alice is here' }],
  ['RPID away, no note', pidf('sip:alice@sip.test', { basic: 'open', activity: 'away' }), { show: 'away', status: 'Away', lang: 'en' }],
  ['RPID busy, no note', pidf('sip:alice@sip.test', { basic: 'open', activity: 'busy' }), { show: 'dnd', status: 'Busy', lang: 'en' }],
  ['RPID on-the-phone, no note', pidf('sip:alice@sip.test', { basic: 'open', activity: 'on-the-phone' }), { show: 'dnd', status: 'On the phone', lang: 'en' }],
  ['a Unicode note in German', pidf('sip:alice@sip.test', { basic: 'open', note: { text: UNICODE_NOTE.replace('&', '&amp;'), lang: 'de' } }), { status: UNICODE_NOTE, lang: 'de' }],
  ['basic closed', pidf('sip:alice@sip.test', { basic: 'closed' }), { type: 'unavailable' }],
];

/** The gateway puts no xml:lang on a status the PIDF did not label; Prosody stamps its default on it (RFC 6120 §4.7.4). */
const unlabeledLang = (kind: PeerKind): { lang?: string } => (kind === 'prosody' ? { lang: 'en' } : {});

let lab: E2ELab;

beforeAll(async () => {
  lab = await startE2ELab({ label: 'presence-xmpp-watches-sip', peers: PEER_KINDS, partnerTypes: { ejabberd: 'Federated', prosody: 'Federated' } });
}, START_MS);

afterAll(async () => { await lab?.stop(); }, STOP_MS);

describe.each<PeerKind>(PEER_KINDS)('romeo@%s watches alice@sip.test (RFC 8048 §5.2)', (kind) => {
  const romeo = () => lab.peer(kind).client('romeo');
  const romeoSip = `sip:romeo@${E2E[kind].domain}`;

  it('subscribe → SUBSCRIBE (RFC 7247 §6 From); pending says nothing; active → subscribed then presence; RPID activities and a Unicode note map field by field; closed → unavailable; unsubscribe → Expires: 0 then unsubscribed', async () => {
    const c = romeo();
    const vars: Record<string, string> = { PENDING_MS: String(PENDING_MS), GAP_MS: '200' };
    NOTIFIES.forEach(([, body], i) => { vars[`BODY_${i + 1}`] = body; });
    const uas = await startPresentity(lab.proxyPort, 'uas_presentity_watch.xml', vars, 40_000);
    try {
      const since = c.received.length;
      const sent = tapEdge(lab.gateway.edge);
      await c.send(xml('presence', { to: ALICE, type: 'subscribe' }));
      // RFC 8048 §5.2.1: `subscribed` only once the first NOTIFY says active, then the presence in it.
      const got = await waitForPresences(c, ALICE, 1 + NOTIFIES.length, 30_000, since);
      // The gateway puts no xml:lang on a status the PIDF did not label; Prosody stamps its
      // default language on such stanzas (RFC 6120 §4.7.4 lets a server do that), ejabberd does not.
      const unlabeled = unlabeledLang(kind);
      expect(got.map(viewOf)).toEqual([{ type: 'subscribed' }, ...NOTIFIES.map(([, , v]) => (v.status !== undefined && v.lang === undefined ? { ...v, ...unlabeled } : v))]);
      for (const p of got) expect(p.attrs.to).toMatch(new RegExp(`^romeo@${E2E[kind].domain.replace(/\./g, '\\.')}`));

      await c.send(xml('presence', { to: ALICE, type: 'unsubscribe' }));
      const r = await uas.done;
      expect({ exit: r.exitCode, sipp: r.exitCode === 0 ? '' : describeSipp(r) }).toEqual({ exit: 0, sipp: '' });
      // §5.2.3: `unsubscribed` once the Expires: 0 is answered, and the subscription is forgotten.
      // Both servers drop it before romeo's client: his own unsubscribe already set the
      // subscription to None, and RFC 6121 §3.2.3 then says MUST silently ignore. So it is
      // read where the gateway hands it to its S2S edge.
      const unsubscribed = (e: XmlElement) => e.name === 'presence' && e.attrs.type === 'unsubscribed' && e.attrs.from === ALICE && e.attrs.to === `romeo@${E2E[kind].domain}`;
      await waitFor(async () => sent.some(unsubscribed), 10_000, async () => `unsubscribed sent; record ${JSON.stringify(await lab.gateway.presence?.store.getSubscription(`romeo@${E2E[kind].domain}`, ALICE))}; sent ${sent.map((e) => `${e.name}:${e.attrs.type ?? ''}:${e.attrs.from}`).join(' ')}\n${lab.log.lines.filter((l) => l.component !== 's2s').slice(-15).map((l) => JSON.stringify(l)).join('\n')}`);
      expect(presencesFrom(c, ALICE, since)).toHaveLength(1 + NOTIFIES.length);
      const record = () => lab.gateway.presence?.store.getSubscription(`romeo@${E2E[kind].domain}`, ALICE);
      await waitFor(async () => (await record()) === undefined, 10_000, async () => `subscription forgotten (${JSON.stringify(await record())})\n${lab.log.tail(40)}`);
      const subs = receivedRequests(r).filter((m) => m.startLine.startsWith('SUBSCRIBE '));
      expect(subs).toHaveLength(2);
      const [first, last] = subs as [typeof subs[0], typeof subs[0]];
      expect(first.startLine).toBe('SUBSCRIBE sip:alice@sip.test SIP/2.0');
      // RFC 7247 §6: the XMPP user's bare JID as a sip: URI (RFC 8048 §5.2.1: no resource).
      expect(first.header('From')).toMatch(new RegExp(`^<${romeoSip.replace(/\./g, '\\.')}>;tag=[^;]+$`));
      expect(first.header('To')).toBe('<sip:alice@sip.test>');
      expect(first.header('Event')).toBe('presence');
      expect(first.header('Accept')).toBe('application/pidf+xml');
      expect(first.header('Expires')).toBe('3600');
      // §5.2.3: the unsubscribe is Expires: 0 in the same dialog.
      expect(last.header('Expires')).toBe('0');
      expect(last.header('Call-ID')).toBe(first.header('Call-ID'));
      expect(last.header('To')).toMatch(/^<sip:alice@sip\.test>;tag=/);
    } finally {
      await uas.stop();
    }
  }, 60_000);

  it('romeo logging in again makes his server probe alice: a poll SUBSCRIBE Expires: 0 in a new dialog, whose one NOTIFY answers with her presence; the subscription stays (RFC 8048 §7, RFC 6121 §4.3)', async () => {
    const uas = await startPresentity(lab.proxyPort, 'uas_presentity_poll.xml', {}, 40_000, ['-m', '2']);
    try {
      const c = romeo();
      const since = c.received.length;
      await c.send(xml('presence', { to: ALICE, type: 'subscribe' }));
      expect((await waitForPresences(c, ALICE, 2, 20_000, since)).map(viewOf)).toEqual([{ type: 'subscribed' }, { status: 'Alice in dialog 1', ...unlabeledLang(kind) }]);
      const record = () => lab.gateway.presence?.store.getSubscription(`romeo@${E2E[kind].domain}`, ALICE);
      const dialog = (await record())?.dialogId;

      await lab.peer(kind).relogin(); // initial presence of a new session: the server probes every contact it is subscribed to
      const again = romeo();
      expect(again).not.toBe(c);
      const polled = await waitForPresences(again, ALICE, 1, 20_000);
      expect(polled.map(viewOf)).toEqual([{ show: 'dnd', status: 'Alice polled in dialog 2', ...unlabeledLang(kind) }]);
      expect((await record())?.dialogId).toBe(dialog); // the long-lived subscription is untouched

      await again.send(xml('presence', { to: ALICE, type: 'unsubscribe' }));
      const r = await uas.done;
      expect({ exit: r.exitCode, sipp: r.exitCode === 0 ? '' : describeSipp(r) }).toEqual({ exit: 0, sipp: '' });
      const subs = receivedRequests(r).filter((m) => m.startLine.startsWith('SUBSCRIBE '));
      const poll = subs.find((m) => m.header('Call-ID') !== subs[0]?.header('Call-ID'));
      expect(poll?.startLine).toBe('SUBSCRIBE sip:alice@sip.test SIP/2.0');
      expect(poll?.header('Expires')).toBe('0');
      expect(poll?.header('To')).toBe('<sip:alice@sip.test>'); // a new dialog
      expect(poll?.header('From')).toMatch(new RegExp(`^<${romeoSip.replace(/\./g, '\\.')}>;tag=`));
      expect(subs.map((m) => m.header('Expires'))).toEqual(['3600', '0', '0']); // subscribe, poll, unsubscribe
    } finally {
      await uas.stop();
    }
  }, 60_000);

  it('NOTIFY terminated;reason=deactivated: the gateway re-SUBSCRIBEs at once in a new dialog and keeps the authorization (no second subscribed, no unavailable; RFC 8048 §5.2.2, RFC 6665 §4.1.3)', async () => {
    const c = romeo();
    const contact = 'alice@sip.test';
    const uas = await startPresentity(lab.proxyPort, 'uas_presentity_deactivate.xml', { GAP_MS: '300' }, 40_000, ['-m', '2']);
    try {
      const since = c.received.length;
      await c.send(xml('presence', { to: contact, type: 'subscribe' }));
      const got = await waitForPresences(c, contact, 3, 20_000, since);
      expect(got.map(viewOf)).toEqual([{ type: 'subscribed' }, { status: 'Alice in dialog 1', ...unlabeledLang(kind) }, { status: 'Alice in dialog 2', ...unlabeledLang(kind) }]);
      await c.send(xml('presence', { to: contact, type: 'unsubscribe' }));
      const r = await uas.done;
      expect({ exit: r.exitCode, sipp: r.exitCode === 0 ? '' : describeSipp(r) }).toEqual({ exit: 0, sipp: '' });
      const subs = receivedRequests(r).filter((m) => m.startLine.startsWith('SUBSCRIBE '));
      expect(subs.map((m) => [m.header('To')?.includes('tag=') ? 'in-dialog' : 'new', m.header('Expires')])).toEqual([['new', '3600'], ['new', '3600'], ['in-dialog', '0']]);
      expect(subs[1]?.header('Call-ID')).not.toBe(subs[0]?.header('Call-ID'));
      expect(subs[2]?.header('Call-ID')).toBe(subs[1]?.header('Call-ID'));
      expect(presencesFrom(c, contact, since)).toHaveLength(3);
    } finally {
      await uas.stop();
    }
  }, 60_000);

  it.each([
    [403, 'Forbidden', 'bob@sip.test'],
    [489, 'Bad Event', 'carol@sip.test'],
    [603, 'Decline', 'dave@sip.test'],
  ])('a %s %s to the SUBSCRIBE cancels the subscription permanently: romeo gets unsubscribed, nothing is retried (RFC 8048 §5.2.2)', async (status, reason, contact) => {
    const c = romeo();
    const uas = await startPresentity(lab.proxyPort, 'uas_presentity_refuse.xml', { STATUS: String(status), REASON: reason }, 20_000);
    try {
      const since = c.received.length;
      await c.send(xml('presence', { to: contact, type: 'subscribe' }));
      const got = await waitForPresences(c, contact, 1, 15_000, since);
      expect(got.map(viewOf)).toEqual([{ type: 'unsubscribed' }]);
      const r = await uas.done;
      expect(r.exitCode).toBe(0);
      expect(receivedRequests(r).map((m) => m.startLine)).toEqual([`SUBSCRIBE sip:${contact} SIP/2.0`]);
      // Permanent: nothing is kept to refresh.
      expect(await lab.gateway.presence?.store.getSubscription(`romeo@${E2E[kind].domain}`, contact)).toBeUndefined();
      expect(presencesFrom(c, contact, since).map(viewOf)).toEqual([{ type: 'unsubscribed' }]);
    } finally {
      await uas.stop();
    }
  }, 40_000);

  it.each([
    ['o\\27malley', "o'malley"],
    ['m\\26m', 'm&m'],
  ])('the SUBSCRIBE for %s names the watcher sip:%s@… in From (XEP-0106 unescaped, RFC 7247 §6.1)', async (account, sipUser) => {
    const c = lab.peer(kind).client(account);
    const contact = 'frank@sip.test';
    const uas = await startPresentity(lab.proxyPort, 'uas_presentity_refuse.xml', { STATUS: '403', REASON: 'Forbidden' }, 20_000);
    try {
      const since = c.received.length;
      await c.send(xml('presence', { to: contact, type: 'subscribe' }));
      await waitForPresences(c, contact, 1, 15_000, since);
      const [req] = receivedRequests(await uas.done);
      expect(req?.header('From')).toMatch(new RegExp(`^<sip:${sipUser.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}@${E2E[kind].domain.replace(/\./g, '\\.')}>;tag=`));
    } finally {
      await uas.stop();
    }
  }, 40_000);

  it('a transient failure (480) of the first SUBSCRIBE comes back as a presence error <recipient-unavailable/>, not as unsubscribed (RFC 8048 §5.2.2, RFC 7247 §7.2)', async () => {
    const c = romeo();
    const contact = 'erin@sip.test';
    const uas = await startPresentity(lab.proxyPort, 'uas_presentity_refuse.xml', { STATUS: '480', REASON: 'Temporarily Unavailable' }, 20_000);
    try {
      const since = c.received.length;
      await c.send(xml('presence', { to: contact, type: 'subscribe' }));
      const [e] = await waitForPresences(c, contact, 1, 15_000, since);
      expect(e?.attrs.type).toBe('error');
      const condition = e?.getChild('error')?.children.find((x): x is Element => typeof x !== 'string' && x.attrs.xmlns === 'urn:ietf:params:xml:ns:xmpp-stanzas')?.name;
      expect(condition).toBe('recipient-unavailable');
      expect((await uas.done).exitCode).toBe(0);
    } finally {
      await uas.stop();
    }
  }, 40_000);
});

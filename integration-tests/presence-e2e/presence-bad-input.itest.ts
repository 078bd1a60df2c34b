/**
 * Bad presence input through the real gateway (issue #8 "Bad input"): a malformed PIDF and
 * a PIDF of 1 MB in a dialog the gateway owns, a NOTIFY for a dialog nobody has, and a
 * presence flood from one partner. Each gets its protocol error, the process keeps going,
 * and the other subscriptions are unaffected (a concurrent SIP watcher still gets its
 * NOTIFYs; the flooding partner's own subscription still carries presence).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import xml, { type Element } from '@xmpp/xml';
import { E2E, PEER_KINDS, START_MS, STOP_MS, startE2ELab, type E2ELab } from '../im-e2e/e2e-lab';
import { describeSipp, tracedMessages, type TracedSip } from '../im-e2e/sip-side';
import { sipAddress } from '../harness/drachtio-target';
import { runSippUac, startSippUas, type SippUas } from '../harness/sipp';
import { notifyOverTcp } from './sip-tcp';
import { readPidf, startWatcher, stateOf, type SipWatcher } from './sip-watcher';

const STEP_MS = 15_000;
const MIB = 1024 * 1024;

const bare = (jid: unknown): string => String(jid ?? '').split('/')[0] ?? '';
const presenceOf = (type: string | undefined, from: string) => (e: Element): boolean =>
  e.is('presence') && bare(e.attrs.from) === from && (type === undefined ? e.attrs.type === undefined : e.attrs.type === type);

/** A sipp UAS on the proxy port whose -trace_msg the test reads while it runs. */
async function tracedUas(lab: E2ELab, scenario: string, vars: Record<string, string>, timeoutMs: number): Promise<{ uas: SippUas; messages(): TracedSip[]; cleanup(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'presence-e2e-uas-'));
  const file = join(dir, 'messages.log');
  const uas = await startSippUas({ scenario, vars, localPort: lab.proxyPort, timeoutMs, extraArgs: ['-message_file', file] });
  return {
    uas,
    messages: () => { try { return tracedMessages(readFileSync(file, 'utf8')); } catch { return []; } },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function until<T>(f: () => T | undefined, ms: number, what: string): Promise<T> {
  for (let i = 0; i < Math.ceil(ms / 100); i++) {
    const v = f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not within ${ms} ms`);
}

const pidf = (entity: string, note: string): Buffer =>
  Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${entity}"><tuple id="t1"><status><basic>open</basic></status><note>${note}</note></tuple></presence>`, 'utf8');

/** A well-formed PIDF of exactly `bytes` bytes (one long note). */
function bigPidf(entity: string, bytes: number): Buffer {
  const shell = pidf(entity, '');
  return pidf(entity, 'x'.repeat(bytes - shell.length));
}

let lab: E2ELab;

beforeAll(async () => {
  // ejabberd Federated: romeo's subscription request goes to the SIP side with no prior contact.
  // maxPresencePerPartner 200/s (default 2000): the flood below must pass the budget however slowly this machine runs.
  lab = await startE2ELab({ label: 'presence-bad-input', peers: PEER_KINDS, partnerTypes: { ejabberd: 'Federated' }, presence: { maxPresencePerPartner: 200 } });
}, START_MS);

afterAll(async () => { await lab?.stop(); }, STOP_MS);

/**
 * `user`@sip.test watches romeo@Prosody (approved, first PIDF seen): the subscription that must
 * not be disturbed. A new SIP user each time: Prosody answers a repeated request itself.
 */
async function concurrentWatcher(user: string, mark: string): Promise<SipWatcher> {
  const romeo = lab.peer('prosody').client('romeo');
  const w = startWatcher(lab.target, { scenario: 'uac_presence_watch.xml', ruri: `sip:romeo@${E2E.prosody.domain}`, from: `<sip:${user}@sip.test>`, mark, timeoutMs: 90_000 });
  await romeo.waitForStanza(presenceOf('subscribe', `${user}@sip.test`), STEP_MS);
  await w.waitForNotify((n) => stateOf(n) === 'pending', STEP_MS, 'pending');
  await romeo.send(xml('presence', { to: `${user}@sip.test`, type: 'subscribed' }));
  await w.waitForNotify((n) => n.body.length > 0, STEP_MS, 'romeo@prosody\'s presence');
  return w;
}

async function finish(w: SipWatcher, mark: string): Promise<void> {
  const romeo = lab.peer('prosody').client('romeo');
  const seen = w.notifies().length;
  await romeo.sendPresence({}, xml('status', {}, mark));
  const n = await w.waitForNotify((x) => x.body.includes(Buffer.from(mark)), STEP_MS, 'the concurrent watcher\'s NOTIFY', seen);
  expect(readPidf(n.body).tuples.map((t) => [t.basic, t.notes])).toEqual([['open', [mark]]]);
  const r = await w.done;
  expect({ exit: r.exitCode, sipp: r.exitCode === 0 ? '' : describeSipp(r) }).toEqual({ exit: 0, sipp: '' });
}

describe('NOTIFYs with a bad body in a dialog the gateway owns (romeo@ejabberd watches bob@sip.test; RFC 6665 §4.1.3, RFC 3863)', () => {
  it('a PIDF that is not well-formed → 400, a PIDF of 1 MB → 400 (over the 64 KB document limit); the subscription lives on (the next NOTIFY reaches romeo), and a concurrent SIP watcher still gets its NOTIFY', async () => {
    const mark = `prosody-still-fine-${Date.now()}`;
    const watcher = await concurrentWatcher('alice', mark);
    const romeo = lab.peer('ejabberd').client('romeo');
    const t = await tracedUas(lab, 'uas_presence_bad_notify.xml', { NOTE: 'bob is in', HOLD_MS: '60000' }, 70_000);
    try {
      await romeo.send(xml('presence', { to: 'bob@sip.test', type: 'subscribe' }));
      await romeo.waitForStanza(presenceOf('subscribed', 'bob@sip.test'), STEP_MS);
      const first = await romeo.waitForStanza(presenceOf(undefined, 'bob@sip.test'), STEP_MS);
      expect(first.getChildText('status')).toBe('bob is in');

      // The malformed one (CSeq 2): sipp's scenario requires the 400 before it pauses.
      const answered = await until(() => t.messages().find((m) => m.direction === 'received' && /^SIP\/2\.0 \d{3}/.test(m.startLine) && m.header('CSeq') === '2 NOTIFY'), STEP_MS, 'answer to the malformed NOTIFY');
      expect(answered.startLine).toBe('SIP/2.0 400 Invalid PIDF Body');

      // The dialog as the UAS sees it; the test now speaks for the UAS, over TCP.
      // The UAS's own first NOTIFY names the dialog (RFC 3261 §12.2.1.1): Request-URI = the gateway's remote target, tags, Call-ID.
      const sent = t.messages().find((m) => m.direction === 'sent' && m.startLine.startsWith('NOTIFY ') && m.header('CSeq') === '1 NOTIFY');
      if (!sent) throw new Error(`no NOTIFY sent by the UAS: ${t.messages().map((m) => m.startLine).join(' | ')}`);
      const dialog = {
        requestUri: sent.startLine.split(' ')[1] ?? '', from: sent.header('From') ?? '', to: sent.header('To') ?? '', callId: sent.header('Call-ID') ?? '',
        contact: sent.header('Contact') ?? '', subscriptionState: 'active;expires=3000',
      };
      const big = await notifyOverTcp(lab.target.sipHost, lab.target.sipPort, { ...dialog, cseq: 3, body: bigPidf('sip:bob@sip.test', MIB) }, 20_000);
      expect({ status: big.status, reason: big.reason }).toEqual({ status: 400, reason: 'Invalid PIDF Body' });

      const before = romeo.received.length;
      const next = await notifyOverTcp(lab.target.sipHost, lab.target.sipPort, { ...dialog, cseq: 4, body: pidf('sip:bob@sip.test', 'bob is still here ✓') }, 20_000);
      expect(next.status).toBe(200);
      const still = await romeo.waitForStanza(presenceOf(undefined, 'bob@sip.test'), STEP_MS);
      expect(still.getChildText('status')).toBe('bob is still here ✓');
      // Nothing of the bad bodies reached romeo in between.
      expect(romeo.received.slice(before).filter((e) => bare(e.attrs.from) === 'bob@sip.test').map((e) => e.getChildText('status'))).toEqual(['bob is still here ✓']);
    } finally {
      await t.uas.stop();
      t.cleanup();
    }
    await finish(watcher, mark);
    const warned = lab.log.lines.filter((l) => l.msg === 'NOTIFY body is not valid PIDF');
    expect(warned).toHaveLength(2); // each refusal has its log line (nothing lost silently)
  }, 150_000);
});

describe('a NOTIFY for a dialog nobody has (RFC 6665 §4.1.3)', () => {
  it.each(['u1', 't1'] as const)('→ 481 over %s, and nothing reaches XMPP', async (transport) => {
    const romeo = lab.peer('ejabberd').client('romeo');
    const before = romeo.received.length;
    const r = await runSippUac(sipAddress(lab.target), { scenario: 'uac_presence_notify_unknown.xml', transport, timeoutMs: 15_000 });
    expect({ exit: r.exitCode, sipp: r.exitCode === 0 ? '' : describeSipp(r) }).toEqual({ exit: 0, sipp: '' });
    await new Promise((res) => setTimeout(res, 1000));
    expect(romeo.received.slice(before).filter((e) => e.is('presence'))).toEqual([]);
  }, 30_000);
});

describe('a presence flood from one partner (RFC 8048 §8.1: the gateway must not amplify)', () => {
  it('romeo@ejabberd sends 3,000 presence stanzas to a SIP user as fast as he can: past the per-partner budget (gateway.presence.maxPresencePerPartner) each is refused resource-constraint, one error back and one log line per refusal (none silent), and the gateway still serves the other peer', async () => {
    const mark = `prosody-after-flood-${Date.now()}`;
    const watcher = await concurrentWatcher('erin', mark);
    const romeo = lab.peer('ejabberd').client('romeo');
    const N = 3000;
    const errBefore = romeo.received.length;
    const logBefore = lab.log.lines.length;
    for (let i = 0; i < N; i++) await romeo.send(xml('presence', { to: 'flood@sip.test' }, xml('status', {}, `flood ${i}`)));
    // Bounded: wait until the refusals stop growing for 2 s (or 60 s in all).
    let last = -1;
    for (let i = 0; i < 60; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      const now = romeo.received.length;
      if (now === last) break;
      last = now;
    }
    const errors = romeo.received.slice(errBefore).filter((e) => e.is('presence') && e.attrs.type === 'error' && bare(e.attrs.from) === 'flood@sip.test');
    const conditions = new Set(errors.map((e) => e.getChild('error')?.children.filter((c): c is Element => typeof c !== 'string').map((c) => c.name).find((n) => n !== 'text')));
    const refusedLog = lab.log.lines.slice(logBefore).filter((l) => l.msg === 'presence refused' && l.condition === 'resource-constraint');
    expect(errors.length).toBeGreaterThan(0);
    expect([...conditions]).toEqual(['resource-constraint']);
    expect(errors.length).toBe(refusedLog.length); // one error back per refusal, one log line each
    expect(errors.length).toBeLessThan(N); // the budget let the first ones through
    await finish(watcher, mark);
  }, 150_000);
});

describe('the gateway itself', () => {
  it('logged no error-level line through all of the above (bad input is refused with a protocol error and an info/warn line, never an internal error)', () => {
    const errors = lab.log.lines.filter((l) => typeof l.level === 'number' && l.level >= 50);
    expect(errors.map((l) => `${String(l.msg)} ${JSON.stringify({ ...l, msg: undefined, time: undefined, pid: undefined, hostname: undefined })}`)).toEqual([]);
  });
});

/**
 * A SIP user watches an XMPP contact through the whole gateway (issue #8, RFC 8048 §5.3):
 * sipp watcher → drachtio target → the real composition root (bin/start-gateway.ts) →
 * S2S → real ejabberd / Prosody → the logged-in client romeo, and back as NOTIFYs.
 *
 * sipp answers every NOTIFY by itself (uac_presence_*.xml); the test watches its trace and
 * acts on the XMPP side only once the NOTIFY of the previous step has arrived.
 */
import xml, { type Element } from '@xmpp/xml';
import { E2E, PEER_KINDS, START_MS, STOP_MS, startE2ELab, type E2ELab, type PeerKind } from '../im-e2e/e2e-lab';
import { describeSipp, tracedMessages } from '../im-e2e/sip-side';
import { runSippUac } from '../harness/sipp';
import { connectClient } from '../harness/xmpp-client';
import { sipAddress } from '../harness/drachtio-target';
import { readPidf, startWatcher, stateOf } from './sip-watcher';

const STEP_MS = 15_000;
/** 2- and 3-byte UTF-8, an em dash and CJK: the <status/> must reach the PIDF <note> unchanged. */
const AWAY_TEXT = 'Bin gleich zurück ✓ — 会议';
/** …and every XML-special character: escaped in the PIDF, the same text once parsed. */
const DND_TEXT = `Nicht stören — 請勿打擾 & <b>"x"</b> 'y'`;

const fromBare = (jid: string) => (e: Element): boolean => String(e.attrs.from ?? '').split('/')[0] === jid;
const presenceOf = (type: string | undefined, from: string) => (e: Element): boolean =>
  e.is('presence') && fromBare(from)(e) && (type === undefined ? e.attrs.type === undefined : e.attrs.type === type);

let lab: E2ELab;

beforeAll(async () => {
  lab = await startE2ELab({ label: 'presence-sip-watches-xmpp', peers: PEER_KINDS });
}, START_MS);

afterAll(async () => { await lab?.stop(); }, STOP_MS);

describe.each<PeerKind>(PEER_KINDS)('a SIP user watches romeo on %s (RFC 8048 §5.3)', (kind) => {
  const domain = () => E2E[kind].domain;

  it('SUBSCRIBE → <presence type=subscribe/>; subscribed → NOTIFY active; away / dnd / unavailable → PIDF field by field (§6.2); refresh → the cached PIDF; Expires: 0 → NOTIFY terminated and <presence type=unavailable/>, not unsubscribe (§5.3.3)', async () => {
    const peer = lab.peer(kind);
    const romeo = peer.client('romeo');
    const resource = romeo.jid.split('/')[1] ?? '';
    const tupleId = `ID-${resource}`; // resource is [a-z0-9-]: nothing to escape (tuple-id.ts)
    const entity = `pres:romeo@${domain()}`;
    const mark = `back-${kind}-${Date.now()}`;
    const w = startWatcher(lab.target, { scenario: 'uac_presence_watch.xml', ruri: `sip:romeo@${domain()}`, from: '<sip:alice@sip.test>', mark, timeoutMs: 90_000 });

    // §5.3.1: the SUBSCRIBE becomes a subscription request from the SIP user's bare JID.
    const sub = await romeo.waitForStanza(presenceOf('subscribe', 'alice@sip.test'), STEP_MS);
    expect({ from: sub.attrs.from, to: String(sub.attrs.to).split('/')[0] }).toEqual({ from: 'alice@sip.test', to: `romeo@${domain()}` });
    // RFC 6665 §4.2.1.2: NOTIFY at once; pending and empty, nothing is disclosed before authorization (§8.2).
    const pending = await w.waitForNotify(() => true, STEP_MS, 'pending');
    expect({ state: stateOf(pending), body: pending.body.length, event: pending.header('Event') }).toEqual({ state: 'pending', body: 0, event: 'presence' });
    const answer = w.messages().find((m) => m.direction === 'received' && m.startLine.startsWith('SIP/2.0 200'));
    expect(answer?.header('Expires')).toBe('3600');

    await romeo.send(xml('presence', { to: 'alice@sip.test', type: 'subscribed' }));
    const active = await w.waitForNotify((n) => stateOf(n) === 'active', STEP_MS, 'active after subscribed', pending.index + 1);
    expect({ index: active.index, body: active.body.length }).toEqual({ index: 1, body: 0 }); // §5.3.1: an empty NOTIFY active; the presence follows

    // The contact's server sends romeo's current presence after the approval (RFC 6121 §3.1.5).
    const first = await w.waitForNotify((n) => n.body.length > 0, STEP_MS, 'romeo\'s current presence', active.index + 1);
    expect(first.header('Content-Type')).toBe('application/pidf+xml');
    expect(readPidf(first.body)).toEqual({ entity, tuples: [{ id: tupleId, basic: 'open', notes: [] }], activities: [] });

    const count = (): number => w.notifies().length;
    let seen = count();
    await romeo.sendPresence({}, xml('show', {}, 'away'), xml('status', {}, AWAY_TEXT));
    const away = await w.waitForNotify((n) => n.body.includes(Buffer.from(AWAY_TEXT, 'utf8')), STEP_MS, 'away', seen);
    expect(stateOf(away)).toBe('active');
    expect(readPidf(away.body)).toEqual({ entity, tuples: [{ id: tupleId, basic: 'open', show: 'away', notes: [AWAY_TEXT] }], activities: ['away'] });
    expect(Buffer.from(readPidf(away.body).tuples[0]?.notes[0] ?? '', 'utf8')).toEqual(Buffer.from(AWAY_TEXT, 'utf8'));

    seen = count();
    await romeo.sendPresence({}, xml('show', {}, 'dnd'), xml('status', {}, DND_TEXT));
    const dnd = await w.waitForNotify((n) => n.body.includes(Buffer.from('Nicht stören — 請勿打擾 &amp;', 'utf8')), STEP_MS, 'dnd', seen);
    expect(readPidf(dnd.body)).toEqual({ entity, tuples: [{ id: tupleId, basic: 'open', show: 'dnd', notes: [DND_TEXT] }], activities: ['busy'] });
    expect(Buffer.from(readPidf(dnd.body).tuples[0]?.notes[0] ?? '', 'utf8')).toEqual(Buffer.from(DND_TEXT, 'utf8'));

    seen = count();
    await romeo.sendPresence({ type: 'unavailable' });
    const gone = await w.waitForNotify((n) => n.body.includes(Buffer.from('<basic>closed</basic>')), STEP_MS, 'unavailable', seen);
    expect(stateOf(gone)).toBe('active');
    // §6.2 Table 1: unavailable → closed; <show/> and stale notes are not carried on a closed tuple.
    expect(readPidf(gone.body)).toEqual({ entity, tuples: [{ id: tupleId, basic: 'closed', notes: [] }], activities: [] });

    // romeo comes back (so his session receives what follows); this NOTIFY's note is sipp's cue to refresh.
    seen = count();
    await romeo.sendPresence({}, xml('status', {}, mark));
    const back = await w.waitForNotify((n) => n.body.includes(Buffer.from(mark)), STEP_MS, 'back', seen);
    expect(readPidf(back.body)).toEqual({ entity, tuples: [{ id: tupleId, basic: 'open', notes: [mark] }], activities: [] });

    // §5.3.2 refresh: NOTIFY active with the cached PIDF; then Expires: 0 → terminated;reason=timeout.
    const refreshed = await w.waitForNotify(() => true, STEP_MS, 'after the refresh', back.index + 1);
    expect(stateOf(refreshed)).toBe('active');
    expect(readPidf(refreshed.body)).toEqual(readPidf(back.body));
    const ended = await w.waitForNotify(() => true, STEP_MS, 'after Expires: 0', refreshed.index + 1);
    expect(stateOf(ended)).toBe('terminated;reason=timeout');
    expect(readPidf(ended.body)).toEqual({ entity, tuples: [{ id: tupleId, basic: 'closed', notes: [] }], activities: [] });

    // §5.3.3: the contact learns the SIP user went away, and the roster authorization stays.
    const unavailable = await romeo.waitForStanza(presenceOf('unavailable', 'alice@sip.test'), STEP_MS);
    expect(String(unavailable.attrs.to).split('/')[0]).toBe(`romeo@${domain()}`);
    const r = await w.done;
    expect({ exit: r.exitCode, sipp: r.exitCode === 0 ? '' : describeSipp(r) }).toEqual({ exit: 0, sipp: '' });
    expect(romeo.received.filter(presenceOf('unsubscribe', 'alice@sip.test'))).toEqual([]);

    // The whole exchange, in order.
    expect(w.notifies().map(stateOf)).toEqual(['pending', 'active', 'active', 'active', 'active', 'active', 'active', 'active', 'terminated;reason=timeout']);
  }, 120_000);

  it('(after the watch above) a poll (Expires: 0, §7) from a watcher romeo approved is answered at once from the cached presence: 200 Expires: 0, one NOTIFY terminated;reason=timeout with the PIDF, nothing sent to XMPP', async () => {
    const romeo = lab.peer(kind).client('romeo');
    const before = romeo.received.length;
    const r = await runSippUac(sipAddress(lab.target), { scenario: 'uac_presence_poll.xml', vars: { RURI: `sip:romeo@${domain()}`, FROM: '<sip:alice@sip.test>' }, timeoutMs: 20_000 });
    expect({ exit: r.exitCode, sipp: r.exitCode === 0 ? '' : describeSipp(r) }).toEqual({ exit: 0, sipp: '' });
    const got = tracedMessages(r.messages).filter((m) => m.direction === 'received');
    expect(got.find((m) => m.startLine.startsWith('SIP/2.0 200'))?.header('Expires')).toBe('0');
    const [n] = got.filter((m) => m.startLine.startsWith('NOTIFY '));
    expect(n && stateOf(n)).toBe('terminated;reason=timeout');
    // The last thing romeo said in the test above: back, open, with sipp's cue as the note.
    expect(readPidf(n!.body).tuples.map((t) => [t.id, t.basic])).toEqual([[`ID-${romeo.jid.split('/')[1]}`, 'open']]);
    await new Promise((res) => setTimeout(res, 1000));
    expect(romeo.received.slice(before).filter(fromBare('alice@sip.test'))).toEqual([]); // answered from the cache: no probe
  }, 30_000);

  it('a poll from a SIP user romeo never approved: the probe goes to romeo\'s server, which discloses nothing (RFC 6121 §4.3.2) → after the fetch timeout one NOTIFY terminated;reason=timeout without a PIDF (RFC 8048 §7, §8.2)', async () => {
    const r = await runSippUac(sipAddress(lab.target), { scenario: 'uac_presence_poll.xml', vars: { RURI: `sip:romeo@${domain()}`, FROM: '<sip:gina@sip.test>' }, timeoutMs: 30_000 });
    expect({ exit: r.exitCode, sipp: r.exitCode === 0 ? '' : describeSipp(r) }).toEqual({ exit: 0, sipp: '' });
    const [n] = tracedMessages(r.messages).filter((m) => m.direction === 'received' && m.startLine.startsWith('NOTIFY '));
    // Neither lab server answers a probe from a non-contact, so the §7 fetch times out (fetchTimeout, then a sweep).
    expect({ state: n && stateOf(n), body: n?.body.length }).toEqual({ state: 'terminated;reason=timeout', body: 0 });
  }, 40_000);

  it('one PIDF tuple per resource (§6.2): a second resource "desk phone" appears as its own tuple ID-desk_20_phone with its <show> and note, and goes closed when that session ends, the first untouched', async () => {
    const peer = lab.peer(kind);
    const romeo = peer.client('romeo');
    const res1 = `ID-${romeo.jid.split('/')[1]}`;
    const mark = `multi-${kind}-${Date.now()}`;
    const w = startWatcher(lab.target, { scenario: 'uac_presence_watch.xml', ruri: `sip:romeo@${domain()}`, from: '<sip:hank@sip.test>', mark, timeoutMs: 90_000 });
    await romeo.waitForStanza(presenceOf('subscribe', 'hank@sip.test'), STEP_MS);
    await w.waitForNotify((n) => stateOf(n) === 'pending', STEP_MS, 'pending');
    await romeo.send(xml('presence', { to: 'hank@sip.test', type: 'subscribed' }));
    const first = await w.waitForNotify((n) => n.body.length > 0, STEP_MS, 'first resource');
    expect(readPidf(first.body).tuples.map((t) => [t.id, t.basic])).toEqual([[res1, 'open']]);

    const desk = await connectClient({ service: peer.handle.c2sService, caPem: peer.handle.caPem, domain: domain(), username: 'romeo', password: 'romeo-pw', resource: 'desk phone' });
    try {
      await desk.sendPresence({}, xml('show', {}, 'xa'), xml('status', {}, 'am Schreibtisch ☎'));
      const two = await w.waitForNotify((n) => n.body.includes(Buffer.from('am Schreibtisch ☎')), STEP_MS, 'second resource', first.index + 1);
      const doc = readPidf(two.body);
      expect(doc.tuples.map((t) => t.id).sort()).toEqual([res1, 'ID-desk_20_phone'].sort());
      expect(doc.tuples.find((t) => t.id === 'ID-desk_20_phone')).toEqual({ id: 'ID-desk_20_phone', basic: 'open', show: 'xa', notes: ['am Schreibtisch ☎'] });
      expect(doc.tuples.find((t) => t.id === res1)?.basic).toBe('open');
    } finally {
      await desk.stop();
    }
    // The server sends the ended session's unavailable from its full JID (RFC 6121 §4.5.2).
    const closed = await w.waitForNotify((n) => n.body.length > 0 && readPidf(n.body).tuples.some((t) => t.id === 'ID-desk_20_phone' && t.basic === 'closed'), STEP_MS, 'second resource closed');
    expect(readPidf(closed.body).tuples.find((t) => t.id === res1)?.basic).toBe('open');
    await romeo.sendPresence({}, xml('status', {}, mark)); // sipp's cue: refresh, then Expires: 0
    const r = await w.done;
    expect({ exit: r.exitCode, sipp: r.exitCode === 0 ? '' : describeSipp(r) }).toEqual({ exit: 0, sipp: '' });
  }, 120_000);

  it('a subscription the SIP user does not refresh expires (§5.3.3): NOTIFY terminated;reason=timeout with a closed PIDF, and romeo gets <presence type=unavailable/>, not unsubscribe', async () => {
    const romeo = lab.peer(kind).client('romeo');
    const w = startWatcher(lab.target, { scenario: 'uac_presence_until_terminated.xml', ruri: `sip:romeo@${domain()}`, from: '<sip:ivy@sip.test>', expires: 2, timeoutMs: 40_000 });
    await romeo.waitForStanza(presenceOf('subscribe', 'ivy@sip.test'), STEP_MS);
    await romeo.send(xml('presence', { to: 'ivy@sip.test', type: 'subscribed' }));
    await w.waitForNotify((n) => n.body.length > 0 && stateOf(n) === 'active', STEP_MS, 'presence');
    // Expires 2 s; the gateway's sweep runs every 5 s (gateway.presence.sweepInterval default).
    const ended = await w.waitForNotify((n) => stateOf(n).startsWith('terminated'), 20_000, 'expiry');
    expect(stateOf(ended)).toBe('terminated;reason=timeout');
    expect(readPidf(ended.body).tuples.map((t) => t.basic)).toEqual(['closed']);
    await romeo.waitForStanza(presenceOf('unavailable', 'ivy@sip.test'), STEP_MS);
    expect(romeo.received.filter(presenceOf('unsubscribe', 'ivy@sip.test'))).toEqual([]);
    const r = await w.done;
    expect({ exit: r.exitCode, sipp: r.exitCode === 0 ? '' : describeSipp(r) }).toEqual({ exit: 0, sipp: '' });
  }, 60_000);

  it('a watcher that answers a NOTIFY 481 has lost the subscription (RFC 6665 §4.2.2): the gateway removes it, and the contact\'s next presence changes send it nothing', async () => {
    const romeo = lab.peer(kind).client('romeo');
    const sipp = runSippUac(sipAddress(lab.target), { scenario: 'uac_presence_notify_481.xml', vars: { RURI: `sip:romeo@${domain()}`, FROM: '<sip:kate@sip.test>', HOLD_MS: '4000' }, timeoutMs: 30_000 });
    await romeo.waitForStanza(presenceOf('subscribe', 'kate@sip.test'), STEP_MS);
    await romeo.send(xml('presence', { to: 'kate@sip.test', type: 'subscribed' }));
    const removed = async (): Promise<boolean> => lab.log.lines.some((l) => l.msg === 'SIP watcher refused NOTIFY; subscription removed' && l.status === 481);
    for (let i = 0; i < 100 && !(await removed()); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await removed()).toBe(true);
    // Within sipp's hold: two presence changes that would each have been a NOTIFY.
    await romeo.sendPresence({}, xml('show', {}, 'away'), xml('status', {}, 'nobody should hear this'));
    await romeo.sendPresence({}, xml('status', {}, 'nor this'));
    const r = await sipp;
    const notifies = tracedMessages(r.messages).filter((m) => m.direction === 'received' && m.startLine.startsWith('NOTIFY '));
    expect(notifies.map(stateOf)).toEqual(['pending', 'active']);
    expect({ exit: r.exitCode, sipp: r.exitCode === 0 ? '' : describeSipp(r) }).toEqual({ exit: 0, sipp: '' });
  }, 60_000);

  it('unsubscribed (the contact declines) → NOTIFY terminated;reason=rejected (§5.3.1)', async () => {
    const romeo = lab.peer(kind).client('romeo');
    const w = startWatcher(lab.target, { scenario: 'uac_presence_until_terminated.xml', ruri: `sip:romeo@${domain()}`, from: '<sip:carol@sip.test>', timeoutMs: 40_000 });
    await romeo.waitForStanza(presenceOf('subscribe', 'carol@sip.test'), STEP_MS);
    await w.waitForNotify((n) => stateOf(n) === 'pending', STEP_MS, 'pending');
    await romeo.send(xml('presence', { to: 'carol@sip.test', type: 'unsubscribed' }));
    const ended = await w.waitForNotify((n) => stateOf(n).startsWith('terminated'), STEP_MS, 'terminated');
    expect({ state: stateOf(ended), body: ended.body.length }).toEqual({ state: 'terminated;reason=rejected', body: 0 });
    const r = await w.done;
    expect({ exit: r.exitCode, sipp: r.exitCode === 0 ? '' : describeSipp(r) }).toEqual({ exit: 0, sipp: '' });
    expect(w.notifies().map(stateOf)).toEqual(['pending', 'terminated;reason=rejected']);
  }, 60_000);

  it("a watcher of sip:o'malley@… reaches the XEP-0106 account o\\27malley, and the PIDF entity is the pres: URI pres:o'malley@…, no backslash (RFC 7247 §6.3, RFC 3863 §4.1.1)", async () => {
    const c = lab.peer(kind).client('o\\27malley');
    const w = startWatcher(lab.target, { scenario: 'uac_presence_until_terminated.xml', ruri: `sip:o'malley@${domain()}`, from: '<sip:alice@sip.test>', timeoutMs: 40_000 });
    const sub = await c.waitForStanza(presenceOf('subscribe', 'alice@sip.test'), STEP_MS);
    expect(String(sub.attrs.to).split('/')[0]).toBe(`o\\27malley@${domain()}`);
    await c.send(xml('presence', { to: 'alice@sip.test', type: 'subscribed' }));
    const n = await w.waitForNotify((x) => x.body.length > 0, STEP_MS, "o'malley's presence");
    expect(readPidf(n.body)).toEqual({ entity: `pres:o'malley@${domain()}`, tuples: [{ id: `ID-${c.jid.split('/')[1]}`, basic: 'open', notes: [] }], activities: [] });
    await c.send(xml('presence', { to: 'alice@sip.test', type: 'unsubscribed' })); // ends the watch: terminated;reason=rejected
    const ended = await w.waitForNotify((x) => stateOf(x).startsWith('terminated'), STEP_MS, 'terminated');
    expect(stateOf(ended)).toBe('terminated;reason=rejected');
    const r = await w.done;
    expect({ exit: r.exitCode, sipp: r.exitCode === 0 ? '' : describeSipp(r) }).toEqual({ exit: 0, sipp: '' });
  }, 60_000);

  it('a SUBSCRIBE for an event package other than presence → 489 Bad Event with Allow-Events: presence, and nothing reaches XMPP (RFC 6665 §8.3.2)', async () => {
    const romeo = lab.peer(kind).client('romeo');
    const before = romeo.received.length;
    const r = await runSippUac(sipAddress(lab.target), {
      scenario: 'uac_presence_refused.xml',
      vars: { RURI: `sip:romeo@${domain()}`, FROM: '<sip:dave@sip.test>', EVENT: 'dialog', ACCEPT: 'application/pidf+xml', EXPECT: '489' },
      timeoutMs: 15_000,
    });
    expect({ exit: r.exitCode, sipp: r.exitCode === 0 ? '' : describeSipp(r) }).toEqual({ exit: 0, sipp: '' });
    const final = tracedMessages(r.messages).find((m) => m.direction === 'received' && m.startLine.startsWith('SIP/2.0 489'));
    expect(final?.header('Allow-Events')).toBe('presence');
    await new Promise((res) => setTimeout(res, 1000));
    expect(romeo.received.slice(before).filter(fromBare('dave@sip.test'))).toEqual([]);
  }, 30_000);
});

describe('the gateway itself', () => {
  it('logged no error-level line through all of the above (bad input is refused with a protocol error and an info/warn line, never an internal error)', () => {
    const errors = lab.log.lines.filter((l) => typeof l.level === 'number' && l.level >= 50);
    expect(errors.map((l) => `${String(l.msg)} ${JSON.stringify({ ...l, msg: undefined, time: undefined, pid: undefined, hostname: undefined })}`)).toEqual([]);
  });
});

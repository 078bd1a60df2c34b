import type { PresenceStanza } from '../../core/stanza/stanza';
import type { EffectivePartner } from '../../core/policy/find-partner';
import { FakeXmppOut, ManualClock, MemoryLog, SequenceIds, TRUSTED_PROXY, testPolicy } from '../__tests__/fakes';
import { createPresenceService } from './presence-service';
import { presentityUri } from './sip-watches-xmpp';
import { DEFAULT_PRESENCE_OPTIONS } from './presence-deps';
import { FakeSipPresenceOut, MapPresenceCache, MemoryPresenceStore, SwitchLimiter } from './__tests__/presence-fakes';

const partner = (d: string): EffectivePartner | 'not-allowed' =>
  d === 'xmpp.example'
    ? { domain: d, additionalDomains: [], partnerType: 'Federated', tls: 'Required', sasl: 'Optional', dialback: true, keepAlive: true, connectionLimit: 10, source: 'listed', remoteDomain: d }
    : 'not-allowed';

function world() {
  const sip = new FakeSipPresenceOut();
  const xmpp = new FakeXmppOut();
  const store = new MemoryPresenceStore();
  const svc = createPresenceService({
    store, sip, xmpp, cache: new MapPresenceCache(), limiter: new SwitchLimiter(),
    clock: new ManualClock(), ids: new SequenceIds(), log: new MemoryLog(), policy: testPolicy({ partnerFor: partner }),
    options: { ...DEFAULT_PRESENCE_OPTIONS, nodeId: 'node-a' },
  });
  return { sip, svc, xmpp, store };
}

const presence = (p: Partial<PresenceStanza>): PresenceStanza => ({ kind: 'presence', from: 'romeo@xmpp.example/orchard', to: 'alice@sip.example', ...p });
const tupleIds = (body: string | undefined): string[] => [...(body ?? '').matchAll(/<tuple id="([^"]*)"/g)].map((m) => m[1]!);

async function subscribed(w: ReturnType<typeof world>, expires = '3600'): Promise<void> {
  const a = await w.svc.handlers.onSubscribe({
    source: { address: TRUSTED_PROXY, port: 5060, protocol: 'udp' }, requestUri: 'sip:romeo@xmpp.example',
    from: '<sip:alice@sip.example>;tag=w1', to: '<sip:romeo@xmpp.example>', callId: 'c1', event: 'presence', expires,
  });
  await a.accepted!('D1');
}

describe('a presence from the contact\'s BARE JID is not a resource of its own (RFC 6121 §4.3.2, §4.5.2; RFC 8048 §6.2 one tuple per resource)', () => {
  it('Prosody\'s bare unavailable that "acknowledges" the subscribe, arriving after the approval and the resource\'s presence, changes nothing: no NOTIFY, and no extra "ID-" tuple later', async () => {
    const w = world();
    await subscribed(w);
    await w.svc.onPresence(presence({ type: 'subscribed', from: 'romeo@xmpp.example' }));
    await w.svc.onPresence(presence({}));
    expect(tupleIds(w.sip.notifies[2]?.body)).toEqual(['ID-orchard']);
    await w.svc.onPresence(presence({ type: 'unavailable', from: 'romeo@xmpp.example' }));
    expect(w.sip.notifies).toHaveLength(3);
    await w.svc.onPresence(presence({ show: 'away', status: 'back soon' }));
    expect(tupleIds(w.sip.notifies[3]?.body)).toEqual(['ID-orchard']);
  });

  it('a bare unavailable cached while pending is superseded by the first resource\'s presence', async () => {
    const w = world();
    await subscribed(w);
    await w.svc.onPresence(presence({ type: 'unavailable', from: 'romeo@xmpp.example' }));
    await w.svc.onPresence(presence({ type: 'subscribed', from: 'romeo@xmpp.example' }));
    await w.svc.onPresence(presence({}));
    expect(tupleIds(w.sip.notifies.at(-1)?.body)).toEqual(['ID-orchard']);
    expect(w.sip.notifies.at(-1)?.body).toContain('<basic>open</basic>');
  });

  it('with no resource known, a bare unavailable still says closed', async () => {
    const w = world();
    await subscribed(w);
    await w.svc.onPresence(presence({ type: 'subscribed', from: 'romeo@xmpp.example' }));
    await w.svc.onPresence(presence({ type: 'unavailable', from: 'romeo@xmpp.example' }));
    expect(tupleIds(w.sip.notifies.at(-1)?.body)).toEqual(['ID-']);
    expect(w.sip.notifies.at(-1)?.body).toContain('<basic>closed</basic>');
  });
});

describe('a subscribe or probe no stream can carry ends the SIP subscription instead of leaving it waiting (RFC 7247 §7, RFC 8048 §5.3.1, §7)', () => {
  it('pending: NOTIFY pending, then terminated;reason=giveup, and the watcher record is gone', async () => {
    const w = world();
    w.xmpp.next = { ok: false, error: { type: 'cancel', condition: 'remote-server-not-found' } };
    await subscribed(w);
    expect(w.sip.notifies.map((n) => n.subscriptionState)).toEqual(['pending;expires=3600', 'terminated;reason=giveup']);
    expect(w.xmpp.sent.map((s) => s.type)).toEqual(['subscribe']);
    expect(await w.store.getWatcher('D1')).toBeUndefined();
  });

  it('a poll (Expires: 0) whose probe cannot be sent: NOTIFY terminated;reason=timeout at once', async () => {
    const w = world();
    w.xmpp.next = { ok: false, error: { type: 'wait', condition: 'remote-server-timeout' } };
    await subscribed(w, '0');
    expect(w.sip.notifies.map((n) => n.subscriptionState)).toEqual(['terminated;reason=timeout']);
    expect(w.xmpp.sent.map((s) => s.type)).toEqual(['probe']);
    expect(await w.store.getWatcher('D1')).toBeUndefined();
  });

  it('a delivered subscribe leaves the subscription pending', async () => {
    const w = world();
    await subscribed(w);
    expect(w.sip.notifies.map((n) => n.subscriptionState)).toEqual(['pending;expires=3600']);
    expect(await w.store.getWatcher('D1')).toMatchObject({ state: { phase: 'pending' } });
  });
});

describe('the PIDF entity is the contact\'s pres: URI (RFC 3863 §4.1.1; RFC 7247 §6.3 undoes XEP-0106 escapes)', () => {
  it.each([
    ['romeo@xmpp.example', 'pres:romeo@xmpp.example'],
    ['o\\27malley@xmpp.example', "pres:o'malley@xmpp.example"],
    ['m\\26m@xmpp.example', 'pres:m&m@xmpp.example'],
  ])('%s → %s', (jid, uri) => {
    expect(presentityUri(jid)).toBe(uri);
  });

  it('a NOTIFY for a watcher of o\\27malley names pres:o\'malley, never a backslash', async () => {
    const w = world();
    const a = await w.svc.handlers.onSubscribe({
      source: { address: TRUSTED_PROXY, port: 5060, protocol: 'udp' }, requestUri: "sip:o'malley@xmpp.example",
      from: '<sip:alice@sip.example>;tag=w1', to: "<sip:o'malley@xmpp.example>", callId: 'c1', event: 'presence', expires: '3600',
    });
    await a.accepted!('D1');
    expect(w.xmpp.sent.map((s) => s.to)).toEqual(['o\\27malley@xmpp.example']);
    await w.svc.onPresence(presence({ type: 'subscribed', from: 'o\\27malley@xmpp.example' }));
    await w.svc.onPresence(presence({ from: 'o\\27malley@xmpp.example/pub' }));
    expect(w.sip.notifies.at(-1)?.body).toContain('entity="pres:o&apos;malley@xmpp.example"'); // XML-escaped attribute
    expect(w.sip.notifies.at(-1)?.body).not.toContain('\\');
  });
});

describe('a SUBSCRIBE whose Accept admits no PIDF is refused 406, before anything reaches XMPP (RFC 6665 §3.1.2, RFC 3261 §21.4.7)', () => {
  it.each([
    ['application/xpidf+xml', 406],
    ['application/pidf+xml;q=0', 406],
    ['application/pidf+xml, application/xpidf+xml', 200],
  ])('Accept: %s → %s', async (accept, status) => {
    const w = world();
    const a = await w.svc.handlers.onSubscribe({
      source: { address: TRUSTED_PROXY, port: 5060, protocol: 'udp' }, requestUri: 'sip:romeo@xmpp.example',
      from: '<sip:alice@sip.example>;tag=w1', to: '<sip:romeo@xmpp.example>', callId: 'c1', event: 'presence', expires: '3600', accept,
    });
    expect(a.status).toBe(status);
    if (status === 406) {
      expect(a.accepted).toBeUndefined();
      expect(w.xmpp.sent).toEqual([]);
    }
  });
});

describe('a SIP user with two devices (two dialogs) watching one contact (RFC 8048 §5.3.3)', () => {
  const sub = (w: ReturnType<typeof world>, callId: string, tag: string, expires: string, dialogId?: string) =>
    w.svc.handlers.onSubscribe({
      source: { address: TRUSTED_PROXY, port: 5060, protocol: 'udp' }, requestUri: 'sip:romeo@xmpp.example',
      from: `<sip:alice@sip.example>;tag=${tag}`, to: '<sip:romeo@xmpp.example>', callId, event: 'presence', expires,
      ...(dialogId ? { dialogId } : {}),
    });

  it('ending one dialog sends no unavailable while the other still watches; ending the last one does', async () => {
    const w = world();
    await (await sub(w, 'c1', 'a', '3600')).accepted!('D1');
    await (await sub(w, 'c2', 'b', '3600')).accepted!('D2');
    await w.svc.onPresence(presence({ type: 'subscribed', from: 'romeo@xmpp.example' }));
    const unavailable = () => w.xmpp.sent.filter((s) => s.type === 'unavailable');
    await (await sub(w, 'c1', 'a', '0', 'D1')).accepted!('D1');
    expect(w.sip.notifies.filter((n) => n.dialogId === 'D1').at(-1)?.subscriptionState).toBe('terminated;reason=timeout');
    expect(unavailable()).toEqual([]);
    await (await sub(w, 'c2', 'b', '0', 'D2')).accepted!('D2');
    expect(unavailable().map((s) => `${s.from}→${s.to}`)).toEqual(['alice@sip.example→romeo@xmpp.example']);
  });
});

import type { PresenceStanza, Stanza } from '../../core/stanza/stanza';
import type { EffectivePartner } from '../../core/policy/find-partner';
import { FakeXmppOut, ManualClock, MemoryLog, SequenceIds, TRUSTED_PROXY, testPolicy } from '../__tests__/fakes';
import type { InboundSipSubscribe } from '../presence-ports';
import { createPresenceService, type PresenceService } from './presence-service';
import { DEFAULT_PRESENCE_OPTIONS, type PresenceDeps } from './presence-deps';
import { FakeSipPresenceOut, MapPresenceCache, MemoryPresenceStore, SwitchLimiter, settle } from './__tests__/presence-fakes';

const partnerOf = (partnerType: EffectivePartner['partnerType']) => (d: string): EffectivePartner | 'not-allowed' =>
  d === 'xmpp.example'
    ? { domain: d, additionalDomains: [], partnerType, tls: 'Required', sasl: 'Optional', dialback: true, keepAlive: true, connectionLimit: 10, source: 'listed', remoteDomain: d }
    : 'not-allowed';

interface World {
  deps: PresenceDeps & { store: MemoryPresenceStore; sip: FakeSipPresenceOut; xmpp: FakeXmppOut; clock: ManualClock; limiter: SwitchLimiter; log: MemoryLog };
  svc: PresenceService;
}

function world(opts: { partnerType?: EffectivePartner['partnerType']; store?: MemoryPresenceStore; clock?: ManualClock; node?: string } = {}): World {
  const deps = {
    store: opts.store ?? new MemoryPresenceStore(),
    sip: new FakeSipPresenceOut(),
    xmpp: new FakeXmppOut(),
    cache: new MapPresenceCache(),
    limiter: new SwitchLimiter(),
    clock: opts.clock ?? new ManualClock(),
    ids: new SequenceIds(),
    log: new MemoryLog(),
    policy: testPolicy({ partnerFor: partnerOf(opts.partnerType ?? 'Federated') }),
    options: { ...DEFAULT_PRESENCE_OPTIONS, nodeId: opts.node ?? 'node-a' },
  };
  return { deps, svc: createPresenceService(deps) };
}

const subscribe = (over: Partial<InboundSipSubscribe> = {}): InboundSipSubscribe => ({
  source: { address: TRUSTED_PROXY, port: 5060, protocol: 'udp' },
  requestUri: 'sip:romeo@xmpp.example',
  from: '<sip:alice@sip.example>;tag=w1',
  to: '<sip:romeo@xmpp.example>',
  callId: 'c1',
  event: 'presence',
  expires: '3600',
  ...over,
});

const presence = (p: Partial<PresenceStanza>): PresenceStanza => ({ kind: 'presence', from: 'romeo@xmpp.example/orchard', to: 'alice@sip.example', ...p });
const types = (sent: Stanza[]) => sent.map((s) => `${s.kind}:${s.type ?? 'available'} ${s.from}→${s.to}`);

/** A SIP watcher alice subscribed to romeo in dialog D1, approved by romeo. */
async function activeWatcher(w: World): Promise<void> {
  const a = await w.svc.handlers.onSubscribe(subscribe());
  await a.accepted!('D1');
  await w.svc.onPresence(presence({ type: 'subscribed', from: 'romeo@xmpp.example' }));
}

describe('SIP user watches an XMPP contact (RFC 8048 §5.3)', () => {
  it('accepts SUBSCRIBE with 200 and Expires, sends NOTIFY pending and presence subscribe to the contact (§5.3.1, RFC 6665 §4.2.1.2)', async () => {
    const w = world();
    const a = await w.svc.handlers.onSubscribe(subscribe());
    expect(a).toMatchObject({ status: 200, headers: { Expires: '3600' } });
    await a.accepted!('D1');
    expect(w.deps.sip.notifies).toEqual([{ dialogId: 'D1', subscriptionState: 'pending;expires=3600' }]);
    expect(types(w.deps.xmpp.sent)).toEqual(['presence:subscribe alice@sip.example→romeo@xmpp.example']);
    expect(await w.deps.store.getWatcher('D1')).toMatchObject({ watcherJid: 'alice@sip.example', contactJid: 'romeo@xmpp.example', state: { phase: 'pending' }, owner: 'node-a' });
  });

  it.each([
    ['an event package other than presence', { event: 'dialog' }, 489],
    ['no Event header', { event: undefined }, 489],
    ['an untrusted source', { source: { address: '192.0.2.9' } }, 403],
    ['Max-Forwards 0 (RFC 5393 §4.1)', { maxForwards: '0' }, 483],
    ['a sips: Request-URI (RFC 7247 §8)', { requestUri: 'sips:romeo@xmpp.example' }, 416],
    ['a sender without XMPP access (Lync EnableXmppAccess)', { from: '<sip:mallory@sip.example>;tag=x' }, 403],
    ['a domain that is not a partner', { requestUri: 'sip:eve@evil.example', to: '<sip:eve@evil.example>' }, 403],
    ['an Expires that is not delta-seconds', { expires: 'soon' }, 400],
  ])('refuses a SUBSCRIBE with %s', async (_n, over, status) => {
    const w = world();
    const a = await w.svc.handlers.onSubscribe(subscribe(over as Partial<InboundSipSubscribe>));
    expect(a.status).toBe(status);
    expect(a.accepted).toBeUndefined();
    expect(w.deps.xmpp.sent).toEqual([]);
  });

  it('maps subscribed to NOTIFY active, then presence to NOTIFY with one PIDF tuple per resource and <show> inside (§5.3.1, §6.2)', async () => {
    const w = world();
    await activeWatcher(w);
    expect(w.deps.sip.notifies[1]).toEqual({ dialogId: 'D1', subscriptionState: 'active;expires=3600' });
    await w.svc.onPresence(presence({ show: 'dnd', status: 'In a meeting ✓' }));
    await w.svc.onPresence(presence({ from: 'romeo@xmpp.example/balcony' }));
    const last = w.deps.sip.notifies[3]!;
    expect(last.subscriptionState).toBe('active;expires=3600');
    expect(last.contentType).toBe('application/pidf+xml');
    expect(last.body).toContain('<tuple id="ID-balcony">');
    expect(last.body).toContain('<tuple id="ID-orchard">');
    expect(last.body).toMatch(/<show xmlns="jabber:client">dnd<\/show>/);
    expect(last.body).toContain('In a meeting ✓');
  });

  it('maps unsubscribed to NOTIFY terminated;reason=rejected and forgets the dialog (§5.3.1)', async () => {
    const w = world();
    const a = await w.svc.handlers.onSubscribe(subscribe());
    await a.accepted!('D1');
    await w.svc.onPresence(presence({ type: 'unsubscribed', from: 'romeo@xmpp.example' }));
    expect(w.deps.sip.notifies.at(-1)).toEqual({ dialogId: 'D1', subscriptionState: 'terminated;reason=rejected' });
    expect(await w.deps.store.getWatcher('D1')).toBeUndefined();
  });

  it('never passes presence to a watcher that is still pending (§8.2)', async () => {
    const w = world();
    const a = await w.svc.handlers.onSubscribe(subscribe());
    await a.accepted!('D1');
    await w.svc.onPresence(presence({ show: 'away' }));
    expect(w.deps.sip.notifies).toHaveLength(1);
  });

  it('answers a refresh with the cached PIDF, and Expires: 0 with NOTIFY terminated and unavailable, not unsubscribe (§5.3.2, §5.3.3)', async () => {
    const w = world();
    await activeWatcher(w);
    await w.svc.onPresence(presence({ show: 'away' }));
    const r = await w.svc.handlers.onSubscribe(subscribe({ dialogId: 'D1', expires: '600' }));
    expect(r).toMatchObject({ status: 200, headers: { Expires: '600' } });
    await r.accepted!('D1');
    expect(w.deps.sip.notifies.at(-1)).toMatchObject({ subscriptionState: 'active;expires=600' });
    expect(w.deps.sip.notifies.at(-1)!.body).toContain('away');
    const end = await w.svc.handlers.onSubscribe(subscribe({ dialogId: 'D1', expires: '0' }));
    await end.accepted!('D1');
    expect(w.deps.sip.notifies.at(-1)).toMatchObject({ subscriptionState: 'terminated;reason=timeout' });
    expect(w.deps.sip.notifies.at(-1)!.body).toContain('<basic>closed</basic>');
    expect(types(w.deps.xmpp.sent).at(-1)).toBe('presence:unavailable alice@sip.example→romeo@xmpp.example');
    expect(await w.deps.store.getWatcher('D1')).toBeUndefined();
  });

  it('keeps the SIP watcher when a NOTIFY fails with 503 — transaction only (RFC 5057 §5.1), and what the gateway\'s own gate answers while shutting down — but removes it on 481 (RFC 6665 §4.2.2)', async () => {
    const w = world();
    await activeWatcher(w);
    w.deps.sip.nextNotify = { status: 503, reason: 'Service Unavailable' };
    await w.svc.onPresence(presence({ show: 'away' }));
    await settle();
    expect(await w.deps.store.getWatcher('D1')).toMatchObject({ state: { phase: 'active' } });
    w.deps.sip.nextNotify = { status: 481, reason: 'Call/Transaction Does Not Exist' };
    await w.svc.onPresence(presence({ show: 'dnd' }));
    await settle();
    expect(await w.deps.store.getWatcher('D1')).toBeUndefined();
  });

  it('answers a refresh in a dialog it does not know with 481 (RFC 6665 §4.2.1.2)', async () => {
    const w = world();
    expect((await w.svc.handlers.onSubscribe(subscribe({ dialogId: 'nope' }))).status).toBe(481);
  });

  it('ends a subscription that expired unrefreshed at the next sweep (§5.3.3)', async () => {
    const w = world();
    await activeWatcher(w);
    w.deps.clock.advance(3601_000);
    await w.svc.tick();
    expect(w.deps.sip.notifies.at(-1)!.subscriptionState).toBe('terminated;reason=timeout');
    expect(await w.deps.store.getWatcher('D1')).toBeUndefined();
  });

  it('sends presence only to the watcher it is addressed to (§8.2)', async () => {
    const w = world();
    await activeWatcher(w);
    const b = await w.svc.handlers.onSubscribe(subscribe({ from: '<sip:bob@sip.example>;tag=w2', callId: 'c2' }));
    await b.accepted!('D2');
    await w.svc.onPresence(presence({ type: 'subscribed', from: 'romeo@xmpp.example', to: 'bob@sip.example' }));
    const before = w.deps.sip.notifies.length;
    await w.svc.onPresence(presence({ to: 'bob@sip.example', status: 'for bob only' }));
    const after = w.deps.sip.notifies.slice(before);
    expect(after.map((n) => n.dialogId)).toEqual(['D2']);
  });
});

describe('XMPP user watches a SIP contact (RFC 8048 §5.2)', () => {
  const sub = (type?: PresenceStanza['type']) => presence({ type, from: 'romeo@xmpp.example/orchard', to: 'alice@sip.example' });

  it('turns subscribe into SUBSCRIBE Expires 3600; pending NOTIFY says nothing; the first active NOTIFY sends subscribed, then presence (§5.2.1)', async () => {
    const w = world();
    await w.svc.onPresence(sub('subscribe'));
    await settle();
    expect(w.deps.sip.subscribes[0]).toMatchObject({ uri: 'sip:alice@sip.example', from: 'sip:romeo@xmpp.example', expires: 3600 });
    expect(w.deps.sip.subscribes[0]!.dialogId).toBeUndefined();
    const notify = (state: string, body = '') =>
      w.svc.handlers.onNotify({ dialogId: 'dlg-1', callId: 'x', from: '<sip:alice@sip.example>;tag=t', to: '<sip:romeo@xmpp.example>;tag=m', event: 'presence', subscriptionState: state, body, contentType: 'application/pidf+xml' });
    expect((await notify('pending;expires=3600')).status).toBe(200);
    expect(w.deps.xmpp.sent).toEqual([]);
    const pidf = `<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="pres:alice@sip.example"><tuple id="t1"><status><basic>open</basic></status><note>Lunch</note></tuple></presence>`;
    expect((await notify('active;expires=3600', pidf)).status).toBe(200);
    expect(types(w.deps.xmpp.sent)).toEqual(['presence:subscribed alice@sip.example→romeo@xmpp.example', 'presence:available alice@sip.example→romeo@xmpp.example']);
    expect((w.deps.xmpp.sent[1] as PresenceStanza).status).toBe('Lunch');
  });

  it.each([403, 489, 603])('cancels the authorisation permanently on %i: the XMPP user gets unsubscribed (§5.2.2)', async (status) => {
    const w = world();
    w.deps.sip.nextSubscribe = { status, reason: 'No' };
    await w.svc.onPresence(sub('subscribe'));
    await settle();
    expect(types(w.deps.xmpp.sent)).toEqual(['presence:unsubscribed alice@sip.example→romeo@xmpp.example']);
    expect(await w.deps.store.getSubscription('romeo@xmpp.example', 'alice@sip.example')).toBeUndefined();
  });

  it('treats 481 as transient and re-subscribes in a new dialog (§5.2.2)', async () => {
    const w = world();
    await w.svc.onPresence(sub('subscribe'));
    await settle();
    w.deps.sip.queued.push({ status: 481, reason: 'Gone' });
    w.deps.clock.advance(3241_000);
    await w.svc.tick();
    await settle();
    const last = w.deps.sip.subscribes.at(-1)!;
    expect(w.deps.sip.subscribes.map((s) => s.dialogId ?? 'new')).toEqual(['new', 'dlg-1', 'new']);
    expect(last.expires).toBe(3600);
    expect(w.deps.xmpp.sent).toEqual([]);
  });

  it('backs off instead of looping when the notifier answers 423 to every SUBSCRIBE (§5.2.2, RFC 3261 §20.23)', async () => {
    const w = world();
    await w.svc.onPresence(sub('subscribe'));
    await settle();
    w.deps.sip.nextSubscribe = { status: 423, reason: 'Interval Too Brief', minExpires: 7200 };
    w.deps.clock.advance(3241_000);
    await w.svc.tick();
    await settle(50);
    expect(w.deps.sip.subscribes.length).toBeLessThanOrEqual(5);
    const rec = await w.deps.store.getSubscription('romeo@xmpp.example', 'alice@sip.example');
    expect(rec?.refreshAt).toBe(w.deps.clock.ms + 300_000);
  });

  it('refreshes before expiry from the sweep, in the same dialog (§5.2.2)', async () => {
    const w = world();
    await w.svc.onPresence(sub('subscribe'));
    await settle();
    w.deps.clock.advance(3000_000);
    await w.svc.tick();
    expect(w.deps.sip.subscribes).toHaveLength(1);
    w.deps.clock.advance(300_000);
    await w.svc.tick();
    await settle();
    expect(w.deps.sip.subscribes.map((s) => s.dialogId ?? 'new')).toEqual(['new', 'dlg-1']);
  });

  it('turns unsubscribe into SUBSCRIBE Expires 0 in the dialog, then unsubscribed (§5.2.3)', async () => {
    const w = world();
    await w.svc.onPresence(sub('subscribe'));
    await settle();
    await w.svc.onPresence(sub('unsubscribe'));
    await settle();
    expect(w.deps.sip.subscribes.at(-1)).toMatchObject({ dialogId: 'dlg-1', expires: 0 });
    expect(types(w.deps.xmpp.sent)).toEqual(['presence:unsubscribed alice@sip.example→romeo@xmpp.example']);
  });

  it('turns probe into SUBSCRIBE Expires 0 in a new dialog and answers with its NOTIFY (§7)', async () => {
    const w = world();
    await w.svc.onPresence(sub('probe'));
    expect(w.deps.sip.subscribes[0]).toMatchObject({ expires: 0 });
    expect(w.deps.sip.subscribes[0]!.dialogId).toBeUndefined();
    const r = await w.svc.handlers.onNotify({ dialogId: 'dlg-1', callId: 'x', from: 'a', to: 'b', event: 'presence', subscriptionState: 'terminated;reason=timeout', body: '' });
    expect(r.status).toBe(200);
    expect(types(w.deps.xmpp.sent)).toEqual(['presence:unavailable alice@sip.example→romeo@xmpp.example']);
  });

  it('re-subscribes when the XMPP user sends initial presence (§5.2.2)', async () => {
    const w = world();
    await w.svc.onPresence(sub('subscribe'));
    await settle();
    await w.svc.onPresence(sub(undefined));
    await settle();
    expect(w.deps.sip.subscribes.map((s) => s.dialogId ?? 'new')).toEqual(['new', 'dlg-1']);
  });

  it('answers a NOTIFY for an unknown dialog with 481 and a malformed PIDF with 400, and keeps the subscription (RFC 6665 §4.1.3)', async () => {
    const w = world();
    const unknown = await w.svc.handlers.onNotify({ dialogId: 'zzz', callId: 'x', from: 'a', to: 'b', event: 'presence', subscriptionState: 'active', body: '' });
    expect(unknown.status).toBe(481);
    await w.svc.onPresence(sub('subscribe'));
    await settle();
    const bad = await w.svc.handlers.onNotify({ dialogId: 'dlg-1', callId: 'x', from: 'a', to: 'b', event: 'presence', subscriptionState: 'active', body: '<presence><!DOCTYPE x></presence>' });
    expect(bad.status).toBe(400);
    expect(await w.deps.store.getSubscription('romeo@xmpp.example', 'alice@sip.example')).toBeDefined();
  });
});

describe('Lync partner types (anchors.md §1.2.1)', () => {
  it('declines a PublicUnverified subscription request unless the local user reached out first', async () => {
    const w = world({ partnerType: 'PublicUnverified' });
    await w.svc.onPresence(presence({ type: 'subscribe' }));
    expect(types(w.deps.xmpp.sent)).toEqual(['presence:unsubscribed alice@sip.example→romeo@xmpp.example']);
    expect(w.deps.sip.subscribes).toEqual([]);
    await w.deps.store.recordInterest({ localUser: 'alice@sip.example', remoteContact: 'romeo@xmpp.example', kind: 'messaged', at: 0 });
    await w.svc.onPresence(presence({ type: 'subscribe' }));
    await settle();
    expect(w.deps.sip.subscribes).toHaveLength(1);
  });

  it.each(['PublicVerified', 'Federated'] as const)('forwards a %s subscription request to the SIP side, which decides', async (partnerType) => {
    const w = world({ partnerType });
    await w.svc.onPresence(presence({ type: 'subscribe' }));
    await settle();
    expect(w.deps.sip.subscribes).toHaveLength(1);
  });

  it('counts a SIP user subscribing to a contact as reaching out (PublicUnverified may then ask back)', async () => {
    const w = world({ partnerType: 'PublicUnverified' });
    const a = await w.svc.handlers.onSubscribe(subscribe());
    await a.accepted!('D1');
    await w.svc.onPresence(presence({ type: 'subscribe' }));
    await settle();
    expect(w.deps.sip.subscribes).toHaveLength(1);
  });
});

describe('refusals and caps (RFC 8048 §8)', () => {
  it.each([
    ['from a domain that is not a partner', { from: 'eve@evil.example' }, 'policy-violation'],
    ['to a user without XMPP access', { to: 'mallory@sip.example' }, 'forbidden'],
  ])('answers a subscription request %s with a presence error', async (_n, over, condition) => {
    const w = world();
    await w.svc.onPresence(presence({ type: 'subscribe', ...over }));
    const e = w.deps.xmpp.sent[0] as PresenceStanza;
    expect(e.type).toBe('error');
    expect(e.error?.condition).toBe(condition);
  });

  it('answers presence over a partner\'s rate with resource-constraint and does not reach SIP', async () => {
    const w = world();
    w.deps.limiter.refused.add('presence:');
    await w.svc.onPresence(presence({ type: 'subscribe' }));
    expect((w.deps.xmpp.sent[0] as PresenceStanza).error?.condition).toBe('resource-constraint');
    expect(w.deps.sip.subscribes).toEqual([]);
  });
});

describe('restart and several nodes', () => {
  it('after a restart re-creates SIP subscriptions in new dialogs and probes the contacts of active watchers', async () => {
    const store = new MemoryPresenceStore();
    const clock = new ManualClock();
    const first = world({ store, clock });
    await first.svc.onPresence(presence({ type: 'subscribe' }));
    await settle();
    await activeWatcher(first);
    // The process dies; a new one on the same store starts.
    const again = world({ store, clock });
    const r = await again.svc.start();
    await settle();
    expect(r).toEqual({ watchers: 1, subscriptions: 1 });
    expect(again.deps.sip.subscribes.filter((s) => s.dialogId === undefined)).toHaveLength(1);
    expect(again.deps.sip.subscribes.find((s) => s.dialogId === 'dlg-1')).toMatchObject({ expires: 0 }); // old dialog ended
    expect(types(again.deps.xmpp.sent)).toContain('presence:probe alice@sip.example→romeo@xmpp.example');
    // Presence after the restart still reaches the SIP watcher.
    await again.svc.onPresence(presence({ show: 'xa' }));
    expect(again.deps.sip.notifies.at(-1)).toMatchObject({ dialogId: 'D1', subscriptionState: expect.stringMatching(/^active/) });
  });

  it('a live node adopts the records of a node whose heartbeat lapsed, and refreshes them', async () => {
    const store = new MemoryPresenceStore();
    const clock = new ManualClock();
    const a = world({ store, clock, node: 'a' });
    const b = world({ store, clock, node: 'b' });
    await a.svc.tick();
    await b.svc.tick();
    await a.svc.onPresence(presence({ type: 'subscribe' }));
    await settle();
    clock.advance(DEFAULT_PRESENCE_OPTIONS.livenessMs + 1);
    await b.svc.tick();
    await settle();
    expect((await store.getSubscription('romeo@xmpp.example', 'alice@sip.example'))?.owner).toBe('b');
    expect(b.deps.sip.subscribes.filter((s) => s.dialogId === undefined)).toHaveLength(1);
  });
});

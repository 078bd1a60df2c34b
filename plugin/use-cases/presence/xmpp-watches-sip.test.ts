import type { PresenceStanza, Stanza } from '../../core/stanza/stanza';
import { FakeXmppOut, ManualClock, MemoryLog, SequenceIds, testPolicy } from '../__tests__/fakes';
import type { OutboundSubscribe, SubscribeOutcome, SubscriptionRecord } from '../presence-ports';
import { KeyedSerial } from './keyed-serial';
import { XmppWatchesSip } from './xmpp-watches-sip';
import { DEFAULT_PRESENCE_OPTIONS } from './presence-deps';
import { createPresenceService } from './presence-service';
import { FakeSipPresenceOut, MapPresenceCache, MemoryPresenceStore, SwitchLimiter, settle } from './__tests__/presence-fakes';

/** Holds the answer to every Expires: 0 SUBSCRIBE until release() (the notifier's NOTIFY may be handled first). */
class HeldUnsubscribe extends FakeSipPresenceOut {
  private held: Array<() => void> = [];
  override async subscribe(s: OutboundSubscribe, onDialog: (id: string) => void): Promise<SubscribeOutcome> {
    const r = await super.subscribe(s, onDialog);
    if (s.expires !== 0) return r;
    await new Promise<void>((resolve) => this.held.push(resolve));
    return { status: 200, reason: 'OK', expires: 0 };
  }
  release(): void {
    for (const r of this.held.splice(0)) r();
  }
}

function world() {
  const deps = {
    store: new MemoryPresenceStore(),
    sip: new HeldUnsubscribe(),
    xmpp: new FakeXmppOut(),
    cache: new MapPresenceCache(),
    limiter: new SwitchLimiter(),
    clock: new ManualClock(),
    ids: new SequenceIds(),
    log: new MemoryLog(),
    policy: testPolicy({
      partnerFor: (d: string) => (d === 'xmpp.example'
        ? { domain: d, additionalDomains: [], partnerType: 'Federated' as const, tls: 'Required' as const, sasl: 'Optional' as const, dialback: true, keepAlive: true, connectionLimit: 10, source: 'listed' as const, remoteDomain: d }
        : 'not-allowed' as const),
    }),
    options: { ...DEFAULT_PRESENCE_OPTIONS, nodeId: 'node-a' },
  };
  return { deps, svc: createPresenceService(deps) };
}

const fromRomeo = (type?: PresenceStanza['type']): PresenceStanza => ({ kind: 'presence', from: 'romeo@xmpp.example/orchard', to: 'alice@sip.example', ...(type ? { type } : {}) });
const types = (sent: Stanza[]) => sent.map((s) => `${s.kind}:${s.type ?? 'available'}`);
const PIDF_OPEN = '<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="pres:alice@sip.example"><tuple id="t1"><status><basic>open</basic></status></tuple></presence>';

describe('unsubscribe from a SIP contact (RFC 8048 §5.2.3)', () => {
  async function subscribedThenUnsubscribe() {
    const w = world();
    await w.svc.onPresence(fromRomeo('subscribe'));
    await settle();
    const notify = (state: string, body = '') => w.svc.handlers.onNotify({
      dialogId: 'dlg-1', callId: 'c', from: '<sip:alice@sip.example>;tag=n', to: '<sip:romeo@xmpp.example>;tag=m', event: 'presence', subscriptionState: state, body,
      ...(body ? { contentType: 'application/pidf+xml' } : {}),
    });
    expect((await notify('active;expires=3600', PIDF_OPEN)).status).toBe(200);
    await w.svc.onPresence(fromRomeo('unsubscribe'));
    await settle();
    expect(w.deps.sip.subscribes.at(-1)).toMatchObject({ dialogId: 'dlg-1', expires: 0 });
    return { w, notify };
  }

  it('sends unsubscribed exactly once when the terminating NOTIFY is handled before the 200 to Expires: 0 (drachtio delivers both in one read, PROTOCOL-NOTES Q2)', async () => {
    const { w, notify } = await subscribedThenUnsubscribe();
    expect((await notify('terminated;reason=timeout')).status).toBe(200);
    w.deps.sip.release();
    await settle();
    expect(types(w.deps.xmpp.sent)).toEqual(['presence:subscribed', 'presence:available', 'presence:unsubscribed']);
    expect(await w.deps.store.getSubscription('romeo@xmpp.example', 'alice@sip.example')).toBeUndefined();
  });

  it('sends unsubscribed exactly once when the 200 comes first; the late terminating NOTIFY gets 481', async () => {
    const { w, notify } = await subscribedThenUnsubscribe();
    w.deps.sip.release();
    await settle();
    expect((await notify('terminated;reason=timeout')).status).toBe(481);
    expect(types(w.deps.xmpp.sent)).toEqual(['presence:subscribed', 'presence:available', 'presence:unsubscribed']);
    expect(await w.deps.store.getSubscription('romeo@xmpp.example', 'alice@sip.example')).toBeUndefined();
  });
});

describe('resuming subscriptions after a restart or an adoption (issue #8)', () => {
  const listed: SubscriptionRecord = {
    xmppUser: 'romeo@xmpp.example', sipContact: 'alice@sip.example', sipUri: 'sip:alice@sip.example',
    state: { mode: 'subscribe', authorized: true, userAvailable: true }, expiresAt: 0, owner: 'node-a', dialogId: 'old-dialog',
  };

  it('does not resurrect a subscription the XMPP user ended after the owned records were listed', async () => {
    const { deps } = world();
    const contacts = new XmppWatchesSip(deps, new KeyedSerial());
    // the store no longer has it: romeo unsubscribed between the page read and this resume
    await contacts.resume(listed);
    await settle();
    expect(deps.sip.subscribes).toEqual([]);
    expect(await deps.store.getSubscription(listed.xmppUser, listed.sipContact)).toBeUndefined();
  });

  it('resumes what the store holds now, not the listed copy (here: an unsubscribe that was outstanding → unsubscribed, nothing re-SUBSCRIBEd)', async () => {
    const { deps } = world();
    const contacts = new XmppWatchesSip(deps, new KeyedSerial());
    await deps.store.putSubscription({ ...listed, state: { ...listed.state, mode: 'unsubscribe' } });
    await contacts.resume(listed);
    await settle();
    expect(deps.sip.subscribes).toEqual([]);
    expect(types(deps.xmpp.sent)).toEqual(['presence:unsubscribed']);
    expect(await deps.store.getSubscription(listed.xmppUser, listed.sipContact)).toBeUndefined();
  });

  it('takes over a live record: a new dialog from this process, the old one ended with Expires: 0', async () => {
    const { deps } = world();
    const contacts = new XmppWatchesSip(deps, new KeyedSerial());
    await deps.store.putSubscription(listed);
    await contacts.resume(listed);
    await settle();
    expect(deps.sip.subscribes.map((s) => [s.dialogId ?? 'new', s.expires])).toEqual([['new', 3600], ['old-dialog', 0]]);
    expect((await deps.store.getSubscription(listed.xmppUser, listed.sipContact))?.dialogId).toBe('dlg-1');
  });
});

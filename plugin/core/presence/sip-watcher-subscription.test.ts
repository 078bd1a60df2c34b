import type { PresenceStanza, PresenceType } from '../stanza/stanza';
import { parsePidf } from './pidf';
import { presenceToPidf, type PidfNotification } from './presence-mapping';
import {
  onFetchTimeout,
  onSipSubscribe,
  onSipSubscriptionExpired,
  onXmppPresenceForSipWatcher,
  type SipWatcherState,
  type WatcherContext,
} from './sip-watcher-subscription';
import { sipNotify, xmppPresence, type PresenceAction, type SipNotifyAction } from './subscription-actions';

const ENTITY = 'pres:juliet@example.com';
const available: PresenceStanza = { kind: 'presence', from: 'juliet@example.com/orchard', show: 'away', status: 'Sleeping' };
const cached = ((): PidfNotification => {
  const r = presenceToPidf(available, ENTITY);
  if (!r.ok) throw new Error('fixture');
  return r.value;
})();
const withCache: WatcherContext = { entity: ENTITY, current: cached };
const noCache: WatcherContext = { entity: ENTITY };
const pending: SipWatcherState = { phase: 'pending' };
const active: SipWatcherState = { phase: 'active' };
const fetching: SipWatcherState = { phase: 'fetching' };
const stanza = (type?: PresenceType): PresenceStanza => (type ? { kind: 'presence', type } : { kind: 'presence' });

/** The tuples of a NOTIFY body, as [id, basic, show] rows. */
function notifiedTuples(a: PresenceAction | undefined): Array<[string, string | undefined, string | undefined]> {
  const body = (a as SipNotifyAction).body?.body;
  if (body === undefined) return [];
  const doc = parsePidf(body);
  if (!doc.ok) throw new Error(doc.error.detail);
  return doc.value.tuples.map((t) => [t.id, t.basic, t.show]);
}

describe('SIP user → XMPP contact: SUBSCRIBE (RFC 8048 §5.3, §7)', () => {
  it.each<[string, number | undefined, SipWatcherState | undefined, WatcherContext, SipWatcherState | undefined, PresenceAction[], number]>([
    ['§5.3.1 SUBSCRIBE → `subscribe`, with the immediate NOTIFY pending (RFC 6665 §4.2.1.2)', 3600, undefined, withCache, pending, [sipNotify('pending'), xmppPresence('subscribe')], 3600],
    ['§5.3.1 no Expires → 3600 (RFC 3856 §6.4)', undefined, undefined, noCache, pending, [sipNotify('pending'), xmppPresence('subscribe')], 3600],
    ['an Expires above the 8 h cap is shortened (RFC 6665 §4.2.1.1)', 100000, undefined, noCache, pending, [sipNotify('pending'), xmppPresence('subscribe')], 28800],
    ['§5.3.2 refresh of an active subscription with cached state → NOTIFY with PIDF', 3600, active, withCache, active, [sipNotify('active', undefined, cached)], 3600],
    ['§5.3.2 refresh without meaningful state → the NOTIFY MUST be empty', 3600, active, noCache, active, [sipNotify('active')], 3600],
    ['§8.2 refresh while still pending → empty pending NOTIFY, nothing leaks', 3600, pending, withCache, pending, [sipNotify('pending')], 3600],
    ['§7 Expires 0 with cached state → one NOTIFY terminated;reason=timeout with the PIDF', 0, undefined, withCache, undefined, [sipNotify('terminated', 'timeout', cached)], 0],
    ['§7 Expires 0 without cached state → `probe`, the NOTIFY waits for the answer', 0, undefined, noCache, fetching, [xmppPresence('probe')], 0],
  ])('%s', (_n, expires, before, ctx, after, actions, granted) => {
    expect(onSipSubscribe(expires === undefined ? {} : { expires }, before, ctx)).toEqual({ expires: granted, state: after, actions });
  });

  it('§5.3.3 Expires 0 on an active subscription → NOTIFY terminated;reason=timeout with PIDF closed, and `unavailable` — not `unsubscribe`', () => {
    const r = onSipSubscribe({ expires: 0 }, active, withCache);
    expect(r.state).toBeUndefined();
    expect(r.actions.map((a) => (a.action === 'sip-notify' ? a.subscriptionState : a))).toEqual([
      { state: 'terminated', reason: 'timeout' },
      xmppPresence('unavailable'),
    ]);
    expect(notifiedTuples(r.actions[0])).toEqual([['ID-orchard', 'closed', undefined]]);
    expect(r.actions).not.toContainEqual(xmppPresence('unsubscribe'));
  });

  it('§5.3.3 with nothing cached still sends a closed PIDF', () => {
    const r = onSipSubscribe({ expires: 0 }, active, noCache);
    expect(notifiedTuples(r.actions[0])).toEqual([['ID-closed', 'closed', undefined]]);
  });

  it('§5.3.3 / §8.2 Expires 0 on a pending subscription → empty terminated NOTIFY and `unavailable`', () => {
    expect(onSipSubscribe({ expires: 0 }, pending, withCache).actions).toEqual([sipNotify('terminated', 'timeout'), xmppPresence('unavailable')]);
  });

  it('an unrefreshed subscription that expires ends like §5.3.3', () => {
    const { expires: _granted, ...ended } = onSipSubscribe({ expires: 0 }, active, withCache);
    expect(onSipSubscriptionExpired(active, withCache)).toEqual(ended);
  });
});

describe('SIP user → XMPP contact: presence from the XMPP contact (RFC 8048 §5.3.1, §6.2, §7, §8.2)', () => {
  it.each<[string, PresenceType | undefined, SipWatcherState, WatcherContext, SipWatcherState | undefined, PresenceAction[]]>([
    ['§5.3.1 `subscribed` → empty NOTIFY active', 'subscribed', pending, withCache, active, [sipNotify('active')]],
    ['a repeated `subscribed` → nothing', 'subscribed', active, withCache, active, []],
    ['§5.3.1 `unsubscribed` (decline) → empty NOTIFY terminated;reason=rejected', 'unsubscribed', pending, withCache, undefined, [sipNotify('terminated', 'rejected')]],
    ['`unsubscribed` later (revocation) → terminated;reason=rejected', 'unsubscribed', active, withCache, undefined, [sipNotify('terminated', 'rejected')]],
    ['§6.2 available presence on an active subscription → NOTIFY active with the cached aggregate', undefined, active, withCache, active, [sipNotify('active', undefined, cached)]],
    ['§8.2 presence before authorization → nothing reaches the SIP user', undefined, pending, withCache, pending, []],
    ['§7 the probe answer → the one NOTIFY terminated;reason=timeout with PIDF', undefined, fetching, withCache, undefined, [sipNotify('terminated', 'timeout', cached)]],
    ['an error while pending → terminated;reason=giveup', 'error', pending, noCache, undefined, [sipNotify('terminated', 'giveup')]],
    ['an error answering the probe → empty terminated NOTIFY', 'error', fetching, noCache, undefined, [sipNotify('terminated', 'timeout')]],
    ['an error on an active subscription → nothing', 'error', active, noCache, active, []],
    ['`subscribe` from the contact belongs to the other direction → nothing', 'subscribe', active, withCache, active, []],
  ])('%s', (_n, type, before, ctx, after, actions) => {
    expect(onXmppPresenceForSipWatcher(stanza(type), before, ctx)).toEqual({ state: after, actions });
  });

  it('§6.2 without a cache, the NOTIFY is built from the stanza itself', () => {
    const r = onXmppPresenceForSipWatcher({ kind: 'presence', from: 'juliet@example.com/balcony', type: 'unavailable' }, active, noCache);
    expect(notifiedTuples(r.actions[0])).toEqual([['ID-balcony', 'closed', undefined]]);
  });

  it('§7 no probe answer in time → empty NOTIFY terminated;reason=timeout (§5.3.2: no state, empty body)', () => {
    expect(onFetchTimeout(fetching)).toEqual({ state: undefined, actions: [sipNotify('terminated', 'timeout')] });
    expect(onFetchTimeout(active)).toEqual({ state: active, actions: [] });
  });
});

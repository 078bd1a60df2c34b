import type { PresenceStanza } from '../stanza/stanza';
import { presenceToPidf, pidfNotification, type PidfNotification } from './presence-mapping';
import { DEFAULT_PRESENCE_EXPIRES, sipNotify, xmppPresence, type Transition } from './subscription-actions';
import { DEFAULT_SUBSCRIPTION_REFRESH_CAP_SECONDS } from './subscription-refresh';

/**
 * A SIP user watching an XMPP contact: the gateway is the SIP notifier
 * (RFC 8048 §5.3 and the SIP→XMPP half of §7). One state per SIP dialog;
 * `undefined` means "no subscription".
 *
 * - pending: SUBSCRIBE accepted, `subscribe` sent to XMPP, no answer yet (§5.3.1);
 * - active: the XMPP contact answered `subscribed`;
 * - fetching: an Expires: 0 SUBSCRIBE arrived with nothing cached, a `probe`
 *   went out (§7) and the one NOTIFY waits for its answer (or onFetchTimeout).
 *
 * Presence never reaches a watcher that is not active (§8.2: no leaks).
 */
export interface SipWatcherState {
  readonly phase: 'pending' | 'active' | 'fetching';
}

export interface WatcherContext {
  /** pres:/sip: URI of the XMPP contact (the PIDF entity). */
  readonly entity: string;
  /**
   * The contact's current presence as the caller caches it (aggregateResources
   * over its resources, already including the stanza being processed), or
   * undefined when the gateway has no meaningful state (§5.3.2).
   */
  readonly current?: PidfNotification;
  /** Longest subscription granted; default 8 h (Lync SubscriptionRefreshInterval). */
  readonly maxExpires?: number;
}

export interface SipSubscribeRequest {
  /** The Expires header; absent means 3600 (RFC 3856 §6.4, RFC 8048 §5.3.1). */
  readonly expires?: number;
}

type Next = Transition<SipWatcherState | undefined> & { readonly expires: number };

/** Tuple id of the synthetic closed tuple when nothing is cached. */
export const CLOSED_TUPLE_ID = 'ID-closed';

/**
 * SUBSCRIBE from the SIP user. Returns the granted duration for the 200 OK
 * Expires header (RFC 6665 §4.2.1.1: the notifier may shorten, never lengthen).
 */
export function onSipSubscribe(req: SipSubscribeRequest, watcher: SipWatcherState | undefined, ctx: WatcherContext): Next {
  const max = ctx.maxExpires ?? DEFAULT_SUBSCRIPTION_REFRESH_CAP_SECONDS;
  const expires = Math.max(0, Math.min(req.expires ?? DEFAULT_PRESENCE_EXPIRES, max));
  if (!watcher) {
    if (expires > 0) {
      // §5.3.1 → `subscribe`; RFC 6665 §4.2.1.2: a NOTIFY (pending, empty) right away.
      return { expires, state: { phase: 'pending' }, actions: [sipNotify('pending'), xmppPresence('subscribe')] };
    }
    // §7 poll: answer from the cache, else probe and wait for the answer.
    if (ctx.current) return { expires, state: undefined, actions: [sipNotify('terminated', 'timeout', ctx.current)] };
    return { expires, state: { phase: 'fetching' }, actions: [xmppPresence('probe')] };
  }
  if (expires === 0) return { expires, ...endSubscription(watcher, ctx) };
  // §5.3.2 refresh: PIDF if we have meaningful state, otherwise the NOTIFY MUST be empty.
  if (watcher.phase === 'active') return { expires, state: watcher, actions: [sipNotify('active', undefined, ctx.current)] };
  return { expires, state: watcher, actions: [sipNotify('pending')] };
}

/**
 * §5.3.3: the SIP user ends the subscription (Expires: 0), or it expired
 * unrefreshed. NOTIFY terminated;reason=timeout with a closed PIDF, and
 * `unavailable` — NOT `unsubscribe`: SIP has no way to cancel an authorization,
 * so the XMPP roster is left alone. A watcher that was never active gets an
 * empty body (nothing to disclose, §8.2).
 */
export function onSipSubscriptionExpired(watcher: SipWatcherState, ctx: WatcherContext): Transition<undefined> {
  return endSubscription(watcher, ctx);
}

function endSubscription(watcher: SipWatcherState, ctx: WatcherContext): Transition<undefined> {
  const body = watcher.phase === 'active' ? closedPidf(ctx) : undefined;
  return { state: undefined, actions: [sipNotify('terminated', 'timeout', body), xmppPresence('unavailable')] };
}

/** Presence from the XMPP contact to the SIP user (RFC 8048 §5.3.1, §6.2, §7). */
export function onXmppPresenceForSipWatcher(
  p: PresenceStanza,
  watcher: SipWatcherState,
  ctx: WatcherContext,
): Transition<SipWatcherState | undefined> {
  switch (p.type) {
    case 'subscribed': // §5.3.1: empty NOTIFY active; the contact's presence follows.
      return watcher.phase === 'pending' ? { state: { phase: 'active' }, actions: [sipNotify('active')] } : { state: watcher, actions: [] };
    case 'unsubscribed': // §5.3.1 decline (or a later revocation).
      return { state: undefined, actions: [sipNotify('terminated', 'rejected')] };
    case undefined:
    case 'unavailable': {
      const body = ctx.current ?? fromStanza(p, ctx.entity);
      if (watcher.phase === 'active') return { state: watcher, actions: [sipNotify('active', undefined, body)] };
      if (watcher.phase === 'fetching') return { state: undefined, actions: [sipNotify('terminated', 'timeout', body)] };
      return { state: watcher, actions: [] }; // pending: §8.2, nothing leaks before authorization.
    }
    case 'error':
      // The subscription or probe could not be handled on the XMPP side.
      // RFC 6665 'giveup': authorization could not be obtained; the SIP UA may retry.
      if (watcher.phase === 'pending') return { state: undefined, actions: [sipNotify('terminated', 'giveup')] };
      if (watcher.phase === 'fetching') return { state: undefined, actions: [sipNotify('terminated', 'timeout')] };
      return { state: watcher, actions: [] };
    default: // subscribe/unsubscribe/probe belong to the other direction (sip-contact-subscription.ts).
      return { state: watcher, actions: [] };
  }
}

/** §7: no answer to the probe in time. No state, so the NOTIFY is empty (§5.3.2). */
export function onFetchTimeout(watcher: SipWatcherState): Transition<SipWatcherState | undefined> {
  if (watcher.phase !== 'fetching') return { state: watcher, actions: [] };
  return { state: undefined, actions: [sipNotify('terminated', 'timeout')] };
}

function fromStanza(p: PresenceStanza, entity: string): PidfNotification | undefined {
  const r = presenceToPidf(p, entity);
  return r.ok ? r.value : undefined;
}

/** The cached tuples with basic closed and nothing else (stale status is not repeated). */
function closedPidf(ctx: WatcherContext): PidfNotification {
  const tuples = ctx.current?.document.tuples.map((t) => ({ id: t.id, basic: 'closed' as const, notes: [] }));
  return pidfNotification({
    entity: ctx.entity,
    tuples: tuples?.length ? tuples : [{ id: CLOSED_TUPLE_ID, basic: 'closed', notes: [] }],
    notes: [],
  });
}

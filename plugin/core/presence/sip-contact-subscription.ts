import type { PresenceStanza } from '../stanza/stanza';
import { presenceFromNotifyBody } from './pidf-to-presence';
import {
  DEFAULT_PRESENCE_EXPIRES,
  sipSubscribe,
  xmppPresence,
  type PresenceAction,
  type Transition,
} from './subscription-actions';
import type { SubscriptionState } from './subscription-headers';
import { classifySubscribeResponse, DEFAULT_RETRY_SECONDS, refreshDelaySeconds } from './subscription-refresh';

/**
 * An XMPP user watching a SIP contact: the gateway is the SIP subscriber
 * (RFC 8048 §5.2 and the XMPP→SIP half of §7). One state per SIP dialog;
 * `undefined` means "no SIP subscription".
 *
 * - mode 'subscribe': a long-lived subscription (§5.2.1), refreshed by the gateway (§5.2.2);
 *   'unsubscribe': its Expires: 0 SUBSCRIBE is outstanding (§5.2.3);
 *   'probe': a one-shot poll dialog (§7), created by the caller with pollState()
 *   when it executes the probe's `dialog: 'new'` SUBSCRIBE.
 * - authorized: `subscribed` has been sent to the XMPP user, which happens only
 *   on the first NOTIFY with Subscription-State: active (§5.2.1).
 * - userAvailable: the XMPP user's last presence to this contact was available;
 *   the transition to available is "initial presence" (§5.2.2).
 */
export interface SipSubscriptionState {
  readonly mode: 'subscribe' | 'unsubscribe' | 'probe';
  readonly authorized: boolean;
  readonly userAvailable: boolean;
}

export const pollState = (): SipSubscriptionState => ({ mode: 'probe', authorized: false, userAvailable: false });

export interface RefreshOptions {
  /** SubscriptionRefreshInterval (s); default 8 h. */
  readonly refreshCapSeconds?: number;
}

type Next = Transition<SipSubscriptionState | undefined>;
const refresh = (expires: number, opts: RefreshOptions): PresenceAction[] => {
  const delay = refreshDelaySeconds(expires, opts.refreshCapSeconds);
  return delay === undefined ? [] : [sipSubscribe('existing', DEFAULT_PRESENCE_EXPIRES, delay)];
};

/** Presence stanzas from the XMPP user addressed to the SIP contact. */
export function onXmppPresenceToSipContact(p: PresenceStanza, state: SipSubscriptionState | undefined): Next {
  switch (p.type) {
    case 'subscribe': // §5.2.1: SUBSCRIBE, Expires 3600; `subscribed` waits for NOTIFY active.
      return {
        state: { mode: 'subscribe', authorized: false, userAvailable: state?.userAvailable ?? false },
        actions: [sipSubscribe(state ? 'existing' : 'new', DEFAULT_PRESENCE_EXPIRES)],
      };
    case 'unsubscribe': // §5.2.3: Expires 0 in the dialog; with no dialog there is nothing to end.
      if (!state) return { state, actions: [xmppPresence('unsubscribed')] };
      return { state: { ...state, mode: 'unsubscribe' }, actions: [sipSubscribe('existing', 0)] };
    case 'probe': // §7: SUBSCRIBE Expires 0 in a NEW dialog; this dialog is untouched.
      return { state, actions: [sipSubscribe('new', 0)] };
    case undefined: {
      // §5.2.2: initial presence from the XMPP user is like a probe: re-SUBSCRIBE.
      const initial = state !== undefined && !state.userAvailable && state.mode === 'subscribe';
      return {
        state: state && { ...state, userAvailable: true },
        actions: initial ? [sipSubscribe('existing', DEFAULT_PRESENCE_EXPIRES)] : [],
      };
    }
    case 'unavailable':
      return { state: state && { ...state, userAvailable: false }, actions: [] };
    default:
      // subscribed/unsubscribed answer the SIP contact's own subscription
      // (sip-watcher-subscription.ts); errors need no SIP action here.
      return { state, actions: [] };
  }
}

export interface SipSubscribeResponse {
  readonly status: number;
  /** The response's Expires (RFC 6665 §4.1.2.1: the duration actually granted). */
  readonly expires?: number;
  /** Min-Expires of a 423 (RFC 3261 §20.23). */
  readonly minExpires?: number;
  readonly retryAfter?: number;
  /** Whether the SUBSCRIBE was sent inside an existing dialog (a refresh). */
  readonly inDialog: boolean;
}

/** Final responses to the gateway's SUBSCRIBE, RFC 8048 §5.2.1–§5.2.3 and §7. */
export function onSipSubscribeResponse(r: SipSubscribeResponse, state: SipSubscriptionState, opts: RefreshOptions = {}): Next {
  const cls = classifySubscribeResponse(r.status);
  if (cls === 'provisional') return { state, actions: [] };
  if (state.mode === 'unsubscribe') {
    // §5.2.3 sends `unsubscribed` on 200. We stop refreshing whatever the answer,
    // so the SIP subscription ends at expiry anyway: confirm on every final response.
    return { state: undefined, actions: [xmppPresence('unsubscribed')] };
  }
  if (cls === 'permanent') return { state: undefined, actions: cancelAuthorization(state) };
  if (state.mode === 'probe') {
    // §7: the poll's answer comes in its NOTIFY; a failed poll means "unknown" (§5.2.1).
    return cls === 'ok' ? { state, actions: [] } : { state: undefined, actions: [xmppPresence('unavailable')] };
  }
  if (cls === 'ok') return { state, actions: refresh(r.expires ?? DEFAULT_PRESENCE_EXPIRES, opts) };
  if (r.status === 423) {
    const expires = Math.max(r.minExpires ?? DEFAULT_PRESENCE_EXPIRES, DEFAULT_PRESENCE_EXPIRES);
    return { state, actions: [sipSubscribe(r.inDialog ? 'existing' : 'new', expires)] };
  }
  // 481 says the DIALOG is gone: start a new one at once. A 481 to a new-dialog SUBSCRIBE
  // cannot mean that, and resending at once would loop; it is an ordinary transient failure.
  if (r.status === 481 && r.inDialog) return { state, actions: [sipSubscribe('new', DEFAULT_PRESENCE_EXPIRES)] };
  if (!state.authorized && !r.inDialog) return { state: undefined, actions: [{ action: 'subscribe-failed', status: r.status }] };
  const delay = r.retryAfter ?? DEFAULT_RETRY_SECONDS;
  return { state, actions: [sipSubscribe(r.inDialog ? 'existing' : 'new', DEFAULT_PRESENCE_EXPIRES, delay)] };
}

export interface SipNotify {
  readonly subscriptionState: SubscriptionState;
  readonly body?: string;
  readonly contentLanguage?: string;
}

/** NOTIFYs received on the gateway's subscription (RFC 8048 §5.2.1, RFC 6665 §4.1.3). */
export function onSipNotify(n: SipNotify, state: SipSubscriptionState, opts: RefreshOptions = {}): Next {
  const s = n.subscriptionState;
  // §5.2.3: the terminating NOTIFY ends the unsubscribe as well as its 200 does, and it often
  // comes first (drachtio delivers both in one read, PROTOCOL-NOTES Q2). Whichever comes first
  // sends `unsubscribed` and deletes the state, so the other finds nothing: exactly one.
  if (state.mode === 'unsubscribe') return s.state === 'terminated' ? { state: undefined, actions: [xmppPresence('unsubscribed')] } : { state, actions: [] };
  if (s.state === 'pending') {
    // §5.2.1: pending MUST NOT produce anything towards XMPP.
    return { state, actions: state.mode === 'subscribe' && s.expires !== undefined ? refresh(s.expires, opts) : [] };
  }
  const permanent = s.state === 'terminated' && (s.reason === 'rejected' || s.reason === 'noresource');
  if (permanent) return { state: undefined, actions: cancelAuthorization(state) };
  if (state.mode === 'probe') {
    return { state: s.state === 'terminated' ? undefined : state, actions: presenceFromBody(n) };
  }
  if (s.state === 'active') {
    const first = !state.authorized;
    return {
      state: { ...state, authorized: true },
      actions: [
        ...(first ? [xmppPresence('subscribed')] : []),
        ...presenceFromBody(n),
        ...(s.expires !== undefined ? refresh(s.expires, opts) : []),
      ],
    };
  }
  return onTerminated(n, state);
}

/**
 * RFC 6665 §4.1.3 reasons on the long-lived subscription (rejected and
 * noresource are handled by the caller as permanent):
 * - deactivated, timeout: re-subscribe at once in a new dialog — the gateway
 *   keeps the XMPP authorization alive (§5.2.2);
 * - probation, giveup, no/unknown reason: re-subscribe after retry-after
 *   (probation without one: DEFAULT_RETRY_SECONDS; the others: at once);
 * - invariant: the state will not change; SHOULD NOT re-subscribe, so the
 *   subscription ends here, keeping the last presence.
 * A body on a terminated NOTIFY is the final state and is forwarded when authorized.
 */
function onTerminated(n: SipNotify, state: SipSubscriptionState): Next {
  const s = n.subscriptionState;
  const finalState = state.authorized ? presenceFromBody(n, true) : [];
  if (s.reason === 'invariant') return { state: undefined, actions: finalState };
  const delay = s.reason === 'deactivated' || s.reason === 'timeout' ? 0
    : s.retryAfter ?? (s.reason === 'probation' ? DEFAULT_RETRY_SECONDS : 0);
  return { state, actions: [...finalState, sipSubscribe('new', DEFAULT_PRESENCE_EXPIRES, delay)] };
}

/**
 * Authorization permanently cancelled (§5.2.2: 403/489/603; RFC 6665 rejected,
 * noresource). `unavailable` goes first: once `unsubscribed` is processed the
 * user's server no longer routes the contact's presence (RFC 6121 §3.2.2/§4.3).
 */
function cancelAuthorization(state: SipSubscriptionState): PresenceAction[] {
  return [...(state.authorized ? [xmppPresence('unavailable')] : []), xmppPresence('unsubscribed')];
}

/** @param skipEmpty a terminated NOTIFY without body says nothing new. */
function presenceFromBody(n: SipNotify, skipEmpty = false): PresenceAction[] {
  if (skipEmpty && (n.body === undefined || n.body.trim() === '')) return [];
  const p = presenceFromNotifyBody(n.body, n.contentLanguage ? { contentLanguage: n.contentLanguage } : {});
  return p.ok ? [{ action: 'xmpp-presence', presence: p.value }] : [{ action: 'invalid-notify-body', error: p.error }];
}

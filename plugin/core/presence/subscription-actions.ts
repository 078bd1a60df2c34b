import type { PresenceStanza, PresenceType } from '../stanza/stanza';
import type { PidfError } from './pidf';
import type { PidfNotification } from './presence-mapping';
import type { SubState, TerminationReason } from './subscription-headers';

/**
 * What the RFC 8048 §5/§7 decision functions ask the edges to do, as data.
 * The functions never perform I/O; the SIP and XMPP adapters execute these
 * in order. Addresses are implied: every action goes between the two parties
 * of the subscription the state belongs to (the caller sets from/to and the
 * dialog), so a decision can never leak presence to a third party (§8.2).
 */

/** RFC 3856 §6.4 / RFC 8048 §5.2.1: default subscription duration. */
export const DEFAULT_PRESENCE_EXPIRES = 3600;

/** A presence stanza to the XMPP party (caller sets from/to). */
export interface XmppPresenceAction {
  readonly action: 'xmpp-presence';
  readonly presence: PresenceStanza;
}

/**
 * A SUBSCRIBE to the SIP party (RFC 8048 §5.2.1 headers: Event: presence,
 * Accept: application/pidf+xml). `dialog: 'new'` starts a new dialog (initial
 * subscription, §7 poll, recovery after 481/termination); 'existing' refreshes
 * or ends the current one. `delaySeconds > 0` means "schedule": it replaces
 * any refresh already scheduled for that subscription.
 */
export interface SipSubscribeAction {
  readonly action: 'sip-subscribe';
  readonly dialog: 'new' | 'existing';
  readonly expires: number;
  readonly delaySeconds: number;
  readonly event: 'presence';
  readonly accept: 'application/pidf+xml';
}

/**
 * A NOTIFY to the SIP watcher. No body means an empty NOTIFY (RFC 8048 §5.3.1,
 * §5.3.2). The adapter adds ";expires=<remaining>" to active/pending states
 * (RFC 6665 §4.2.2) with formatSubscriptionStateHeader.
 */
export interface SipNotifyAction {
  readonly action: 'sip-notify';
  readonly subscriptionState: { readonly state: SubState; readonly reason?: TerminationReason };
  readonly body?: PidfNotification;
}

/** A NOTIFY body that could not be read; reported so it is never dropped unseen. */
export interface InvalidNotifyBodyAction {
  readonly action: 'invalid-notify-body';
  readonly error: PidfError;
}

/**
 * An initial SUBSCRIBE failed with a status RFC 8048 does not classify as a
 * permanent cancellation: the adapter answers the XMPP subscribe with the
 * RFC 7247 §7.2 stanza error for `status` (that table is not this module's).
 */
export interface SubscribeFailedAction {
  readonly action: 'subscribe-failed';
  readonly status: number;
}

export type PresenceAction =
  | XmppPresenceAction
  | SipSubscribeAction
  | SipNotifyAction
  | InvalidNotifyBodyAction
  | SubscribeFailedAction;

export interface Transition<S> {
  readonly state: S;
  readonly actions: ReadonlyArray<PresenceAction>;
}

export function xmppPresence(type?: PresenceType): XmppPresenceAction {
  return { action: 'xmpp-presence', presence: type ? { kind: 'presence', type } : { kind: 'presence' } };
}

export function sipSubscribe(dialog: 'new' | 'existing', expires: number, delaySeconds = 0): SipSubscribeAction {
  return { action: 'sip-subscribe', dialog, expires, delaySeconds, event: 'presence', accept: 'application/pidf+xml' };
}

export function sipNotify(state: SubState, reason?: TerminationReason, body?: PidfNotification): SipNotifyAction {
  return {
    action: 'sip-notify',
    subscriptionState: reason ? { state, reason } : { state },
    ...(body ? { body } : {}),
  };
}

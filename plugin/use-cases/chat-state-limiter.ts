/**
 * Use-case 4 (issue #5): XEP-0085 chat states → RFC 3994 isComposing
 * MESSAGEs without flooding SIP. Every isComposing is a whole SIP transaction
 * through the proxy, while XMPP clients emit a chat state on every pause.
 *
 * A pure state machine over Clock times; its state lives in a Map the caller
 * owns (one per gateway), bounded to `maxConversations` entries (the oldest
 * conversation is forgotten first; forgetting only costs one redundant
 * notification later). Per conversation (XMPP sender → SIP user):
 *  - composing → `active` (RFC 7573 §6 Table 4), sent when the receiver last
 *    heard `idle`, or as a refresh at most once per refresh interval (RFC 3994
 *    §3.2/§4: the sender refreshes `active`; the <refresh> we send tells the
 *    receiver how long to wait before it falls back to idle on its own).
 *  - active / paused / inactive → `idle`, ALWAYS sent when the receiver last
 *    heard `active` (the transition to idle must not be lost), dropped as a
 *    duplicate otherwise.
 *  - gone → nothing (no isComposing equivalent, RFC 7573 §6.1); state forgotten.
 * A content message resets the receiver to idle (RFC 3994 §3.3: receipt of the
 * message itself ends "active"), so `noteMessageSent` records that.
 */
import type { ComposingState } from '../core/message/is-composing';
import type { ChatState } from '../core/stanza/stanza';

export interface ConversationComposing {
  /** What the SIP receiver last heard. */
  readonly lastSent: ComposingState;
  /** When `active` was last sent (ms since the epoch, from the Clock). */
  readonly activeSentAt?: number;
}

export type ChatStateStore = Map<string, ConversationComposing>;

export interface ChatStateLimits {
  /** Refresh interval in ms; RFC 3994 §4 recommends at least 60 s. Default 60 000. */
  readonly refreshMs?: number;
  /** Bound of the store. Default 10 000. */
  readonly maxConversations?: number;
}

export const DEFAULT_REFRESH_MS = 60_000;
export const DEFAULT_MAX_CONVERSATIONS = 10_000;

export type ChatStateDecision =
  | { readonly send: true; readonly state: 'active'; readonly refreshSeconds: number }
  | { readonly send: true; readonly state: 'idle' }
  | { readonly send: false; readonly reason: 'duplicate' | 'rate-limited' | 'gone' };

/** Conversation key: the XMPP sender (full JID: each client types on its own) and the SIP user. */
export const conversationKey = (xmppFrom: string, xmppTo: string): string => `${xmppFrom}\u0000${xmppTo}`;

export function decideChatState(
  store: ChatStateStore, key: string, chatState: ChatState, now: Date, limits: ChatStateLimits = {},
): ChatStateDecision {
  const refreshMs = limits.refreshMs ?? DEFAULT_REFRESH_MS;
  const t = now.getTime();
  const prev = store.get(key);
  if (chatState === 'gone') {
    store.delete(key);
    return { send: false, reason: 'gone' };
  }
  if (chatState === 'composing') {
    const fresh = prev?.lastSent === 'active' && prev.activeSentAt !== undefined && t - prev.activeSentAt < refreshMs && t >= prev.activeSentAt;
    if (fresh) return { send: false, reason: 'rate-limited' };
    put(store, key, { lastSent: 'active', activeSentAt: t }, limits);
    return { send: true, state: 'active', refreshSeconds: Math.max(1, Math.ceil(refreshMs / 1000)) };
  }
  if (prev?.lastSent !== 'active') return { send: false, reason: 'duplicate' };
  put(store, key, { lastSent: 'idle' }, limits);
  return { send: true, state: 'idle' };
}

/** A content message went out: the receiver is idle again (RFC 3994 §3.3). */
export function noteMessageSent(store: ChatStateStore, key: string, limits: ChatStateLimits = {}): void {
  if (store.has(key)) put(store, key, { lastSent: 'idle' }, limits);
}

/** Re-inserts so Map order is least-recently-updated first, then trims to the bound. */
function put(store: ChatStateStore, key: string, v: ConversationComposing, limits: ChatStateLimits): void {
  const max = Math.max(1, limits.maxConversations ?? DEFAULT_MAX_CONVERSATIONS);
  store.delete(key);
  store.set(key, v);
  for (const oldest of store.keys()) {
    if (store.size <= max) break;
    store.delete(oldest);
  }
}

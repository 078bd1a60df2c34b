import type { SipSubscriptionState } from '../../plugin/core/presence/sip-contact-subscription';
import type { SipWatcherState } from '../../plugin/core/presence/sip-watcher-subscription';

/**
 * The state objects of the pure core as the stores keep them: one JSON text
 * per record. The whole object is written, so a field the core adds later
 * survives a round trip; reading checks the fields the core relies on, so a
 * damaged or foreign row is reported instead of steering a subscription.
 */
export class CorruptPresenceRecord extends Error {
  constructor(what: string, key: string) {
    super(`presence store: unreadable ${what} state for ${key}`);
    this.name = 'CorruptPresenceRecord';
  }
}

const WATCHER_PHASES: ReadonlySet<string> = new Set(['pending', 'active', 'fetching']);
const SUBSCRIPTION_MODES: ReadonlySet<string> = new Set(['subscribe', 'unsubscribe', 'probe']);

export const encodeState = (s: SipWatcherState | SipSubscriptionState): string => JSON.stringify(s);

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function decodeWatcherState(text: string, key: string): SipWatcherState {
  const v = parseObject(text);
  if (!v || typeof v.phase !== 'string' || !WATCHER_PHASES.has(v.phase)) throw new CorruptPresenceRecord('watcher', key);
  return v as unknown as SipWatcherState;
}

export function decodeSubscriptionState(text: string, key: string): SipSubscriptionState {
  const v = parseObject(text);
  if (!v || typeof v.mode !== 'string' || !SUBSCRIPTION_MODES.has(v.mode) || typeof v.authorized !== 'boolean' || typeof v.userAvailable !== 'boolean') {
    throw new CorruptPresenceRecord('subscription', key);
  }
  return v as unknown as SipSubscriptionState;
}

/**
 * `limit` and `offset` as the stores pass them on. A negative LIMIT means "no
 * limit" to SQLite and a negative stop index "up to the end" to Redis, so a
 * bad count would unbound the query: it is a programming error and throws.
 */
export function checkedCount(n: number, what: 'limit' | 'offset'): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`presence store: ${what} must be a non-negative integer, got ${n}`);
  return n;
}

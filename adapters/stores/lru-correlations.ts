import { LRUCache } from 'lru-cache';
import type { Correlations, SentToSip, SentToXmpp } from '../../plugin/use-cases/ports';

export interface CorrelationWindow {
  /** Entries kept per direction; the oldest is forgotten first. */
  readonly max: number;
  /** How long an answer may take to come back (an XMPP error stanza, an IMDN). */
  readonly ttlMs: number;
  /** Monotonic clock in ms (tests inject one); defaults to performance.now(). */
  readonly now?: () => number;
}

/**
 * The bounded correlation window behind the use-cases' Correlations port:
 * message ids of stanzas we sent (awaiting an error stanza or a receipt) and
 * IMDN Message-IDs of SIP MESSAGEs we sent (awaiting a delivery notification).
 * Bounded in count and age, so a partner that never answers cannot grow it.
 */
export function createLruCorrelations(w: CorrelationWindow = { max: 10000, ttlMs: 10 * 60 * 1000 }): Correlations & {
  readonly size: () => { toXmpp: number; toSip: number };
} {
  const opts = { max: w.max, ttl: w.ttlMs, ...(w.now ? { perf: { now: w.now }, ttlResolution: 0 } : {}) };
  const toXmpp = new LRUCache<string, SentToXmpp>(opts);
  const toSip = new LRUCache<string, SentToSip>(opts);
  return {
    rememberSentToXmpp: (id, e) => void toXmpp.set(id, e),
    takeSentToXmpp: (id) => take(toXmpp, id),
    rememberSentToSip: (id, e) => void toSip.set(id, e),
    takeSentToSip: (id) => take(toSip, id),
    size: () => ({ toXmpp: toXmpp.size, toSip: toSip.size }),
  };
}

function take<V extends object>(c: LRUCache<string, V>, id: string): V | undefined {
  const v = c.get(id);
  if (v !== undefined) c.delete(id);
  return v;
}

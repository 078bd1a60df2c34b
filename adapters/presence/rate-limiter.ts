import { LRUCache } from 'lru-cache';
import type { RateLimiter } from '../../plugin/use-cases/presence-ports';

/** A budget for keys that start with `prefix`: at most `limit` uses per `windowMs`. */
export interface RateBudget {
  readonly prefix: string;
  readonly limit: number;
  readonly windowMs: number;
}

/**
 * RFC 8048 §8.1: refreshes and probes are how a gateway can be made to
 * amplify traffic, so each key (a partner domain, an XMPP user, a
 * subscription) gets a fixed-window budget. Keys live in an lru-cache bounded
 * in count, so a flood of distinct keys cannot grow memory either; keys with
 * no budget are always allowed.
 */
export function createRateLimiter(budgets: readonly RateBudget[], opts: { readonly max?: number; readonly now?: () => number } = {}): RateLimiter {
  const now = opts.now ?? (() => performance.now());
  const windows = new LRUCache<string, { start: number; used: number }>({ max: opts.max ?? 50_000 });
  return {
    allow(key) {
      const b = budgets.find((x) => key.startsWith(x.prefix));
      if (!b) return true;
      const t = now();
      const w = windows.get(key);
      if (!w || t - w.start >= b.windowMs) {
        windows.set(key, { start: t, used: 1 });
        return true;
      }
      w.used += 1;
      return w.used <= b.limit;
    },
  };
}

/** DEFAULT_PRESENCE_BUDGETS with the per-partner presence budget set to `perPartnerPerSecond` (gateway.presence.maxPresencePerPartner). */
export function presenceBudgets(perPartnerPerSecond: number): readonly RateBudget[] {
  return DEFAULT_PRESENCE_BUDGETS.map((b) => (b.prefix === 'presence:' ? { ...b, limit: perPartnerPerSecond, windowMs: 1000 } : b));
}

/** Defaults sized for people, not machines: a burst of roster pushes passes, a loop does not. */
export const DEFAULT_PRESENCE_BUDGETS: readonly RateBudget[] = [
  { prefix: 'presence:', limit: 2000, windowMs: 1000 },
  { prefix: 'probe:', limit: 20, windowMs: 60_000 },
  { prefix: 'refresh:', limit: 6, windowMs: 60_000 },
  { prefix: 'subscribe:', limit: 120, windowMs: 60_000 },
];

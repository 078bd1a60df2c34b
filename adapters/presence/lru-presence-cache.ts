import { LRUCache } from 'lru-cache';
import type { PresenceStanza } from '../../plugin/core/stanza/stanza';
import type { ContactPresenceCache } from '../../plugin/use-cases/presence-ports';

/**
 * Hot presence state (what each XMPP contact last told each SIP watcher, per
 * resource) in a bounded lru-cache. Losing an entry costs nothing but an
 * empty refresh NOTIFY until the contact speaks again (RFC 8048 §5.3.2), so
 * it is bounded in count, not persisted.
 */
export function createLruPresenceCache(max = 100_000): ContactPresenceCache & { readonly size: () => number } {
  const c = new LRUCache<string, ReadonlyMap<string, PresenceStanza>>({ max });
  return {
    get: (k) => c.get(k),
    set: (k, v) => void c.set(k, v),
    delete: (k) => void c.delete(k),
    size: () => c.size,
  };
}

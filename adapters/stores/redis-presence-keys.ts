/**
 * The Redis key design of the shared presence store. Every key starts with
 * the configured prefix (default "dxg:"), so one Redis database can hold
 * several gateways' state, or other applications' keys, side by side.
 *
 *   <p>w:<dialogId>            HASH   a watcher (fields of WatcherRecord but dialogId)
 *   <p>wc:<contactJid>         ZSET   0 → dialogId          watchersOf (lexical order)
 *   <p>wp:<pair(watcher,contact)> ZSET expiresAt → dialogId  watcherFor (latest expiry wins)
 *   <p>wx:<owner>              ZSET   expiresAt → dialogId  expiredWatchers
 *   <p>wo:<owner>              ZSET   0 → dialogId          ownedWatchers (stable pages)
 *   <p>s:<pair(user,contact)>  HASH   a subscription
 *   <p>sd:<dialogId>           STRING pair                  subscriptionByDialog
 *   <p>sr:<owner>              ZSET   refreshAt → pair      dueSubscriptions
 *   <p>so:<owner>              ZSET   0 → pair              ownedSubscriptions (stable pages)
 *   <p>sc:<sipContact>         ZSET   0 → pair              subscriptionsOf
 *   <p>i:<pair(local,remote)>  HASH   kind → at             hasInterest
 *   <p>nodes                   ZSET   aliveUntil → node     liveness (the caller's clock, not Redis TTLs,
 *                                                            so "lapsed" means the same as in SQLite)
 *   <p>owners                  SET    nodes that own records adoptOrphans' worklist
 *
 * Every write goes through one Lua script (redis-presence-scripts.ts), so a
 * record and its index entries change together. The scripts build keys
 * from the prefix themselves, so this layout is for one Redis server (or a
 * Sentinel-managed primary), not for Redis Cluster.
 */

/**
 * Two addresses as one key part, unambiguous whatever they contain: JIDs may
 * hold "|" and ":" (RFC 7622 §3.3.1 forbids neither). The first part's
 * length is in UTF-8 bytes, as Lua's `#` counts, so the scripts build the
 * same string (PAIR_LUA).
 */
export const pair = (a: string, b: string): string => `${Buffer.byteLength(a, 'utf8')}:${a}|${b}`;
export const PAIR_LUA = "local function pair(a, b) return #a .. ':' .. a .. '|' .. b end";

export interface PresenceKeys {
  watcher(dialogId: string): string;
  watchersOfContact(contactJid: string): string;
  watcherPair(watcherJid: string, contactJid: string): string;
  watcherExpiry(owner: string): string;
  watchersOwned(owner: string): string;
  subscription(pairKey: string): string;
  subscriptionDialog(dialogId: string): string;
  subscriptionRefresh(owner: string): string;
  subscriptionsOwned(owner: string): string;
  subscriptionsOfContact(sipContact: string): string;
  interest(localUser: string, remoteContact: string): string;
  readonly nodes: string;
}

export function presenceKeys(prefix: string): PresenceKeys {
  return {
    watcher: (id) => `${prefix}w:${id}`,
    watchersOfContact: (c) => `${prefix}wc:${c}`,
    watcherPair: (w, c) => `${prefix}wp:${pair(w, c)}`,
    watcherExpiry: (o) => `${prefix}wx:${o}`,
    watchersOwned: (o) => `${prefix}wo:${o}`,
    subscription: (p) => `${prefix}s:${p}`,
    subscriptionDialog: (id) => `${prefix}sd:${id}`,
    subscriptionRefresh: (o) => `${prefix}sr:${o}`,
    subscriptionsOwned: (o) => `${prefix}so:${o}`,
    subscriptionsOfContact: (c) => `${prefix}sc:${c}`,
    interest: (l, r) => `${prefix}i:${pair(l, r)}`,
    nodes: `${prefix}nodes`,
  };
}

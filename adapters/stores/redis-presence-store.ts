import Redis from 'ioredis';
import type { Log } from '../../plugin/use-cases/ports';
import type { InterestRecord, PresenceStore, SubscriptionRecord, WatcherRecord } from '../../plugin/use-cases/presence-ports';
import { checkedCount, decodeSubscriptionState, decodeWatcherState, encodeState } from './presence-state-codec';
import { pair, presenceKeys, type PresenceKeys } from './redis-presence-keys';
import { ADOPT_ORPHANS, DELETE_SUBSCRIPTION, DELETE_WATCHER, PUT_SUBSCRIPTION, PUT_WATCHER } from './redis-presence-scripts';

/**
 * The shared presence store (issue #8): several gateway nodes, behind one or
 * several drachtio-servers, keep watchers and subscriptions in one Redis so
 * a node that stops has its records adopted by another (adoptOrphans).
 * Key layout: redis-presence-keys.ts; writes are Lua scripts
 * (redis-presence-scripts.ts) so records and indexes change together.
 *
 * Redis must persist (AOF or RDB) for the state to survive a Redis restart;
 * that is the operator's redis.conf, not ours (README "Presence").
 */
export interface RedisPresenceStoreOptions {
  /** redis://[user:password@]host:port/db (or rediss:// for TLS). Never logged. */
  readonly url: string;
  /** Prefix of every key (default "dxg:"). */
  readonly keyPrefix?: string;
  /** Connection problems are logged here (once per outage, not per retry). */
  readonly log?: Log;
  /** Longest wait for the first connection (ms, default 5000). */
  readonly connectTimeoutMs?: number;
}

export const DEFAULT_KEY_PREFIX = 'dxg:';

interface PresenceScripts {
  dxgPutWatcher(...args: string[]): Promise<number>;
  dxgDeleteWatcher(...args: string[]): Promise<number>;
  dxgPutSubscription(...args: string[]): Promise<number>;
  dxgDeleteSubscription(...args: string[]): Promise<number>;
  dxgAdoptOrphans(...args: string[]): Promise<[number, number]>;
}
type PresenceRedis = Redis & PresenceScripts;

/** Connects (failing if Redis does not answer within connectTimeoutMs) and returns the store. */
export async function openRedisPresenceStore(opts: RedisPresenceStoreOptions): Promise<PresenceStore> {
  let everReady = false;
  let lastError: Error | undefined;
  const client = new Redis(opts.url, {
    lazyConnect: true,
    connectTimeout: opts.connectTimeoutMs ?? 5000,
    // Start-up fails at once when Redis is not there; once connected, reconnect
    // for ever with a backoff capped at 2 s (a Redis restart must not stop the gateway).
    retryStrategy: (times) => (everReady ? Math.min(times * 100, 2000) : null),
    // A store call during an outage fails after a few reconnect attempts instead of
    // hanging the use-case (ioredis' default is 20 retries per request).
    maxRetriesPerRequest: 2,
  });
  let reported = false;
  client.on('error', (e: Error) => {
    lastError = e;
    if (reported || !everReady) return;
    reported = true;
    opts.log?.warn({ err: e.message }, 'presence store: Redis connection problem; retrying');
  });
  client.on('ready', () => {
    if (reported) opts.log?.info({}, 'presence store: Redis connection back');
    everReady = true;
    reported = false;
  });
  // connectTimeout bounds the TCP connect only; a peer that accepts and never answers
  // (not Redis, or a stalled one) would hold the ready check for ever, so bound it all.
  const timeoutMs = opts.connectTimeoutMs ?? 5000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (e) {
    if (client.status !== 'end') client.disconnect();
    const err = lastError ?? (e as Error);
    throw new Error(`presence store: cannot connect to Redis (${err.message})`);
  } finally {
    clearTimeout(timer);
  }
  const scripts: Record<keyof PresenceScripts, string> = {
    dxgPutWatcher: PUT_WATCHER,
    dxgDeleteWatcher: DELETE_WATCHER,
    dxgPutSubscription: PUT_SUBSCRIPTION,
    dxgDeleteSubscription: DELETE_SUBSCRIPTION,
    dxgAdoptOrphans: ADOPT_ORPHANS,
  };
  // defineCommand: EVALSHA, falling back to EVAL once after a Redis restart flushed the script cache.
  for (const [name, lua] of Object.entries(scripts)) client.defineCommand(name, { numberOfKeys: 0, lua });
  return new RedisPresenceStore(client as PresenceRedis, opts.keyPrefix ?? DEFAULT_KEY_PREFIX);
}

/** A time as the decimal string the scripts store; a non-finite time would corrupt a sorted set. */
function time(n: number, what: string): string {
  if (!Number.isFinite(n)) throw new RangeError(`presence store: ${what} must be a finite number, got ${n}`);
  return String(n);
}

type Hash = Record<string, string>;

function toWatcher(dialogId: string, h: Hash): WatcherRecord | undefined {
  if (h.owner === undefined) return undefined; // deleted between the index read and this one
  return {
    dialogId,
    watcherUri: h.watcherUri ?? '',
    watcherJid: h.watcherJid ?? '',
    contactJid: h.contactJid ?? '',
    entity: h.entity ?? '',
    state: decodeWatcherState(h.state ?? '', dialogId),
    expiresAt: Number(h.expiresAt),
    owner: h.owner,
  };
}

function toSubscription(h: Hash): SubscriptionRecord | undefined {
  if (h.owner === undefined || h.xmppUser === undefined || h.sipContact === undefined) return undefined;
  return {
    xmppUser: h.xmppUser,
    sipContact: h.sipContact,
    sipUri: h.sipUri ?? '',
    ...(h.dialogId === undefined ? {} : { dialogId: h.dialogId }),
    state: decodeSubscriptionState(h.state ?? '', `${h.xmppUser} -> ${h.sipContact}`),
    expiresAt: Number(h.expiresAt),
    ...(h.refreshAt === undefined ? {} : { refreshAt: Number(h.refreshAt) }),
    owner: h.owner,
  };
}

class RedisPresenceStore implements PresenceStore {
  private readonly k: PresenceKeys;

  constructor(
    private readonly r: PresenceRedis,
    private readonly prefix: string,
  ) {
    this.k = presenceKeys(prefix);
  }

  /** HGETALL of many keys in one round trip; missing keys come back as {}. */
  private async hashes(keys: readonly string[]): Promise<Hash[]> {
    if (keys.length === 0) return [];
    const pipe = this.r.pipeline();
    for (const key of keys) pipe.hgetall(key);
    const res = (await pipe.exec()) ?? [];
    return res.map(([err, v]) => {
      if (err) throw err;
      return v as Hash;
    });
  }

  private async watchers(ids: readonly string[], keep: (w: WatcherRecord) => boolean): Promise<WatcherRecord[]> {
    const hs = await this.hashes(ids.map((id) => this.k.watcher(id)));
    return ids.flatMap((id, i) => {
      const w = toWatcher(id, hs[i] ?? {});
      return w && keep(w) ? [w] : [];
    });
  }

  private async subscriptions(pairs: readonly string[], keep: (s: SubscriptionRecord) => boolean): Promise<SubscriptionRecord[]> {
    const hs = await this.hashes(pairs.map((p) => this.k.subscription(p)));
    return hs.flatMap((h) => {
      const s = toSubscription(h);
      return s && keep(s) ? [s] : [];
    });
  }

  async putWatcher(w: WatcherRecord): Promise<void> {
    await this.r.dxgPutWatcher(
      this.prefix, w.dialogId, w.watcherUri, w.watcherJid, w.contactJid, w.entity, encodeState(w.state), time(w.expiresAt, 'expiresAt'), w.owner,
    );
  }

  async getWatcher(dialogId: string): Promise<WatcherRecord | undefined> {
    return toWatcher(dialogId, await this.r.hgetall(this.k.watcher(dialogId)));
  }

  async deleteWatcher(dialogId: string): Promise<void> {
    await this.r.dxgDeleteWatcher(this.prefix, dialogId);
  }

  async watchersOf(contactJid: string, limit: number): Promise<WatcherRecord[]> {
    const n = checkedCount(limit, 'limit');
    if (n === 0) return []; // ZRANGE 0 -1 would mean "all"
    const ids = await this.r.zrange(this.k.watchersOfContact(contactJid), 0, n - 1);
    return this.watchers(ids, (w) => w.contactJid === contactJid);
  }

  async watchersFor(watcherJid: string, contactJid: string, limit: number): Promise<WatcherRecord[]> {
    const n = checkedCount(limit, 'limit');
    if (n === 0) return [];
    const ids = await this.r.zrange(this.k.watcherPair(watcherJid, contactJid), 0, n - 1, 'REV');
    return this.watchers(ids, (x) => x.watcherJid === watcherJid && x.contactJid === contactJid);
  }

  async watcherFor(watcherJid: string, contactJid: string): Promise<WatcherRecord | undefined> {
    // Several dialogs for one pair exist while a watcher re-subscribes: the longest-lived one is current.
    const ids = await this.r.zrange(this.k.watcherPair(watcherJid, contactJid), 0, 0, 'REV');
    const [w] = await this.watchers(ids, (x) => x.watcherJid === watcherJid && x.contactJid === contactJid);
    return w;
  }

  async expiredWatchers(owner: string, now: number, limit: number): Promise<WatcherRecord[]> {
    const n = checkedCount(limit, 'limit');
    if (n === 0) return [];
    const ids = await this.r.zrange(this.k.watcherExpiry(owner), '-inf', time(now, 'now'), 'BYSCORE', 'LIMIT', 0, n);
    return this.watchers(ids, (w) => w.owner === owner && w.expiresAt <= now);
  }

  async putSubscription(s: SubscriptionRecord): Promise<void> {
    await this.r.dxgPutSubscription(
      this.prefix, pair(s.xmppUser, s.sipContact), s.xmppUser, s.sipContact, s.sipUri, s.dialogId ?? '', encodeState(s.state),
      time(s.expiresAt, 'expiresAt'), s.refreshAt === undefined ? '' : time(s.refreshAt, 'refreshAt'), s.owner,
    );
  }

  async getSubscription(xmppUser: string, sipContact: string): Promise<SubscriptionRecord | undefined> {
    return toSubscription(await this.r.hgetall(this.k.subscription(pair(xmppUser, sipContact))));
  }

  async subscriptionByDialog(dialogId: string): Promise<SubscriptionRecord | undefined> {
    const pk = await this.r.get(this.k.subscriptionDialog(dialogId));
    if (pk === null) return undefined;
    const [s] = await this.subscriptions([pk], (x) => x.dialogId === dialogId);
    return s;
  }

  async deleteSubscription(xmppUser: string, sipContact: string): Promise<void> {
    await this.r.dxgDeleteSubscription(this.prefix, pair(xmppUser, sipContact));
  }

  async dueSubscriptions(owner: string, now: number, limit: number): Promise<SubscriptionRecord[]> {
    const n = checkedCount(limit, 'limit');
    if (n === 0) return [];
    const pks = await this.r.zrange(this.k.subscriptionRefresh(owner), '-inf', time(now, 'now'), 'BYSCORE', 'LIMIT', 0, n);
    return this.subscriptions(pks, (s) => s.owner === owner && s.refreshAt !== undefined && s.refreshAt <= now);
  }

  async subscriptionsOf(sipContact: string, limit: number): Promise<SubscriptionRecord[]> {
    const n = checkedCount(limit, 'limit');
    if (n === 0) return [];
    const pks = await this.r.zrange(this.k.subscriptionsOfContact(sipContact), 0, n - 1);
    return this.subscriptions(pks, (s) => s.sipContact === sipContact);
  }

  async recordInterest(i: InterestRecord): Promise<void> {
    await this.r.hset(this.k.interest(i.localUser, i.remoteContact), i.kind, time(i.at, 'at'));
  }

  async hasInterest(localUser: string, remoteContact: string): Promise<boolean> {
    return (await this.r.exists(this.k.interest(localUser, remoteContact))) === 1;
  }

  async heartbeat(node: string, aliveUntil: number): Promise<void> {
    await this.r.zadd(this.k.nodes, time(aliveUntil, 'aliveUntil'), node);
  }

  async adoptOrphans(node: string, now: number): Promise<{ readonly watchers: number; readonly subscriptions: number }> {
    const [watchers, subscriptions] = await this.r.dxgAdoptOrphans(this.prefix, node, time(now, 'now'));
    return { watchers, subscriptions };
  }

  async ownedWatchers(node: string, offset: number, limit: number): Promise<WatcherRecord[]> {
    const n = checkedCount(limit, 'limit');
    const from = checkedCount(offset, 'offset');
    if (n === 0) return [];
    const ids = await this.r.zrange(this.k.watchersOwned(node), from, from + n - 1);
    return this.watchers(ids, (w) => w.owner === node);
  }

  async ownedSubscriptions(node: string, offset: number, limit: number): Promise<SubscriptionRecord[]> {
    const n = checkedCount(limit, 'limit');
    const from = checkedCount(offset, 'offset');
    if (n === 0) return [];
    const pks = await this.r.zrange(this.k.subscriptionsOwned(node), from, from + n - 1);
    return this.subscriptions(pks, (s) => s.owner === node);
  }

  async ping(): Promise<void> {
    await this.r.ping();
  }

  async close(): Promise<void> {
    if (this.r.status === 'end') return;
    await this.r.quit().catch(() => this.r.disconnect());
  }
}

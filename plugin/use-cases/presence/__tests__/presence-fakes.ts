/**
 * In-memory fakes of OUR OWN presence ports for the use-case unit tests. The
 * real stores (SQLite, Redis), drachtio and the peers are exercised by
 * adapters/stores and integration-tests/presence-*.
 */
import type { PresenceStanza } from '../../../core/stanza/stanza';
import type {
  ContactPresenceCache, InterestRecord, OutboundNotify, OutboundSubscribe, PresenceStore, RateLimiter, SipPresenceOut,
  SubscribeOutcome, SubscriptionRecord, WatcherRecord,
} from '../../presence-ports';

export class MemoryPresenceStore implements PresenceStore {
  readonly watchers = new Map<string, WatcherRecord>();
  readonly subs = new Map<string, SubscriptionRecord>();
  readonly interest: InterestRecord[] = [];
  readonly alive = new Map<string, number>();
  private k = (u: string, c: string) => `${u}|${c}`;
  async putWatcher(r: WatcherRecord) { this.watchers.set(r.dialogId, r); }
  async getWatcher(id: string) { return this.watchers.get(id); }
  async deleteWatcher(id: string) { this.watchers.delete(id); }
  async watchersOf(c: string, limit: number) { return [...this.watchers.values()].filter((w) => w.contactJid === c).slice(0, limit); }
  async watchersFor(w: string, c: string, limit: number) {
    return [...this.watchers.values()].filter((x) => x.watcherJid === w && x.contactJid === c).sort((a, b) => b.expiresAt - a.expiresAt).slice(0, limit);
  }
  async watcherFor(w: string, c: string) { return [...this.watchers.values()].find((x) => x.watcherJid === w && x.contactJid === c); }
  async expiredWatchers(owner: string, now: number, limit: number) {
    return [...this.watchers.values()].filter((w) => w.owner === owner && w.expiresAt <= now).slice(0, limit);
  }
  async putSubscription(r: SubscriptionRecord) { this.subs.set(this.k(r.xmppUser, r.sipContact), r); }
  async getSubscription(u: string, c: string) { return this.subs.get(this.k(u, c)); }
  async subscriptionByDialog(id: string) { return [...this.subs.values()].find((s) => s.dialogId === id); }
  async deleteSubscription(u: string, c: string) { this.subs.delete(this.k(u, c)); }
  async dueSubscriptions(owner: string, now: number, limit: number) {
    return [...this.subs.values()].filter((s) => s.owner === owner && s.refreshAt !== undefined && s.refreshAt <= now)
      .sort((a, b) => (a.refreshAt ?? 0) - (b.refreshAt ?? 0)).slice(0, limit);
  }
  async subscriptionsOf(c: string, limit: number) { return [...this.subs.values()].filter((s) => s.sipContact === c).slice(0, limit); }
  async recordInterest(r: InterestRecord) { this.interest.push(r); }
  async hasInterest(l: string, r: string) { return this.interest.some((i) => i.localUser === l && i.remoteContact === r); }
  async heartbeat(node: string, until: number) { this.alive.set(node, until); }
  async adoptOrphans(node: string, now: number) {
    const dead = (o: string) => o !== node && (this.alive.get(o) ?? 0) < now;
    let watchers = 0;
    let subscriptions = 0;
    for (const w of this.watchers.values()) if (dead(w.owner)) { this.watchers.set(w.dialogId, { ...w, owner: node }); watchers++; }
    for (const s of this.subs.values()) if (dead(s.owner)) { this.subs.set(this.k(s.xmppUser, s.sipContact), { ...s, owner: node }); subscriptions++; }
    return { watchers, subscriptions };
  }
  async ownedWatchers(node: string, offset: number, limit: number) { return [...this.watchers.values()].filter((w) => w.owner === node).slice(offset, offset + limit); }
  async ownedSubscriptions(node: string, offset: number, limit: number) { return [...this.subs.values()].filter((s) => s.owner === node).slice(offset, offset + limit); }
  async ping() {}
  async close() {}
}

/** Records what would go to drachtio; each SUBSCRIBE gets dialog id `dlg-N` (or its own) and the queued outcome. */
export class FakeSipPresenceOut implements SipPresenceOut {
  readonly subscribes: Array<OutboundSubscribe & { readonly named: string }> = [];
  readonly notifies: OutboundNotify[] = [];
  nextSubscribe: SubscribeOutcome = { status: 200, reason: 'OK', expires: 3600 };
  /** Taken first, one per SUBSCRIBE, before nextSubscribe applies. */
  readonly queued: SubscribeOutcome[] = [];
  nextNotify = { status: 200, reason: 'OK' };
  private n = 0;
  async subscribe(s: OutboundSubscribe, onDialog: (id: string) => void): Promise<SubscribeOutcome> {
    const named = s.dialogId ?? `dlg-${++this.n}`;
    onDialog(named);
    this.subscribes.push({ ...s, named });
    return this.queued.shift() ?? this.nextSubscribe;
  }
  async notify(n: OutboundNotify) {
    this.notifies.push(n);
    return this.nextNotify;
  }
}

export class MapPresenceCache implements ContactPresenceCache {
  readonly m = new Map<string, ReadonlyMap<string, PresenceStanza>>();
  get(k: string) { return this.m.get(k); }
  set(k: string, v: ReadonlyMap<string, PresenceStanza>) { this.m.set(k, v); }
  delete(k: string) { this.m.delete(k); }
}

export class SwitchLimiter implements RateLimiter {
  readonly refused = new Set<string>();
  allow(key: string) { return ![...this.refused].some((p) => key.startsWith(p)); }
}

/** Lets every queued promise chain settle (the service fires SIP sends without awaiting them). */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

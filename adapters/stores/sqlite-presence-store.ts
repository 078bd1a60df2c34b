import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { InterestRecord, PresenceStore, SubscriptionRecord, WatcherRecord } from '../../plugin/use-cases/presence-ports';
import { checkedCount, decodeSubscriptionState, decodeWatcherState, encodeState } from './presence-state-codec';
import { migrate } from './sqlite-presence-schema';

/**
 * The embedded presence store (issue #8): one SQLite file through
 * better-sqlite3, no server to run. For ONE gateway node; several nodes
 * share state through the Redis store instead (a SQLite file on a network
 * share is not safe to write from several hosts: sqlite.org/wal.html §"WAL
 * does not work over a network filesystem").
 *
 * - WAL journal: readers never wait for the writer, and a commit is one
 *   sequential append; synchronous=NORMAL is durable against a process crash
 *   (the WAL is in the OS) and loses at most the last commits on power loss,
 *   which for presence means a subscription re-made by the next SUBSCRIBE.
 * - better-sqlite3 is synchronous; each call is a few µs on an indexed row,
 *   so the async port is served by resolved promises (no thread pool).
 * - The file is created 0600: it names who watches whom.
 */
export interface SqlitePresenceStoreOptions {
  /** File path, or ':memory:' (unit tests: gone on close). */
  readonly path: string;
  /** How long a write waits for another connection's lock (ms). */
  readonly busyTimeoutMs?: number;
}

/** The statements, exported so the test can EXPLAIN each one. */
export const SQL = {
  putWatcher: `INSERT INTO watchers (dialog_id, watcher_uri, watcher_jid, contact_jid, entity, state, expires_at, owner)
    VALUES (@dialogId, @watcherUri, @watcherJid, @contactJid, @entity, @state, @expiresAt, @owner)
    ON CONFLICT (dialog_id) DO UPDATE SET watcher_uri = excluded.watcher_uri, watcher_jid = excluded.watcher_jid,
      contact_jid = excluded.contact_jid, entity = excluded.entity, state = excluded.state,
      expires_at = excluded.expires_at, owner = excluded.owner`,
  getWatcher: 'SELECT * FROM watchers WHERE dialog_id = ?',
  deleteWatcher: 'DELETE FROM watchers WHERE dialog_id = ?',
  watchersOf: 'SELECT * FROM watchers WHERE contact_jid = ? ORDER BY dialog_id LIMIT ?',
  // Several dialogs for one pair exist while a watcher re-subscribes: the longest-lived one is current.
  watcherFor: 'SELECT * FROM watchers WHERE watcher_jid = ? AND contact_jid = ? ORDER BY expires_at DESC LIMIT 1',
  watchersFor: 'SELECT * FROM watchers WHERE watcher_jid = ? AND contact_jid = ? ORDER BY expires_at DESC LIMIT ?',
  expiredWatchers: 'SELECT * FROM watchers WHERE owner = ? AND expires_at <= ? ORDER BY expires_at LIMIT ?',
  ownedWatchers: 'SELECT * FROM watchers WHERE owner = ? ORDER BY dialog_id LIMIT ? OFFSET ?',

  putSubscription: `INSERT INTO subscriptions (xmpp_user, sip_contact, sip_uri, dialog_id, state, expires_at, refresh_at, owner)
    VALUES (@xmppUser, @sipContact, @sipUri, @dialogId, @state, @expiresAt, @refreshAt, @owner)
    ON CONFLICT (xmpp_user, sip_contact) DO UPDATE SET sip_uri = excluded.sip_uri, dialog_id = excluded.dialog_id,
      state = excluded.state, expires_at = excluded.expires_at, refresh_at = excluded.refresh_at, owner = excluded.owner`,
  getSubscription: 'SELECT * FROM subscriptions WHERE xmpp_user = ? AND sip_contact = ?',
  subscriptionByDialog: 'SELECT * FROM subscriptions WHERE dialog_id = ? LIMIT 1',
  deleteSubscription: 'DELETE FROM subscriptions WHERE xmpp_user = ? AND sip_contact = ?',
  dueSubscriptions: 'SELECT * FROM subscriptions WHERE owner = ? AND refresh_at IS NOT NULL AND refresh_at <= ? ORDER BY refresh_at LIMIT ?',
  subscriptionsOf: 'SELECT * FROM subscriptions WHERE sip_contact = ? ORDER BY xmpp_user LIMIT ?',
  ownedSubscriptions: 'SELECT * FROM subscriptions WHERE owner = ? ORDER BY xmpp_user, sip_contact LIMIT ? OFFSET ?',

  recordInterest: `INSERT INTO interest (local_user, remote_contact, kind, at) VALUES (?, ?, ?, ?)
    ON CONFLICT (local_user, remote_contact, kind) DO UPDATE SET at = MAX(at, excluded.at)`,
  hasInterest: 'SELECT 1 FROM interest WHERE local_user = ? AND remote_contact = ? LIMIT 1',

  heartbeat: `INSERT INTO nodes (node, alive_until) VALUES (?, ?)
    ON CONFLICT (node) DO UPDATE SET alive_until = excluded.alive_until`,
  isAlive: 'SELECT 1 FROM nodes WHERE node = ? AND alive_until >= ?',
  // Distinct owners by skipping through the owner index (a "loose index scan"): one
  // index seek per owner, so a heartbeat with nothing to adopt stays cheap at any size.
  watcherOwners: `WITH RECURSIVE o(owner) AS (
      SELECT (SELECT MIN(owner) FROM watchers)
      UNION ALL SELECT (SELECT MIN(owner) FROM watchers WHERE owner > o.owner) FROM o WHERE o.owner IS NOT NULL)
    SELECT owner FROM o WHERE owner IS NOT NULL`,
  subscriptionOwners: `WITH RECURSIVE o(owner) AS (
      SELECT (SELECT MIN(owner) FROM subscriptions)
      UNION ALL SELECT (SELECT MIN(owner) FROM subscriptions WHERE owner > o.owner) FROM o WHERE o.owner IS NOT NULL)
    SELECT owner FROM o WHERE owner IS NOT NULL`,
  adoptWatchers: 'UPDATE watchers SET owner = ? WHERE owner = ?',
  adoptSubscriptions: 'UPDATE subscriptions SET owner = ? WHERE owner = ?',
} as const;

interface WatcherRow {
  dialog_id: string;
  watcher_uri: string;
  watcher_jid: string;
  contact_jid: string;
  entity: string;
  state: string;
  expires_at: number;
  owner: string;
}

interface SubscriptionRow {
  xmpp_user: string;
  sip_contact: string;
  sip_uri: string;
  dialog_id: string | null;
  state: string;
  expires_at: number;
  refresh_at: number | null;
  owner: string;
}

const toWatcher = (r: WatcherRow): WatcherRecord => ({
  dialogId: r.dialog_id,
  watcherUri: r.watcher_uri,
  watcherJid: r.watcher_jid,
  contactJid: r.contact_jid,
  entity: r.entity,
  state: decodeWatcherState(r.state, r.dialog_id),
  expiresAt: r.expires_at,
  owner: r.owner,
});

const toSubscription = (r: SubscriptionRow): SubscriptionRecord => ({
  xmppUser: r.xmpp_user,
  sipContact: r.sip_contact,
  sipUri: r.sip_uri,
  ...(r.dialog_id === null ? {} : { dialogId: r.dialog_id }),
  state: decodeSubscriptionState(r.state, `${r.xmpp_user} -> ${r.sip_contact}`),
  expiresAt: r.expires_at,
  ...(r.refresh_at === null ? {} : { refreshAt: r.refresh_at }),
  owner: r.owner,
});

/** Opens (creating and migrating if needed) the store. Throws when the file cannot be opened or is newer than this code. */
export function openSqlitePresenceStore(opts: SqlitePresenceStoreOptions): PresenceStore {
  if (opts.path !== ':memory:') {
    mkdirSync(path.dirname(opts.path), { recursive: true, mode: 0o750 });
    // Create it 0600 before SQLite does (SQLite would use 0644); the -wal and -shm files copy its mode.
    closeSync(openSync(opts.path, 'a', 0o600));
  }
  const db = new Database(opts.path, { timeout: opts.busyTimeoutMs ?? 5000 });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    migrate(db);
  } catch (e) {
    db.close();
    throw e;
  }
  return new SqlitePresenceStore(db);
}

class SqlitePresenceStore implements PresenceStore {
  private readonly s;
  private readonly adopt;

  constructor(private readonly db: Database.Database) {
    const p = <K extends keyof typeof SQL>(k: K) => db.prepare(SQL[k]);
    this.s = {
      putWatcher: p('putWatcher'),
      getWatcher: p('getWatcher'),
      deleteWatcher: p('deleteWatcher'),
      watchersOf: p('watchersOf'),
      watcherFor: p('watcherFor'),
      watchersFor: p('watchersFor'),
      expiredWatchers: p('expiredWatchers'),
      ownedWatchers: p('ownedWatchers'),
      putSubscription: p('putSubscription'),
      getSubscription: p('getSubscription'),
      subscriptionByDialog: p('subscriptionByDialog'),
      deleteSubscription: p('deleteSubscription'),
      dueSubscriptions: p('dueSubscriptions'),
      subscriptionsOf: p('subscriptionsOf'),
      ownedSubscriptions: p('ownedSubscriptions'),
      recordInterest: p('recordInterest'),
      hasInterest: p('hasInterest'),
      heartbeat: p('heartbeat'),
      isAlive: p('isAlive'),
      watcherOwners: p('watcherOwners').pluck(),
      subscriptionOwners: p('subscriptionOwners').pluck(),
      adoptWatchers: p('adoptWatchers'),
      adoptSubscriptions: p('adoptSubscriptions'),
    };
    // One IMMEDIATE transaction: liveness is read and records move under the write lock,
    // so a node heartbeating at the same moment is either seen alive or not, never half-adopted.
    this.adopt = db.transaction((node: string, now: number) => {
      const lapsed = (owner: string) => owner !== node && this.s.isAlive.get(owner, now) === undefined;
      let watchers = 0;
      let subscriptions = 0;
      for (const owner of (this.s.watcherOwners.all() as string[]).filter(lapsed)) watchers += this.s.adoptWatchers.run(node, owner).changes;
      for (const owner of (this.s.subscriptionOwners.all() as string[]).filter(lapsed)) {
        subscriptions += this.s.adoptSubscriptions.run(node, owner).changes;
      }
      return { watchers, subscriptions };
    });
  }

  async putWatcher(r: WatcherRecord): Promise<void> {
    this.s.putWatcher.run({
      dialogId: r.dialogId,
      watcherUri: r.watcherUri,
      watcherJid: r.watcherJid,
      contactJid: r.contactJid,
      entity: r.entity,
      state: encodeState(r.state),
      expiresAt: r.expiresAt,
      owner: r.owner,
    });
  }

  async getWatcher(dialogId: string): Promise<WatcherRecord | undefined> {
    const row = this.s.getWatcher.get(dialogId) as WatcherRow | undefined;
    return row && toWatcher(row);
  }

  async deleteWatcher(dialogId: string): Promise<void> {
    this.s.deleteWatcher.run(dialogId);
  }

  async watchersOf(contactJid: string, limit: number): Promise<WatcherRecord[]> {
    return (this.s.watchersOf.all(contactJid, checkedCount(limit, 'limit')) as WatcherRow[]).map(toWatcher);
  }

  async watchersFor(watcherJid: string, contactJid: string, limit: number): Promise<WatcherRecord[]> {
    return (this.s.watchersFor.all(watcherJid, contactJid, checkedCount(limit, 'limit')) as WatcherRow[]).map(toWatcher);
  }

  async watcherFor(watcherJid: string, contactJid: string): Promise<WatcherRecord | undefined> {
    const row = this.s.watcherFor.get(watcherJid, contactJid) as WatcherRow | undefined;
    return row && toWatcher(row);
  }

  async expiredWatchers(owner: string, now: number, limit: number): Promise<WatcherRecord[]> {
    return (this.s.expiredWatchers.all(owner, now, checkedCount(limit, 'limit')) as WatcherRow[]).map(toWatcher);
  }

  async putSubscription(r: SubscriptionRecord): Promise<void> {
    this.s.putSubscription.run({
      xmppUser: r.xmppUser,
      sipContact: r.sipContact,
      sipUri: r.sipUri,
      dialogId: r.dialogId ?? null,
      state: encodeState(r.state),
      expiresAt: r.expiresAt,
      refreshAt: r.refreshAt ?? null,
      owner: r.owner,
    });
  }

  async getSubscription(xmppUser: string, sipContact: string): Promise<SubscriptionRecord | undefined> {
    const row = this.s.getSubscription.get(xmppUser, sipContact) as SubscriptionRow | undefined;
    return row && toSubscription(row);
  }

  async subscriptionByDialog(dialogId: string): Promise<SubscriptionRecord | undefined> {
    const row = this.s.subscriptionByDialog.get(dialogId) as SubscriptionRow | undefined;
    return row && toSubscription(row);
  }

  async deleteSubscription(xmppUser: string, sipContact: string): Promise<void> {
    this.s.deleteSubscription.run(xmppUser, sipContact);
  }

  async dueSubscriptions(owner: string, now: number, limit: number): Promise<SubscriptionRecord[]> {
    return (this.s.dueSubscriptions.all(owner, now, checkedCount(limit, 'limit')) as SubscriptionRow[]).map(toSubscription);
  }

  async subscriptionsOf(sipContact: string, limit: number): Promise<SubscriptionRecord[]> {
    return (this.s.subscriptionsOf.all(sipContact, checkedCount(limit, 'limit')) as SubscriptionRow[]).map(toSubscription);
  }

  async recordInterest(r: InterestRecord): Promise<void> {
    this.s.recordInterest.run(r.localUser, r.remoteContact, r.kind, r.at);
  }

  async hasInterest(localUser: string, remoteContact: string): Promise<boolean> {
    return this.s.hasInterest.get(localUser, remoteContact) !== undefined;
  }

  async heartbeat(node: string, aliveUntil: number): Promise<void> {
    this.s.heartbeat.run(node, aliveUntil);
  }

  async adoptOrphans(node: string, now: number): Promise<{ readonly watchers: number; readonly subscriptions: number }> {
    return this.adopt.immediate(node, now);
  }

  async ownedWatchers(node: string, offset: number, limit: number): Promise<WatcherRecord[]> {
    const rows = this.s.ownedWatchers.all(node, checkedCount(limit, 'limit'), checkedCount(offset, 'offset')) as WatcherRow[];
    return rows.map(toWatcher);
  }

  async ownedSubscriptions(node: string, offset: number, limit: number): Promise<SubscriptionRecord[]> {
    const rows = this.s.ownedSubscriptions.all(node, checkedCount(limit, 'limit'), checkedCount(offset, 'offset')) as SubscriptionRow[];
    return rows.map(toSubscription);
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

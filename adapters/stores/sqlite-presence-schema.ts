import type { Database } from 'better-sqlite3';

/**
 * The presence store's SQLite schema, as numbered migrations. Migration N
 * brings a file from version N to N + 1; `schema_version` holds the version
 * the file is at. A file newer than this code is refused (no silent
 * downgrade: an older gateway would misread rows it does not know).
 *
 * Each index serves one PresenceStore query (named next to it); the
 * EXPLAIN QUERY PLAN test in sqlite-presence-store.test.ts proves every query
 * uses its index. Owner indexes are ordered by the record's key so that
 * ownedWatchers/ownedSubscriptions pages stay put while records are updated.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE watchers (
    dialog_id   TEXT    NOT NULL UNIQUE,
    watcher_uri TEXT    NOT NULL,
    watcher_jid TEXT    NOT NULL,
    contact_jid TEXT    NOT NULL,
    entity      TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    expires_at  INTEGER NOT NULL,
    owner       TEXT    NOT NULL
  );
  CREATE INDEX watchers_by_contact      ON watchers (contact_jid, dialog_id);            -- watchersOf
  CREATE INDEX watchers_by_pair         ON watchers (watcher_jid, contact_jid, expires_at); -- watcherFor
  CREATE INDEX watchers_by_owner_expiry ON watchers (owner, expires_at);                  -- expiredWatchers
  CREATE INDEX watchers_by_owner        ON watchers (owner, dialog_id);                   -- ownedWatchers, adoptOrphans

  CREATE TABLE subscriptions (
    xmpp_user   TEXT    NOT NULL,
    sip_contact TEXT    NOT NULL,
    sip_uri     TEXT    NOT NULL,
    dialog_id   TEXT,
    state       TEXT    NOT NULL,
    expires_at  INTEGER NOT NULL,
    refresh_at  INTEGER,
    owner       TEXT    NOT NULL,
    UNIQUE (xmpp_user, sip_contact)
  );
  CREATE INDEX subscriptions_by_dialog        ON subscriptions (dialog_id) WHERE dialog_id IS NOT NULL;  -- subscriptionByDialog
  CREATE INDEX subscriptions_by_owner_refresh ON subscriptions (owner, refresh_at) WHERE refresh_at IS NOT NULL; -- dueSubscriptions
  CREATE INDEX subscriptions_by_owner         ON subscriptions (owner, xmpp_user, sip_contact); -- ownedSubscriptions, adoptOrphans
  CREATE INDEX subscriptions_by_contact       ON subscriptions (sip_contact, xmpp_user);        -- subscriptionsOf

  CREATE TABLE interest (
    local_user     TEXT    NOT NULL,
    remote_contact TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    at             INTEGER NOT NULL,
    PRIMARY KEY (local_user, remote_contact, kind)
  ) WITHOUT ROWID;

  CREATE TABLE nodes (
    node        TEXT    NOT NULL PRIMARY KEY,
    alive_until INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the file to SCHEMA_VERSION in one transaction; returns the version it found. */
export function migrate(db: Database): number {
  return db.transaction((): number => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
    const found = row?.version ?? 0;
    if (found > SCHEMA_VERSION) {
      throw new Error(`presence store: the file is at schema version ${found}, newer than this gateway's ${SCHEMA_VERSION}; refusing to open it`);
    }
    for (let v = found; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v] ?? '');
    if (row === undefined) db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SCHEMA_VERSION);
    else if (found !== SCHEMA_VERSION) db.prepare('UPDATE schema_version SET version = ?').run(SCHEMA_VERSION);
    return found;
  }).immediate();
}

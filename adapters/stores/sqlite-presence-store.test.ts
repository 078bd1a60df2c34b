import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describePresenceStoreContract, type ContractBackend } from './presence-store.contract';
import { CorruptPresenceRecord } from './presence-state-codec';
import { SCHEMA_VERSION } from './sqlite-presence-schema';
import { openSqlitePresenceStore, SQL } from './sqlite-presence-store';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(path.join(tmpdir(), 'dxg-presence-sqlite-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const sqliteFile: ContractBackend = {
  name: 'SQLite file (WAL)',
  async fresh() {
    // A subdirectory that does not exist yet: the store creates it.
    const file = path.join(tempDir(), 'var', 'presence.db');
    return { open: async () => openSqlitePresenceStore({ path: file }) };
  },
};

describePresenceStoreContract([sqliteFile]);

describe('SQLite presence store specifics', () => {
  it('works in memory for unit tests', async () => {
    const s = openSqlitePresenceStore({ path: ':memory:' });
    await s.heartbeat('n', 1);
    await expect(s.ping()).resolves.toBeUndefined();
    await s.close();
  });

  it('creates the file readable by its owner only, in WAL mode, at the current schema version', async () => {
    const file = path.join(tempDir(), 'presence.db');
    const s = openSqlitePresenceStore({ path: file });
    await s.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT version FROM schema_version').all()).toEqual([{ version: SCHEMA_VERSION }]);
    db.close();
  });

  it('reopening an existing file migrates nothing and keeps one version row', async () => {
    const file = path.join(tempDir(), 'presence.db');
    await openSqlitePresenceStore({ path: file }).close();
    await openSqlitePresenceStore({ path: file }).close();
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM schema_version').get()).toEqual({ n: 1 });
    db.close();
  });

  it('refuses a file written by a newer gateway (no silent downgrade)', () => {
    const file = path.join(tempDir(), 'presence.db');
    const db = new Database(file);
    db.exec(`CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (${SCHEMA_VERSION + 1})`);
    db.close();
    expect(() => openSqlitePresenceStore({ path: file })).toThrow(/newer than this gateway/);
  });

  it('reports a damaged state column as CorruptPresenceRecord instead of returning it', async () => {
    const file = path.join(tempDir(), 'presence.db');
    const s = openSqlitePresenceStore({ path: file });
    await s.putWatcher({
      dialogId: 'd;from-tag=1', watcherUri: 'sip:a@example.com', watcherJid: 'a@example.com', contactJid: 'r@m.example',
      entity: 'pres:r@m.example', state: { phase: 'active' }, expiresAt: 1, owner: 'n',
    });
    const db = new Database(file);
    db.prepare("UPDATE watchers SET state = '{\"phase\":\"gone\"}'").run();
    db.close();
    await expect(s.getWatcher('d;from-tag=1')).rejects.toThrow(CorruptPresenceRecord);
    await s.close();
  });

  // Every query of the port is served by an index: no full scan of a table at any size.
  it.each(Object.entries(SQL).filter(([name]) => !name.startsWith('put') && name !== 'heartbeat' && name !== 'recordInterest'))(
    'query %s uses an index, never a table scan',
    async (_name, sql) => {
      const file = path.join(tempDir(), 'presence.db');
      await openSqlitePresenceStore({ path: file }).close();
      const db = new Database(file, { readonly: true });
      const params = (sql.match(/\?/g) ?? []).map(() => 1);
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
      db.close();
      expect(plan.filter((d) => /^SCAN (watchers|subscriptions|interest|nodes)\b(?!.*USING)/.test(d))).toEqual([]);
      expect(plan.filter((d) => /USE TEMP B-TREE FOR ORDER BY/.test(d))).toEqual([]);
    },
  );
});

import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Log } from '../../plugin/use-cases/ports';
import { openPresenceStore, redactUrl } from './presence-store-from-config';

// The Redis branch runs against a real redis-server: integration-tests/stores/presence-store-from-config.itest.ts.

type Line = { level: string; obj: Record<string, unknown>; msg: string };
function recordingLog(): Log & { lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => (obj: Record<string, unknown>, msg: string) => void lines.push({ level, obj, msg });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(path.join(tmpdir(), 'dxg-presence-cfg-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('openPresenceStore: gateway.presence.store.kind sqlite', () => {
  it('creates the missing parent directories and a file only its owner can read (WAL file too), then serves the store', async () => {
    const file = path.join(tempDir(), 'var', 'lib', 'dxg', 'presence.sqlite');
    const log = recordingLog();
    const store = await openPresenceStore({ kind: 'sqlite', path: file }, log);
    try {
      await store.heartbeat('node-a', 1_796_000_000_000);
      await store.recordInterest({ localUser: 'bob@example.com', remoteContact: 'juliet@capulet.example', kind: 'messaged', at: 1 });
      expect(await store.hasInterest('bob@example.com', 'juliet@capulet.example')).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(`${file}-wal`).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(file)).mode & 0o007).toBe(0);
    } finally {
      await store.close();
    }
    expect(log.lines).toEqual([{ level: 'info', obj: { store: 'sqlite', path: file }, msg: 'presence store open' }]);
  });

  it('keeps what it stored across a second open of the same file (a gateway restart)', async () => {
    const file = path.join(tempDir(), 'presence.sqlite');
    const first = await openPresenceStore({ kind: 'sqlite', path: file }, recordingLog());
    await first.recordInterest({ localUser: 'bob@example.com', remoteContact: 'juliet@capulet.example', kind: 'subscribed', at: 1 });
    await first.close();
    const again = await openPresenceStore({ kind: 'sqlite', path: file }, recordingLog());
    try {
      expect(await again.hasInterest('bob@example.com', 'juliet@capulet.example')).toBe(true);
    } finally {
      await again.close();
    }
  });

  it('warns, without changing it, when an existing file is readable by others', async () => {
    const file = path.join(tempDir(), 'presence.sqlite');
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    const log = recordingLog();
    const store = await openPresenceStore({ kind: 'sqlite', path: file }, log);
    await store.close();
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(log.lines.filter((l) => l.level === 'warn')).toEqual([
      expect.objectContaining({ obj: { path: file, mode: '644' }, msg: expect.stringContaining('chmod 600') }),
    ]);
  });

  it('rejects naming gateway.presence.store.path when the file cannot be created', async () => {
    const notADir = path.join(tempDir(), 'plain-file');
    writeFileSync(notADir, 'x');
    await expect(openPresenceStore({ kind: 'sqlite', path: path.join(notADir, 'presence.sqlite') }, recordingLog())).rejects.toThrow(
      /^gateway\.presence\.store\.path: cannot open the SQLite presence store at .*plain-file\/presence\.sqlite/,
    );
  });

  it('rejects naming gateway.presence.store.path when the file is not a SQLite database', async () => {
    const file = path.join(tempDir(), 'presence.sqlite');
    writeFileSync(file, 'this is not a database, it is a text file long enough to have a header page '.repeat(20));
    await expect(openPresenceStore({ kind: 'sqlite', path: file }, recordingLog())).rejects.toThrow(/^gateway\.presence\.store\.path: .*not a database/);
  });
});

describe('redactUrl: the Redis URL as it may appear in messages and logs', () => {
  it.each([
    ['redis://:s3cret@127.0.0.1:6379/0', 'redis://:***@127.0.0.1:6379/0'],
    ['redis://gw:s3cret@redis.example:6379/2', 'redis://gw:***@redis.example:6379/2'],
    ['rediss://gw:p%40ss%2Fw@redis.example:6380', 'rediss://gw:***@redis.example:6380'],
    ['redis://127.0.0.1:6379/0', 'redis://127.0.0.1:6379/0'],
    ['redis://gw@127.0.0.1:6379', 'redis://gw@127.0.0.1:6379'],
    ['redis://gw:s3cret@[not a host/0', 'redis://***@[not a host/0'],
  ])('%s → %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });
});

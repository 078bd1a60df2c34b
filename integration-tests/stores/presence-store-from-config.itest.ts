/**
 * openPresenceStore's Redis branch (gateway.presence.store.kind redis) against
 * a real redis-server with requirepass: it connects with the password in the
 * URL, and every failure (wrong password, nothing listening, a peer that never
 * answers) rejects within the bound, names gateway.presence.store.url and never
 * prints the password.
 */
import net from 'node:net';
import { openPresenceStore } from '../../adapters/stores/presence-store-from-config';
import type { Log } from '../../plugin/use-cases/ports';
import { startRedisServer, type RedisServer } from '../harness/redis';

jest.setTimeout(30_000);

const PASSWORD = 'pr3s-S3cret/x@y';
const enc = encodeURIComponent(PASSWORD);

type Line = { level: string; obj: Record<string, unknown>; msg: string };
function recordingLog(): Log & { lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => (obj: Record<string, unknown>, msg: string) => void lines.push({ level, obj, msg });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
const leaks = (s: string) => s.includes(PASSWORD) || s.includes(enc);

let server: RedisServer;
beforeAll(async () => {
  server = await startRedisServer({ password: PASSWORD });
});
afterAll(async () => {
  await server?.dispose();
});

describe('openPresenceStore: gateway.presence.store.kind redis, real redis-server with requirepass', () => {
  it('connects with the password from the URL; the log line shows the URL with the password masked', async () => {
    const log = recordingLog();
    const url = `redis://:${enc}@127.0.0.1:${server.port}/0`;
    const store = await openPresenceStore({ kind: 'redis', url, keyPrefix: 'dxg-cfg:' }, log);
    try {
      await store.recordInterest({ localUser: 'bob@example.com', remoteContact: 'juliet@capulet.example', kind: 'messaged', at: 1 });
      expect(await store.hasInterest('bob@example.com', 'juliet@capulet.example')).toBe(true);
    } finally {
      await store.close();
    }
    expect(log.lines).toEqual([
      { level: 'info', obj: { store: 'redis', url: `redis://:***@127.0.0.1:${server.port}/0`, keyPrefix: 'dxg-cfg:' }, msg: 'presence store open' },
    ]);
    expect(leaks(JSON.stringify(log.lines))).toBe(false);
  });

  it('a wrong password rejects, naming the setting and the server\'s refusal, without the password', async () => {
    const wrong = `${PASSWORD}-not`;
    const url = `redis://:${encodeURIComponent(wrong)}@127.0.0.1:${server.port}/0`;
    const log = recordingLog();
    const err = await openPresenceStore({ kind: 'redis', url, keyPrefix: 'dxg:' }, log, { connectTimeoutMs: 2_000 }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/^gateway\.presence\.store\.url \(redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/0\): presence store: cannot connect to Redis \(.*(WRONGPASS|NOAUTH|invalid)/);
    expect(err && (err.message.includes(wrong) || err.message.includes(encodeURIComponent(wrong)))).toBe(false);
    expect(leaks(JSON.stringify(log.lines))).toBe(false);
  });

  it('nothing listening: rejects within the bound, naming the setting', async () => {
    const t0 = Date.now();
    const url = `redis://:${enc}@127.0.0.1:1/0`;
    const err = await openPresenceStore({ kind: 'redis', url, keyPrefix: 'dxg:' }, recordingLog(), { connectTimeoutMs: 1_000 }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(err?.message).toMatch(/^gateway\.presence\.store\.url \(redis:\/\/:\*\*\*@127\.0\.0\.1:1\/0\): .*ECONNREFUSED/);
    expect(leaks(err?.message ?? '')).toBe(false);
  });

  it('a peer that accepts TCP and never answers: rejects once the bound has passed, naming the setting', async () => {
    const sockets = new Set<net.Socket>();
    const mute = net.createServer((s) => void sockets.add(s));
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    const { port } = mute.address() as net.AddressInfo;
    try {
      const t0 = Date.now();
      const err = await openPresenceStore({ kind: 'redis', url: `redis://:${enc}@127.0.0.1:${port}/0`, keyPrefix: 'dxg:' }, recordingLog(), {
        connectTimeoutMs: 1_000,
      }).then(
        () => undefined,
        (e: Error) => e,
      );
      const took = Date.now() - t0;
      expect(took).toBeGreaterThanOrEqual(900);
      expect(took).toBeLessThan(5_000);
      expect(err?.message).toMatch(/^gateway\.presence\.store\.url \(redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/0\): .*(no answer within 1000 ms|timeout)/i);
      expect(leaks(err?.message ?? '')).toBe(false);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => mute.close(() => resolve()));
    }
  });
});

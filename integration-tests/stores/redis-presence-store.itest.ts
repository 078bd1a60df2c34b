/**
 * The Redis presence store against a real redis-server (no mock): the shared
 * PresenceStore contract, plus what only a server shows: key prefixes keep
 * gateways apart, and the store keeps working across a redis-server restart
 * (reconnect, Lua scripts reloaded after the script cache was lost).
 */
import { existsSync } from 'node:fs';
import net from 'node:net';
import Redis from 'ioredis';
import { describePresenceStoreContract, type ContractBackend } from '../../adapters/stores/presence-store.contract';
import { openRedisPresenceStore } from '../../adapters/stores/redis-presence-store';
import type { PresenceStore, WatcherRecord } from '../../plugin/use-cases/presence-ports';
import { startRedisServer, type RedisServer } from '../harness/redis';

jest.setTimeout(30_000);

let server: RedisServer;
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await server?.dispose();
});

let n = 0;
const redisBackend: ContractBackend = {
  name: 'Redis (real redis-server)',
  async fresh() {
    // Each test gets its own key prefix on the one server: an empty, private state.
    const keyPrefix = `dxg-contract-${++n}:`;
    return { open: () => openRedisPresenceStore({ url: server.url, keyPrefix }) };
  },
};

describePresenceStoreContract([redisBackend]);

const W: WatcherRecord = {
  dialogId: 'c1@192.0.2.10;from-tag=t1',
  watcherUri: 'sip:alice@example.com',
  watcherJid: 'alice@example.com',
  contactJid: 'romeo@montague.example',
  entity: 'pres:romeo@montague.example',
  state: { phase: 'active' },
  expiresAt: 1_796_000_000_000,
  owner: 'node-a',
};

describe('Redis presence store on a real server', () => {
  const open: PresenceStore[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });

  it('keeps two key prefixes apart, adoption included', async () => {
    const one = await openRedisPresenceStore({ url: server.url, keyPrefix: 'dxg-one:' });
    const two = await openRedisPresenceStore({ url: server.url, keyPrefix: 'dxg-two:' });
    open.push(one, two);
    await one.putWatcher(W);
    expect(await two.getWatcher(W.dialogId)).toBeUndefined();
    expect(await two.watchersOf(W.contactJid, 10)).toEqual([]);
    await two.heartbeat('node-b', W.expiresAt);
    expect(await two.adoptOrphans('node-b', W.expiresAt)).toEqual({ watchers: 0, subscriptions: 0 });
    expect((await one.getWatcher(W.dialogId))?.owner).toBe('node-a');
  });

  it('writes only keys under its prefix', async () => {
    const s = await openRedisPresenceStore({ url: server.url, keyPrefix: 'dxg-keys:' });
    open.push(s);
    await s.putWatcher(W);
    await s.putSubscription({
      xmppUser: 'juliet@capulet.example', sipContact: 'bob@example.com', sipUri: 'sip:bob@example.com', dialogId: 'd;from-tag=1',
      state: { mode: 'subscribe', authorized: false, userAvailable: false }, expiresAt: 1, refreshAt: 1, owner: 'node-a',
    });
    await s.recordInterest({ localUser: 'bob@example.com', remoteContact: 'juliet@capulet.example', kind: 'messaged', at: 1 });
    await s.heartbeat('node-a', 2);
    const raw = new Redis(server.url);
    try {
      const keys = await raw.keys('*');
      const ours = keys.filter((k) => !k.startsWith('dxg-contract-') && !k.startsWith('dxg-one:') && !k.startsWith('dxg-two:'));
      expect(ours.length).toBeGreaterThan(5);
      expect(ours.filter((k) => !k.startsWith('dxg-keys:'))).toEqual([]);
    } finally {
      raw.disconnect();
    }
  });

  it('leaves no index entry behind once every record is deleted (only the liveness set remains)', async () => {
    const s = await openRedisPresenceStore({ url: server.url, keyPrefix: 'dxg-empty:' });
    open.push(s);
    const sub = {
      xmppUser: 'juliet@capulet.example', sipContact: 'bob@example.com', sipUri: 'sip:bob@example.com', dialogId: 'd;from-tag=1',
      state: { mode: 'subscribe', authorized: false, userAvailable: false }, expiresAt: 1, refreshAt: 1, owner: 'node-a',
    } as const;
    await s.putWatcher(W);
    await s.putWatcher({ ...W, expiresAt: W.expiresAt + 5, contactJid: 'tybalt@capulet.example' });
    await s.putSubscription(sub);
    await s.putSubscription({ ...sub, dialogId: 'd2;from-tag=2', refreshAt: 9 });
    await s.heartbeat('node-b', 10);
    expect(await s.adoptOrphans('node-b', 5)).toEqual({ watchers: 1, subscriptions: 1 });
    await s.deleteWatcher(W.dialogId);
    await s.deleteSubscription(sub.xmppUser, sub.sipContact);
    await s.adoptOrphans('node-b', 5); // lets the owner worklist forget owners without records
    const raw = new Redis(server.url);
    try {
      expect((await raw.keys('dxg-empty:*')).sort()).toEqual(['dxg-empty:nodes']);
    } finally {
      raw.disconnect();
    }
  });

  it('the harness leaves nothing behind: after dispose the port refuses connections and the directory is gone', async () => {
    const extra = await startRedisServer();
    await extra.dispose();
    expect(existsSync(extra.dir)).toBe(false);
    const refused = await new Promise<boolean>((resolve) => {
      const c = net.connect({ host: '127.0.0.1', port: extra.port });
      c.once('connect', () => { c.destroy(); resolve(false); });
      c.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });

  it('fails to open, within the connect timeout, when nothing listens', async () => {
    const t0 = Date.now();
    await expect(openRedisPresenceStore({ url: 'redis://127.0.0.1:1/0', connectTimeoutMs: 1_000 })).rejects.toThrow(/cannot connect to Redis/);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});

describe('Redis presence store across a redis-server restart (append-only file)', () => {
  let persistent: RedisServer;
  beforeAll(async () => {
    persistent = await startRedisServer({ persist: true });
  });
  afterAll(async () => {
    await persistent?.dispose();
  });

  it('the same handle reconnects, finds its records and writes again after the server lost its script cache', async () => {
    const s = await openRedisPresenceStore({ url: persistent.url, keyPrefix: 'dxg:' });
    try {
      await s.putWatcher(W);
      await s.heartbeat('node-a', W.expiresAt);
      await persistent.stop();
      await expect(s.ping()).rejects.toThrow();
      await persistent.start();
      // ioredis reconnects on its own; bounded wait for it.
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && !(await s.ping().then(() => true, () => false))) await new Promise((r) => setTimeout(r, 100));
      expect(await s.getWatcher(W.dialogId)).toStrictEqual(W);
      expect(await s.expiredWatchers('node-a', W.expiresAt, 10)).toStrictEqual([W]);
      // A restarted server has no scripts loaded: EVALSHA gets NOSCRIPT and the store must still write.
      const moved = { ...W, expiresAt: W.expiresAt + 1_000 };
      await s.putWatcher(moved);
      expect(await s.expiredWatchers('node-a', W.expiresAt, 10)).toEqual([]);
      expect(await s.expiredWatchers('node-a', moved.expiresAt, 10)).toStrictEqual([moved]);
      expect(await s.adoptOrphans('node-b', W.expiresAt + 1)).toEqual({ watchers: 1, subscriptions: 0 });
    } finally {
      await s.close();
    }
  });
});

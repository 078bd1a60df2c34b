/**
 * Memory per stored presence record in each PresenceStore (issue #8: "memory
 * per stored subscription in each store", from a benchmark, never a test),
 * plus put/get/sweep throughput. Measured, never asserted.
 *
 * For each N (10,000 and 100,000) and each store, N watchers (RFC 8048 §5.3,
 * a SIP user watching an XMPP contact) then N subscriptions (§5.2, an XMPP
 * user watching a SIP contact) are written through the port, exactly as the
 * gateway writes them, and the growth is divided by N:
 *   - SQLite (adapters/stores/sqlite-presence-store.ts): bytes of the database
 *     file after a WAL checkpoint (what the OS page cache holds when the file
 *     is hot), the WAL size before it, and the RSS delta of this process after
 *     a GC (better-sqlite3's own page cache, bounded by SQLite's default
 *     cache_size of 2,000 KiB per connection);
 *   - Redis (adapters/stores/redis-presence-store.ts) on its own redis-server
 *     (Debian, loopback, no persistence; integration-tests/harness/redis.ts):
 *     `INFO memory` used_memory delta, records and every index key included.
 * Records look like real ones: drachtio dialog ids (UUID Call-ID + from-tag),
 * 20 watchers per XMPP contact, 20 subscriptions per SIP contact, one node.
 *
 * Throughput: put (SQLite one call at a time, as it is synchronous underneath;
 * Redis with 64 calls in flight on the one connection, as the use-cases issue
 * them concurrently), get (1 in flight, and 64 for Redis), and the due sweeps
 * the ticker runs (dueSubscriptions / expiredWatchers, limit 100, everything due).
 *
 *   npm run bench:presence-store                      # writes bench/results/presence-store-memory.json
 *   npm run bench:presence-store -- --sizes 1000      # a quick look; prints only, writes nothing
 *
 * Bounds: every fill is N calls and at most FILL_DEADLINE_MS; every ops loop
 * at most OPS_MAX calls and OPS_MAX_MS.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import Database from 'better-sqlite3';
import Redis from 'ioredis';
import { openRedisPresenceStore } from '../adapters/stores/redis-presence-store';
import { openSqlitePresenceStore } from '../adapters/stores/sqlite-presence-store';
import { startRedisServer, type RedisServer } from '../integration-tests/harness/redis';
import type { PresenceStore, SubscriptionRecord, WatcherRecord } from '../plugin/use-cases/presence-ports';
import { gitInfo, machineInfo, writeAtomically } from './report';

const DEFAULT_SIZES = [10_000, 100_000];
const PER_CONTACT = 20;
const IN_FLIGHT = 64;
const SWEEP_LIMIT = 100;
const OPS_MAX = 20_000;
const OPS_MAX_MS = 2_000;
const FILL_DEADLINE_MS = 180_000;
const OWNER = 'gw-node-1';
const WARMUP_N = 2_000;
const T0 = 1_796_000_000_000;
const RESULTS = path.join(__dirname, 'results', 'presence-store-memory.json');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
(globalThis as { gc?: () => void }).gc ??= gc; // so machineInfo reports gcExposed truthfully

// ------------------------------------------------------------------ records

const hex = (n: number, width: number) => (n >>> 0).toString(16).padStart(width, '0').slice(-width);
/** A drachtio-style dialog id: `<Call-ID>;from-tag=<tag>`, Call-ID a UUID (what drachtio-server generates). */
const dialogId = (kind: number, i: number) => {
  const a = Math.imul(i + 1, 2654435761);
  const b = Math.imul(i + 7, 40503) ^ kind;
  return `${hex(a, 8)}-${hex(b, 4)}-4${hex(i, 3)}-a${hex(a >>> 3, 3)}-${hex(b, 4)}${hex(i, 8)};from-tag=${hex(a ^ b, 8)}${hex(i, 4)}`;
};

const watcher = (i: number, n: number): WatcherRecord => {
  const contact = `contact${i % Math.ceil(n / PER_CONTACT)}@xmpp.example.net`;
  return {
    dialogId: dialogId(1, i),
    watcherUri: `sip:user${i}@sip.example.com`,
    watcherJid: `user${i}@sip.example.com`,
    contactJid: contact,
    entity: `pres:${contact}`,
    state: { phase: 'active' },
    expiresAt: T0 + 3_600_000 + (i % 3600) * 1000,
    owner: OWNER,
  };
};

const subscription = (i: number, n: number): SubscriptionRecord => {
  const contact = `bob${i % Math.ceil(n / PER_CONTACT)}@sip.example.com`;
  return {
    xmppUser: `juliet${i}@xmpp.example.net`,
    sipContact: contact,
    sipUri: `sip:${contact}`,
    dialogId: dialogId(2, i),
    state: { mode: 'subscribe', authorized: true, userAvailable: true },
    expiresAt: T0 + 3_600_000 + (i % 3600) * 1000,
    refreshAt: T0 + (i % 1800) * 1000,
    owner: OWNER,
  };
};

// -------------------------------------------------------------- measuring

/** Runs fn(0..count-1) with at most `inFlight` calls pending; returns calls per second. */
async function drive(count: number, inFlight: number, deadlineMs: number, fn: (i: number) => Promise<unknown>): Promise<{ calls: number; opsPerSec: number }> {
  const t0 = performance.now();
  const stopAt = t0 + deadlineMs;
  let next = 0;
  let stoppedByTimeBound = false;
  const worker = async () => {
    while (next < count) {
      if (performance.now() > stopAt) {
        stoppedByTimeBound = true;
        return;
      }
      await fn(next++);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
  const s = (performance.now() - t0) / 1000;
  return { calls: next, opsPerSec: Math.round(next / s), ...(stoppedByTimeBound ? { stoppedByTimeBound } : {}) };
}

async function fill(n: number, inFlight: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const r = await drive(n, inFlight, FILL_DEADLINE_MS, fn);
  if (r.calls < n) throw new Error(`fill stopped at ${r.calls} of ${n} after ${FILL_DEADLINE_MS} ms`);
  return r.opsPerSec;
}

/** Pseudo-random but fixed order of record numbers for reads (no cache-friendly sequential walk). */
const scattered = (k: number, n: number) => (Math.imul(k + 1, 2654435761) >>> 0) % n;

async function throughput(store: PresenceStore, n: number, inFlights: readonly number[]) {
  const out: Record<string, unknown> = {};
  for (const f of inFlights) {
    const gw = await drive(OPS_MAX, f, OPS_MAX_MS, async (k) => {
      if ((await store.getWatcher(watcher(scattered(k, n), n).dialogId)) === undefined) throw new Error('getWatcher missed a stored record');
    });
    const gs = await drive(OPS_MAX, f, OPS_MAX_MS, async (k) => {
      const s = subscription(scattered(k, n), n);
      if ((await store.getSubscription(s.xmppUser, s.sipContact)) === undefined) throw new Error('getSubscription missed a stored record');
    });
    out[`getWatcher_inFlight${f}`] = gw;
    out[`getSubscription_inFlight${f}`] = gs;
  }
  const due = await drive(OPS_MAX, 1, OPS_MAX_MS, async () => {
    if ((await store.dueSubscriptions(OWNER, T0 + 1_800_000, SWEEP_LIMIT)).length !== Math.min(SWEEP_LIMIT, n)) throw new Error('dueSubscriptions short');
  });
  const expired = await drive(OPS_MAX, 1, OPS_MAX_MS, async () => {
    if ((await store.expiredWatchers(OWNER, T0 + 9_000_000, SWEEP_LIMIT)).length !== Math.min(SWEEP_LIMIT, n)) throw new Error('expiredWatchers short');
  });
  out.dueSubscriptionsSweep = { ...due, recordsPerSec: due.opsPerSec * Math.min(SWEEP_LIMIT, n) };
  out.expiredWatchersSweep = { ...expired, recordsPerSec: expired.opsPerSec * Math.min(SWEEP_LIMIT, n) };
  return out;
}

const rss = () => {
  gc();
  gc();
  return process.memoryUsage().rss;
};
const size = (f: string) => {
  try {
    return statSync(f).size;
  } catch {
    return 0;
  }
};
const per = (bytes: number, n: number) => Math.round(bytes / n);

async function sqliteRun(n: number) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dxg-bench-presence-'));
  const file = path.join(dir, 'presence.sqlite');
  try {
    const checkpointedSize = () => {
      const db = new Database(file);
      try {
        db.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        db.close();
      }
      return size(file);
    };
    const rss0 = rss();
    const store = openSqlitePresenceStore({ path: file });
    const file0 = checkpointedSize();
    const putWatcher = await fill(n, 1, (i) => store.putWatcher(watcher(i, n)));
    const walAfterWatchers = size(`${file}-wal`);
    const file1 = checkpointedSize();
    const rss1 = rss();
    const putSubscription = await fill(n, 1, (i) => store.putSubscription(subscription(i, n)));
    const walAfterSubscriptions = size(`${file}-wal`);
    const file2 = checkpointedSize();
    const rss2 = rss();
    const ops = await throughput(store, n, [1]);
    await store.close();
    return {
      store: 'sqlite',
      n,
      bytesPerWatcher: { file: per(file1 - file0, n), rss: per(rss1 - rss0, n) },
      bytesPerSubscription: { file: per(file2 - file1, n), rss: per(rss2 - rss1, n) },
      totals: { fileBytes: file2, walBytesBeforeCheckpoint: { afterWatchers: walAfterWatchers, afterSubscriptions: walAfterSubscriptions }, rssDeltaBytes: rss2 - rss0 },
      opsPerSec: { putWatcher, putSubscription, ...ops },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function usedMemory(raw: Redis): Promise<number> {
  const info = await raw.info('memory');
  const m = /^used_memory:(\d+)/m.exec(info);
  if (!m) throw new Error('INFO memory has no used_memory');
  return Number(m[1]);
}

async function redisRun(server: RedisServer, n: number) {
  const raw = new Redis(server.url);
  try {
    await raw.flushall();
    const store = await openRedisPresenceStore({ url: server.url, keyPrefix: 'dxg:' });
    // The store's connection and its loaded scripts are part of the baseline, not of the records.
    await store.ping();
    await store.heartbeat(OWNER, T0 + 60_000);
    const m0 = await usedMemory(raw);
    const keys0 = await raw.dbsize();
    const putWatcher = await fill(n, IN_FLIGHT, (i) => store.putWatcher(watcher(i, n)));
    const m1 = await usedMemory(raw);
    const keysAfterWatchers = await raw.dbsize();
    const putSubscription = await fill(n, IN_FLIGHT, (i) => store.putSubscription(subscription(i, n)));
    const m2 = await usedMemory(raw);
    const keys = await raw.dbsize();
    const ops = await throughput(store, n, [1, IN_FLIGHT]);
    await store.close();
    await raw.flushall();
    return {
      store: 'redis',
      n,
      bytesPerWatcher: { usedMemory: per(m1 - m0, n) },
      bytesPerSubscription: { usedMemory: per(m2 - m1, n) },
      totals: { usedMemoryDeltaBytes: m2 - m0, keys, keysPerWatcher: Number(((keysAfterWatchers - keys0) / n).toFixed(2)), keysPerSubscription: Number(((keys - keysAfterWatchers) / n).toFixed(2)) },
      opsPerSec: { putWatcher_inFlight64: putWatcher, putSubscription_inFlight64: putSubscription, ...ops },
    };
  } finally {
    raw.disconnect();
  }
}

function parseSizes(argv: readonly string[]): { sizes: number[]; write: boolean } {
  const i = argv.indexOf('--sizes');
  if (i < 0) return { sizes: DEFAULT_SIZES, write: true };
  const sizes = (argv[i + 1] ?? '').split(',').map(Number);
  if (sizes.length === 0 || sizes.some((s) => !Number.isSafeInteger(s) || s < PER_CONTACT || s > 1_000_000)) {
    throw new Error(`--sizes: comma-separated counts between ${PER_CONTACT} and 1,000,000`);
  }
  return { sizes, write: false };
}

async function main(): Promise<void> {
  const { sizes, write } = parseSizes(process.argv.slice(2));
  const t0 = Date.now();
  const { timerOverheadNs: _unused, ...machine } = machineInfo(0); // no per-call timing here
  const server = await startRedisServer();
  const results: unknown[] = [];
  try {
    const probe = new Redis(server.url);
    const redisVersion = /^redis_version:(\S+)/m.exec(await probe.info('server'))?.[1];
    probe.disconnect();
    // Warm-up, discarded: the first open of each store grows the process once (SQLite page
    // cache up to cache_size, malloc arenas, JIT) and that is not the records' cost.
    await sqliteRun(WARMUP_N);
    await redisRun(server, WARMUP_N);
    for (const n of sizes) {
      for (const run of [() => sqliteRun(n), () => redisRun(server, n)]) {
        const r = await run();
        console.log(JSON.stringify(r));
        results.push(r);
      }
    }
    const report = {
      description:
        'Memory per stored presence record (issue #8) in each PresenceStore: SQLite file bytes after a WAL checkpoint and RSS delta after GC; Redis INFO memory used_memory delta (all index keys included). Plus put/get/due-sweep calls per second. Measured, never asserted.',
      command: 'npm run bench:presence-store',
      updated: new Date().toISOString(),
      git: gitInfo(path.join(__dirname, '..')),
      machine: { ...machine, loadAvgAtEnd: os.loadavg()[0] },
      versions: { betterSqlite3: require('better-sqlite3/package.json').version as string, sqlite: sqliteVersion(), ioredis: require('ioredis/package.json').version as string, redisServer: redisVersion },
      setup: { sizes, warmupN: WARMUP_N, perContact: PER_CONTACT, inFlight: IN_FLIGHT, sweepLimit: SWEEP_LIMIT, opsMax: OPS_MAX, opsMaxMs: OPS_MAX_MS, owner: OWNER, sampleWatcher: watcher(0, 100), sampleSubscription: subscription(0, 100) },
      totalMs: Date.now() - t0,
      results,
    };
    if (write) {
      writeAtomically(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
      console.log(`wrote ${path.relative(process.cwd(), RESULTS)}`);
    } else {
      console.log('--sizes given: results printed only, nothing written');
    }
  } finally {
    await server.dispose();
  }
}

function sqliteVersion(): string {
  const db = new Database(':memory:');
  try {
    return (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  } finally {
    db.close();
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}

/**
 * A real redis-server (Debian's /usr/bin/redis-server, installed by
 * scripts/install-test-deps.sh) for the shared presence store's tests: on
 * loopback, on a free port, in its own temporary directory, never the
 * distro's instance. Ready once it answers PING; every wait is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { allocatePort, releasePort } from './local-ports';

export interface RedisServerOptions {
  /** Append-only file with fsync on every write, so the data survives stop/start (default false: nothing on disk). */
  readonly persist?: boolean;
  /** Sets requirepass (the default user's password). */
  readonly password?: string;
  /** Longest wait for PONG (default 10 s). */
  readonly startTimeoutMs?: number;
}

export interface RedisServer {
  readonly port: number;
  /** redis://127.0.0.1:<port>/0 */
  readonly url: string;
  readonly dir: string;
  /** Stops the server (SIGTERM, SIGKILL after 5 s); start() brings it back on the same port and directory. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  dispose(): Promise<void>;
  /** What the server printed (for failure messages). */
  output(): string;
}

const REDIS_PORTS = { from: 16400, to: 16599 };

/** Sends PING on a fresh connection; resolves true on +PONG (or -NOAUTH) within timeoutMs. */
function pingOnce(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    let buf = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => {
      buf += d.toString('latin1');
      // With requirepass an unauthenticated PING gets -NOAUTH: the server is up all the same.
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG') || buf.startsWith('-NOAUTH'));
    });
    s.on('error', () => done(false));
  });
}

export async function startRedisServer(opts: RedisServerOptions = {}): Promise<RedisServer> {
  const port = await allocatePort(REDIS_PORTS, ['tcp']);
  const dir = mkdtempSync(path.join(tmpdir(), 'dxg-redis-'));
  const startTimeoutMs = opts.startTimeoutMs ?? 10_000;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let log = '';

  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--daemonize', 'no',
    '--save', '',
    ...(opts.persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
    ...(opts.password === undefined ? [] : ['--requirepass', opts.password]),
  ];

  async function start(): Promise<void> {
    const c = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    // If jest exits without afterAll (a crash, --forceExit), the server must not outlive it.
    const killOnExit = () => c.kill('SIGKILL');
    process.once('exit', killOnExit);
    c.once('exit', () => process.removeListener('exit', killOnExit));
    let exitInfo: string | null = null;
    exited = new Promise((resolve) => {
      c.once('exit', (code, signal) => {
        exitInfo = `redis-server exited (${code ?? signal})`;
        resolve();
      });
      c.once('error', (e) => {
        exitInfo = `redis-server could not start: ${e.message} (install it: scripts/install-test-deps.sh)`;
        resolve();
      });
    });
    const keep = (d: Buffer) => {
      log = (log + d.toString('utf8')).slice(-20_000);
    };
    c.stdout?.on('data', keep);
    c.stderr?.on('data', keep);
    const deadline = Date.now() + startTimeoutMs;
    while (Date.now() < deadline) {
      if (exitInfo !== null) throw new Error(`${exitInfo}\n${log}`);
      if (await pingOnce(port, 500)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    c.kill('SIGKILL');
    throw new Error(`redis-server on 127.0.0.1:${port} did not answer PING within ${startTimeoutMs} ms\n${log}`);
  }

  async function stop(): Promise<void> {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    c.kill('SIGTERM');
    const killer = setTimeout(() => c.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  }

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    dir,
    stop,
    start,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
      releasePort(port);
    },
    output: () => log,
  };
}

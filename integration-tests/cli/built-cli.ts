/**
 * The CLI as an operator runs it (issue #14): `npm run build`'s output, started with
 * `node dist/bin/drachtio-xmpp-gateway.js` as a child process.
 *
 * The build goes to a temporary directory laid out like an installed package (dist/,
 * package.json, node_modules → the repository's), so a test run never writes into the
 * work tree (dist/ may hold someone else's build) and --version reads package.json the
 * way the published package does.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';

export const ROOT = path.join(__dirname, '..', '..');

export interface BuiltCli {
  /** The package-shaped directory (dist/, package.json, node_modules). */
  readonly dir: string;
  /** dist/bin/drachtio-xmpp-gateway.js inside it. */
  readonly entry: string;
  cleanup(): void;
}

/** Runs `tsc -p tsconfig.build.json` (what `npm run build` runs) into a temp dir; rejects on any compile error. */
export function buildCli(timeoutMs = 180_000): Promise<BuiltCli> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dxg-cli-build-'));
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', path.join(dir, 'dist')], { cwd: ROOT, timeout: timeoutMs }, (e, stdout, stderr) => {
      if (e) {
        rmSync(dir, { recursive: true, force: true });
        reject(new Error(`npm run build (tsc -p tsconfig.build.json) failed: ${e.message}\n${stdout}${stderr}`));
        return;
      }
      copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
      symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
      resolve({ dir, entry: path.join(dir, 'dist', 'bin', 'drachtio-xmpp-gateway.js'), cleanup: () => rmSync(dir, { recursive: true, force: true }) });
    });
  });
}

export interface Exited {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time from spawn to exit. */
  readonly ms: number;
}

/** A short-lived command (help, version, check-config): runs to completion within timeoutMs or is killed. */
export function runCli(cli: BuiltCli, args: readonly string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Exited> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    execFile(process.execPath, [cli.entry, ...args], { cwd: cli.dir, timeout: opts.timeoutMs ?? 30_000, env: cliEnv(opts.env) }, (e, stdout, stderr) => {
      const code = e ? (typeof e.code === 'number' ? e.code : null) : 0;
      resolve({ code, signal: (e?.signal as NodeJS.Signals | undefined) ?? null, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

/** Only what the CLI reads: no DXG_* leaking in from the developer's shell. */
function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  return { ...env, ...extra };
}

export type LogLine = Record<string, unknown> & { level?: number; msg?: string; time?: number };

/** A running `start`: its JSON log lines as they come, and its exit. */
export interface RunningCli {
  readonly child: ChildProcess;
  readonly lines: LogLine[];
  /** Non-JSON stdout (there should be none) and stderr text so far. */
  readonly raw: { stdout: string; stderr: string };
  readonly exited: Promise<Exited>;
  /** Resolves with the first log line matching, or rejects after timeoutMs (never waits unbounded). */
  waitForLine(pred: (l: LogLine) => boolean, timeoutMs: number, what: string): Promise<LogLine>;
  /** SIGKILL if still running (afterEach safety net). */
  kill(): void;
}

export function startCli(cli: BuiltCli, args: readonly string[], opts: { env?: Record<string, string> } = {}): RunningCli {
  const t0 = Date.now();
  const child = spawn(process.execPath, [cli.entry, ...args], { cwd: cli.dir, env: cliEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: LogLine[] = [];
  const raw = { stdout: '', stderr: '' };
  let pending = '';
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (b: Buffer) => {
    pending += b.toString('utf8');
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const p of parts) {
      if (p === '') continue;
      try { lines.push(JSON.parse(p) as LogLine); } catch { raw.stdout += `${p}\n`; }
    }
    for (const w of [...waiters]) w();
  });
  child.stderr!.on('data', (b: Buffer) => { raw.stderr += b.toString('utf8'); });
  const exited = new Promise<Exited>((resolve) => {
    child.on('close', (code, signal) => {
      for (const w of [...waiters]) w();
      resolve({ code, signal, stdout: raw.stdout, stderr: raw.stderr, ms: Date.now() - t0 });
    });
  });
  return {
    child, lines, raw, exited,
    waitForLine(pred, timeoutMs, what) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find(pred);
          if (found) { done(); resolve(found); } else if (child.exitCode !== null || child.signalCode !== null) {
            done(); reject(new Error(`the CLI exited (${child.exitCode ?? child.signalCode}) before ${what}; stderr: ${raw.stderr}`));
          }
        };
        const timer = setTimeout(() => { done(); reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last lines: ${JSON.stringify(lines.slice(-5))}`)); }, timeoutMs);
        const done = () => { clearTimeout(timer); waiters.delete(check); };
        waiters.add(check);
        check();
      });
    },
    kill() { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); },
  };
}

/** A loopback TCP port with nothing listening (bound, then closed). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface DrachtioAt { readonly host: string; readonly port: number; readonly secret: string }

/**
 * A minimal gateway configuration on loopback: one TCP-dialback partner (needs no
 * certificate), presence off (no store file), S2S on a free loopback port, and the
 * given drachtio address and startTimeout (whole seconds, as in the file).
 */
export async function writeGatewayConfig(dir: string, drachtio: DrachtioAt, startTimeout: number, extra: { dialbackSecret?: string } = {}): Promise<string> {
  const doc = {
    gateway: {
      domains: ['example.com'],
      drachtio: { host: drachtio.host, port: drachtio.port, secret: drachtio.secret, startTimeout },
      sipProxy: { uri: 'sip:127.0.0.1:5060;transport=tcp' },
      s2s: { listen: { host: '127.0.0.1', port: await closedPort() }, ...(extra.dialbackSecret === undefined ? { dialbackSecret: 'a-dialback-secret-of-some-length' } : {}) },
      presence: { enabled: false },
    },
    partners: [{ domain: 'legacy.example.net', tls: 'NotSupported', sasl: 'NotSupported', dialback: true }],
    policy: { default: true },
  };
  const file = path.join(dir, 'gateway.yaml');
  writeFileSync(file, stringify(doc));
  return file;
}

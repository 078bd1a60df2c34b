/**
 * Shared pieces of the XMPP peer lab: addresses and names, option and handle
 * types, bounded process/port helpers and the leftover-process guard.
 *
 * Why a guard: the peers are real daemons (ejabberd's BEAM, Prosody's Lua VM).
 * A crashed test run must not leave them listening, so every process the
 * harness starts is recorded in <lab root>/pids with the id of the test-runner
 * that owns it, and a watchdog kills the group when the runner dies; the next
 * run also kills the records of dead owners (by pid, after checking the pid
 * still runs a command line inside that instance's directory, so a recycled
 * pid is never hit).
 *
 * Typical use (see lab-selftest/peers-federate.itest.ts):
 *   const hosts = mapHosts(LAB_HOSTS);                  // before any Prosody start
 *   const pki = labPki(LAB_HOSTS.map((h) => h.name));
 *   const ej = await startEjabberd({ domain: LAB_DOMAINS.ejabberd, address: LAB_ADDRESSES.ejabberd,
 *                                    mode: 'dialback', pki, users: [{ user: 'alice', password: 'pw' }] });
 *   const alice = await connectClient({ service: ej.c2sService, caPem: ej.caPem, domain: ej.domain, ... });
 *   afterAll: await alice.stop(); await stopAllPeers(); hosts.remove();
 */
import { spawn, type SpawnOptions } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LabPki } from './lab-ca';

/** 127.0.30.0/24 is reserved for this lab (other helpers use other ranges). */
export const LAB_ADDRESSES = { gateway: '127.0.30.1', ejabberd: '127.0.30.2', prosody: '127.0.30.3' } as const;
export const LAB_DOMAINS = { gateway: 'gw.test', ejabberd: 'ejabberd.test', prosody: 'prosody.test' } as const;

/** dialback: STARTTLS + untrusted cert + XEP-0220; strict: lab-CA PKIX + SASL EXTERNAL; plain: no TLS. */
export type PeerMode = 'dialback' | 'strict' | 'plain';
export interface LabUser { readonly user: string; readonly password: string }

export interface PeerOptions {
  readonly domain: string;
  /** 127.0.30.x address the instance binds (c2s, s2s and, for ejabberd, Erlang distribution). */
  readonly address: string;
  readonly mode: PeerMode;
  readonly pki: LabPki;
  /** Default 5269: peers find each other by A record only (no SRV), so keep 5269 unless a test needs otherwise. */
  readonly s2sPort?: number;
  /** Direct-TLS c2s port for test clients (XEP-0368 style), default 5223. */
  readonly c2sPort?: number;
  readonly users: readonly LabUser[];
  /** PEM file trusted in addition to the lab CA (strict mode only; dialback mode must stay untrusting). */
  readonly extraTrustedCa?: string;
}

export interface PeerHandle {
  readonly kind: 'ejabberd' | 'prosody';
  readonly domain: string;
  readonly address: string;
  readonly mode: PeerMode;
  readonly c2sPort: number;
  readonly s2sPort: number;
  /** `xmpps://address:c2sPort`: pass to connectClient together with `caPem`. */
  readonly c2sService: string;
  /** Lab CA PEM that signed this peer's certificate (test clients trust it). */
  readonly caPem: string;
  readonly instanceDir: string;
  readonly logFile: string;
  /** Graceful stop (SIGTERM, then SIGKILL after a bound); idempotent. */
  stop(): Promise<void>;
  /** stop() then start again with the same config, data and users. */
  restart(): Promise<void>;
  /** Abrupt SIGKILL of this instance's process group (peer dies mid-stream). */
  kill(): Promise<void>;
  /** Whole log file so far ('' if none). */
  logs(): string;
}

export const START_TIMEOUT_MS = 30_000;
export const STOP_TIMEOUT_MS = 10_000;

/** Per-run lab root: <tmp>/dxg-lab/run-<pid>. World-readable so ejabberd/prosody users can traverse it. */
export function labRunDir(): string {
  const base = path.join(os.tmpdir(), 'dxg-lab');
  const dir = path.join(base, `run-${process.pid}`);
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    fs.chmodSync(base, 0o755);
    fs.chmodSync(dir, 0o755);
    reapLeftovers();
  }
  return dir;
}

export function systemUser(name: string): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

export function requireRoot(what: string): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`${what} needs root (it edits /etc/hosts and starts daemons as their own system users)`);
  }
}

/** Fills `{{KEY}}` placeholders; an unknown placeholder is an error, not silently left in a config. */
export function renderTemplate(name: string, vars: Readonly<Record<string, string>>): string {
  const text = fs.readFileSync(path.join(__dirname, '..', 'peers', name), 'utf8');
  return text.replace(/\{\{([A-Z0-9_]+)\}\}/g, (_m, key: string) => {
    const v = vars[key];
    if (v === undefined) throw new Error(`template ${name}: no value for {{${key}}}`);
    return v;
  });
}

export function chownTree(dir: string, uid: number, gid: number): void {
  fs.chownSync(dir, uid, gid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(p, uid, gid);
    else fs.chownSync(p, uid, gid);
  }
}

export interface RunResult { readonly code: number | null; readonly stdout: string; readonly stderr: string }

/** Runs a short command to completion, SIGKILLing it (and its group) after timeoutMs. */
export function runBounded(cmd: string, args: readonly string[], opts: SpawnOptions & { timeoutMs: number }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => { stdout += d.toString('utf8'); });
    child.stderr?.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
    const timer = setTimeout(() => { if (child.pid) signalGroup(child.pid, 'SIGKILL'); }, opts.timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

/** unref: a timer that only bounds a wait must not keep jest alive once the wait is over. */
export function delay(ms: number, unref = false): Promise<void> {
  return new Promise((r) => { const t = setTimeout(r, ms); if (unref) t.unref(); });
}

function probe(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (v: boolean): void => { s.destroy(); resolve(v); };
    s.setTimeout(1000, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** Resolves when host:port accepts a TCP connection; `alive()` false aborts early (process died). */
export async function waitForPort(host: string, port: number, timeoutMs: number, alive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; Date.now() < deadline && i < 10_000; i++) {
    if (await probe(host, port)) return;
    if (!alive()) throw new Error(`process exited before ${host}:${port} accepted connections`);
    await delay(50);
  }
  throw new Error(`${host}:${port} did not accept connections within ${timeoutMs} ms`);
}

/**
 * Fails fast with a clear message when the port cannot be bound on `host`, e.g. a
 * leftover, or a distro instance listening on 0.0.0.0 (ejabberd would only log
 * the listener error and keep running, so waiting for the port would time out).
 */
export function assertPortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', (e: NodeJS.ErrnoException) =>
      reject(new Error(`${host}:${port} cannot be bound (${e.code ?? e.message}): a leftover or system instance?`)));
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolve()));
  });
}

export function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try { process.kill(-pid, sig); } catch { /* group gone */ }
  try { process.kill(pid, sig); } catch { /* process gone */ }
}

export function isAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/** Waits (bounded) for a pid to disappear; true if it did. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; Date.now() < deadline && i < 10_000; i++) {
    if (!isAlive(pid)) return true;
    await delay(50);
  }
  return !isAlive(pid);
}

// ---- leftover guard -------------------------------------------------------

function pidFile(): string {
  return path.join(os.tmpdir(), 'dxg-lab', 'pids');
}

/**
 * Guards a started process group: records it in the pid file and starts a
 * tiny detached watchdog that SIGKILLs exactly that group (by its pid) once
 * this test runner is gone, even if the runner was SIGKILLed. (Jest gives
 * each test file a copy of `process`, so an 'exit' hook registered from a
 * test never fires; a watchdog does not depend on the runner at all.)
 * Returns release(), to call after the group was stopped normally.
 */
export function guardProcess(pid: number, instanceDir: string): () => void {
  fs.appendFileSync(pidFile(), `${process.pid} ${pid} ${instanceDir}\n`);
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -9 -${pid} 2>/dev/null; kill -9 ${pid} 2>/dev/null; exit 0`; // dash: no `--`
  const dog = spawn('/bin/sh', ['-c', script], { detached: true, stdio: 'ignore' });
  dog.unref();
  return () => { if (dog.pid !== undefined) signalGroup(dog.pid, 'SIGKILL'); };
}

const activeStops = new Set<() => Promise<void>>();

/** Peers register their stop() while alive, so stopAllPeers() works even if a start hook timed out midway. */
export function trackActive(stop: () => Promise<void>): () => void {
  activeStops.add(stop);
  return () => { activeStops.delete(stop); };
}

/** Stops every peer this test file started and has not stopped; call it in afterAll. */
export async function stopAllPeers(): Promise<void> {
  await Promise.allSettled([...activeStops].map((stop) => stop()));
}

function runsInside(pid: number, instanceDir: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(instanceDir);
  } catch {
    return false;
  }
}

/**
 * Kills processes recorded by runners that no longer exist (a watchdog may
 * have been killed too), then drops old run directories.
 */
export function reapLeftovers(): void {
  let lines: string[];
  try { lines = fs.readFileSync(pidFile(), 'utf8').split('\n').filter(Boolean); } catch { return; }
  const keep: string[] = [];
  for (const line of lines.slice(0, 10_000)) {
    const [owner, pid, dir] = line.split(' ');
    if (!owner || !pid || !dir) continue;
    if (Number(owner) === process.pid || isAlive(Number(owner))) { keep.push(line); continue; }
    // Only a pid whose command line still names that instance's directory: never a recycled pid.
    if (runsInside(Number(pid), dir)) signalGroup(Number(pid), 'SIGKILL');
  }
  fs.writeFileSync(pidFile(), keep.map((l) => `${l}\n`).join(''));
  // Old run directories (logs, spools, keys) of dead runners go too; this run's stays for post-mortems.
  const base = path.dirname(pidFile());
  for (const name of fs.readdirSync(base)) {
    const m = /^run-(\d+)$/.exec(name);
    if (m && Number(m[1]) !== process.pid && !isAlive(Number(m[1]))) {
      fs.rmSync(path.join(base, name), { recursive: true, force: true });
    }
  }
}

/** Adds a pid (e.g. ejabberd's BEAM, a member of a guarded group) to the pid file for the reaper. */
export function recordLabPid(pid: number, instanceDir: string): void {
  fs.appendFileSync(pidFile(), `${process.pid} ${pid} ${instanceDir}\n`);
}

// ---- supervised daemon ----------------------------------------------------

export interface Supervised {
  readonly pid: number;
  alive(): boolean;
  /**
   * Signals the whole process group (SIGTERM: graceful, SIGKILL: abrupt),
   * escalates to SIGKILL after STOP_TIMEOUT_MS, and waits (bounded) until the
   * leader and every pid in `alsoWaitFor` are gone.
   */
  stop(sig: NodeJS.Signals, alsoWaitFor?: readonly number[]): Promise<void>;
}

/**
 * Spawns a daemon in the foreground, in its own process group, as `uid/gid`,
 * with stdout/stderr appended to consoleFile. The child is unref'd: a peer a
 * test forgot to stop does not keep jest alive; its watchdog kills it.
 */
export function superviseSpawn(cmd: string, args: readonly string[], o: {
  uid: number; gid: number; env: NodeJS.ProcessEnv; cwd: string; consoleFile: string; instanceDir: string;
}): Supervised {
  const out = fs.openSync(o.consoleFile, 'a');
  const child = spawn(cmd, args, { uid: o.uid, gid: o.gid, env: o.env, cwd: o.cwd, detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not spawn ${cmd}`);
  child.unref();
  let running = true;
  const exited = new Promise<void>((resolve) => child.once('exit', () => { running = false; resolve(); }));
  const release = guardProcess(pid, o.instanceDir);
  let stopping: Promise<void> | undefined;
  return {
    pid,
    alive: () => running,
    stop(sig, alsoWaitFor = []) {
      stopping ??= (async () => {
        signalGroup(pid, sig);
        for (const p of alsoWaitFor) signalGroup(p, sig);
        const timeout = delay(STOP_TIMEOUT_MS, true).then(() => false as const);
        if (!(await Promise.race([exited.then(() => true), timeout]))) signalGroup(pid, 'SIGKILL');
        for (const p of alsoWaitFor) if (!(await waitForExit(p, STOP_TIMEOUT_MS))) signalGroup(p, 'SIGKILL');
        await Promise.race([exited, delay(STOP_TIMEOUT_MS, true)]);
        release();
      })();
      return stopping;
    },
  };
}

/** The concatenated text of a peer's log files (missing files read as empty). */
export function readLogFiles(...files: string[]): string {
  return files.map((f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '')).join('\n');
}

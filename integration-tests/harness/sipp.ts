/**
 * Runs Debian's SIPp (`sipp`, package sip-tester 3.6.1) as the far end of SIP
 * integration tests: one call (`-m 1`), no stdin, foreground (never `-bg`),
 * bounded by SIPp's own `-timeout … -timeout_error` AND by a hard kill, with
 * `-trace_msg` into a private temp dir whose content is returned.
 *
 * Scenarios live in integration-tests/sipp/. `@NAME@` placeholders are filled
 * from `vars` into a temp copy first: SIPp checks status codes and
 * attributes when it loads a scenario, so `-key` (runtime `[name]` keywords in
 * message text) cannot set them. Ports come from 15070–15999 (see local-ports.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import { allocatePort, releasePort, waitForBoundPort } from './local-ports';

export const SIPP_SCENARIO_DIR = join(__dirname, '..', 'sipp');
const SIP_PORTS = { from: 15070, to: 15599 };
const CONTROL_PORTS = { from: 15600, to: 15799 };
const MEDIA_PORTS = { from: 15800, to: 15998, step: 4 }; // SIPp binds -mp and -mp+2
const KILL_GRACE_MS = 3000;
const OUTPUT_KEEP = 16_000;

export type SippTransport = 'u1' | 't1';

export interface SippOptions {
  /** A file in integration-tests/sipp/ or an absolute path. */
  readonly scenario: string;
  /** `@NAME@` → value, filled into the scenario text before SIPp loads it. */
  readonly vars?: Readonly<Record<string, string>>;
  /** `-key name value`: `[name]` keywords in message text. */
  readonly keys?: Readonly<Record<string, string>>;
  /** `-s`: the Request-URI user (`[service]`). */
  readonly service?: string;
  /** `-t` (default u1: UDP, one socket). */
  readonly transport?: SippTransport;
  /** `-p`; default: a free port in 15070–15599. */
  readonly localPort?: number;
  /** SIPp's `-timeout`; the process is killed KILL_GRACE_MS later if still alive. Default 20 s. */
  readonly timeoutMs?: number;
  readonly extraArgs?: readonly string[];
}

export interface SippResult {
  /** 0: the call succeeded; 1: it failed; 255: fatal or -timeout reached; null when killed */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** true when the harness had to kill SIPp */
  readonly killed: boolean;
  /** `-trace_msg` output: every SIP message sent or received, with timestamps */
  readonly messages: string;
  /** `-trace_err` output: unexpected messages */
  readonly errors: string;
  /** tail of stdout+stderr (the statistics screen, scenario errors) */
  readonly output: string;
  readonly localPort: number;
  readonly args: readonly string[];
}

export interface SippUas {
  readonly host: string;
  readonly port: number;
  /** Settles when SIPp exits by itself (or is killed at its deadline). */
  readonly done: Promise<SippResult>;
  /** Kills SIPp now (SIGTERM, then SIGKILL) and returns what it recorded. */
  stop(): Promise<SippResult>;
  /** The -trace_msg log written so far, while SIPp runs ('' once it has exited: see done). */
  traceSoFar(): string;
}

interface Running {
  readonly dir: string;
  readonly done: Promise<SippResult>;
  readonly exited: () => string | null;
  readonly kill: () => void;
}

function prepareScenario(dir: string, opts: SippOptions): string {
  const src = isAbsolute(opts.scenario) ? opts.scenario : join(SIPP_SCENARIO_DIR, opts.scenario);
  if (!existsSync(src)) throw new Error(`SIPp scenario not found: ${src}`);
  let text = readFileSync(src, 'utf8');
  for (const [k, v] of Object.entries(opts.vars ?? {})) {
    if (v.includes(']]>')) throw new Error(`SIPp var ${k} must not contain "]]>"`);
    text = text.split(`@${k}@`).join(v);
  }
  const left = text.match(/@[A-Z][A-Z0-9_]*@/g);
  if (left) throw new Error(`SIPp scenario ${basename(src)}: no value for ${[...new Set(left)].join(', ')}`);
  const out = join(dir, basename(src));
  writeFileSync(out, text);
  return out;
}

async function launch(remote: string | null, opts: SippOptions): Promise<Running & { localPort: number }> {
  const proto = opts.transport === 't1' ? 'tcp' : 'udp';
  const dir = mkdtempSync(join(tmpdir(), 'sipp-'));
  let scenarioFile: string;
  try {
    scenarioFile = prepareScenario(dir, opts);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const localPort = opts.localPort ?? await allocatePort(SIP_PORTS, [proto]);
  const cp = await allocatePort(CONTROL_PORTS, ['udp']);
  const mp = await allocatePort(MEDIA_PORTS, ['udp'], 2);
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const args = [
    ...(remote ? [remote] : []),
    '-sf', scenarioFile, '-i', '127.0.0.1', '-p', String(localPort), '-cp', String(cp), '-mp', String(mp),
    '-t', opts.transport ?? 'u1', '-m', '1', '-nostdin', '-timeout', `${timeoutMs}ms`, '-timeout_error',
    '-trace_msg', '-message_file', join(dir, 'messages.log'), '-trace_err', '-error_file', join(dir, 'errors.log'),
    ...(opts.service === undefined ? [] : ['-s', opts.service]),
    ...Object.entries(opts.keys ?? {}).flatMap(([k, v]) => ['-key', k, v]),
    ...(opts.extraArgs ?? []),
  ];
  const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (b: Buffer) => { output = (output + b.toString('utf8')).slice(-OUTPUT_KEEP); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exitInfo: string | null = null;
  let killed = false;
  const kill = () => {
    if (exitInfo !== null) return;
    killed = true;
    child.kill('SIGTERM');
    setTimeout(() => { if (exitInfo === null) child.kill('SIGKILL'); }, 500).unref();
  };
  const hard = setTimeout(kill, timeoutMs + KILL_GRACE_MS);
  const done = new Promise<SippResult>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: string) => {
      if (exitInfo !== null) return;
      exitInfo = spawnError ?? `sipp exited (code ${code}, signal ${signal})`;
      clearTimeout(hard);
      const read = (f: string) => { try { return readFileSync(join(dir, f), 'utf8'); } catch { return ''; } };
      const result: SippResult = {
        exitCode: code, signal, killed, messages: read('messages.log'), errors: read('errors.log'),
        output: spawnError ? `${spawnError}\n${output}` : output, localPort, args,
      };
      rmSync(dir, { recursive: true, force: true });
      releasePort(cp);
      releasePort(mp, 2);
      if (opts.localPort === undefined) releasePort(localPort);
      resolve(result);
    };
    child.on('exit', (code, signal) => finish(code, signal));
    child.on('error', (e) => finish(null, null, `cannot run sipp: ${e.message}`));
  });
  return { dir, done, exited: () => exitInfo, kill, localPort };
}

/** Runs a UAC scenario against `remote` ("host:port") and resolves when SIPp exits. */
export async function runSippUac(remote: string, opts: SippOptions): Promise<SippResult> {
  return (await launch(remote, opts)).done;
}

/** Starts a UAS scenario; resolves once SIPp has bound its SIP port (bounded by listenTimeoutMs). */
export async function startSippUas(opts: SippOptions, listenTimeoutMs = 5000): Promise<SippUas> {
  const run = await launch(null, opts);
  try {
    await waitForBoundPort(run.localPort, opts.transport === 't1' ? 'tcp' : 'udp', listenTimeoutMs, run.exited);
  } catch (e) {
    run.kill();
    const r = await run.done;
    throw new Error(`SIPp UAS did not start listening: ${(e as Error).message}\n${r.output.slice(-2000)}`);
  }
  return {
    host: '127.0.0.1',
    port: run.localPort,
    done: run.done,
    stop: () => { run.kill(); return run.done; },
    traceSoFar: () => { try { return readFileSync(join(run.dir, 'messages.log'), 'utf8'); } catch { return ''; } },
  };
}

/** One line per SIP message in a -trace_msg log: "sent|received <first line>". */
export function sippMessageSummary(messages: string): string[] {
  const out: string[] = [];
  const re = /^(?:UDP|TCP) message (sent|received)[^\n]*\n\n([^\r\n]*)/gm;
  for (const m of messages.matchAll(re)) out.push(`${m[1]} ${m[2]}`);
  return out;
}

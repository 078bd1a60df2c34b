/**
 * Child processes of the load bench (issue #12): each component runs in its own process so
 * its CPU is its own. CPU and RSS come from /proc/<pid>/stat (Linux; utime+stime in clock
 * ticks, USER_HZ 100 on every Linux we run), so the figure covers any process, sipp and
 * ejabberd's BEAM included.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const TSX = ['--import', 'tsx'];
const CLK_TCK = 100;
const PAGE = 4096;

export interface Child {
  readonly pid: number;
  readonly proc: ChildProcess;
  /** Output so far (tail), for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after graceMs; resolves on exit. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Runs `node --import tsx script args…`, resolves with the JSON after `marker ` on its stdout
 * (bounded by timeoutMs). stdin is a pipe the child watches: if this process dies, the child ends.
 */
export async function spawnTsx<T>(script: string, args: readonly string[], marker: string | null, timeoutMs: number, logFile?: string, nodeArgs: readonly string[] = []): Promise<{ child: Child; ready: T | undefined }> {
  const proc = spawn(process.execPath, [...nodeArgs, ...TSX, script, ...args], { cwd: path.join(__dirname, '..', '..'), stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const sink = logFile ? fs.createWriteStream(logFile) : undefined;
  const keep = (b: Buffer): void => {
    out = (out + b.toString('utf8')).slice(-20_000);
    sink?.write(b);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((r) => proc.once('exit', () => { exited = true; sink?.end(); r(); }));
  const child: Child = {
    pid: proc.pid ?? -1, proc, output: () => out,
    async stop(graceMs = 5000) {
      if (exited) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => { if (!exited) proc.kill('SIGKILL'); }, graceMs);
      await exit;
      clearTimeout(t);
    },
  };
  if (marker === null) return { child, ready: undefined };
  const re = new RegExp(`^${marker} (.*)$`, 'm');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !exited) {
    const m = re.exec(out);
    if (m?.[1] !== undefined) return { child, ready: JSON.parse(m[1]) as T };
    await new Promise((r) => setTimeout(r, 50));
  }
  await child.stop(1000);
  throw new Error(`${path.basename(script)} did not print "${marker}" within ${timeoutMs} ms:\n${out.slice(-3000)}`);
}

export interface ProcSample { readonly cpuS: number; readonly rssMB: number }

/** utime+stime (s) and RSS (MB) of a live process; undefined once it is gone. */
export function procSample(pid: number): ProcSample | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
    const utime = Number(f[11]);
    const stime = Number(f[12]);
    const rss = Number(f[21]);
    return { cpuS: (utime + stime) / CLK_TCK, rssMB: Math.round((rss * PAGE) / 1e5) / 10 };
  } catch {
    return undefined;
  }
}

/** The pid of the process whose command line contains `needle` (e.g. ejabberd's instance dir), if any. */
export function findPid(needle: string): number | undefined {
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (cmd.includes(needle) && cmd.includes('beam')) return Number(d);
    } catch { /* gone */ }
  }
  return undefined;
}

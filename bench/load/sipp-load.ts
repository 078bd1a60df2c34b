/**
 * sipp as a constant-rate UAC (issue #12): `-r rate -rp 1000 -m count` MESSAGEs through the
 * drachtio target, each one a "call" of integration-tests/sipp/uac_im_message.xml. No
 * -trace_msg (at 6,000 msg/s the trace itself would cost sipp the rate); the send stamp rides
 * in the body as sipp's [timestamp] keyword (epoch seconds, µs), the receiver subtracts it from
 * its own wall clock (same machine, same clock). Failures and retransmissions are sipp's own
 * counters from its -trace_stat CSV (last row).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { allocatePort, releasePort } from '../../integration-tests/harness/local-ports';
import { SIPP_SCENARIO_DIR } from '../../integration-tests/harness/sipp';
import { procSample } from './processes';

export interface SippLoadOptions {
  readonly remote: string;
  readonly rate: number;
  readonly count: number;
  readonly ruri: string;
  readonly from: string;
  /** The final response a successful message gets (202 from the gateway, 200 from the no-op app). */
  readonly expect: number;
  /** Body prefix; the body is `<tag> n=<call number> ts=<send stamp>`. */
  readonly tag: string;
  /** Per message: no final response within this → the call fails (FailedTimeoutOnRecv). */
  readonly recvTimeoutMs: number;
}

export interface SippLoadResult {
  readonly exitCode: number | null;
  /** sipp's cumulative counters, column name (without "(C)") → value. */
  readonly counters: Readonly<Record<string, number>>;
  readonly created: number;
  readonly successful: number;
  readonly failed: number;
  readonly retransmissions: number;
  /** Failures by sipp's reason columns, non-zero only. */
  readonly failedBy: Readonly<Record<string, number>>;
  readonly cpuS: number;
  readonly wallS: number;
  readonly output: string;
}

const PORTS = { from: 15070, to: 15599 };
const CONTROL = { from: 15600, to: 15799 };
const MEDIA = { from: 15800, to: 15998, step: 4 };

/** Parses sipp's -trace_stat CSV: the last row's cumulative "(C)" columns. */
export function lastStatRow(csv: string): Record<string, number> {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  const head = lines[0]?.split(';') ?? [];
  const last = lines[lines.length - 1]?.split(';') ?? [];
  const out: Record<string, number> = {};
  head.forEach((h, i) => {
    if (!h.endsWith('(C)')) return;
    const v = Number(last[i]);
    if (Number.isFinite(v)) out[h.slice(0, -3)] = v;
  });
  return out;
}

/** Body parser for the receiving side: `<tag> n=12 ts=…\t1796690751.522050` → n and the send stamp in ms. */
export function parseLoadBody(body: string, tag: string): { n: number; sentMs: number } | undefined {
  if (!body.startsWith(`${tag} `)) return undefined;
  const m = /n=(\d+) ts=.*?(\d{9,}\.\d+)\s*$/s.exec(body);
  if (!m) return undefined;
  return { n: Number(m[1]), sentMs: Number(m[2]) * 1000 };
}

export async function runSippLoad(o: SippLoadOptions): Promise<SippLoadResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sipp-load-'));
  const text = fs.readFileSync(path.join(SIPP_SCENARIO_DIR, 'uac_im_message.xml'), 'utf8');
  const vars: Record<string, string> = {
    RURI: o.ruri, FROM: o.from, CTYPE: 'text/plain;charset=UTF-8', EXPECT: String(o.expect),
    BODY: `${o.tag} n=[call_number] ts=[timestamp]`,
  };
  const scenario = path.join(dir, 'uac.xml');
  fs.writeFileSync(scenario, Object.entries(vars).reduce((t, [k, v]) => t.split(`@${k}@`).join(v), text));
  const stf = path.join(dir, 'stat.csv');
  const port = await allocatePort(PORTS, ['udp']);
  const cp = await allocatePort(CONTROL, ['udp']);
  const mp = await allocatePort(MEDIA, ['udp'], 2);
  const sendS = o.count / o.rate;
  const globalTimeoutMs = Math.ceil(sendS * 1000 + o.recvTimeoutMs + 20_000);
  const args = [
    o.remote, '-sf', scenario, '-i', '127.0.0.1', '-p', String(port), '-cp', String(cp), '-mp', String(mp), '-t', 'u1',
    '-r', String(o.rate), '-rp', '1000', '-m', String(o.count), '-l', String(Math.max(1000, o.rate * 40)),
    '-recv_timeout', `${o.recvTimeoutMs}ms`, '-timeout', `${globalTimeoutMs}ms`, '-timeout_error',
    '-nostdin', '-trace_stat', '-stf', stf, '-fd', '1',
  ];
  const t0 = Date.now();
  const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (b: Buffer): void => { output = (output + b.toString('utf8')).slice(-8000); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let cpuS = 0;
  const sampler = setInterval(() => { cpuS = procSample(child.pid ?? -1)?.cpuS ?? cpuS; }, 250);
  const hard = setTimeout(() => child.kill('SIGKILL'), globalTimeoutMs + 5000);
  const exitCode = await new Promise<number | null>((r) => {
    child.once('exit', (code) => r(code));
    child.once('error', () => r(null));
  });
  clearTimeout(hard);
  clearInterval(sampler);
  const wallS = (Date.now() - t0) / 1000;
  let csv = '';
  try { csv = fs.readFileSync(stf, 'utf8'); } catch { /* sipp died before writing */ }
  fs.rmSync(dir, { recursive: true, force: true });
  releasePort(port);
  releasePort(cp);
  releasePort(mp, 2);
  const c = lastStatRow(csv);
  const failedBy: Record<string, number> = {};
  for (const [k, v] of Object.entries(c)) if (k.startsWith('Failed') && k !== 'FailedCall' && v > 0) failedBy[k] = v;
  return {
    exitCode, counters: c, created: c.TotalCallCreated ?? c.OutgoingCall ?? 0, successful: c.SuccessfulCall ?? 0,
    failed: c.FailedCall ?? 0, retransmissions: c.Retransmissions ?? 0, failedBy, cpuS, wallS, output,
  };
}

/**
 * One SIP→XMPP step of issue #12: sipp sends `count` MESSAGEs at `rate` through drachtio to
 * the app under test (gateway or no-op), and what happened to each is counted:
 *   failed        final responses sipp did not expect (the error answers: the message was reported)
 *                 plus calls sipp gave up on (no final answer within recvTimeout, or max UDP retransmits)
 *   retransmitted sipp's retransmissions (a MESSAGE not answered within T1)
 *   arrived       distinct messages the ejabberd client received (gateway only)
 *   lost          sent − arrived − reported: neither delivered nor answered with an error
 * Latency: sipp's [timestamp] in the body (send) → the client's receipt, same wall clock.
 * CPU of each process from /proc over the step (sipp's own from its run).
 */
import type { LoadLab, RunningApp } from './lab';
import { LOAD } from './lab';
import { procSample } from './processes';
import { runSippLoad } from './sipp-load';
import { pct, r2 } from '../bench-stats';

export interface CpuFigure { readonly cpuS: number; readonly pctOfCore: number }

export interface StepResult {
  readonly offeredRate: number;
  readonly messages: number;
  readonly sent: number;
  readonly achievedRate: number;
  readonly successful: number;
  readonly failed: number;
  readonly failedBy: Readonly<Record<string, number>>;
  /** failed calls that got an error answer (FailedUnexpectedMessage, FailedCallRejected) */
  readonly reported: number;
  readonly retransmissions: number;
  /** null for the no-op app (it delivers nowhere) */
  readonly arrived: number | null;
  readonly duplicates: number | null;
  readonly lost: number;
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number } | null;
  readonly cpu: Readonly<Record<string, CpuFigure>>;
  readonly rssMB: Readonly<Record<string, number>>;
  readonly clean: boolean;
}

const REPORTED = ['FailedUnexpectedMessage', 'FailedCallRejected'];
/** After sipp exits, arrivals still crossing ejabberd: wait until quiet for this long (bounded by SETTLE_MAX_MS); later arrivals count as lost. */
const QUIET_MS = 1500;
const SETTLE_MAX_MS = 30_000;
const RECV_TIMEOUT_MS = 8000;


export async function sipToXmppStep(lab: LoadLab, app: RunningApp, rate: number, seconds: number, maxMessages: number): Promise<StepResult> {
  const count = Math.max(1, Math.min(maxMessages, Math.round(rate * seconds)));
  const tag = `load-${app.kind}-${rate}-${Date.now() % 1e6}`;
  lab.arrivals.expect(tag);
  const pids: Record<string, number | undefined> = { [app.kind]: app.pid, drachtio: lab.drachtio.pid, ejabberd: app.kind === 'gateway' ? lab.ejabberdPid : undefined };
  const before = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, p === undefined ? undefined : procSample(p)]));
  const benchBefore = process.cpuUsage();
  const t0 = Date.now();
  const s = await runSippLoad({
    remote: lab.drachtio.sip, rate, count, ruri: `sip:${LOAD.user.user}@${LOAD.ejabberd.domain}`, from: `<sip:alice@${LOAD.gateway.domain}>`,
    expect: app.kind === 'gateway' ? 202 : 200, tag, recvTimeoutMs: RECV_TIMEOUT_MS,
  });
  const wallS = (Date.now() - t0) / 1000;
  const after = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, p === undefined ? undefined : procSample(p)]));
  const benchCpu = process.cpuUsage(benchBefore);
  if (app.kind === 'gateway') {
    const end = Date.now() + SETTLE_MAX_MS;
    let seen = -1;
    let quietSince = Date.now();
    while (Date.now() < end && lab.arrivals.latencies.size < s.successful) {
      if (lab.arrivals.latencies.size !== seen) { seen = lab.arrivals.latencies.size; quietSince = Date.now(); }
      if (Date.now() - quietSince > QUIET_MS) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const cpu: Record<string, CpuFigure> = {};
  const rssMB: Record<string, number> = {};
  for (const k of Object.keys(pids)) {
    const b = before[k];
    const a = after[k];
    if (!a || !b) continue;
    cpu[k] = { cpuS: r2(a.cpuS - b.cpuS), pctOfCore: Math.round(((a.cpuS - b.cpuS) / wallS) * 100) };
    rssMB[k] = a.rssMB;
  }
  cpu.sipp = { cpuS: r2(s.cpuS), pctOfCore: Math.round((s.cpuS / s.wallS) * 100) };
  const benchS = (benchCpu.user + benchCpu.system) / 1e6;
  cpu[app.kind === 'gateway' ? 'bench (arrival client)' : 'bench'] = { cpuS: r2(benchS), pctOfCore: Math.round((benchS / wallS) * 100) };
  const reported = REPORTED.reduce((n, k) => n + (s.failedBy[k] ?? 0), 0);
  const sent = s.created;
  let arrived: number | null = null;
  let latencyMs: StepResult['latencyMs'] = null;
  let achievedRate = Math.round(sent / Math.max(0.001, count / rate)); // nominal when nothing tells better
  if (app.kind === 'gateway') {
    arrived = lab.arrivals.latencies.size;
    const lat = [...lab.arrivals.latencies.values()].sort((x, y) => x - y);
    if (lat.length > 0) latencyMs = { p50: r2(pct(lat, 50)), p95: r2(pct(lat, 95)), p99: r2(pct(lat, 99)), max: r2(lat[lat.length - 1]!) };
    const w = lab.arrivals.sendWindow();
    if (w && w.last > w.first && arrived > 1) achievedRate = Math.round((arrived - 1) / ((w.last - w.first) / 1000));
  }
  const delivered = arrived ?? s.successful;
  const lost = Math.max(0, sent - delivered - reported);
  return {
    offeredRate: rate, messages: count, sent, achievedRate, successful: s.successful, failed: s.failed, failedBy: s.failedBy, reported,
    retransmissions: s.retransmissions, arrived, duplicates: app.kind === 'gateway' ? lab.arrivals.duplicates() : null, lost, latencyMs,
    cpu, rssMB, clean: sent === count && s.failed === 0 && s.retransmissions === 0 && lost === 0,
  };
}

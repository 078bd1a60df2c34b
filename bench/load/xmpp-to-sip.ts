/**
 * One XMPP→SIP step of issue #12: the ejabberd client sends `count` chat messages at `rate`
 * (10 ms ticks) to alice@sip-load.test; the gateway relays each as a SIP MESSAGE through
 * drachtio to its proxy, a sipp UAS answering 200. Per step: delivered (distinct MESSAGEs the
 * UAS logged), retransmitted (logged more than once), reported (error stanzas back to the
 * client), lost = sent − delivered − reported; latency = client send → the UAS's receive
 * stamp (sipp -trace_msg, same wall clock).
 */
import * as path from 'node:path';
import { startSippUas } from '../../integration-tests/harness/sipp';
import { pct, r2, receivedMessages, sleep, wallNow } from '../bench-stats';
import type { LoadLab, RunningApp } from './lab';
import { LOAD } from './lab';
import { procSample } from './processes';
import type { CpuFigure, StepResult } from './sip-to-xmpp';



const QUIET_MS = 2000;
const SETTLE_MAX_MS = 40_000;

export async function xmppToSipStep(lab: LoadLab, app: RunningApp, rate: number, seconds: number, maxMessages: number): Promise<StepResult> {
  const count = Math.max(1, Math.min(maxMessages, Math.round(rate * seconds)));
  const tag = `x2s-${rate}-${Date.now() % 1e6}`;
  lab.arrivals.expect(tag);
  const uas = await startSippUas({
    scenario: 'uas_message.xml', vars: { STATUS: '200', REASON: 'OK' }, localPort: lab.proxyPort,
    timeoutMs: seconds * 1000 + SETTLE_MAX_MS + 30_000, extraArgs: ['-m', String(count * 2)],
  });
  const pids: Record<string, number | undefined> = { gateway: app.pid, drachtio: lab.drachtio.pid, ejabberd: lab.ejabberdPid };
  const before = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, p === undefined ? undefined : procSample(p)]));
  const benchBefore = process.cpuUsage();
  const sentAt: number[] = [];
  const t0 = wallNow();
  let trace = '';
  try {
    const TICK_MS = 10;
    let i = 0;
    for (let k = 1; i < count && k < (seconds * 1000 / TICK_MS) * 4; k++) {
      const due = Math.min(count, Math.round((k * rate * TICK_MS) / 1000));
      const batch: Promise<void>[] = [];
      for (; i < due; i++) {
        sentAt[i] = wallNow();
        batch.push(lab.arrivals.send(`alice@${LOAD.gateway.domain}`, `${tag} n=${i}`, `${tag}-${i}`));
      }
      await Promise.all(batch);
      const wait = t0 + k * TICK_MS - wallNow();
      if (wait > 0) await sleep(wait);
    }
    const sendS = (wallNow() - t0) / 1000;
    const after = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, p === undefined ? undefined : procSample(p)]));
    const benchCpu = process.cpuUsage(benchBefore);
    // Settle: until the UAS's log stops growing for QUIET_MS (bounded).
    const end = Date.now() + SETTLE_MAX_MS;
    let len = -1;
    let quietSince = Date.now();
    while (Date.now() < end && Date.now() - quietSince < QUIET_MS) {
      const l = uas.traceSoFar().length;
      if (l !== len) { len = l; quietSince = Date.now(); }
      await sleep(250);
    }
    await sleep(500); // error stanzas crossing ejabberd back
    trace = (await uas.stop()).messages;
    const first = new Map<number, number>();
    let retransmissions = 0;
    for (const m of receivedMessages(trace, tag, ' n=')) {
      if (first.has(m.n)) retransmissions += 1;
      else first.set(m.n, m.at);
    }
    const lat = [...first].map(([n, at]) => at - (sentAt[n] ?? at)).sort((a, b) => a - b);
    const reported = lab.arrivals.errorIds.size;
    const lost = Math.max(0, i - first.size - reported);
    const cpu: Record<string, CpuFigure> = {};
    const rssMB: Record<string, number> = {};
    for (const k of Object.keys(pids)) {
      const b = before[k];
      const a = after[k];
      if (!a || !b) continue;
      cpu[k] = { cpuS: r2(a.cpuS - b.cpuS), pctOfCore: Math.round(((a.cpuS - b.cpuS) / sendS) * 100) };
      rssMB[k] = a.rssMB;
    }
    const benchS = (benchCpu.user + benchCpu.system) / 1e6;
    cpu['bench (sending client)'] = { cpuS: r2(benchS), pctOfCore: Math.round((benchS / sendS) * 100) };
    return {
      offeredRate: rate, messages: count, sent: i, achievedRate: Math.round(i / sendS), successful: first.size, failed: reported, failedBy: reported > 0 ? { errorStanzas: reported } : {},
      reported, retransmissions, arrived: first.size, duplicates: retransmissions, lost,
      latencyMs: lat.length > 0 ? { p50: r2(pct(lat, 50)), p95: r2(pct(lat, 95)), p99: r2(pct(lat, 99)), max: r2(lat[lat.length - 1]!) } : null,
      cpu, rssMB, clean: i === count && reported === 0 && retransmissions === 0 && lost === 0,
    };
  } finally {
    await uas.stop();
  }
}

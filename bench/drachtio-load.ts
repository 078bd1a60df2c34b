/**
 * XMPP → SIP load through the gateway with the default drachtio limits (issue #13), measured
 * on the integration lab, never asserted:
 *
 *   @xmpp/client on real ejabberd 23.01 ─S2S→ gateway (use-case, request gate with the
 *   default cap) ─→ drachtio target ─UDP→ sipp UAS as the SIP proxy, answering 200
 *
 * For each offered rate (500, 1000, 2000, 3000 msg/s, STEP_S seconds each) one client sends
 * paced messages "TAG-rate i" to alice@sip.test. Per step: offered (and the rate the client
 * really achieved), delivered (distinct messages the UAS received), retransmitted (MESSAGEs
 * the UAS received more than once), reported (error stanzas back to the client, by condition),
 * unaccounted, and latency = client send stamp → the UAS's receive stamp (sipp -trace_msg,
 * same wall clock). A step is clean when every message reached the UAS once and none was
 * reported. The figures are labelled with the drachtio target (double, or real with DRACHTIO=).
 *
 * Run as root (the lab edits /etc/hosts and starts ejabberd), under the lab lock:
 *   flock /tmp/dxg-itest.lock npm run bench:drachtio     # writes bench/results/drachtio-load.json
 *   DXG_BENCH_RATES=500,1000 … limits the steps.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Element } from '@xmpp/xml';
import { startSippUas } from '../integration-tests/harness/sipp';
import { pct, r2, receivedMessages, sleep, wallNow } from './bench-stats';
import { startE2ELab, type E2ELab } from '../integration-tests/im-e2e/e2e-lab';

const DEFAULT_RATES = [500, 1000, 2000, 3000];
const STEP_S = 5;
/** After a step's last send: wait at most this long for the gate to drain (queueTimeout 10 s + Timer F). */
const SETTLE_MS = 45_000;
/** The whole run is bounded even if every step stalls. */
const RUN_DEADLINE_MS = 10 * 60_000;
const RESULTS = path.join(__dirname, 'results', 'drachtio-load.json');
const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';





interface Step {
  readonly rate: number;
  readonly offered: number;
  readonly achievedRate: number;
  readonly delivered: number;
  readonly retransmitted: number;
  readonly reported: number;
  readonly byCondition: Record<string, number>;
  readonly unaccounted: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly maxOutstanding: number;
  readonly maxQueued: number;
  readonly clean: boolean;
}

async function step(lab: E2ELab, rate: number): Promise<Step> {
  const total = rate * STEP_S;
  const tag = `bench${rate}-${Date.now() % 100000}`;
  // All three accounts send (round robin): one client alone cannot offer more than ~1,500 msg/s here.
  const peer = lab.peer('ejabberd');
  const clients = [...peer.clients.values()];
  const seenBefore = new Map(clients.map((c) => [c, c.received.length]));
  const uas = await startSippUas({
    scenario: path.join(__dirname, '..', 'integration-tests', 'no-silent-loss', 'uas_notices.xml'),
    localPort: lab.proxyPort, timeoutMs: (STEP_S * 1000) + SETTLE_MS + 30_000, extraArgs: ['-m', String(total * 2)],
  });
  const sentAt = new Map<number, number>();
  const idToN = new Map<string, number>();
  const gate = lab.gateway.drachtio.gate;
  let maxOutstanding = 0;
  let maxQueued = 0;
  const watch = setInterval(() => {
    const s = gate.stats();
    maxOutstanding = Math.max(maxOutstanding, s.outstanding);
    maxQueued = Math.max(maxQueued, s.queued);
  }, 5);
  let trace = '';
  const t0 = wallNow();
  try {
    // Paced in 10 ms ticks: tick k may have sent k * rate / 100 messages in all.
    const TICK_MS = 10;
    let i = 0;
    for (let k = 1; i < total && k < STEP_S * 1000 / TICK_MS * 4; k++) {
      const due = Math.min(total, Math.round(k * rate * TICK_MS / 1000));
      const batch: Promise<void>[] = [];
      for (; i < due; i++) {
        const n = i;
        sentAt.set(n, wallNow());
        const c = clients[n % clients.length]!;
        batch.push(c.sendMessage('alice@sip.test', `${tag} ${n}`).then((id) => void idToN.set(`${c.jid} ${id}`, n)));
      }
      await Promise.all(batch);
      const next = t0 + k * TICK_MS;
      const wait = next - wallNow();
      if (wait > 0) await sleep(wait);
    }
    const achievedRate = i / ((wallNow() - t0) / 1000);
    const end = Date.now() + SETTLE_MS;
    await sleep(200);
    while (Date.now() < end && (gate.stats().outstanding > 0 || gate.stats().queued > 0)) await sleep(50);
    await sleep(1500); // error stanzas crossing ejabberd back
    clearInterval(watch);
    trace = (await uas.stop()).messages;

    const firstSeen = new Map<number, number>();
    let retransmitted = 0;
    for (const m of receivedMessages(trace, tag)) {
      if (firstSeen.has(m.n)) retransmitted += 1;
      else firstSeen.set(m.n, m.at);
    }
    const reported = new Map<number, string>();
    for (const e of clients.flatMap((c) => c.received.slice(seenBefore.get(c) ?? 0).map((el) => [c, el] as const))) {
      const [c, el] = e;
      if (!el.is('message') || el.attrs.type !== 'error') continue;
      const n = idToN.get(`${c.jid} ${String(el.attrs.id)}`);
      if (n === undefined) continue;
      const cond = el.getChild('error')?.children.find((c): c is Element => typeof c !== 'string' && c.attrs.xmlns === STANZAS)?.name ?? '(none)';
      reported.set(n, cond);
    }
    const byCondition: Record<string, number> = {};
    for (const c of reported.values()) byCondition[c] = (byCondition[c] ?? 0) + 1;
    const lat = [...firstSeen].map(([n, at]) => at - (sentAt.get(n) ?? at)).sort((a, b) => a - b);
    const unaccounted = i - [...Array(i).keys()].filter((n) => firstSeen.has(n) || reported.has(n)).length;
    return {
      rate, offered: i, achievedRate: Math.round(achievedRate), delivered: firstSeen.size, retransmitted,
      reported: reported.size, byCondition, unaccounted,
      latencyMs: { p50: r2(pct(lat, 50)), p99: r2(pct(lat, 99)), max: r2(lat[lat.length - 1] ?? NaN) },
      maxOutstanding, maxQueued,
      clean: i === total && firstSeen.size === total && reported.size === 0 && retransmitted === 0,
    };
  } finally {
    clearInterval(watch);
    await uas.stop();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const rates = (process.env.DXG_BENCH_RATES ?? '').split(',').map(Number).filter((r) => r > 0);
  const lab = await startE2ELab({ label: 'bench-drachtio', peers: ['ejabberd'] });
  try {
    // The lab sets no gateway.drachtio limits: these are the config defaults (config/schema-gateway.ts).
    const limits = { maxOutstandingRequests: lab.gateway.drachtio.gate.stats().window, source: 'config defaults' };
    // One message first so the S2S stream to the gateway exists before the clock starts.
    const warm = await startSippUas({ scenario: 'uas_message.xml', vars: { STATUS: '200', REASON: 'OK' }, localPort: lab.proxyPort, timeoutMs: 20_000 });
    await lab.peer('ejabberd').client('romeo').sendMessage('alice@sip.test', 'warm-up');
    await warm.done;
    const steps: Step[] = [];
    for (const rate of rates.length > 0 ? rates : DEFAULT_RATES) {
      if (Date.now() - started > RUN_DEADLINE_MS) break;
      const s = await step(lab, rate);
      steps.push(s);
      console.log(`${rate} msg/s offered (${s.achievedRate} achieved): ${s.delivered}/${s.offered} delivered, ${s.reported} reported ${JSON.stringify(s.byCondition)}, ${s.retransmitted} retransmitted, ${s.unaccounted} unaccounted; latency p50 ${s.latencyMs.p50} ms p99 ${s.latencyMs.p99} ms; max outstanding ${s.maxOutstanding}, queued ${s.maxQueued}; ${s.clean ? 'clean' : 'NOT clean'}`);
      await sleep(2000);
    }
    const clean = steps.filter((s) => s.clean).map((s) => s.rate);
    const out = {
      description: 'XMPP→SIP load through the gateway with the default drachtio limits: one @xmpp/client on ejabberd sends paced messages to a SIP user, a sipp UAS answers 200. Clean = every message reached the UAS exactly once and none was reported. Latency: client send stamp → UAS receive stamp. Loopback, one machine. Measured, never asserted.',
      command: 'flock /tmp/dxg-itest.lock npm run bench:drachtio',
      updated: new Date().toISOString(),
      label: lab.target.kind,
      machine: { node: process.version, cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', platform: `${os.platform()} ${os.release()}`, loadavg: os.loadavg().map(r2) },
      setup: { drachtio: lab.target.kind, peer: 'ejabberd 23.01', transport: 'SIP over UDP, S2S over TLS', stepSeconds: STEP_S, limits, gate: lab.gateway.drachtio.gate.stats() },
      highestCleanRate: clean.length > 0 ? Math.max(...clean) : null,
      steps,
    };
    fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
    fs.writeFileSync(RESULTS, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`highest clean rate (${lab.target.kind}): ${out.highestCleanRate ?? 'none'} msg/s; wrote ${path.relative(process.cwd(), RESULTS)}`);
  } finally {
    await lab.stop();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);

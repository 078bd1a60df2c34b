/**
 * End-to-end IM latency through the gateway (issue #5 "Done when": p50 over
 * 100 messages), measured on the integration lab, never asserted:
 *
 *   sipp UAC ─MESSAGE→ drachtio target ─→ gateway (srf middleware, use-case,
 *   S2S edge) ─S2S→ real ejabberd 23.01 ─c2s→ logged-in @xmpp/client
 *
 * Latency of one message = the client's receipt of the <message/> minus the
 * instant sipp logged the MESSAGE as sent (its -trace_msg wall-clock stamp,
 * µs resolution). Both clocks are this machine's wall clock. The 202 time
 * (sipp's "received 202" stamp minus the send stamp) is reported alongside.
 *
 * "First delivery" is message #0, sent while no S2S stream to ejabberd
 * exists yet (gateway just started): it includes TCP connect, STARTTLS,
 * dialback (ejabberd's default posture) and the stream restarts.
 *
 * Run as root (the lab edits /etc/hosts and starts ejabberd):
 *   npx tsx bench/e2e-im-latency.ts            # writes bench/results/e2e-im-latency.json
 * DRACHTIO=host:port:secret (+ DRACHTIO_SIP) uses a real drachtio-server instead of the double.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Element } from '@xmpp/xml';
import { E2E, startE2ELab, type E2ELab } from '../integration-tests/im-e2e/e2e-lab';
import { describeSipp, sendSipMessage, tracedMessages } from '../integration-tests/im-e2e/sip-side';

const MESSAGES = 100;
const PER_MESSAGE_TIMEOUT_MS = 10_000;
/** The whole run is bounded even if every message times out. */
const RUN_DEADLINE_MS = 5 * 60_000;
const RESULTS = path.join(__dirname, 'results', 'e2e-im-latency.json');

interface Sample {
  readonly i: number;
  /** sipp send stamp → client receipt, ms */
  readonly deliveryMs: number;
  /** sipp send stamp → sipp received 202, ms */
  readonly acceptedMs: number;
}

const wallNow = (): number => performance.timeOrigin + performance.now();

async function one(lab: E2ELab, i: number, tag: string): Promise<Sample> {
  const body = `bench ${tag} #${i} é ✓ 😀`;
  const client = lab.peer('ejabberd').client('romeo');
  const received = client
    .waitForStanza((e: Element) => e.is('message') && e.getChildText('body') === body, PER_MESSAGE_TIMEOUT_MS)
    .then(() => wallNow());
  const uac = await sendSipMessage(lab.target, { ruri: `sip:romeo@${E2E.ejabberd.domain}`, body, expect: 202, timeoutMs: PER_MESSAGE_TIMEOUT_MS });
  if (uac.exitCode !== 0) {
    await received.catch(() => undefined);
    throw new Error(`message #${i} not accepted:\n${describeSipp(uac)}`);
  }
  const at = await received;
  const trace = tracedMessages(uac.messages);
  const sent = trace.find((m) => m.direction === 'sent' && m.startLine.startsWith('MESSAGE'));
  const accepted = trace.find((m) => m.direction === 'received' && m.startLine.startsWith('SIP/2.0 202'));
  if (!sent || !accepted) throw new Error(`message #${i}: sipp trace lacks the MESSAGE or the 202`);
  return { i, deliveryMs: at - sent.at, acceptedMs: accepted.at - sent.at };
}

/** Nearest-rank percentile. */
function pct(sorted: readonly number[], p: number): number {
  const k = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[k] ?? NaN;
}

const r2 = (v: number): number => Math.round(v * 100) / 100;

function stats(xs: readonly number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  return { n: s.length, p50: r2(pct(s, 50)), p90: r2(pct(s, 90)), p99: r2(pct(s, 99)), min: r2(s[0] ?? NaN), max: r2(s[s.length - 1] ?? NaN), mean: r2(mean) };
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const lab = await startE2ELab({ label: 'bench', peers: ['ejabberd'] });
  try {
    const first = await one(lab, 0, 'first');
    console.log(`first delivery over a new S2S stream: ${first.deliveryMs.toFixed(1)} ms (202 after ${first.acceptedMs.toFixed(1)} ms)`);
    const samples: Sample[] = [];
    const failures: string[] = [];
    for (let i = 1; i <= MESSAGES && Date.now() - t0 < RUN_DEADLINE_MS; i++) {
      try {
        samples.push(await one(lab, i, 'warm'));
      } catch (e) {
        failures.push((e as Error).message.split('\n')[0] ?? String(e));
      }
    }
    const delivery = stats(samples.map((s) => s.deliveryMs));
    const accepted = stats(samples.map((s) => s.acceptedMs));
    console.log(`${samples.length} messages: delivery p50 ${delivery.p50} ms, p90 ${delivery.p90} ms, p99 ${delivery.p99} ms; 202 p50 ${accepted.p50} ms; ${failures.length} failed`);
    const out = {
      description: 'SIP→XMPP latency through the gateway: sipp MESSAGE send stamp → @xmpp/client receipt on ejabberd, sequential messages over an established S2S stream; plus the first message over a new S2S stream. Loopback, one machine. Measured, never asserted.',
      command: 'npx tsx bench/e2e-im-latency.ts',
      updated: new Date().toISOString(),
      machine: { node: process.version, cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', platform: `${os.platform()} ${os.release()}`, loadavg: os.loadavg().map(r2) },
      setup: { drachtio: lab.target.kind, peer: 'ejabberd 23.01 (STARTTLS optional, XEP-0220 dialback)', transport: 'SIP over UDP, S2S over TLS', messages: MESSAGES },
      unit: 'ms',
      firstDelivery: { deliveryMs: r2(first.deliveryMs), acceptedMs: r2(first.acceptedMs) },
      delivery,
      accepted202: accepted,
      failures,
      samples: samples.map((s) => ({ i: s.i, deliveryMs: r2(s.deliveryMs), acceptedMs: r2(s.acceptedMs) })),
    };
    fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
    fs.writeFileSync(RESULTS, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`wrote ${path.relative(process.cwd(), RESULTS)}`);
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

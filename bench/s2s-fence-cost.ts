/**
 * Cost of the in-doubt proofs of issue #11 at 2,000 msg/s: extra bytes on the
 * wire and extra CPU in the gateway process, measured against real peers,
 * never asserted:
 *   - ejabberd 23.01 (dialback posture): no XEP-0198 on S2S → XEP-0199 ping
 *     fences; each answer comes back on ejabberd's own stream to us;
 *   - Prosody 0.12.3 (s2s_secure_auth posture): mod_smacks offers
 *     urn:xmpp:sm:3 on s2sin → XEP-0198 <r/> / <a h/>.
 * Each variant is the REAL S2S edge (adapters/xmpp-s2s/edge.ts) built from
 * the e2e lab's configuration, with only `inDoubt` changed:
 *   - "no proofs": fenceEvery/fenceAfter so large that no request is ever
 *     sent (the in-doubt bookkeeping itself still runs: it is part of both);
 *   - "default": DEFAULT_IN_DOUBT (fenceEvery 100, fenceAfter 200 ms);
 *   - "eager": fenceEvery 10, fenceAfter 50 ms.
 * One run = MESSAGES stanzas from the edge at RATE msg/s to romeo (a logged-in
 * client), timed until the client has all of them. Bytes are wire bytes (TLS
 * included) on our outbound socket(s) to the peer and on the peer's inbound
 * socket(s) to us. CPU is process.cpuUsage() of this whole process (edge and
 * the receiving client), so the difference between variants is the cost.
 *
 * Run as root (the lab edits /etc/hosts and starts ejabberd and Prosody):
 *   npm run bench:fences            # writes bench/results/s2s-fence-cost.json
 */
import * as fs from 'node:fs';
import type * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import pino from 'pino';
import { createS2SEdge, type S2SEdge } from '../adapters/xmpp-s2s/edge';
import { edgeDepsFromConfig } from '../adapters/xmpp-s2s/edge-config';
import { DEFAULT_IN_DOUBT, type InDoubtOptions } from '../adapters/xmpp-s2s/in-doubt/options';
import { openS2SConnection } from '../adapters/xmpp-s2s/net/connect';
import { createS2SListener } from '../adapters/xmpp-s2s/net/listener';
import type { Connector } from '../adapters/xmpp-s2s/router';
import { el } from '../plugin/core/xml/xml-element';
import { parseConfigText } from '../config/load';
import { E2E, gatewayYaml, startE2ELab, type E2ELab, type PeerKind } from '../integration-tests/im-e2e/e2e-lab';

const MESSAGES = 10_000;
const RATE = 2000;
const REPEATS = 3;
const WARMUP = 300;
const RUN_DEADLINE_MS = 30_000;
const RESULTS = path.join(__dirname, 'results', 's2s-fence-cost.json');

const VARIANTS: Record<string, InDoubtOptions> = {
  'no proofs': { ...DEFAULT_IN_DOUBT, fenceEvery: 1e9, fenceAfterMs: 3_600_000, ackTimeoutMs: 3_600_000, maxPerStream: 1e9 },
  default: DEFAULT_IN_DOUBT,
  eager: { ...DEFAULT_IN_DOUBT, fenceEvery: 10, fenceAfterMs: 50 },
};

interface Bytes { readonly outWritten: number; readonly outRead: number; readonly inRead: number; readonly inWritten: number }
interface Run { readonly variant: string; readonly peer: PeerKind; readonly ms: number; readonly cpuMs: number; readonly bytes: Bytes; readonly total: number; readonly delivered: number }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startEdge(lab: E2ELab, inDoubt: InDoubtOptions): Promise<{ edge: S2SEdge; out: Set<net.Socket>; inb: Set<net.Socket>; stop(): Promise<void> }> {
  const parsed = parseConfigText(gatewayYaml({ target: { adminHost: '127.0.0.1', adminPort: 9, secret: 'unused' }, proxyPort: 9, pki: lab.pki }), { baseDir: __dirname, checkFiles: true, env: {} });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error.errors));
  const config = parsed.value.config;
  const out = new Set<net.Socket>();
  const inb = new Set<net.Socket>();
  const deps = edgeDepsFromConfig(config, pino({ level: 'error' })); // stopping the "no proofs" edge reports its unconfirmed stanzas: expected here
  const connect: Connector = async (remote, local, policy) => {
    const c = await openS2SConnection(remote, {
      connectTimeoutMs: 3000,
      ...(policy.proxyFqdn ? { proxyFqdn: policy.proxyFqdn } : {}),
      directTlsOptions: () => ({ secureContext: deps.tls.secureContext(local), servername: remote }),
    });
    out.add(c.socket as net.Socket);
    return { socket: c.socket, secure: c.secure, ip: c.socket.remoteAddress };
  };
  const edge = createS2SEdge({ ...deps, connect, inDoubt });
  edge.onStanza(() => undefined); // bounces and stanzas to our users: not part of this measurement
  const listener = await createS2SListener({ host: E2E.gateway.address, port: 5269, onSocket: (s) => { inb.add(s); edge.acceptSocket(s, s.remoteAddress); } });
  return { edge, out, inb, async stop() { await edge.stop(); await listener.close({ force: true }); } };
}

const sum = (socks: Set<net.Socket>, f: (s: net.Socket) => number) => [...socks].reduce((n, s) => n + f(s), 0);
/** Wire bytes so far: our outbound streams (XEP-0198 <r/> out and <a/> back travel here) and the peer's streams to us (fence answers). */
const wireBytes = (out: Set<net.Socket>, inb: Set<net.Socket>): Bytes => ({
  outWritten: sum(out, (s) => s.bytesWritten), outRead: sum(out, (s) => s.bytesRead),
  inRead: sum(inb, (s) => s.bytesRead), inWritten: sum(inb, (s) => s.bytesWritten),
});
const minus = (a: Bytes, b: Bytes): Bytes => ({ outWritten: a.outWritten - b.outWritten, outRead: a.outRead - b.outRead, inRead: a.inRead - b.inRead, inWritten: a.inWritten - b.inWritten });
const totalOf = (b: Bytes) => b.outWritten + b.outRead + b.inRead + b.inWritten;

async function burst(lab: E2ELab, edge: S2SEdge, kind: PeerKind, count: number, tag: string): Promise<{ ms: number; delivered: number }> {
  const client = lab.peer(kind).client();
  const to = `romeo@${E2E[kind].domain}`;
  const want = new RegExp(`^${tag} `);
  const startLen = client.received.length;
  const t0 = performance.now();
  const perTick = RATE / 100; // one batch every 10 ms
  let sent = 0;
  while (sent < count && performance.now() - t0 < RUN_DEADLINE_MS) {
    const due = Math.min(count, Math.floor(((performance.now() - t0) / 1000) * RATE) + perTick);
    for (; sent < due; sent++) {
      void edge.sendConfirmed({ ...el('message', { from: 'bench@sip.test/b', to, id: `${tag}-${sent}` }, el('body', {}, `${tag} ${sent} the quick brown fox jumps over the lazy dog`)), ns: 'jabber:server' });
    }
    await sleep(10);
  }
  const got = () => client.received.slice(startLen).filter((e) => want.test(e.getChildText('body') ?? '')).length;
  while (got() < count && performance.now() - t0 < RUN_DEADLINE_MS) await sleep(20);
  return { ms: performance.now() - t0, delivered: got() };
}

async function main(): Promise<void> {
  const lab = await startE2ELab({ label: 'bench-fences', peers: ['ejabberd', 'prosody'] });
  const runs: Run[] = [];
  try {
    await lab.gateway.stop(); // the bench's own edges take its S2S address
    // Round 0 warms the JIT and the peers and is not recorded.
    for (let rep = 0; rep <= REPEATS; rep++) {
      for (const [vi, [variant, opts]] of Object.entries(VARIANTS).entries()) {
        const e = await startEdge(lab, opts);
        try {
          for (const kind of ['ejabberd', 'prosody'] as const) {
            const tag = `b${rep}${vi}${kind[0]}`; // same length in every variant: same message bytes
            const warm = await burst(lab, e.edge, kind, WARMUP, `${tag}w`); // streams up, both directions
            if (warm.delivered < WARMUP) throw new Error(`${variant}/${kind}: warm-up delivered ${warm.delivered}/${WARMUP}`);
            await sleep(500);
            const [b0, c0] = [wireBytes(e.out, e.inb), process.cpuUsage()];
            const r = await burst(lab, e.edge, kind, MESSAGES, tag);
            const c = process.cpuUsage(c0);
            await sleep(300); // the last proofs' answers
            const bytes = minus(wireBytes(e.out, e.inb), b0);
            const run: Run = { variant, peer: kind, ms: r.ms, cpuMs: (c.user + c.system) / 1000, bytes, total: totalOf(bytes), delivered: r.delivered };
            if (rep > 0) runs.push(run);
            console.log(`${rep === 0 ? '(warm) ' : ''}${variant.padEnd(9)} ${kind.padEnd(8)} ${r.delivered}/${MESSAGES} in ${r.ms.toFixed(0)} ms, cpu ${run.cpuMs.toFixed(0)} ms, bytes ${JSON.stringify(bytes)}`);
          }
        } finally {
          await e.stop();
          await sleep(500);
        }
      }
    }
  } finally {
    await lab.stop();
  }
  const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] ?? NaN; };
  const summary: Record<string, Record<string, unknown>> = {};
  for (const kind of ['ejabberd', 'prosody'] as const) {
    const base = runs.filter((r) => r.peer === kind && r.variant === 'no proofs');
    const b = { cpuMs: median(base.map((r) => r.cpuMs)), total: median(base.map((r) => r.total)) };
    summary[kind] = {};
    for (const variant of Object.keys(VARIANTS)) {
      const rs = runs.filter((r) => r.peer === kind && r.variant === variant);
      const m = { cpuMs: median(rs.map((r) => r.cpuMs)), total: median(rs.map((r) => r.total)), ms: median(rs.map((r) => r.ms)) };
      (summary[kind] as Record<string, unknown>)[variant] = {
        mechanism: kind === 'prosody' ? 'XEP-0198' : 'XEP-0199 fence',
        runMs: Math.round(m.ms), cpuMs: Math.round(m.cpuMs), cpuMsAll: rs.map((r) => Math.round(r.cpuMs)), wireBytes: m.total,
        extraBytesPerMessage: Number(((m.total - b.total) / MESSAGES).toFixed(2)),
        extraBytesPercent: Number(((m.total / b.total - 1) * 100).toFixed(2)),
        extraCpuPercent: Number(((m.cpuMs / b.cpuMs - 1) * 100).toFixed(1)),
      };
    }
  }
  console.log(JSON.stringify(summary, null, 2));
  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  fs.writeFileSync(RESULTS, `${JSON.stringify({
    description: 'Cost of issue #11 in-doubt proofs (XEP-0199 fences to ejabberd, XEP-0198 acks with Prosody) at 2,000 msg/s: wire bytes both ways and CPU of the bench process, against the same edge sending no proofs. Measured, never asserted.',
    command: 'npm run bench:fences',
    updated: new Date().toISOString(),
    machine: { node: process.version, cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', loadavg: os.loadavg() },
    setup: { messages: MESSAGES, rate: RATE, repeats: REPEATS, variants: VARIANTS },
    summary,
    runs,
  }, null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), RESULTS)}`);
}

main().then(() => process.exit(0), (e: unknown) => { console.error(e); process.exit(1); });

/**
 * Fan-out of one presence change to 1,000 SIP watchers (issue #8 "Done when"), measured,
 * never asserted.
 *
 * The path measured is the gateway's own: inbound presence stanzas → presence use-case
 * (plugin/use-cases/presence) → SQLite store lookups → PIDF encoding → NOTIFY in each
 * watcher's dialog through drachtio (adapters/drachtio/sip-presence-out.ts over srf) → the
 * watchers' UDP socket, and their 200 OK back. drachtio is the double (or a real
 * drachtio-server under DRACHTIO=host:port:secret; the result is labelled). The XMPP side
 * is not in the measured path: a contact's server sends one presence stanza per subscriber
 * (RFC 6121 §4.4.2; RFC 8048 §8.2, never a broadcast), so the bench hands the 1,000
 * stanzas ejabberd would send straight to the use-case, as the S2S edge does after its
 * checks; what the gateway sends to XMPP is recorded, not sent.
 *
 * Setup: 1,000 watchers sip:wN@sip.test SUBSCRIBE to romeo@xmpp.test over UDP (paced),
 * romeo approves each (presence type=subscribed), every watcher gets NOTIFY active. Then
 * ROUNDS times: t0, the 1,000 stanzas of one change (show/status with a round marker),
 * until the 1,000th NOTIFY carrying the marker has reached the watchers' socket.
 *
 *   npm run bench:presence-fanout    # writes bench/results/presence-fanout.json
 */
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { createSipPresenceOut } from '../adapters/drachtio/sip-presence-out';
import { createLruPresenceCache } from '../adapters/presence/lru-presence-cache';
import { createRateLimiter, DEFAULT_PRESENCE_BUDGETS } from '../adapters/presence/rate-limiter';
import { openSqlitePresenceStore } from '../adapters/stores/sqlite-presence-store';
import type { EffectivePartner } from '../plugin/core/policy/find-partner';
import type { PresenceStanza, Stanza } from '../plugin/core/stanza/stanza';
import { notifyRoute } from '../plugin/middleware/notify-route';
import { subscribeRoute } from '../plugin/middleware/subscribe-route';
import type { GatewayPolicy, XmppOut } from '../plugin/use-cases/ports';
import { DEFAULT_PRESENCE_OPTIONS } from '../plugin/use-cases/presence/presence-deps';
import { createPresenceService } from '../plugin/use-cases/presence/presence-service';
import { startDrachtioTarget } from '../integration-tests/harness/drachtio-target';
import { connectSrf, type SrfHandler } from '../integration-tests/harness/srf-app';

const WATCHERS = Number(process.env.FANOUT_WATCHERS ?? 1000);
const ROUNDS = 5;
const SUBSCRIBE_RATE = 250; // per second, so UDP on loopback drops nothing (no retransmission here)
const STEP_TIMEOUT_MS = 60_000;
const RESULTS = path.join(__dirname, 'results', 'presence-fanout.json');

const CONTACT = 'romeo@xmpp.test';
const partner: EffectivePartner = {
  domain: 'xmpp.test', additionalDomains: [], partnerType: 'Federated', tls: 'Required', sasl: 'Optional', dialback: true,
  keepAlive: true, connectionLimit: 10, source: 'listed', remoteDomain: 'xmpp.test',
};
const policy: GatewayPolicy = {
  ourDomains: new Set(['sip.test']),
  trustedSources: (ip) => ip === '127.0.0.1',
  mayFederate: (_u, d) => d === 'sip.test',
  partnerFor: (d) => (d === 'xmpp.test' ? partner : 'not-allowed'),
  proxyIsTcpCapable: false,
  logMessageBodies: false,
};

interface Watcher {
  readonly n: number;
  readonly callId: string;
  readonly tag: string;
  active: boolean;
  lastNotifyAt: number;
  lastBody: string;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + STEP_TIMEOUT_MS;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function field(msg: string, name: string): string {
  return new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(msg)?.[1]?.trim() ?? '';
}

async function main(): Promise<void> {
  const target = await startDrachtioTarget({ coalesceWindowMs: Number(process.env.FANOUT_COALESCE_MS ?? 50) });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dxg-fanout-'));
  const store = openSqlitePresenceStore({ path: path.join(dir, 'presence.sqlite') });
  const log = pino({ level: 'error' });
  const toXmpp: Stanza[] = [];
  const xmpp: XmppOut = { async sendStanza(s) { toXmpp.push(s); return { ok: true, value: undefined }; } } as XmppOut;

  let svc: ReturnType<typeof createPresenceService> | undefined;
  const app = await connectSrf(target, {
    routes: {
      subscribe: subscribeRoute({ onSubscribe: (s) => svc!.handlers.onSubscribe(s) }, log) as unknown as SrfHandler,
      notify: notifyRoute({ onNotify: (n) => svc!.handlers.onNotify(n) }, log) as unknown as SrfHandler,
    },
  });
  svc = createPresenceService({
    store,
    sip: createSipPresenceOut(app.srf, log, { proxy: 'sip:127.0.0.1:9;transport=udp' }),
    xmpp,
    cache: createLruPresenceCache(),
    limiter: createRateLimiter(DEFAULT_PRESENCE_BUDGETS),
    clock: { now: () => new Date() },
    ids: { next: () => randomBytes(8).toString('hex') },
    log,
    policy,
    options: { ...DEFAULT_PRESENCE_OPTIONS, nodeId: 'bench' },
  });

  // The watchers: one UDP socket, 1,000 dialogs; every NOTIFY is answered 200 at once.
  // 1,000 NOTIFYs arrive in one burst: the default 208 kB receive buffer drops some, and their
  // retransmissions (RFC 3261 §17.1.2.2, 0.5 s, 1 s, 2 s …) would be what is measured.
  const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const port = sock.address().port;
  const byCallId = new Map<string, Watcher>();
  let accepted = 0;
  let refused = 0;
  let marker = '';
  let arrived = 0;
  const latencies: number[] = [];
  let t0 = 0;
  sock.on('message', (buf) => {
    const msg = buf.toString('utf8');
    const w = byCallId.get(field(msg, 'Call-ID'));
    if (!w) return;
    if (msg.startsWith('SIP/2.0 ')) {
      const status = Number(msg.slice(8, 11));
      if (/^\S+ SUBSCRIBE$/m.test(field(msg, 'CSeq')) || / SUBSCRIBE$/.test(field(msg, 'CSeq'))) {
        if (status >= 200 && status < 300) accepted++;
        else if (status >= 300) refused++;
      }
      return;
    }
    if (!msg.startsWith('NOTIFY ')) return;
    const head = msg.split('\r\n\r\n')[0] ?? '';
    const vias = head.split('\r\n').filter((l) => /^(Via|v):/i.test(l));
    const ok = [
      'SIP/2.0 200 OK', ...vias,
      `From: ${field(head, 'From')}`, `To: ${field(head, 'To')}`, `Call-ID: ${field(head, 'Call-ID')}`, `CSeq: ${field(head, 'CSeq')}`,
      'Content-Length: 0', '', '',
    ].join('\r\n');
    sock.send(ok, target.sipPort, target.sipHost);
    w.lastNotifyAt = Date.now();
    w.lastBody = msg;
    if (/^active/i.test(field(head, 'Subscription-State')) && msg.includes('<basic>')) w.active = true;
    if (marker !== '' && msg.includes(marker)) {
      arrived++;
      latencies.push(w.lastNotifyAt - t0);
    }
  });

  const watchers: Watcher[] = [];
  const started = Date.now();
  for (let n = 0; n < WATCHERS; n++) {
    const w: Watcher = { n, callId: `fanout-${n}-${randomBytes(4).toString('hex')}`, tag: randomBytes(4).toString('hex'), active: false, lastNotifyAt: 0, lastBody: '' };
    watchers.push(w);
    byCallId.set(w.callId, w);
    const sub = [
      `SUBSCRIBE sip:${CONTACT} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-${randomBytes(6).toString('hex')};rport`,
      `From: <sip:w${n}@sip.test>;tag=${w.tag}`, `To: <sip:${CONTACT}>`, `Call-ID: ${w.callId}`, 'CSeq: 1 SUBSCRIBE',
      'Max-Forwards: 70', `Contact: <sip:w${n}@127.0.0.1:${port}>`, 'Event: presence', 'Accept: application/pidf+xml',
      'Expires: 3600', 'Content-Length: 0', '', '',
    ].join('\r\n');
    sock.send(sub, target.sipPort, target.sipHost);
    const due = started + ((n + 1) * 1000) / SUBSCRIBE_RATE;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
  }
  await until(() => accepted + refused >= WATCHERS, `${WATCHERS} answers to SUBSCRIBE (${accepted} accepted, ${refused} refused)`);
  if (refused > 0) throw new Error(`${refused} SUBSCRIBEs refused`);
  const subscribeSent = toXmpp.filter((s) => s.kind === 'presence' && s.type === 'subscribe').length;

  // romeo approves every watcher (RFC 8048 §5.3: subscribed → NOTIFY active).
  for (let i = 0; i < WATCHERS; i++) {
    await svc.onPresence({ kind: 'presence', type: 'subscribed', from: CONTACT, to: `w${i}@sip.test` });
    if (i % 500 === 499) await new Promise((r) => setTimeout(r, 1000)); // stay inside the presence:<domain> budget
  }
  await new Promise((r) => setTimeout(r, 1000));
  for (let i = 0; i < WATCHERS; i++) await svc.onPresence({ kind: 'presence', from: `${CONTACT}/pc`, to: `w${i}@sip.test` });
  await until(() => watchers.every((w) => w.active), 'every watcher active');

  const rounds: Array<{ totalMs: number; p50Ms: number; p99Ms: number; notifies: number }> = [];
  for (let r = 0; r < ROUNDS; r++) {
    await new Promise((res) => setTimeout(res, 1100)); // a fresh presence:<domain> window
    marker = `fanout-round-${r}-${randomBytes(3).toString('hex')}`;
    arrived = 0;
    latencies.length = 0;
    t0 = Date.now();
    const change = (i: number): PresenceStanza => ({ kind: 'presence', from: `${CONTACT}/pc`, to: `w${i}@sip.test`, show: 'away', status: `${marker} ☕` });
    await Promise.all(watchers.map((w) => svc!.onPresence(change(w.n))));
    await until(() => arrived >= WATCHERS, `round ${r}: ${WATCHERS} NOTIFYs with the change (${arrived} so far)`);
    const sorted = [...latencies].sort((a, b) => a - b);
    rounds.push({ totalMs: Date.now() - t0, p50Ms: pct(sorted, 50), p99Ms: pct(sorted, 99), notifies: arrived });
    console.log(`[presence-fanout] round ${r}: ${arrived} NOTIFYs in ${rounds[r]!.totalMs} ms (per watcher p50 ${rounds[r]!.p50Ms} ms, p99 ${rounds[r]!.p99Ms} ms)`);
  }
  const totals = rounds.map((r) => r.totalMs).sort((a, b) => a - b);
  const out = {
    description: `Time for one presence change to fan out to ${WATCHERS} SIP watchers: ${WATCHERS} inbound presence stanzas (one per subscriber, as the contact's server sends them) → presence use-case → SQLite store → NOTIFY through drachtio-srf and the drachtio ${target.kind} → UDP watchers answering 200. Written by bench/presence-fanout.ts; not asserted.`,
    drachtio: target.kind,
    updated: new Date().toISOString(),
    machine: { node: process.version, cores: os.cpus().length, platform: `${os.platform()} ${os.release()}` },
    watchers: WATCHERS,
    setup: { subscribesAnswered: accepted, xmppSubscribesSent: subscribeSent },
    medianTotalMs: pct(totals, 50),
    rounds,
  };
  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  fs.writeFileSync(RESULTS, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`[presence-fanout] median ${out.medianTotalMs} ms for ${WATCHERS} watchers → ${path.relative(process.cwd(), RESULTS)}`);

  sock.close();
  await app.disconnect();
  await store.close();
  await target.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);

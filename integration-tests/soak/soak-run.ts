/**
 * The soak (issue #10): steady mixed load through the native lab for a
 * bounded time, the gateway's memory sampled every 10 s, and the books of
 * every message kept per message.
 *
 * Load (all rates fixed, every loop bounded by count and by the deadline):
 *  - SIP → XMPP messages: sipp (alice@sip.test) → drachtio → gateway → S2S → ejabberd → romeo,
 *    each a CPIM body asking for positive and negative delivery (RFC 5438) — romeo answers each
 *    XEP-0184 request, so the gateway sends IMDN "delivered" back to the SIP side;
 *  - SIP → XMPP typing: RFC 3994 isComposing "active" → XEP-0085 <composing/>;
 *  - XMPP → SIP messages: juliet → ejabberd → S2S → gateway → the lab's SIP UA;
 *  - XMPP → SIP typing: XEP-0085 <composing/> → isComposing.
 * Presence is not part of this soak (see the closing note in the report).
 *
 * Memory: the gateway runs in this process (the native lab starts it through
 * the CLI's `start`), so process.memoryUsage() is the gateway's plus the
 * harness's; the gateway's Prometheus endpoint reports the same process. Each
 * sample is taken after a forced full GC (V8's gc, exposed at run time), so
 * heapUsed is the live heap, not GC timing. The harness keeps no per-message
 * objects during the run: received stanzas are counted and dropped each second;
 * the SIP traces are files, read once after the last sample (the lab's SIP UA
 * trace through its sipp process's -message_file: NativeLab.nextSipMessage
 * re-reads the whole file per request, whose churn — gigabytes of strings over
 * ten minutes — moved RSS by ±50 MiB in the first 600 s run).
 *
 * Growth: RSS swings with allocator and GC timing even when the live heap is
 * flat, so one sample against another measures noise. The figure judged is
 * the median of the samples in the last 20 % of the run against the median of
 * the 20 % right after the warm-up (the first 20 %); start / after-warm-up /
 * end single samples are reported too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import xml, { type Element } from '@xmpp/xml';
import { sipAddress } from '../harness/drachtio-target';
import { allocatePort } from '../harness/local-ports';
import { runSippUac, type SippResult } from '../harness/sipp';
import { connectClient, type LabClient } from '../harness/xmpp-client';
import { labRunDir } from '../harness/xmpp-peers';
import { tracedMessages, type TracedSip } from '../im-e2e/sip-side';
import { keepBooks, uacOutcomes, type BurstBooks } from '../no-silent-loss/burst-accounting';
import { NATIVE } from '../../lab/native/lab-gateway-config';
import { startNativeLab, type NativeLab } from '../../lab/native/native-lab';

export interface SoakOptions {
  readonly durationMs: number;
  readonly sampleEveryMs?: number;
  /** Messages per second each way (SIP → XMPP, XMPP → SIP). */
  readonly sipRate?: number;
  readonly xmppRate?: number;
  readonly log?: (s: string) => void;
}

export interface MemorySample {
  readonly tSec: number;
  readonly rss: number;
  readonly heapUsed: number;
  /** Buffers and other memory outside the V8 heap (process.memoryUsage). */
  readonly external: number;
  readonly arrayBuffers: number;
  /** The gateway's own /metrics figures (same process). */
  readonly metricsRss: number | undefined;
  readonly metricsHeapUsed: number | undefined;
}

export interface Growth {
  readonly start: number;
  readonly afterWarmup: number;
  readonly end: number;
  /** Median of the 20 % right after the warm-up, and of the last 20 %. */
  readonly earlyMedian: number;
  readonly lateMedian: number;
  /** (lateMedian − earlyMedian) / earlyMedian, in percent: the figure judged. */
  readonly growthPct: number;
  /** (end − afterWarmup) / afterWarmup, in percent: single samples, for the record. */
  readonly pointGrowthPct: number;
}

export interface SoakResult {
  readonly durationSec: number;
  readonly warmupSec: number;
  readonly samples: readonly MemorySample[];
  readonly rss: Growth;
  readonly heapUsed: Growth;
  readonly sipToXmpp: BurstBooks;
  readonly xmppToSip: { sent: number; delivered: number; reported: number; unaccounted: number[]; both: number[] };
  readonly typing: { sipToXmppSent: number; sipToXmppAccepted: number; xmppReceivedComposing: number; xmppToSipSent: number; sipReceivedIsComposing: number };
  readonly receipts: { requestedByXmpp: number; answeredByRomeo: number; imdnDeliveredAtSip: number };
  readonly presence: string;
  readonly uaTrace: string;
  readonly logFile: string;
}

const CHATSTATES = 'http://jabber.org/protocol/chatstates';
const RECEIPTS = 'urn:xmpp:receipts';
const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const WARMUP_FRACTION = 0.2;
const SETTLE_MS = 15_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** V8's gc(), exposed at run time so `npm run soak` and jest need no --expose-gc flag. */
function fullGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as (() => void) | undefined;
  return () => gc?.();
}

function metric(text: string, name: string): number | undefined {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

const median = (xs: number[]): number => {
  const a = [...xs].sort((x, y) => x - y);
  const m = Math.floor(a.length / 2);
  return a.length % 2 ? a[m]! : (a[m - 1]! + a[m]!) / 2;
};

function growth(samples: readonly MemorySample[], durationSec: number, pick: (s: MemorySample) => number): Growth {
  const w = durationSec * WARMUP_FRACTION;
  const first = samples[0]!;
  const base = samples.find((s) => s.tSec >= w) ?? first;
  const last = samples[samples.length - 1]!;
  const early = samples.filter((s) => s.tSec >= w && s.tSec < 2 * w).map(pick);
  const late = samples.filter((s) => s.tSec >= durationSec - w).map(pick);
  const earlyMedian = median(early.length ? early : [pick(base)]);
  const lateMedian = median(late.length ? late : [pick(last)]);
  return {
    start: pick(first), afterWarmup: pick(base), end: pick(last), earlyMedian, lateMedian,
    growthPct: ((lateMedian - earlyMedian) / earlyMedian) * 100,
    pointGrowthPct: ((pick(last) - pick(base)) / pick(base)) * 100,
  };
}

/** The -trace_msg file of the sipp process listening on `port` (the lab's SIP UA), from its command line. */
function sippTraceOf(port: number): string | undefined {
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).slice(0, 100_000)) {
    let argv: string[];
    try { argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'); } catch { continue; }
    if (!/sipp$/.test(argv[0] ?? '')) continue;
    const p = argv.indexOf('-p');
    const f = argv.indexOf('-message_file');
    if (p >= 0 && argv[p + 1] === String(port) && f >= 0 && argv[f + 1]) return argv[f + 1];
  }
  return undefined;
}

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const say = o.log ?? ((s: string) => process.stdout.write(`${s}\n`));
  const durationSec = Math.round(o.durationMs / 1000);
  const sampleEvery = o.sampleEveryMs ?? 10_000;
  const sipRate = o.sipRate ?? 2;
  const xmppRate = o.xmppRate ?? 1;
  const gc = fullGc();
  const logFile = path.join(labRunDir(), `soak-${durationSec}s-${Date.now()}.log`);
  const adminPort = await allocatePort({ from: 19464, to: 19564 }, ['tcp'], 0, NATIVE.gateway.address);
  const lab: NativeLab = await startNativeLab({ logFile, adminPort });
  const clients: LabClient[] = [];
  try {
    const client = async (user: string) => {
      const c = await connectClient({ service: lab.ejabberd.c2sService, caPem: lab.ejabberd.caPem, domain: NATIVE.ejabberd.domain, username: user, password: 'secret' });
      clients.push(c);
      await c.fetchRoster();
      await c.sendPresence();
      return c;
    };
    const romeo = await client('romeo');
    const juliet = await client('juliet');
    const tag = `soak${durationSec}`;
    const xtag = `xsoak${durationSec}`;
    const alice = `alice@${NATIVE.gateway.domain}`;

    // Romeo's side, drained every second: count, answer receipts, drop.
    const sipDelivered = new Set<number>();
    let xmppComposing = 0;
    let answered = 0;
    let requested = 0;
    const xmppReports = new Map<number, string>();
    const bodyRe = new RegExp(`^${tag} (\\d+)$`);
    const xidRe = new RegExp(`^${xtag}-(\\d+)$`);
    const drain = async (): Promise<void> => {
      for (const c of [romeo, juliet]) {
        const got = (c.received as Element[]).splice(0);
        for (const e of got) {
          if (!e.is('message')) continue;
          if (e.attrs.type === 'error') {
            const n = xidRe.exec(String(e.attrs.id ?? ''))?.[1];
            const cond = e.getChild('error')?.children.find((x): x is Element => typeof x !== 'string' && x.attrs.xmlns === STANZAS)?.name ?? '(none)';
            if (n !== undefined) xmppReports.set(Number(n), cond);
            continue;
          }
          const n = bodyRe.exec(e.getChildText('body') ?? '')?.[1];
          if (n !== undefined) sipDelivered.add(Number(n));
          if (e.getChild('composing', CHATSTATES)) xmppComposing += 1;
          if (c === romeo && e.getChild('request', RECEIPTS)) requested += 1;
          if (c === romeo && e.getChild('request', RECEIPTS) && e.attrs.id && e.attrs.from) {
            await c.send(xml('message', { to: String(e.attrs.from), id: `rcpt-${String(e.attrs.id)}` }, xml('received', { xmlns: RECEIPTS, id: String(e.attrs.id) })));
            answered += 1;
          }
        }
      }
    };

    // The lab SIP UA's view, drained at each sample (its trace is a file); each request is reduced to
    // what the books need, so the harness holds no SIP text during the run.
    interface UaRequest { readonly message?: number; readonly isComposing: boolean; readonly delivered: boolean; readonly failed?: number }
    const uaRequests: UaRequest[] = [];
    const xbodyRe = new RegExp(`${xtag} (\\d+)`);
    const failedIdRe = new RegExp(`<message-id>${tag}-(\\d+)</message-id>`);
    const uaTraceFile = sippTraceOf(lab.sipUaPort);
    const reduce = (r: TracedSip): void => {
      if (r.direction !== 'received' || !r.startLine.startsWith('MESSAGE ')) return;
      const b = r.body.toString('utf8');
      const m = xbodyRe.exec(b)?.[1];
      const f = /<failed\s*\/>/.test(b) ? failedIdRe.exec(b)?.[1] : undefined;
      uaRequests.push({
        ...(m !== undefined ? { message: Number(m) } : {}),
        isComposing: /im-iscomposing\+xml/i.test(r.header('Content-Type') ?? '') || /<isComposing/.test(b),
        delivered: /<delivered\s*\/>/.test(b),
        ...(f !== undefined ? { failed: Number(f) } : {}),
      });
    };
    /** After the last sample only: the UA's whole trace, parsed once (or, without its file, through the lab). */
    const readUa = async (): Promise<void> => {
      uaRequests.length = 0;
      if (uaTraceFile !== undefined) {
        for (const r of tracedMessages(fs.readFileSync(uaTraceFile, 'utf8'))) reduce(r);
        return;
      }
      for (let i = 0; i < 10_000; i++) {
        try { reduce(await lab.nextSipMessage(50)); } catch { return; }
      }
    };
    let uaFallbackRead = false;
    const drainUa = async (): Promise<void> => {
      if (uaTraceFile !== undefined) return readUa();
      // nextSipMessage is incremental: keep what was read, read on.
      if (!uaFallbackRead) { uaFallbackRead = true; uaRequests.length = 0; }
      for (let i = 0; i < 10_000; i++) {
        try { reduce(await lab.nextSipMessage(50)); } catch { return; }
      }
    };

    const samples: MemorySample[] = [];
    const t0 = Date.now();
    const sample = async (): Promise<void> => {
      gc();
      const m = process.memoryUsage();
      let text = '';
      try { text = await (await fetch(`${lab.adminUrl}/metrics`, { signal: AbortSignal.timeout(3000) })).text(); } catch { /* recorded as undefined */ }
      const s: MemorySample = {
        tSec: Math.round((Date.now() - t0) / 1000), rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers,
        metricsRss: metric(text, 'dxg_process_resident_memory_bytes'), metricsHeapUsed: metric(text, 'dxg_nodejs_heap_size_used_bytes'),
      };
      samples.push(s);
      say(`  t=${s.tSec}s rss ${(s.rss / 2 ** 20).toFixed(1)} MiB heapUsed ${(s.heapUsed / 2 ** 20).toFixed(1)} MiB (metrics rss ${((s.metricsRss ?? 0) / 2 ** 20).toFixed(1)}) delivered SIP→XMPP ${sipDelivered.size}`);
    };
    await sample();

    // SIP → XMPP: two sipp UACs for the whole run.
    const sipCount = Math.max(1, Math.floor(sipRate * durationSec));
    const typingCount = Math.max(1, Math.floor(durationSec / 2));
    const ruri = `sip:romeo@${NATIVE.ejabberd.domain}`;
    const sippTimeout = o.durationMs + 60_000;
    const messagesUac = runSippUac(sipAddress(lab.drachtio), {
      scenario: path.join(__dirname, 'uac-soak-message.xml'), vars: { RURI: ruri, TAG: tag }, timeoutMs: sippTimeout,
      extraArgs: ['-m', String(sipCount), '-r', String(sipRate), '-rp', '1000', '-l', '50'],
    });
    // Staggered: two sipp launches at once can race for the same free ports (harness/local-ports probes, then claims).
    await sleep(1500);
    const typingUac = runSippUac(sipAddress(lab.drachtio), {
      scenario: path.join(__dirname, 'uac-soak-typing.xml'), vars: { RURI: ruri }, timeoutMs: sippTimeout,
      extraArgs: ['-m', String(typingCount), '-r', '1', '-rp', '2000', '-l', '10'],
    });

    // XMPP → SIP: juliet, one message per 1/xmppRate s, a <composing/> before every other one.
    const xmppCount = Math.max(1, Math.floor(xmppRate * durationSec));
    let xmppSent = 0;
    let xmppTypingSent = 0;
    let nextSample = t0 + sampleEvery;
    const end = t0 + o.durationMs;
    for (let tick = 0; tick < durationSec * 4 + 10 && Date.now() < end; tick++) {
      const due = Math.min(xmppCount, Math.floor(((Date.now() - t0) / 1000) * xmppRate) + 1);
      while (xmppSent < due) {
        const n = xmppSent + 1;
        if (n % 2 === 0) {
          await juliet.send(xml('message', { to: alice, type: 'chat', id: `${xtag}-typing-${n}` }, xml('composing', { xmlns: CHATSTATES })));
          xmppTypingSent += 1;
        }
        await juliet.sendMessage(alice, `${xtag} ${n}`, { id: `${xtag}-${n}`, children: [xml('active', { xmlns: CHATSTATES })] });
        xmppSent = n;
      }
      await drain();
      if (Date.now() >= nextSample) {
        await sample();
        nextSample += sampleEvery;
      }
      await sleep(250);
    }
    await sample(); // the end of the load: the last memory figure
    say('  load over; settling the books');

    const [msgs, typing]: [SippResult, SippResult] = await Promise.all([messagesUac, typingUac]);
    const outcomes = uacOutcomes(msgs.messages, tag);
    const settleBy = Date.now() + SETTLE_MS;
    const accepted = () => [...outcomes.values()].filter((s) => s !== undefined && s >= 300).length;
    const xmppDelivered = (): Set<number> => new Set(uaRequests.flatMap((r) => (r.message !== undefined ? [r.message] : [])));
    const failedNumbers = (): number[] => uaRequests.flatMap((r) => (r.failed !== undefined ? [r.failed] : []));
    for (let i = 0; i < SETTLE_MS / 250 && Date.now() < settleBy; i++) {
      await drain();
      await drainUa();
      const failedNow = failedNumbers().length;
      // …and every receipt romeo answered has come back to the SIP side as an IMDN (the last may be in flight).
      const receiptsBack = uaRequests.filter((r) => r.delivered).length >= answered;
      if (sipDelivered.size + accepted() + failedNow >= outcomes.size && xmppDelivered().size + xmppReports.size >= xmppSent && receiptsBack) break;
      await sleep(250);
    }
    const sipToXmpp = keepBooks(outcomes, failedNumbers(), [...sipDelivered]);
    const delivered = xmppDelivered();
    const sentNs = Array.from({ length: xmppSent }, (_, i) => i + 1);
    const xmppToSip = {
      sent: xmppSent,
      delivered: sentNs.filter((n) => delivered.has(n)).length,
      reported: sentNs.filter((n) => xmppReports.has(n)).length,
      unaccounted: sentNs.filter((n) => !delivered.has(n) && !xmppReports.has(n)),
      both: sentNs.filter((n) => delivered.has(n) && xmppReports.has(n)),
    };
    const typingFinals = tracedMessages(typing.messages).filter((m) => m.direction === 'received' && /^SIP\/2\.0 2\d\d/.test(m.startLine)).length;
    const isComp = uaRequests.filter((r) => r.isComposing).length;
    const imdnDelivered = uaRequests.filter((r) => r.delivered).length;
    const warmupSec = Math.round(durationSec * WARMUP_FRACTION);
    return {
      durationSec, warmupSec, samples,
      rss: growth(samples, durationSec, (s) => s.rss),
      heapUsed: growth(samples, durationSec, (s) => s.heapUsed),
      uaTrace: uaTraceFile !== undefined ? 'read once from the sipp -message_file' : 'read through NativeLab.nextSipMessage (sipp file not found)',
      sipToXmpp, xmppToSip,
      typing: { sipToXmppSent: typingCount, sipToXmppAccepted: typingFinals, xmppReceivedComposing: xmppComposing, xmppToSipSent: xmppTypingSent, sipReceivedIsComposing: isComp },
      receipts: { requestedByXmpp: requested, answeredByRomeo: answered, imdnDeliveredAtSip: imdnDelivered },
      presence: 'not exercised: presence federation was being finished by other helpers during this run (issue #8); left out rather than run flaky',
      logFile,
    };
  } finally {
    await Promise.allSettled(clients.map((c) => c.stop()));
    await lab.stop();
  }
}

/** One line per figure, for the console. */
export function soakSummary(r: SoakResult): string {
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  const g = (name: string, x: Growth) => `${name}: start ${mib(x.start)}, after warm-up ${mib(x.afterWarmup)}, end ${mib(x.end)} (single samples: ${x.pointGrowthPct.toFixed(2)} %); median of the 20 % after warm-up ${mib(x.earlyMedian)}, of the last 20 % ${mib(x.lateMedian)}: growth ${x.growthPct.toFixed(2)} %`;
  return [
    `soak ${r.durationSec} s (warm-up ${r.warmupSec} s), ${r.samples.length} samples`,
    g('RSS', r.rss), g('heapUsed', r.heapUsed),
    `SIP→XMPP sent ${r.sipToXmpp.sent} delivered ${r.sipToXmpp.delivered} reported ${r.sipToXmpp.reported} unaccounted ${r.sipToXmpp.unaccounted.length} both ${r.sipToXmpp.both.length} statuses ${JSON.stringify(r.sipToXmpp.statuses)}`,
    `XMPP→SIP sent ${r.xmppToSip.sent} delivered ${r.xmppToSip.delivered} reported ${r.xmppToSip.reported} unaccounted ${r.xmppToSip.unaccounted.length}`,
    `typing ${JSON.stringify(r.typing)}`,
    `receipts ${JSON.stringify(r.receipts)}`,
    `presence: ${r.presence}`,
    `gateway log: ${r.logFile}`,
  ].join('\n');
}

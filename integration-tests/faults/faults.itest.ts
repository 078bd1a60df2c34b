/**
 * Issue #10, faults counted exactly: for each fault, a burst of SIP MESSAGEs
 * (sipp) to a user of the faulty partner while the fault holds; per message,
 * it is either delivered or reported as failed to its SIP sender (a final
 * failure status, or 202 and then an RFC 5438 IMDN "failed"; RFC 7247 §7),
 * never neither. None can be delivered here, so sent = reported exactly.
 *
 *  - DNS that fails (NXDOMAIN, SERVFAIL) or never answers, for partners found
 *    by SRV (RFC 6120 §3.2.1; the §3.2.2 fallback host refuses);
 *  - a TLS handshake that stalls after <proceed/> (RFC 6120 §5.4.3.3), bounded
 *    by the stream establishment timeout;
 *  - a peer that never reads its socket: written stanzas stay in doubt
 *    (XEP-0199 fences unanswered → connection-timeout), at most
 *    inDoubt.maxPerStream on the stream and sendQueueMax queued, everything
 *    past that refused at once (resource-constraint), so memory is bounded.
 *
 * The fault lab is fault-lab.ts (loopback 127.0.34.0/24).
 */
import * as path from 'node:path';
import { sipAddress } from '../harness/drachtio-target';
import { runSippUac, startSippUas } from '../harness/sipp';
import { booksRow, failedImdns, keepBooks, uacOutcomes, type BurstBooks } from '../no-silent-loss/burst-accounting';
import { DNS_DOMAINS, FAULT, LIMITS, startFaultLab, type FaultLab } from './fault-lab';
import { reportTimes, type ReportTimes } from './fault-books';

const NSL = path.join(__dirname, '..', 'no-silent-loss');
/** Longest the books may take to balance: ackTimeout × (1 + one resend) × queue rounds, with a margin. */
const SETTLE_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let lab: FaultLab;
const rows: string[] = [];

beforeAll(async () => {
  lab = await startFaultLab('faults');
}, 60_000);

afterAll(async () => {
  if (rows.length > 0) console.log(`[faults]\n| case | sent | delivered | reported | duplicates | unaccounted | detail |\n${rows.join('\n')}`);
  await lab?.stop();
}, 30_000);

interface Burst { books: BurstBooks; times: ReportTimes; conditions: Record<string, number> }

/** Sends `count` MESSAGEs at `rate`/s to romeo@domain and waits (bounded) until each is reported. */
async function burst(domain: string, tag: string, count: number, rate: number): Promise<Burst> {
  const notices = await startSippUas({ scenario: path.join(NSL, 'uas_notices.xml'), localPort: lab.proxyPort, timeoutMs: 150_000, extraArgs: ['-m', String(count * 2)] });
  const logFrom = lab.log.lines.length;
  let uacTrace = '';
  let uasTrace = '';
  try {
    const uac = await runSippUac(sipAddress(lab.target), {
      scenario: path.join(NSL, 'uac_burst.xml'), vars: { RURI: `sip:romeo@${domain}`, TAG: tag }, timeoutMs: 60_000,
      extraArgs: ['-m', String(count), '-r', String(rate), '-rp', '1000', '-l', String(count)],
    });
    uacTrace = uac.messages;
    const outcomes = uacOutcomes(uacTrace, tag);
    const atOnce = [...outcomes.values()].filter((s) => s !== undefined && s >= 300).length;
    const deadline = Date.now() + SETTLE_MS;
    while (Date.now() < deadline) {
      const noticed = lab.log.lines.slice(logFrom).filter((l) => l.msg === 'XMPP delivery failure reported to the SIP sender').length;
      if (atOnce + noticed >= count) break;
      await sleep(250);
    }
    await sleep(2500); // the last notices' 200 OK round trip and trace
  } finally {
    uasTrace = (await notices.stop()).messages;
  }
  const books = keepBooks(uacOutcomes(uacTrace, tag), failedImdns(uasTrace, tag), []);
  const conditions: Record<string, number> = {};
  for (const l of lab.log.lines.slice(logFrom)) {
    const c = l.condition;
    if (typeof c === 'string' && l.remote === domain) conditions[c] = (conditions[c] ?? 0) + 1;
  }
  const times = reportTimes(uacTrace, uasTrace, tag);
  rows.push(`${booksRow(`${domain}`, books)} | conditions logged ${JSON.stringify(conditions)} | last report ${times.lastReportSec.toFixed(2)} s after the first send, per message median ${times.medianSec.toFixed(2)} s max ${times.maxSec.toFixed(2)} s`);
  return { books, times, conditions };
}

function expectExactBooks(b: BurstBooks, count: number): void {
  expect(b.sent).toBe(count);
  expect({ unaccounted: b.unaccounted, both: b.both }).toEqual({ unaccounted: [], both: [] });
  expect(b.delivered).toBe(0);
  expect(b.delivered + b.reported).toBe(count);
}

describe('faults on the way to a partner: every MESSAGE sent is reported to its SIP sender (issue #10, RFC 7247 §7)', () => {
  it.each([
    ['NXDOMAIN for the SRV names (RFC 6120 §3.2.1 → §3.2.2 fallback refused)', 'nxdomain'],
    ['SERVFAIL for the SRV names', 'servfail'],
    ['a DNS server that never answers (resolver timeout 1 s)', 'silent'],
  ] as const)('%s: 40 MESSAGEs at 40/s, each reported failed, none silent', async (_name, fault) => {
    const domain = DNS_DOMAINS[fault];
    const r = await burst(domain, `dns${fault}`, 40, 40);
    expectExactBooks(r.books, 40);
    // The lookups were made, on the loopback server (no fallback to the system resolver's DNS).
    expect(lab.dnsQueries.some((q) => q === `SRV _xmpp-server._tcp.${domain}`)).toBe(true);
    expect(r.times.maxSec).toBeLessThan(30);
  }, 120_000);

  it(`a TLS handshake that stalls after <proceed/> (RFC 6120 §5.4.3.3): 40 MESSAGEs, each reported failed within the ${LIMITS.streamEstablishmentTimeoutSec} s establishment timeout and a margin`, async () => {
    const r = await burst(FAULT.stall.domain, 'stall', 40, 40);
    expectExactBooks(r.books, 40);
    expect(lab.stall.accepted()).toBeGreaterThan(0);
    expect(r.times.maxSec).toBeLessThan(LIMITS.streamEstablishmentTimeoutSec + 10);
  }, 120_000);

  it(`a peer that never reads its socket: 300 MESSAGEs at 150/s, at most inDoubt.maxPerStream (${LIMITS.inDoubt.maxPerStream}) + sendQueueMax (${LIMITS.sendQueueMax}) per stream cycle accepted, the rest refused at once, all reported`, async () => {
    const count = 300;
    const r = await burst(FAULT.deaf.domain, 'deaf', count, 150);
    expectExactBooks(r.books, count);
    // Backpressure bounded: the burst (2 s) is shorter than one ack timeout, so only the first stream's
    // in-doubt window and the queue can have taken messages; everything else was refused at once.
    expect(r.books.reportedLater).toBeLessThanOrEqual(LIMITS.inDoubt.maxPerStream + LIMITS.sendQueueMax);
    expect(r.books.reportedAtOnce).toBeGreaterThanOrEqual(count - LIMITS.inDoubt.maxPerStream - LIMITS.sendQueueMax);
    expect(lab.deaf.accepted()).toBeGreaterThan(0);
  }, 150_000);
});

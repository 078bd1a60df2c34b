/**
 * Timing for the fault books (issue #10 closing table): per message N, when
 * sipp sent it and when its sender learnt its fate (a final failure status
 * at the UAC, or an IMDN "failed" at the proxy UAS), both from the -trace_msg
 * logs. The books themselves are no-silent-loss/burst-accounting.ts's.
 */
import { tracedMessages } from '../im-e2e/sip-side';

export interface ReportTimes {
  /** Seconds from the first MESSAGE sent to the last report. */
  readonly lastReportSec: number;
  /** Per message, report time − its send time: median and max, in seconds. */
  readonly medianSec: number;
  readonly maxSec: number;
}

export function reportTimes(uacTrace: string, uasTrace: string, tag: string): ReportTimes {
  const textRe = new RegExp(`^${tag} (\\d+)$`, 'm');
  const idRe = new RegExp(`<message-id>${tag}-(\\d+)</message-id>`);
  const sentAt = new Map<number, number>();
  const callToN = new Map<string, number>();
  const reportedAt = new Map<number, number>();
  for (const m of tracedMessages(uacTrace)) {
    const callId = m.header('Call-ID') ?? '';
    if (m.direction === 'sent' && m.startLine.startsWith('MESSAGE ')) {
      const n = Number(textRe.exec(m.body.toString('utf8'))?.[1]);
      if (!Number.isInteger(n)) continue;
      callToN.set(callId, n);
      if (!sentAt.has(n)) sentAt.set(n, m.at);
    } else if (m.direction === 'received' && /^SIP\/2\.0 [3-6]\d\d /.test(m.startLine)) {
      const n = callToN.get(callId);
      if (n !== undefined && !reportedAt.has(n)) reportedAt.set(n, m.at);
    }
  }
  for (const m of tracedMessages(uasTrace)) {
    if (m.direction !== 'received' || !m.startLine.startsWith('MESSAGE ')) continue;
    const b = m.body.toString('utf8');
    if (!/<failed\s*\/>/.test(b)) continue;
    const n = Number(idRe.exec(b)?.[1]);
    if (Number.isInteger(n) && !reportedAt.has(n)) reportedAt.set(n, m.at);
  }
  const delays = [...reportedAt].map(([n, t]) => (t - (sentAt.get(n) ?? t)) / 1000).sort((a, b) => a - b);
  const first = Math.min(...sentAt.values());
  const last = Math.max(...reportedAt.values());
  return {
    lastReportSec: Number.isFinite(last - first) ? (last - first) / 1000 : NaN,
    medianSec: delays[Math.floor(delays.length / 2)] ?? NaN,
    maxSec: delays[delays.length - 1] ?? NaN,
  };
}

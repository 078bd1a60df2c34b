/**
 * The books of one burst (issue #11): every MESSAGE sent is either delivered
 * to the XMPP user or reported as failed to its SIP sender (a final failure
 * status, or a 202 followed by an RFC 5438 IMDN "failed"), never both, never
 * neither. Each message is named by its number N ("TAG N" text, "TAG-N" IMDN
 * Message-ID), so the books are kept per message, not by totals.
 */
import type { Element } from '@xmpp/xml';
import { tracedMessages } from '../im-e2e/sip-side';

export interface BurstBooks {
  readonly sent: number;
  readonly delivered: number;
  readonly reported: number;
  readonly reportedAtOnce: number;
  readonly reportedLater: number;
  /** Delivered to XMPP more than once (a resend of a stanza the old stream did deliver). */
  readonly duplicates: number;
  /** Both delivered and reported failed: a lie to the sender. */
  readonly both: number[];
  /** Neither delivered nor reported: silent loss. */
  readonly unaccounted: number[];
  /** Final statuses seen, for the log. */
  readonly statuses: Readonly<Record<string, number>>;
}

/** N of every sent MESSAGE and its final status (last final per Call-ID), from the UAC's -trace_msg log. */
export function uacOutcomes(trace: string, tag: string): Map<number, number | undefined> {
  const callToN = new Map<string, number>();
  const out = new Map<number, number | undefined>();
  const textRe = new RegExp(`^${tag} (\\d+)$`, 'm');
  for (const m of tracedMessages(trace)) {
    const callId = m.header('Call-ID') ?? '';
    if (m.direction === 'sent' && m.startLine.startsWith('MESSAGE ')) {
      const n = Number(textRe.exec(m.body.toString('utf8'))?.[1]);
      if (!Number.isInteger(n)) continue;
      callToN.set(callId, n);
      if (!out.has(n)) out.set(n, undefined);
    } else if (m.direction === 'received' && m.startLine.startsWith('SIP/2.0 ')) {
      const status = Number(m.startLine.split(' ')[1]);
      const n = callToN.get(callId);
      if (n !== undefined && status >= 200) out.set(n, status);
    }
  }
  return out;
}

/** N of every IMDN "failed" the proxy UAS received (RFC 5438 §7.2.1.1 <message-id>). */
export function failedImdns(trace: string, tag: string): number[] {
  const re = new RegExp(`<message-id>${tag}-(\\d+)</message-id>`);
  return tracedMessages(trace)
    .filter((m) => m.direction === 'received' && m.startLine.startsWith('MESSAGE '))
    .map((m) => m.body.toString('utf8'))
    .filter((b) => /<failed\s*\/>/.test(b))
    .map((b) => Number(re.exec(b)?.[1]))
    .filter((n) => Number.isInteger(n));
}

/** N of every message body "TAG N" the XMPP clients received (with repeats). */
export function deliveredNumbers(received: readonly Element[], tag: string): number[] {
  const re = new RegExp(`^${tag} (\\d+)$`);
  return received
    .filter((e) => e.is('message') && e.attrs.type !== 'error')
    .map((e) => re.exec(e.getChildText('body') ?? '')?.[1])
    .filter((s): s is string => s !== undefined)
    .map(Number);
}

export function keepBooks(uac: Map<number, number | undefined>, imdnFailed: readonly number[], delivered: readonly number[]): BurstBooks {
  const deliveredSet = new Set(delivered);
  const atOnce = new Set([...uac].filter(([, s]) => s !== undefined && s >= 300).map(([n]) => n));
  const later = new Set(imdnFailed.filter((n) => uac.get(n) === 202));
  const reported = new Set([...atOnce, ...later]);
  const counts = new Map<number, number>();
  for (const n of delivered) counts.set(n, (counts.get(n) ?? 0) + 1);
  const statuses: Record<string, number> = {};
  for (const [, s] of uac) statuses[String(s ?? 'none')] = (statuses[String(s ?? 'none')] ?? 0) + 1;
  return {
    sent: uac.size,
    delivered: [...uac.keys()].filter((n) => deliveredSet.has(n)).length,
    reported: reported.size,
    reportedAtOnce: atOnce.size,
    reportedLater: later.size,
    duplicates: [...counts.values()].filter((c) => c > 1).length,
    both: [...uac.keys()].filter((n) => deliveredSet.has(n) && reported.has(n)),
    unaccounted: [...uac.keys()].filter((n) => !deliveredSet.has(n) && !reported.has(n)),
    statuses,
  };
}

export function booksRow(run: string, b: BurstBooks): string {
  return `| ${run} | ${b.sent} | ${b.delivered} | ${b.reported} (${b.reportedAtOnce} at once, ${b.reportedLater} later) | ${b.duplicates} | ${b.unaccounted.length} | statuses ${JSON.stringify(b.statuses)}`;
}

/** Call-ID → N of every MESSAGE the UAC sent (from its -trace_msg log). */
export function uacCallIds(trace: string, tag: string): Map<string, number> {
  const textRe = new RegExp(`^${tag} (\\d+)$`, 'm');
  const out = new Map<string, number>();
  for (const m of tracedMessages(trace)) {
    if (m.direction !== 'sent' || !m.startLine.startsWith('MESSAGE ')) continue;
    const n = Number(textRe.exec(m.body.toString('utf8'))?.[1]);
    if (Number.isInteger(n)) out.set(m.header('Call-ID') ?? '', n);
  }
  return out;
}

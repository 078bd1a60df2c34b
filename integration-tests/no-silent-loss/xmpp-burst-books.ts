/**
 * The books of one XMPP → SIP burst (issue #11), kept per message. Message N
 * has the stanza id "TAG-N" and the body "TAG N". Its fate is one of:
 *
 *  - not sent: the client could not hand it to its own server (that server was
 *    down or restarting: the write failed, or no session existed);
 *  - lost before the gateway: the client wrote it, but no gateway log line ever
 *    names its id and no error came back: the sender's own server lost it while
 *    it restarted (with no XEP-0198 on the client's c2s stream, the client cannot
 *    know). The gateway never saw it, so it cannot answer for it; counted apart;
 *  - delivered: the SIP UAS (the gateway's proxy) received a MESSAGE with its body;
 *  - reported: the XMPP sender received an error stanza with its id;
 *  - unaccounted: the gateway saw it, and it was neither delivered nor reported —
 *    silent loss by the gateway, which must never happen.
 * A duplicate is a message the UAS received in more than one SIP transaction
 * (UDP retransmissions of one transaction are not duplicates).
 */
import type { Element } from '@xmpp/xml';
import { tracedMessages } from '../im-e2e/sip-side';

export type SendOutcome = 'written' | 'not-sent';

export interface XmppBurstInput {
  readonly tag: string;
  /** Per N: whether the client wrote it, and on which session (0 = before the restart). */
  readonly sends: ReadonlyMap<number, { readonly outcome: SendOutcome; readonly session: number }>;
  /** The proxy UAS's -trace_msg log. */
  readonly uasTrace: string;
  /** Everything every client session (old and new) received. */
  readonly received: readonly Element[];
  /** Stanza ids the gateway's log names (any line with stanzaId). */
  readonly gatewaySaw: ReadonlySet<string>;
}

export interface XmppBurstBooks {
  readonly attempted: number;
  readonly notSent: number;
  readonly written: number;
  readonly delivered: number;
  readonly reported: number;
  readonly duplicates: number;
  readonly lostBeforeGateway: number[];
  readonly both: number[];
  readonly unaccounted: number[];
  /** Error conditions of the reports, for the log. */
  readonly conditions: Readonly<Record<string, number>>;
}

const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

export function keepXmppBurstBooks(i: XmppBurstInput): XmppBurstBooks {
  const bodyRe = new RegExp(`^${i.tag} (\\d+)$`);
  const transactions = new Map<number, Set<string>>();
  for (const m of tracedMessages(i.uasTrace)) {
    if (m.direction !== 'received' || !m.startLine.startsWith('MESSAGE ')) continue;
    const n = bodyRe.exec(m.body.toString('utf8'))?.[1];
    if (n === undefined) continue;
    const key = `${m.header('Call-ID') ?? ''}|${m.header('CSeq') ?? ''}`;
    const set = transactions.get(Number(n)) ?? new Set<string>();
    set.add(key);
    transactions.set(Number(n), set);
  }
  const idRe = new RegExp(`^${i.tag}-(\\d+)$`);
  const reported = new Map<number, string>();
  for (const e of i.received) {
    if (!e.is('message') || e.attrs.type !== 'error') continue;
    const n = idRe.exec(String(e.attrs.id ?? ''))?.[1];
    if (n === undefined) continue;
    const cond = e.getChild('error')?.children.find((c): c is Element => typeof c !== 'string' && c.attrs.xmlns === STANZAS)?.name ?? '(none)';
    reported.set(Number(n), cond);
  }
  const written = [...i.sends].filter(([, s]) => s.outcome === 'written').map(([n]) => n);
  const delivered = written.filter((n) => transactions.has(n));
  const isReported = (n: number): boolean => reported.has(n);
  const lostBeforeGateway = written.filter((n) => !transactions.has(n) && !isReported(n) && !i.gatewaySaw.has(`${i.tag}-${n}`));
  const conditions: Record<string, number> = {};
  for (const c of reported.values()) conditions[c] = (conditions[c] ?? 0) + 1;
  return {
    attempted: i.sends.size,
    notSent: i.sends.size - written.length,
    written: written.length,
    delivered: delivered.length,
    reported: written.filter(isReported).length,
    duplicates: [...transactions.values()].filter((s) => s.size > 1).length,
    lostBeforeGateway,
    both: delivered.filter(isReported),
    unaccounted: written.filter((n) => !transactions.has(n) && !isReported(n) && i.gatewaySaw.has(`${i.tag}-${n}`)),
    conditions,
  };
}

export function xmppBooksRow(run: string, b: XmppBurstBooks): string {
  return `| ${run} | ${b.written} (of ${b.attempted} attempted) | ${b.delivered} | ${b.reported} | ${b.duplicates} | ${b.unaccounted.length} | not sent (own server down) ${b.notSent}; written but lost by the restarting own server before the gateway ${b.lostBeforeGateway.length}; error conditions ${JSON.stringify(b.conditions)}`;
}

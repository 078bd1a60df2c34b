import type { SipNameAddr } from '../../plugin/core/message/sip-message';
import type { Log, OutboundSipMessage, SipOutcome, SipOut } from '../../plugin/use-cases/ports';
import type { GateOutcome, RequestGate } from './request-gate';

export interface SipOutOptions {
  /** The SIP proxy/registrar every MESSAGE toward SIP users goes through (config gateway.sipProxy.uri). */
  readonly proxy: string;
}

/**
 * The SipOut port over drachtio-srf: every MESSAGE goes through the configured proxy, through
 * the request gate (adapters/drachtio/request-gate.ts: outstanding cap, bounded queue, 503
 * backpressure, in-doubt failure on link loss) and the call form that cannot lose a
 * coalesced response. It never rejects; what did not get a SIP answer becomes:
 *  - over capacity (never sent)            → resource-constraint (RFC 6120 §8.3.3.18, wait)
 *  - in flight when the drachtio link fell → 408, i.e. remote-server-timeout (RFC 7247 §7.2 Table 3)
 *  - drachtio link down (not sent)         → 408 as well: the SIP side cannot be reached
 *  - refused by drachtio (NOK)             → 503, i.e. internal-server-error
 *  - no final response in time             → 408
 */
export function createSipOut(gate: RequestGate, log: Log, o: SipOutOptions): SipOut {
  return {
    async sendMessage(m: OutboundSipMessage): Promise<SipOutcome> {
      const headers: Record<string, string> = {
        ...m.headers,
        From: nameAddr(m.from),
        To: nameAddr(m.to),
        'Content-Type': m.contentType,
      };
      const out = await gate.send({ method: 'MESSAGE', uri: m.requestUri, headers, body: m.body, proxy: o.proxy });
      return outcomeToSip(out, log, m.requestUri);
    },
  };
}

export function outcomeToSip(out: GateOutcome, log: Log, uri: string): SipOutcome {
  switch (out.kind) {
    case 'final': {
      const r = out.response;
      const contact = r.get('Contact');
      return contact && r.status >= 300 && r.status < 400 ? { status: r.status, reason: r.reason, contact } : { status: r.status, reason: r.reason };
    }
    case 'overloaded':
      return { status: 503, reason: 'Gateway Over Capacity', gatewayCondition: 'resource-constraint' };
    case 'link-down':
      return { status: 408, reason: out.sent ? 'drachtio connection lost before the final response' : 'drachtio connection down' };
    case 'refused':
      log.warn({ err: out.error, uri }, 'drachtio refused to send MESSAGE');
      return { status: 503, reason: 'Service Unavailable' };
    case 'timeout':
      return { status: 408, reason: 'Request Timeout' };
  }
}

function nameAddr(n: SipNameAddr): string {
  const display = n.displayName ? `"${n.displayName.replace(/["\\]/g, (c) => '\\' + c)}" ` : '';
  return `${display}<${n.uri}>${n.tag ? `;tag=${n.tag}` : ''}`;
}

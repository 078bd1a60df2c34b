import type Srf from 'drachtio-srf';
import type { SipNameAddr } from '../../plugin/core/message/sip-message';
import type { Log, OutboundSipMessage, SipOutcome, SipOut } from '../../plugin/use-cases/ports';
import { sendSipRequest } from './send-request';

export interface SipOutOptions {
  /** The SIP proxy/registrar every MESSAGE toward SIP users goes through (config gateway.sipProxy.uri). */
  readonly proxy: string;
  /**
   * Upper bound on waiting for a final response. drachtio answers 408 itself
   * after Timer F (32 s, RFC 3261 §17.1.2.2); this only covers a drachtio
   * connection lost mid-transaction, so no XMPP sender waits forever.
   */
  readonly finalResponseTimeoutMs?: number;
}

/**
 * The SipOut port over drachtio-srf: every MESSAGE goes through the configured
 * proxy with the call form that cannot lose a coalesced response. It never
 * rejects: a request drachtio refuses becomes 503, a lost transaction 408.
 */
export function createSipOut(srf: Srf, log: Log, o: SipOutOptions): SipOut {
  const timeoutMs = o.finalResponseTimeoutMs ?? 40_000;
  return {
    async sendMessage(m: OutboundSipMessage): Promise<SipOutcome> {
      const headers: Record<string, string> = {
        ...m.headers,
        From: nameAddr(m.from),
        To: nameAddr(m.to),
        'Content-Type': m.contentType,
      };
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<SipOutcome>((resolve) => {
        timer = setTimeout(() => resolve({ status: 408, reason: 'Request Timeout' }), timeoutMs);
        timer.unref?.();
      });
      try {
        const sent = sendSipRequest(srf, { method: 'MESSAGE', uri: m.requestUri, headers, body: m.body, proxy: o.proxy }).then(
          (r): SipOutcome => {
            const contact = r.get('Contact');
            return contact && r.status >= 300 && r.status < 400 ? { status: r.status, reason: r.reason, contact } : { status: r.status, reason: r.reason };
          },
        );
        return await Promise.race([sent, timeout]);
      } catch (e) {
        log.warn({ err: e instanceof Error ? e.message : String(e), uri: m.requestUri }, 'drachtio refused to send MESSAGE');
        return { status: 503, reason: 'Service Unavailable' };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function nameAddr(n: SipNameAddr): string {
  const display = n.displayName ? `"${n.displayName.replace(/["\\]/g, (c) => '\\' + c)}" ` : '';
  return `${display}<${n.uri}>${n.tag ? `;tag=${n.tag}` : ''}`;
}

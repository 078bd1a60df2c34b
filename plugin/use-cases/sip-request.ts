/**
 * The incoming SIP MESSAGE as plain data (the drachtio adapter fills it from
 * the request) and the answer the adapter sends back. No drachtio types here,
 * so the use-case can be tested with literals.
 */
import { standardReasonPhrase } from '../core/errors/sip-reason-phrases';

export interface InboundSipMessage {
  /** Where the request came from (drachtio's req.source_address / source_port / protocol). */
  readonly source: { readonly address: string; readonly port?: number; readonly protocol?: string };
  /** Raw Max-Forwards value, absent when the header is missing (RFC 3261 §20.22, RFC 5393). */
  readonly maxForwards?: string;
  readonly requestUri: string;
  /** Raw From and To header values (name-addr or addr-spec with header parameters). */
  readonly from: string;
  readonly to: string;
  /** Raw Contact value, if any: a GRUU there supplies the XMPP resource when From has none (RFC 7572 §5). */
  readonly contact?: string;
  readonly callId: string;
  readonly cseq?: number;
  /** Full Content-Type value with parameters; message/cpim bodies carry the IMDN bits (RFC 5438 §6). */
  readonly contentType?: string;
  readonly contentLanguage?: string;
  readonly subject?: string;
  /** The body decoded as UTF-8 by the adapter. */
  readonly body: string;
  /** The adapter found the body bytes not valid UTF-8 (RFC 3629); `body` then holds U+FFFD in their place. */
  readonly bodyNotUtf8?: boolean;
}

/** The final response to send for the MESSAGE. */
export interface SipAnswer {
  readonly status: number;
  readonly reason: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export function answer(status: number, reason?: string, headers?: Record<string, string>): SipAnswer {
  const r = reason ?? standardReasonPhrase(status);
  return headers === undefined ? { status, reason: r } : { status, reason: r, headers };
}

/** What we take (RFC 3261 §21.4.13: a 415 lists the acceptable types in Accept). */
export const ACCEPTED_CONTENT_TYPES = 'text/plain, text/html, message/cpim, application/im-iscomposing+xml';

import type { SipMessageOut } from './sip-message';

/**
 * RFC 7572 §6 / RFC 3428 §6: a pager-mode MESSAGE sent outside a session
 * must not exceed 1300 bytes unless the path is known to be congestion
 * controlled (e.g. a TCP/TLS-only proxy). The exact size depends on headers
 * the SIP stack adds later, so the estimate renders what the mapping knows
 * and adds realistic allowances for the rest:
 *
 *   MESSAGE <Request-URI> SIP/2.0           (rendered)
 *   Via: SIP/2.0/UDP <host:port>;rport;branch=z9hG4bK<32 chars>   VIA_ALLOWANCE
 *   Max-Forwards: 70                        (rendered)
 *   From: <uri>;tag=<16 chars>              (rendered + TAG_ALLOWANCE)
 *   To: <uri>                               (rendered)
 *   Call-ID: <value or generated>           (rendered, else CALL_ID_ALLOWANCE)
 *   CSeq: <up to 10 digits> MESSAGE         (rendered with 10 digits)
 *   Content-Type / Subject / Content-Language (rendered)
 *   Content-Length: <n>                     (rendered)
 *   blank line + body                       (rendered)
 */
export const PAGER_MODE_MAX_BYTES = 1300;
const VIA_ALLOWANCE = 110;
const TAG_ALLOWANCE = ';tag='.length + 16;
const CALL_ID_ALLOWANCE = 64;

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const line = (s: string) => bytes(s) + 2;

export function estimateSipMessageBytes(out: SipMessageOut): number {
  const nameAddr = (a: { uri: string; displayName?: string }) =>
    (a.displayName ? `"${a.displayName}" ` : '') + `<${a.uri}>`;
  let n = line(`MESSAGE ${out.requestUri} SIP/2.0`) + VIA_ALLOWANCE + line('Max-Forwards: 70');
  n += line(`From: ${nameAddr(out.from)}`) + TAG_ALLOWANCE;
  n += line(`To: ${nameAddr(out.to)}`);
  n += out.headers['Call-ID'] === undefined ? line('Call-ID: ') + CALL_ID_ALLOWANCE : 0;
  n += line('CSeq: 1234567890 MESSAGE');
  for (const [k, v] of Object.entries(out.headers)) if (v !== undefined) n += line(`${k}: ${v}`);
  const body = bytes(out.body);
  return n + line(`Content-Length: ${body}`) + 2 + body;
}

export interface PagerModeOptions {
  /** Limit in bytes; Infinity disables the check (TCP-capable outbound proxy configured). Default 1300. */
  readonly maxSipMessageBytes?: number;
}

export function exceedsPagerModeLimit(out: SipMessageOut, opts: PagerModeOptions = {}): boolean {
  return estimateSipMessageBytes(out) > (opts.maxSipMessageBytes ?? PAGER_MODE_MAX_BYTES);
}

/**
 * How sofia-sip (inside drachtio-server) prints messages it builds, and how it re-encodes
 * requests it passes to the app. Seen in the traces:
 *  - known headers come out in sofia's `struct sip_s` field order (Via, Route, Record-Route,
 *    Max-Forwards, From, To, Call-ID, CSeq, Contact, …, Expires, …, Accept, …, Event,
 *    Subscription-State, …, Content-Type, Content-Length), whatever order the app used
 *    (S4 #3 → #4: Event/Accept/Expires become Expires/Accept/Event);
 *  - unknown headers follow Content-Length, in the app's order (S1 202: X-Gateway);
 *  - known header names get their canonical spelling (`expires` → `Expires`, S3 #6 → #7).
 */
import { headEnd, normalizeName, type SipHeader } from './sip-message';

/** sofia-sip `struct sip_s` header order (sofia-sip/sip.h), lower-case → canonical name. */
const SOFIA_ORDER: readonly string[] = [
  'Via', 'Route', 'Record-Route', 'Max-Forwards', 'Proxy-Require', 'From', 'To', 'Call-ID', 'CSeq',
  'Contact', 'RSeq', 'RAck', 'Request-Disposition', 'Accept-Contact', 'Reject-Contact', 'Expires',
  'Date', 'Retry-After', 'Timestamp', 'Min-Expires', 'Subject', 'Priority', 'Call-Info',
  'Organization', 'Server', 'User-Agent', 'In-Reply-To', 'Accept', 'Accept-Encoding',
  'Accept-Language', 'Allow', 'Require', 'Supported', 'Unsupported', 'Event', 'Allow-Events',
  'Subscription-State', 'Proxy-Authenticate', 'Proxy-Authentication-Info', 'Proxy-Authorization',
  'Authorization', 'WWW-Authenticate', 'Authentication-Info', 'Error-Info', 'Warning', 'Refer-To',
  'Referred-By', 'Replaces', 'Session-Expires', 'Min-SE', 'Path', 'Service-Route', 'Reason',
  'Security-Client', 'Security-Server', 'Security-Verify', 'Privacy', 'SIP-ETag', 'SIP-If-Match',
  'MIME-Version', 'Content-Type', 'Content-Encoding', 'Content-Language', 'Content-Disposition',
  'Content-Length',
];
const RANK = new Map(SOFIA_ORDER.map((n, i) => [n.toLowerCase(), i] as const));
const CANONICAL = new Map(SOFIA_ORDER.map((n) => [n.toLowerCase(), n] as const));

/** Canonical spelling for a known header; unknown headers keep the app's spelling. */
export function canonicalName(name: string): string {
  return CANONICAL.get(normalizeName(name)) ?? name.trim();
}

/** Stable sort into sofia's order; unknown headers go last in their original order. */
export function sofiaOrder(headers: readonly SipHeader[]): SipHeader[] {
  const rank = (h: SipHeader): number => RANK.get(normalizeName(h.name)) ?? SOFIA_ORDER.length;
  return headers
    .map((h, i) => ({ h: { name: canonicalName(h.name), value: h.value }, i }))
    .sort((a, b) => rank(a.h) - rank(b.h) || a.i - b.i)
    .map((x) => x.h);
}

/**
 * sofia's re-encoding of a request from the network (PROTOCOL-NOTES §3.2): the text is
 * kept, except that the top Via gets `;received=<addr>` when the sent-by host differs from
 * the packet source and `;rport=<port>` (RFC 3581 §4; drachtio enables rport for every
 * request, even without an empty `rport` parameter: S1 #5 is 11 bytes longer than the wire).
 */
export function reencodeTopVia(raw: Buffer, srcAddr: string, srcPort: number): Buffer {
  const end = headEnd(raw);
  if (end === -1) return raw;
  const text = raw.toString('utf8', 0, end); // only the head: the body may not be UTF-8
  const m = /\r\n(Via|v)[ \t]*:[^\r\n]*/i.exec(text);
  if (!m) return raw;
  const line = m[0];
  const colon = line.indexOf(':');
  const value = line.slice(colon + 1);
  const comma = value.indexOf(',');
  const top = comma === -1 ? value : value.slice(0, comma);
  const rest = comma === -1 ? '' : value.slice(comma);
  const sentBy = /^\s*SIP\s*\/\s*2\.0\s*\/\s*[A-Za-z]+\s+(\[[^\]]+\]|[^:;\s]+)/i.exec(top);
  let newTop = top.replace(/;\s*rport(?=\s*(;|$))/i, '');
  if (sentBy && sentBy[1] !== srcAddr && !/;\s*received=/i.test(newTop)) newTop = `${newTop};received=${srcAddr}`;
  if (!/;\s*rport=/i.test(newTop)) newTop = `${newTop};rport=${srcPort}`;
  const newLine = line.slice(0, colon + 1) + newTop + rest;
  const head = text.slice(0, m.index) + newLine + text.slice(m.index + line.length);
  return Buffer.concat([Buffer.from(head, 'utf8'), raw.subarray(end)]);
}

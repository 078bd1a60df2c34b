/**
 * A small SIP message model for the drachtio double: parse from bytes, read headers,
 * serialize. RFC 3261 §7 (message format), §7.3.1 (folding, compact forms), §18.3
 * (framing: over a stream the body length comes from Content-Length; over UDP the body
 * is the rest of the datagram).
 */
import { err, ok, type Result } from '../../plugin/core/result';

export interface SipHeader {
  readonly name: string;
  readonly value: string;
}

interface SipCommon {
  readonly headers: readonly SipHeader[];
  readonly body: Buffer;
  /** The exact bytes this message was parsed from (empty for messages we built). */
  readonly raw: Buffer;
}
export interface SipRequest extends SipCommon {
  readonly kind: 'request';
  readonly method: string;
  readonly uri: string;
}
export interface SipResponse extends SipCommon {
  readonly kind: 'response';
  readonly status: number;
  readonly reason: string;
}
export type SipMessage = SipRequest | SipResponse;

/** RFC 3261 §7.3.3 compact forms, plus RFC 3265/3515/4028 ones. */
const COMPACT: Readonly<Record<string, string>> = {
  i: 'call-id', m: 'contact', e: 'content-encoding', l: 'content-length', c: 'content-type',
  f: 'from', s: 'subject', k: 'supported', t: 'to', v: 'via', o: 'event', u: 'allow-events',
  r: 'refer-to', b: 'referred-by', x: 'session-expires', a: 'accept-contact', j: 'reject-contact',
  d: 'request-disposition',
};

/** Lower-case long form of a header name, expanding compact forms. */
export function normalizeName(name: string): string {
  const lower = name.trim().toLowerCase();
  return COMPACT[lower] ?? lower;
}

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');

/** Where the head ends (index of the blank line) or -1 if not complete yet. */
export function headEnd(buf: Buffer): number {
  return buf.indexOf(CRLFCRLF);
}

/**
 * Parses one SIP message. With `bodyRule` 'content-length' (network side) the body is
 * limited by Content-Length and a larger value than the bytes present is an error
 * (RFC 3261 §18.3). With 'rest' (messages from the app) the body is everything after the
 * blank line: srf writes Content-Length as the JavaScript string length (quirk Q4).
 */
export function parseSipMessage(
  buf: Buffer,
  bodyRule: 'content-length' | 'rest' = 'content-length',
): Result<SipMessage, string> {
  const end = headEnd(buf);
  if (end === -1) return err('no blank line after the headers');
  const lines = buf.toString('utf8', 0, end).split('\r\n');
  const start = lines.shift() ?? '';
  const headers: SipHeader[] = [];
  for (const line of lines) {
    if (line === '') continue;
    if ((line.startsWith(' ') || line.startsWith('\t')) && headers.length > 0) {
      const last = headers.pop() as SipHeader; // RFC 3261 §7.3.1 line folding
      headers.push({ name: last.name, value: `${last.value} ${line.trim()}` });
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) return err(`malformed header line '${line}'`);
    headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  let body = buf.subarray(end + 4);
  const cl = findHeader(headers, 'content-length');
  if (cl !== undefined && bodyRule === 'content-length') {
    const n = Number(cl);
    if (!Number.isInteger(n) || n < 0) return err(`bad Content-Length '${cl}'`);
    if (n > body.length) return err(`Content-Length ${n} exceeds the ${body.length} body bytes`);
    body = body.subarray(0, n);
  }
  const raw = buf.subarray(0, end + 4 + body.length);
  const status = /^SIP\/2\.0 ([1-6][0-9][0-9]) ?(.*)$/.exec(start);
  if (status) {
    return ok({ kind: 'response', status: Number(status[1]), reason: status[2] ?? '', headers, body, raw });
  }
  const request = /^([A-Za-z]+) (\S+) SIP\/2\.0$/.exec(start);
  if (request) {
    return ok({ kind: 'request', method: (request[1] ?? '').toUpperCase(), uri: request[2] ?? '', headers, body, raw });
  }
  return err(`bad start line '${start}'`);
}

function findHeader(headers: readonly SipHeader[], name: string): string | undefined {
  const want = normalizeName(name);
  return headers.find((h) => normalizeName(h.name) === want)?.value;
}

/** First value of a header (compact forms match), or undefined. */
export function getHeader(msg: SipMessage, name: string): string | undefined {
  return findHeader(msg.headers, name);
}

/** Every occurrence of a header, each split on top-level commas (RFC 3261 §7.3.1). */
export function getHeaderList(msg: SipMessage, name: string): string[] {
  const want = normalizeName(name);
  return msg.headers.filter((h) => normalizeName(h.name) === want).flatMap((h) => splitTopLevel(h.value));
}

/** Splits on commas outside quotes and angle brackets. */
export function splitTopLevel(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    if (quoted) {
      if (ch === '\\') { cur += ch + (value[i + 1] ?? ''); i++; continue; }
      if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === '<') depth++;
    else if (ch === '>') depth = Math.max(0, depth - 1);
    else if (ch === ',' && depth === 0) { out.push(cur.trim()); cur = ''; continue; }
    cur += ch;
  }
  if (cur.trim() !== '') out.push(cur.trim());
  return out;
}

export function startLine(msg: SipMessage): string {
  return msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0` : `SIP/2.0 ${msg.status} ${msg.reason}`;
}

/** Serializes a start line, headers in the given order, a blank line and the body. */
export function serializeSip(start: string, headers: readonly SipHeader[], body: Buffer): Buffer {
  const lines = [start, ...headers.map((h) => `${h.name}: ${h.value}`)];
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8'), body]);
}

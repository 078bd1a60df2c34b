import { err, ok, type Result } from '../result';
import { parseContentType, type MediaType } from './content-type';
import { messageError, type MessageError } from './message-error';
import { checkBodySize } from './text-plain';

/**
 * message/cpim (RFC 3862) unwrapping and building. Layout (RFC 3862 §2):
 * message headers, a blank line, the encapsulated MIME headers (Content-Type
 * is required, §2.4), a blank line, then the content. Header values use the
 * §2.3 backslash escapes; header names may carry a namespace prefix declared
 * with `NS: prefix <uri>` (§3.4), e.g. `imdn.Message-ID` (RFC 5438 §6.3).
 * A CPIM wrapping a media type we do not translate is refused, as is CPIM
 * inside CPIM (nothing in RFC 7572/5438 needs it and it multiplies parsing).
 */
export interface CpimAddress {
  readonly uri: string;
  readonly displayName?: string;
}
export interface CpimHeader {
  /** Name as written, including any namespace prefix ("imdn.Message-ID"). */
  readonly name: string;
  readonly value: string;
  /** RFC 3862 §3.3 `;lang=` parameter. */
  readonly lang?: string;
}
export interface CpimMessage {
  readonly headers: ReadonlyArray<CpimHeader>;
  readonly from?: CpimAddress;
  readonly to: ReadonlyArray<CpimAddress>;
  readonly dateTime?: string;
  readonly subject?: string;
  /** Prefix → namespace URI from the NS headers (RFC 3862 §3.4). */
  readonly ns: Readonly<Record<string, string>>;
  readonly contentType: MediaType;
  /** Encapsulated MIME headers, lower-cased names. */
  readonly contentHeaders: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Inner media types the gateway translates (RFC 7572 §7, RFC 5438, RFC 3994). */
export const CPIM_INNER_TYPES: ReadonlySet<string> = new Set([
  'text/plain', 'text/html', 'message/imdn+xml', 'application/im-iscomposing+xml',
]);

const HEADER = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):(.*)$/;

export function parseCpim(
  text: string,
  opts: { maxBytes?: number; innerTypes?: ReadonlySet<string> } = {},
): Result<CpimMessage, MessageError> {
  const size = checkBodySize(text, opts.maxBytes);
  if (!size.ok) return size;
  const lines = new LineReader(text);

  const first = lines.peek();
  if (first === undefined || first === '' || !HEADER.test(first)) {
    return err(messageError('cpim-no-headers', 'message/cpim must start with message headers (RFC 3862 §2)'));
  }
  const headers: CpimHeader[] = [];
  const raw: string[] = []; // values before §2.3 unescaping, for address parsing
  for (let line = lines.next(); line !== ''; line = lines.next()) {
    if (line === undefined) return err(messageError('cpim-malformed', 'no blank line after the CPIM message headers'));
    const h = parseHeaderLine(line);
    // Never quote the line: it may be the user's text, and details reach the log (logMessageBodies).
    if (!h) return err(messageError('cpim-malformed', `line ${headers.length + 1} is not a CPIM header line (RFC 3862 §3)`));
    headers.push(h.header);
    raw.push(h.raw);
  }

  const contentHeaders: Record<string, string> = {};
  let last: string | undefined;
  for (let line = lines.next(); line !== ''; line = lines.next()) {
    if (line === undefined) return err(messageError('cpim-malformed', 'no blank line after the encapsulated MIME headers'));
    if (/^[ \t]/.test(line) && last !== undefined) {
      contentHeaders[last] += ' ' + line.trim(); // RFC 5322 §2.2.3 folding
      continue;
    }
    const m = HEADER.exec(line);
    if (!m) return err(messageError('cpim-malformed', 'missing MIME headers before the content (RFC 3862 §2.4)'));
    last = m[1]!.toLowerCase();
    contentHeaders[last] = m[2]!.trim();
  }
  const ctValue = contentHeaders['content-type'];
  if (ctValue === undefined) return err(messageError('cpim-malformed', 'encapsulated content has no Content-Type (RFC 3862 §2.4)'));
  const ct = parseContentType(ctValue);
  if (!ct.ok) return ct;
  if (ct.value.essence === 'message/cpim') return err(messageError('cpim-nested', 'message/cpim inside message/cpim'));
  if (!(opts.innerTypes ?? CPIM_INNER_TYPES).has(ct.value.essence)) {
    return err(messageError('unsupported-media', `message/cpim carrying ${ct.value.essence}`));
  }
  const cte = contentHeaders['content-transfer-encoding']?.toLowerCase();
  if (cte !== undefined && !['7bit', '8bit', 'binary'].includes(cte)) {
    return err(messageError('unsupported-media', `Content-Transfer-Encoding ${cte}`));
  }

  const ns: Record<string, string> = {};
  for (const h of headers) {
    if (h.name.toLowerCase() !== 'ns') continue;
    const m = /^\s*([!#$%&'*+\-^_`|~0-9A-Za-z]*)\s*<([^>]*)>\s*$/.exec(h.value);
    if (m) ns[m[1]!] = m[2]!;
  }
  const get = (n: string) => headers.filter((h) => h.name.toLowerCase() === n);
  const addresses = (n: string) =>
    headers.flatMap((h, i) => (h.name.toLowerCase() === n ? [parseAddress(raw[i]!)] : [])).filter((a): a is CpimAddress => a !== undefined);
  const fromAddr = addresses('from')[0];
  const subject = get('subject').find((h) => h.lang === undefined) ?? get('subject')[0];
  const dateTime = get('datetime')[0]?.value;
  return ok({
    headers,
    ...(fromAddr ? { from: fromAddr } : {}),
    to: addresses('to'),
    ...(dateTime !== undefined ? { dateTime } : {}),
    ...(subject ? { subject: subject.value } : {}),
    ns,
    contentType: ct.value,
    contentHeaders,
    body: lines.rest(),
  });
}

/** Values of a namespaced header (RFC 3862 §3.4), whatever prefix the sender declared for `nsUri`. */
export function cpimHeaderValues(m: CpimMessage, nsUri: string, name: string): string[] {
  const prefixes = Object.entries(m.ns).filter(([, uri]) => uri === nsUri).map(([p]) => p.toLowerCase());
  const wanted = new Set(prefixes.map((p) => (p === '' ? name : `${p}.${name}`).toLowerCase()));
  return m.headers.filter((h) => wanted.has(h.name.toLowerCase())).map((h) => h.value);
}

export interface CpimBuildInput {
  readonly from?: CpimAddress;
  readonly to?: ReadonlyArray<CpimAddress>;
  readonly dateTime?: string;
  readonly subject?: string;
  readonly ns?: Readonly<Record<string, string>>;
  /** Further message headers in order, names with their prefix. */
  readonly headers?: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  readonly contentType: string;
  readonly contentHeaders?: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Builds a message/cpim body with CRLF line ends; values are §2.3-escaped so they cannot break lines. */
export function buildCpim(m: CpimBuildInput): string {
  const out: string[] = [];
  const addr = (a: CpimAddress) => (a.displayName ? `"${escapeValue(a.displayName)}" ` : '') + `<${escapeValue(a.uri)}>`;
  if (m.from) out.push(`From: ${addr(m.from)}`);
  for (const t of m.to ?? []) out.push(`To: ${addr(t)}`);
  if (m.dateTime !== undefined) out.push(`DateTime: ${escapeValue(m.dateTime)}`);
  if (m.subject !== undefined) out.push(`Subject: ${escapeValue(m.subject)}`);
  for (const [p, uri] of Object.entries(m.ns ?? {})) out.push(`NS: ${p} <${escapeValue(uri)}>`);
  for (const h of m.headers ?? []) out.push(`${h.name}: ${escapeValue(h.value)}`);
  out.push('', `Content-Type: ${m.contentType}`);
  for (const [k, v] of Object.entries(m.contentHeaders ?? {})) out.push(`${k}: ${v.replace(/[\r\n]+/g, ' ')}`);
  out.push('', m.body);
  return out.join('\r\n');
}

function parseHeaderLine(line: string): { header: CpimHeader; raw: string } | undefined {
  const m = HEADER.exec(line);
  if (!m) return undefined;
  let rest = m[2]!;
  let lang: string | undefined;
  // RFC 3862 §3.3: "Subject:;lang=fr value"
  const p = /^;lang=([A-Za-z0-9-]+)/.exec(rest);
  if (p) {
    lang = p[1]!;
    rest = rest.slice(p[0].length);
  }
  const raw = rest.replace(/^ /, '');
  const value = unescapeValue(raw);
  return { header: lang === undefined ? { name: m[1]!, value } : { name: m[1]!, value, lang }, raw };
}

function parseAddress(v: string): CpimAddress | undefined {
  const m = /^\s*(?:"((?:[^"\\]|\\.)*)"|([^<"]*?))\s*<([^>]+)>\s*$/.exec(v);
  if (!m) return v.trim() === '' ? undefined : { uri: unescapeValue(v.trim()) };
  const name = unescapeValue((m[1] ?? m[2] ?? '').trim());
  const uri = unescapeValue(m[3]!);
  return name === '' ? { uri } : { uri, displayName: name };
}

// RFC 3862 §2.3 escapes.
function unescapeValue(v: string): string {
  return v.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (all, e: string) => {
    if (e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ '\\': '\\', '"': '"', r: '\r', n: '\n', t: '\t' } as Record<string, string>)[e] ?? all;
  });
}
function escapeValue(v: string): string {
  return v.replace(/[\\"\r\n\t]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\r': '\\r', '\n': '\\n', '\t': '\\t' })[c]!);
}

/** Reads CRLF- or LF-terminated lines while keeping the remainder byte-exact. */
class LineReader {
  private pos = 0;
  constructor(private readonly s: string) {}
  peek(): string | undefined {
    const save = this.pos;
    const l = this.next();
    this.pos = save;
    return l;
  }
  next(): string | undefined {
    if (this.pos >= this.s.length) return undefined;
    const nl = this.s.indexOf('\n', this.pos);
    if (nl < 0) {
      const l = this.s.slice(this.pos);
      this.pos = this.s.length;
      return l;
    }
    const l = this.s.slice(this.pos, nl).replace(/\r$/, '');
    this.pos = nl + 1;
    return l;
  }
  rest(): string {
    return this.s.slice(this.pos);
  }
}

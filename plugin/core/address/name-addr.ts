/**
 * SIP name-addr / addr-spec values as found in From, To, Contact, P-Asserted-Identity
 * (RFC 3261 §20.10, §25.1):
 *   `"Alice" <sip:alice@x>;tag=1`   `Alice <sip:alice@x>`   `sip:alice@x;tag=1`
 * Per §20.10, when the URI is NOT in angle brackets every `;param` after it is a header
 * parameter (e.g. `tag`), not a uri-parameter. Quoted display names are unescaped
 * (quoted-pair, §25.1). Pure and total: failures are typed, nothing throws.
 */
import { err, ok, type Result } from '../result';
import { formatSipUri, parseSipUri, type SipUri, type SipUriError, type UriParam } from './sip-uri';

export interface NameAddr {
  readonly displayName?: string;
  readonly uri: SipUri;
  /** Header parameters after the address (`tag`, `expires`, `q`…), values unquoted. */
  readonly params: readonly UriParam[];
}

export type NameAddrError = SipUriError | { readonly code: 'malformed-name-addr'; readonly detail: string };

const fail = (detail: string): Result<never, NameAddrError> => err({ code: 'malformed-name-addr', detail });
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+/;

/** Reads a quoted-string starting at s[i] === '"'; returns its unescaped text and end index. */
function readQuoted(s: string, i: number): { text: string; end: number } | undefined {
  let text = '';
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j] as string;
    if (c === '"') return { text, end: j + 1 };
    if (c === '\\') {
      j++;
      if (j >= s.length) return undefined;
      text += s[j] as string;
    } else {
      text += c;
    }
  }
  return undefined;
}

/** `*( SEMI generic-param )`, generic-param = token [ EQUAL gen-value ] (RFC 3261 §25.1). */
function parseHeaderParams(s: string): Result<UriParam[], NameAddrError> {
  const params: UriParam[] = [];
  let i = 0;
  const skipWs = (): void => {
    while (s[i] === ' ' || s[i] === '\t') i++;
  };
  for (skipWs(); i < s.length; skipWs()) {
    if (s[i] !== ';') return fail(`expected ";" at offset ${i} of header parameters`);
    i++;
    skipWs();
    const name = TOKEN.exec(s.slice(i))?.[0];
    if (name === undefined) return fail('header parameter without a name');
    i += name.length;
    skipWs();
    if (s[i] !== '=') {
      params.push({ name });
      continue;
    }
    i++;
    skipWs();
    if (s[i] === '"') {
      const q = readQuoted(s, i);
      if (q === undefined) return fail('unterminated quoted parameter value');
      params.push({ name, value: q.text });
      i = q.end;
    } else {
      // gen-value = token / host (host may be an [IPv6] reference or contain ':').
      const value = /^[A-Za-z0-9\-.!%*_+`'~:[\]]+/.exec(s.slice(i))?.[0];
      if (value === undefined) return fail(`header parameter "${name}" has an empty value`);
      params.push({ name, value });
      i += value.length;
    }
  }
  return ok(params);
}

/** Parses a name-addr or addr-spec with header parameters (RFC 3261 §20.10). Never throws. */
export function parseNameAddr(input: string): Result<NameAddr, NameAddrError> {
  if (typeof input !== 'string') return fail('not a string');
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(input)) return fail('contains control characters');
  const s = input.trim();
  if (s === '') return fail('empty');
  let displayName: string | undefined;
  let uriText: string;
  let paramText: string;
  let i = 0;
  if (s.startsWith('"')) {
    const q = readQuoted(s, 0);
    if (q === undefined) return fail('unterminated quoted display name');
    displayName = q.text;
    i = q.end;
    while (s[i] === ' ' || s[i] === '\t') i++;
    if (s[i] !== '<') return fail('a quoted display name must be followed by <URI>');
  } else if (s.includes('<')) {
    i = s.indexOf('<');
    const token = s.slice(0, i).trim();
    if (token.includes('"')) return fail('stray quote in display name');
    displayName = token === '' ? undefined : token;
  }
  if (s[i] === '<') {
    const close = s.indexOf('>', i);
    if (close < 0) return fail('missing ">"');
    uriText = s.slice(i + 1, close);
    paramText = s.slice(close + 1);
  } else {
    // addr-spec form: params after the host belong to the header (§20.10).
    const at = s.indexOf('@');
    const semi = s.indexOf(';', Math.max(at, 0));
    uriText = semi < 0 ? s : s.slice(0, semi);
    paramText = semi < 0 ? '' : s.slice(semi);
    if (/[?,]/.test(uriText)) return fail('an addr-spec with "?" or "," must be in angle brackets (RFC 3261 §20.10)');
  }
  const uri = parseSipUri(uriText);
  if (!uri.ok) return uri;
  const params = parseHeaderParams(paramText);
  if (!params.ok) return params;
  return ok({ ...(displayName === undefined ? {} : { displayName }), uri: uri.value, params: params.value });
}

/** The first header parameter called `name` (case-insensitive, RFC 3261 §7.3.1). */
export function getHeaderParam(n: NameAddr, name: string): UriParam | undefined {
  const lower = name.toLowerCase();
  return n.params.find((p) => p.name.toLowerCase() === lower);
}

const quote = (s: string): string => `"${s.replace(/[\x00-\x1f\x7f]/g, ' ').replace(/["\\]/g, (c) => `\\${c}`)}"`;

/**
 * Writes `"Display" <uri>;p=v` (RFC 3261 §20.10). The URI is always bracketed, so its
 * own parameters never get mistaken for header parameters; the display name is always
 * quoted and controls in it become spaces (a header value cannot carry CR/LF).
 */
export function formatNameAddr(n: { readonly displayName?: string; readonly uri: SipUri; readonly params?: readonly UriParam[] }): string {
  const display = n.displayName === undefined || n.displayName === '' ? '' : `${quote(n.displayName)} `;
  const params = (n.params ?? [])
    .map((p) => {
      if (p.value === undefined) return `;${p.name}`;
      return /^[A-Za-z0-9\-.!%*_+`'~:[\]]+$/.test(p.value) ? `;${p.name}=${p.value}` : `;${p.name}=${quote(p.value)}`;
    })
    .join('');
  return `${display}<${formatSipUri(n.uri)}>${params}`;
}

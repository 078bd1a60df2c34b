/**
 * A small SIP URI parser/formatter (RFC 3261 §19.1, grammar §25.1) for what the gateway
 * needs: scheme `sip` / `sips` (RFC 3261), `im` (RFC 3860) or `pres` (RFC 3859), the user
 * part kept percent-encoded exactly as received, host (hostname, IPv4, `[IPv6]`), port,
 * uri-parameters (`;name[=value]`, e.g. `gr` of RFC 5627 with or without a value,
 * `transport`) and headers (`?a=b&c=d`).
 *
 * Deliberately refused: passwords in the userinfo (RFC 3261 §19.1.1 says they SHOULD NOT
 * be used; we never want to forward a credential to XMPP), raw whitespace, controls and
 * non-ASCII characters (they must be %-escaped), and a second unescaped '@'.
 * `im:`/`pres:` are parsed with the same shape (user@host, no port or parameters in
 * practice); their user part is checked against RFC 5322 dot-atom characters.
 * Pure and total: every failure is a typed SipUriError, nothing throws.
 */
import { err, ok, type Result } from '../result';
import { isBracketedIpv6, isIpv4 } from './ip-literal';
import { IM_LOCAL_SAFE, SIP_HEADER_SAFE, SIP_PARAM_SAFE, SIP_USER_SAFE } from './percent-encoding';

export const SIP_SCHEMES = ['sip', 'sips', 'im', 'pres'] as const;
export type SipScheme = (typeof SIP_SCHEMES)[number];

/** `;name` (value undefined) or `;name=value`; both kept as received (escaped). */
export interface UriParam {
  readonly name: string;
  readonly value?: string;
}

export interface UriHeader {
  readonly name: string;
  readonly value: string;
}

export interface SipUri {
  /** Lowercased (schemes are case-insensitive, RFC 3261 §19.1.4). */
  readonly scheme: SipScheme;
  /** Percent-encoded exactly as received; absent for `sip:host`. */
  readonly user?: string;
  /** As received; an IPv6 reference keeps its brackets. */
  readonly host: string;
  readonly port?: number;
  readonly params: readonly UriParam[];
  readonly headers: readonly UriHeader[];
}

export type SipUriErrorCode =
  | 'malformed-uri'
  | 'unsupported-scheme'
  | 'password-refused'
  | 'invalid-user'
  | 'invalid-host'
  | 'invalid-port'
  | 'invalid-param'
  | 'invalid-header';

export interface SipUriError {
  readonly code: SipUriErrorCode;
  readonly detail: string;
}

const fail = (code: SipUriErrorCode, detail: string): Result<never, SipUriError> => err({ code, detail });

/** Every character is in `safe` or starts a well-formed `%hh` escape (RFC 3261 §25.1 `escaped`). */
function onlyChars(s: string, safe: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '%') {
      if (!/^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) return false;
      i += 2;
    } else if (!safe.includes(c)) {
      return false;
    }
  }
  return true;
}

/** RFC 3261 §25.1 hostname: LDH labels, top label starts with a letter, optional final dot. */
function isHostname(h: string): boolean {
  const labels = (h.endsWith('.') ? h.slice(0, -1) : h).split('.');
  const ldh = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;
  return labels.every((l) => ldh.test(l)) && /^[A-Za-z]/.test(labels[labels.length - 1] as string);
}

function parseHostPort(hp: string): Result<{ host: string; port?: number }, SipUriError> {
  let host = hp;
  let portText: string | undefined;
  if (hp.startsWith('[')) {
    const close = hp.indexOf(']');
    host = close < 0 ? hp : hp.slice(0, close + 1);
    const after = close < 0 ? '' : hp.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return fail('invalid-host', 'text after an IPv6 reference');
    portText = after === '' ? undefined : after.slice(1);
    if (!isBracketedIpv6(host)) return fail('invalid-host', `"${host}" is not a valid IPv6 reference (RFC 3261 §25.1)`);
  } else {
    const colon = hp.indexOf(':');
    if (colon >= 0) [host, portText] = [hp.slice(0, colon), hp.slice(colon + 1)];
    if (!isIpv4(host) && !isHostname(host)) return fail('invalid-host', `"${host}" is not a hostname or IPv4 address (RFC 3261 §25.1)`);
  }
  if (portText === undefined) return ok({ host });
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port > 65535) return fail('invalid-port', `bad port "${portText}"`);
  return ok({ host, port });
}

function parseParams(text: string): Result<UriParam[], SipUriError> {
  const params: UriParam[] = [];
  for (const p of text.split(';')) {
    const eq = p.indexOf('=');
    const name = eq < 0 ? p : p.slice(0, eq);
    const value = eq < 0 ? undefined : p.slice(eq + 1);
    if (name === '' || !onlyChars(name, SIP_PARAM_SAFE) || (value !== undefined && (value === '' || !onlyChars(value, SIP_PARAM_SAFE)))) {
      return fail('invalid-param', `bad uri-parameter ";${p}" (RFC 3261 §25.1 uri-parameter)`);
    }
    params.push(value === undefined ? { name } : { name, value });
  }
  return ok(params);
}

function parseHeaders(text: string): Result<UriHeader[], SipUriError> {
  const headers: UriHeader[] = [];
  for (const h of text.split('&')) {
    const eq = h.indexOf('=');
    const name = h.slice(0, eq);
    const value = h.slice(eq + 1);
    if (eq < 1 || !onlyChars(name, SIP_HEADER_SAFE) || !onlyChars(value, SIP_HEADER_SAFE)) {
      return fail('invalid-header', `bad header "${h}" (RFC 3261 §25.1 headers)`);
    }
    headers.push({ name, value });
  }
  return ok(headers);
}

/** Parses `sip:`, `sips:`, `im:` or `pres:` URIs (RFC 3261 §19.1, §25.1). Never throws. */
export function parseSipUri(s: string): Result<SipUri, SipUriError> {
  if (typeof s !== 'string' || !/^[\x21-\x7e]+$/.test(s)) {
    return fail('malformed-uri', 'empty, or contains whitespace, controls or unescaped non-ASCII (RFC 3261 §25.1)');
  }
  const colon = s.indexOf(':');
  const scheme = s.slice(0, Math.max(colon, 0)).toLowerCase();
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) return fail('malformed-uri', 'no URI scheme');
  if (!(SIP_SCHEMES as readonly string[]).includes(scheme)) return fail('unsupported-scheme', `scheme "${scheme}"`);
  let rest = s.slice(colon + 1);
  let user: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (rest.includes('@')) return fail('malformed-uri', 'more than one "@"; an "@" in the user part must be %40');
    if (userinfo.includes(':')) return fail('password-refused', 'userinfo carries a password (RFC 3261 §19.1.1: SHOULD NOT)');
    const safe = scheme === 'im' || scheme === 'pres' ? `${IM_LOCAL_SAFE}.` : SIP_USER_SAFE;
    if (userinfo === '' || !onlyChars(userinfo, safe)) {
      return fail('invalid-user', 'user part is empty or has characters that must be %-escaped (RFC 3261 §25.1 user)');
    }
    user = userinfo;
  }
  const q = rest.indexOf('?');
  const beforeHeaders = q < 0 ? rest : rest.slice(0, q);
  const semi = beforeHeaders.indexOf(';');
  const hostPort = parseHostPort(semi < 0 ? beforeHeaders : beforeHeaders.slice(0, semi));
  if (!hostPort.ok) return hostPort;
  const params = semi < 0 ? ok([]) : parseParams(beforeHeaders.slice(semi + 1));
  if (!params.ok) return params;
  const headers = q < 0 ? ok([]) : parseHeaders(rest.slice(q + 1));
  if (!headers.ok) return headers;
  return ok({
    scheme: scheme as SipScheme,
    ...(user === undefined ? {} : { user }),
    ...hostPort.value,
    params: params.value,
    headers: headers.value,
  });
}

/** The text form, RFC 3261 §19.1.1. Components are written as stored (already escaped). */
export function formatSipUri(u: SipUri): string {
  const user = u.user === undefined ? '' : `${u.user}@`;
  const port = u.port === undefined ? '' : `:${u.port}`;
  const params = u.params.map((p) => (p.value === undefined ? `;${p.name}` : `;${p.name}=${p.value}`)).join('');
  const headers = u.headers.length === 0 ? '' : `?${u.headers.map((h) => `${h.name}=${h.value}`).join('&')}`;
  return `${u.scheme}:${user}${u.host}${port}${params}${headers}`;
}

/** The first uri-parameter called `name` (names are case-insensitive, RFC 3261 §19.1.4). */
export function getUriParam(u: SipUri, name: string): UriParam | undefined {
  const n = name.toLowerCase();
  return u.params.find((p) => p.name.toLowerCase() === n);
}

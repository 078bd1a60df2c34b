/**
 * XMPP addresses, RFC 7622 (JIDs).
 *
 * - §3.1 split: the resourcepart is everything after the FIRST '/', the localpart is
 *   everything before the first '@' of what remains, the rest is the domainpart.
 * - §3.1: each part is 1..1023 octets of UTF-8; an '@' or '/' with nothing after/before
 *   it is an error (no empty parts).
 * - §3.2 domainpart: trailing label separator removed, ASCII case-folded, IPv6 literals
 *   in brackets, IPv4 literals, otherwise LDH labels (non-ASCII U-labels allowed).
 * - §3.3 localpart: `" & ' / : < > @` are forbidden (they travel XEP-0106-escaped).
 *
 * PRECIS approximation (documented deviation): we do not ship Unicode PRECIS tables.
 * Localparts refuse what BOTH PRECIS IdentifierClass (RFC 8264 §4.2) and legacy
 * nodeprep (RFC 3920 App. A, which ejabberd and Prosody still apply) refuse: general
 * categories C* (controls, format/ignorable, surrogates, private use, unassigned as of
 * the running engine's Unicode version) and Z* (spaces), plus U+FFF9–FFFD and U+2FF0–2FFB.
 * Non-ASCII symbols/punctuation (e.g. emoji), which IdentifierClass refuses but nodeprep
 * accepts, are let through, and no case or width mapping is applied: the localpart is
 * kept as received so that a SIP user part survives RFC 7247 §6.4/§6.5 round trips
 * (§6.4 step 6 makes nodeprep optional). jidEquals compares localparts case-insensitively
 * (NFC + toLowerCase), approximating UsernameCaseMapped (RFC 7613 §3.2).
 * Resourceparts (OpaqueString, FreeformClass) refuse Cc, Cs and Cn only.
 */
import { err, ok, type Result } from '../result';
import { isBracketedIpv6, isIpv4 } from './ip-literal';

export interface Jid {
  readonly local?: string;
  readonly domain: string;
  readonly resource?: string;
}

export type JidPart = 'local' | 'domain' | 'resource';

export interface JidError {
  /** Same name as the RFC 6120 §8.3.3.8 stanza error condition it leads to. */
  readonly code: 'jid-malformed';
  readonly part: JidPart | 'jid';
  readonly detail: string;
}

/** RFC 7622 §3.1: each part is at most 1023 octets. */
export const MAX_JID_PART_OCTETS = 1023;

const LOCAL_FORBIDDEN_ASCII = /["&'/:<>@]/;
const LOCAL_FORBIDDEN_UNICODE = /[\p{C}\p{Z}\uFFF9-\uFFFD\u2FF0-\u2FFB]/u;
const RESOURCE_FORBIDDEN = /[\p{Cc}\p{Cs}\p{Cn}]/u;
const DOMAIN_FORBIDDEN_UNICODE = /[\p{C}\p{Z}]/u;
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

const fail = (part: JidError['part'], detail: string): Result<never, JidError> =>
  err({ code: 'jid-malformed', part, detail });

/** UTF-8 length without allocating (lone surrogates count as 3, like TextEncoder's U+FFFD). */
export function utf8Length(s: string): number {
  let n = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

function checkLength(part: JidPart, s: string): Result<string, JidError> {
  if (s.length === 0) return fail(part, `empty ${part}part (RFC 7622 §3.1)`);
  const n = utf8Length(s);
  if (n > MAX_JID_PART_OCTETS) return fail(part, `${part}part is ${n} octets, over 1023 (RFC 7622 §3.1)`);
  return ok(s);
}

/** Validates an (already XEP-0106-escaped) localpart, RFC 7622 §3.3. */
export function validateLocalpart(local: string): Result<string, JidError> {
  const len = checkLength('local', local);
  if (!len.ok) return len;
  if (LOCAL_FORBIDDEN_ASCII.test(local)) {
    return fail('local', 'localpart contains one of " & \' / : < > @ (RFC 7622 §3.3.1)');
  }
  if (LOCAL_FORBIDDEN_UNICODE.test(local)) {
    return fail('local', 'localpart contains a space, control, format, private-use or unassigned code point (RFC 7622 §3.3, RFC 8264 §4.2)');
  }
  return ok(local);
}

/** Validates and normalises a domainpart, RFC 7622 §3.2. */
export function normalizeDomainpart(domain: string): Result<string, JidError> {
  // §3.2: a trailing dot is stripped before any other processing.
  const d = domain.endsWith('.') ? domain.slice(0, -1) : domain;
  const len = checkLength('domain', d);
  if (!len.ok) return len;
  if (d.startsWith('[')) {
    return isBracketedIpv6(d) ? ok(d.toLowerCase()) : fail('domain', 'malformed IPv6 literal (RFC 7622 §3.2)');
  }
  const lower = d.replace(/[A-Z]/g, (c) => c.toLowerCase());
  if (isIpv4(lower)) return ok(lower);
  for (const label of lower.split('.')) {
    if (label.length === 0) return fail('domain', 'empty label in domainpart (RFC 7622 §3.2)');
    const ascii = /^[\x00-\x7f]*$/.test(label);
    if (ascii ? !LDH_LABEL.test(label) : DOMAIN_FORBIDDEN_UNICODE.test(label) || /[^\x80-\u{10ffff}a-z0-9-]/u.test(label)) {
      return fail('domain', `label "${label}" is not a valid host label (RFC 7622 §3.2, RFC 5890)`);
    }
  }
  return ok(lower);
}

/** Validates a resourcepart, RFC 7622 §3.4 (OpaqueString approximation). */
export function validateResourcepart(resource: string): Result<string, JidError> {
  const len = checkLength('resource', resource);
  if (!len.ok) return len;
  if (RESOURCE_FORBIDDEN.test(resource)) {
    return fail('resource', 'resourcepart contains a control, lone surrogate or unassigned code point (RFC 7622 §3.4)');
  }
  return ok(resource);
}

/** Builds a Jid from parts, validating each (localpart must already be XEP-0106-escaped). */
export function makeJid(parts: { local?: string; domain: string; resource?: string }): Result<Jid, JidError> {
  const domain = normalizeDomainpart(parts.domain);
  if (!domain.ok) return domain;
  let jid: Jid = { domain: domain.value };
  if (parts.local !== undefined) {
    const local = validateLocalpart(parts.local);
    if (!local.ok) return local;
    jid = { local: local.value, ...jid };
  }
  if (parts.resource !== undefined) {
    const resource = validateResourcepart(parts.resource);
    if (!resource.ok) return resource;
    jid = { ...jid, resource: resource.value };
  }
  return ok(jid);
}

/** Parses a JID string, RFC 7622 §3.1. Never throws. */
export function parseJid(s: string): Result<Jid, JidError> {
  if (typeof s !== 'string' || s.length === 0) return fail('jid', 'empty JID (RFC 7622 §3.1)');
  const slash = s.indexOf('/');
  const resource = slash >= 0 ? s.slice(slash + 1) : undefined;
  const rest = slash >= 0 ? s.slice(0, slash) : s;
  const at = rest.indexOf('@');
  const local = at >= 0 ? rest.slice(0, at) : undefined;
  const domain = at >= 0 ? rest.slice(at + 1) : rest;
  return makeJid({ local, domain, resource });
}

/** The string form, RFC 7622 §3.1: `[local@]domain[/resource]`. */
export function formatJid(j: Jid): string {
  const local = j.local === undefined ? '' : `${j.local}@`;
  const resource = j.resource === undefined ? '' : `/${j.resource}`;
  return `${local}${j.domain}${resource}`;
}

/** The bare JID (RFC 6120 §1.4): the same address without its resourcepart. */
export function bareJid(j: Jid): Jid {
  return j.local === undefined ? { domain: j.domain } : { local: j.local, domain: j.domain };
}

const foldLocal = (s: string | undefined): string | undefined => s?.normalize('NFC').toLowerCase();

/**
 * Address equality. Domains are compared as normalised by parseJid; localparts with
 * NFC + lowercase (approximating RFC 7613 UsernameCaseMapped); resources with NFC only
 * (OpaqueString preserves case, RFC 7622 §3.4).
 */
export function jidEquals(a: Jid, b: Jid): boolean {
  return (
    a.domain === b.domain &&
    foldLocal(a.local) === foldLocal(b.local) &&
    a.resource?.normalize('NFC') === b.resource?.normalize('NFC')
  );
}

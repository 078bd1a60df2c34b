/**
 * Address mapping between SIP URIs and JIDs, RFC 7247 §6.
 *
 * §6.4 SIP → XMPP: drop the scheme, split at the first '@', percent-decode the user
 * part, read it as UTF-8, escape it with XEP-0106, form the bare JID and, if the URI
 * carries a `gr` parameter (an AOR-associated GRUU, §6.3), use its percent-decoded value
 * as the resourcepart. Step 5 only lists `& ' /`, but decoding can produce any of
 * `space " : < > @ \` too, so we apply the FULL XEP-0106 set as the generic rule of
 * §6.2 step 3 requires ("a native XMPP destination MUST use \hh").
 * §8: a `sips:` URI MUST NOT be translated to XMPP → 'sips-not-mapped'.
 *
 * §6.5 XMPP → SIP: unescape XEP-0106 (all ten sequences, the inverse of the above),
 * percent-encode every character the target scheme does not allow raw (for sip: all
 * but RFC 3261 `unreserved` / `user-unreserved`, which covers the RFC's list
 * `# % [ \ ] ^ \` { | }` plus space, `" < > @ :`, controls and non-ASCII), prefix the
 * scheme (`sip` unless the caller chose another, step 4) and put the resource in `;gr=`.
 *
 * Domains are passed through (ASCII-lowercased): domain mapping is out of scope (§6);
 * a non-ASCII JID domain cannot become a SIP host and is refused rather than guessed.
 * The SIP port and other uri-parameters (transport, user=phone…) are routing data,
 * not identity, and have no place in a JID; they are not carried.
 */
import { err, ok, type Result } from '../result';
import { type Jid, type JidError, makeJid, parseJid } from './jid';
import { IM_LOCAL_SAFE, percentDecode, percentEncode, type PercentError, SIP_PARAM_SAFE, SIP_USER_SAFE } from './percent-encoding';
import { getUriParam, parseSipUri, type SipUri, type SipUriError } from './sip-uri';
import { type EscapeError, escapeLocalpart, unescapeLocalpart } from './xep0106';

export type AddressErrorCode =
  | 'sips-not-mapped'
  | 'invalid-sip-uri'
  | 'invalid-percent-encoding'
  | 'localpart-unmappable'
  | 'invalid-jid'
  | 'domain-not-representable'
  | 'resource-not-representable';

export interface AddressError {
  readonly code: AddressErrorCode;
  readonly detail: string;
  readonly cause?: SipUriError | JidError | PercentError | EscapeError;
}

export interface JidToSipOptions {
  /** RFC 7247 §6.5 step 4: `im`/`pres` only if the foreign domain supports them. Default `sip`. */
  readonly scheme?: 'sip' | 'sips' | 'im' | 'pres';
  /** §6.5 step 8 makes `;gr=` optional; false leaves the resource out. Default true. */
  readonly includeResource?: boolean;
}

const fail = (code: AddressErrorCode, detail: string, cause?: AddressError['cause']): Result<never, AddressError> =>
  err(cause === undefined ? { code, detail } : { code, detail, cause });

/** RFC 7247 §6.4: SIP/IM/PRES URI → JID (bare, or full when `gr` is present). */
export function sipUriToJid(input: SipUri | string): Result<Jid, AddressError> {
  const parsed = typeof input === 'string' ? parseSipUri(input) : ok(input);
  if (!parsed.ok) return fail('invalid-sip-uri', parsed.error.detail, parsed.error);
  const uri = parsed.value;
  if (uri.scheme === 'sips') {
    return fail('sips-not-mapped', 'a SIPS URI MUST NOT be translated or routed to XMPP (RFC 7247 §8)');
  }
  let local: string | undefined;
  if (uri.user !== undefined) {
    const decoded = percentDecode(uri.user);
    if (!decoded.ok) return fail('invalid-percent-encoding', `user part: ${decoded.error.detail}`, decoded.error);
    const escaped = escapeLocalpart(decoded.value);
    if (!escaped.ok) return fail('localpart-unmappable', escaped.error.detail, escaped.error);
    local = escaped.value;
  }
  let resource: string | undefined;
  const gr = getUriParam(uri, 'gr');
  if (gr?.value !== undefined) {
    const decoded = percentDecode(gr.value);
    if (!decoded.ok) return fail('invalid-percent-encoding', `gr parameter: ${decoded.error.detail}`, decoded.error);
    resource = decoded.value;
  }
  const jid = makeJid({ local, domain: uri.host, resource });
  if (!jid.ok) return fail('invalid-jid', jid.error.detail, jid.error);
  return jid;
}

/** RFC 7247 §6.5: JID → SIP/IM/PRES URI text. */
export function jidToSipUri(input: Jid | string, opts: JidToSipOptions = {}): Result<string, AddressError> {
  // Objects are re-validated too: a hand-built Jid must not smuggle '@' or controls into a URI.
  const jid = typeof input === 'string' ? parseJid(input) : makeJid(input);
  if (!jid.ok) return fail('invalid-jid', jid.error.detail, jid.error);
  const { local, domain, resource } = jid.value;
  const scheme = opts.scheme ?? 'sip';
  const isIm = scheme === 'im' || scheme === 'pres';
  if (!/^[\x21-\x7e]+$/.test(domain)) {
    return fail('domain-not-representable', 'non-ASCII domain: domain mapping is out of scope (RFC 7247 §6)');
  }
  let user = '';
  if (local !== undefined) {
    const encoded = percentEncode(unescapeLocalpart(local), isIm ? IM_LOCAL_SAFE : SIP_USER_SAFE);
    if (!encoded.ok) return fail('invalid-jid', encoded.error.detail, encoded.error);
    user = `${encoded.value}@`;
  }
  let gr = '';
  if (resource !== undefined && opts.includeResource !== false) {
    if (isIm) return fail('resource-not-representable', `${scheme}: URIs have no gr parameter (RFC 7247 §6.3)`);
    const encoded = percentEncode(resource, SIP_PARAM_SAFE);
    if (!encoded.ok) return fail('invalid-jid', encoded.error.detail, encoded.error);
    gr = `;gr=${encoded.value}`;
  }
  return ok(`${scheme}:${user}${domain}${gr}`);
}

/**
 * Error mapping between XMPP stanza errors and SIP responses, RFC 7247 §7 (SHOULD-level
 * suggestions; "more of an art than a science"). Reason-Phrase ⇄ <text/> (§7).
 *
 * §7.1 Table 2, XMPP → SIP. Choices where the RFC leaves one open:
 * - full/bare splits: an error about a specific resource (stanza was addressed to a full
 *   JID) maps to a 4xx, an error about the account as a whole (bare JID) to the 5xx/6xx
 *   "everywhere" code (feature-not-implemented 405/501, forbidden 403/603,
 *   item-not-found 404/604, not-acceptable 406/606, recipient-unavailable 480/600).
 * - gone: 301 when a new address is known (put it in Contact), otherwise 410.
 * - remote-server-not-found: 404 by default; 408 when the caller knows the cause was
 *   "cannot resolve/reach the server" (`remoteServerCause: 'cannot-resolve'`).
 * - service-unavailable: NOT 503. The RFC calls 503 NOT RECOMMENDED because in SIP a 503
 *   means "this server is temporarily overloaded or down" and makes upstream proxies fail
 *   over to other servers (RFC 3261 §21.5.4, RFC 3263 §4.3) instead of reporting that the
 *   recipient does not offer the service. We use 403, the first of the RFC's two
 *   suggestions (403 or 405).
 * - unexpected-request: 491 (RFC offers 491 or 400); 491 keeps the "try later" sense.
 *
 * §7.2 Table 3, SIP → XMPP, with class defaults for unlisted codes: 3xx redirect,
 * 4xx bad-request, 5xx internal-server-error, 6xx recipient-unavailable. 503 maps to
 * internal-server-error, NOT service-unavailable (the reverse of the rule above). Where
 * Table 3 lists alternatives (403 → not-allowed/policy-violation, 404/408 →
 * remote-server-not-found) we use the first. 1xx/2xx have no XMPP equivalent (§7).
 * The error `type` is RFC 6120's usual one for the condition (STANZA_ERROR_DEFAULT_TYPE);
 * RFC 7247 suggests no other.
 */
import { err, ok, type Result } from '../result';
import {
  STANZA_ERROR_DEFAULT_TYPE,
  type StanzaError,
  type StanzaErrorCondition,
  stanzaError,
} from '../stanza/stanza-error';
import { standardReasonPhrase } from './sip-reason-phrases';

type Split = { readonly full: number; readonly bare: number };

/** RFC 7247 §7.1 Table 2. `gone` and `remote-server-not-found` have option-driven variants. */
export const XMPP_TO_SIP_STATUS: Readonly<Record<StanzaErrorCondition, number | Split>> = {
  'bad-request': 400,
  conflict: 400,
  'feature-not-implemented': { full: 405, bare: 501 },
  forbidden: { full: 403, bare: 603 },
  gone: 410,
  'internal-server-error': 500,
  'item-not-found': { full: 404, bare: 604 },
  'jid-malformed': 400,
  'not-acceptable': { full: 406, bare: 606 },
  'not-allowed': 403,
  'not-authorized': 401,
  'policy-violation': 403,
  'recipient-unavailable': { full: 480, bare: 600 },
  redirect: 302,
  'registration-required': 407,
  'remote-server-not-found': 404,
  'remote-server-timeout': 408,
  'resource-constraint': 500,
  'service-unavailable': 403,
  'subscription-required': 400,
  'undefined-condition': 400,
  'unexpected-request': 491,
};

/** RFC 7247 §7.2 Table 3 (explicit rows only; see sipClassDefault for the rest). */
export const SIP_TO_XMPP_CONDITION: Readonly<Record<number, StanzaErrorCondition>> = {
  300: 'redirect', 301: 'gone', 302: 'redirect', 305: 'redirect', 380: 'not-acceptable',
  400: 'bad-request', 401: 'not-authorized', 402: 'bad-request', 403: 'forbidden',
  404: 'item-not-found', 405: 'feature-not-implemented', 406: 'not-acceptable',
  407: 'registration-required', 408: 'remote-server-timeout', 410: 'gone',
  413: 'policy-violation', 414: 'policy-violation', 415: 'not-acceptable', 416: 'not-acceptable',
  420: 'feature-not-implemented', 421: 'not-acceptable', 423: 'resource-constraint',
  430: 'recipient-unavailable', 439: 'feature-not-implemented', 440: 'policy-violation',
  480: 'recipient-unavailable', 481: 'item-not-found', 482: 'not-acceptable', 483: 'not-acceptable',
  484: 'item-not-found', 485: 'item-not-found', 486: 'recipient-unavailable',
  487: 'recipient-unavailable', 488: 'not-acceptable', 489: 'policy-violation',
  491: 'unexpected-request', 493: 'bad-request',
  500: 'internal-server-error', 501: 'feature-not-implemented', 502: 'remote-server-not-found',
  503: 'internal-server-error', 504: 'remote-server-timeout', 505: 'not-acceptable',
  513: 'policy-violation',
  600: 'recipient-unavailable', 603: 'recipient-unavailable', 604: 'item-not-found', 606: 'not-acceptable',
};

const CLASS_DEFAULT: Readonly<Record<number, StanzaErrorCondition>> = {
  3: 'redirect',
  4: 'bad-request',
  5: 'internal-server-error',
  6: 'recipient-unavailable',
};

export interface XmppToSipOptions {
  /** Whether the failed stanza was addressed to a full JID or a bare JID (Table 2 splits). */
  readonly addressedTo: 'full' | 'bare';
  /** New address for gone/redirect (RFC 6120 §8.3.3.5/§8.3.3.14); becomes the Contact. */
  readonly alternateAddress?: string;
  /** XMPP <text/>; overrides the text of a StanzaError argument. */
  readonly text?: string;
  /** remote-server-not-found: 404 (default, the server does not exist) or 408 (cannot resolve/reach). */
  readonly remoteServerCause?: 'does-not-exist' | 'cannot-resolve';
}

export interface SipStatus {
  readonly status: number;
  readonly reason: string;
  /** Address for a Contact header (301 from gone, 302 from redirect). */
  readonly contact?: string;
}

/** A Reason-Phrase cannot hold CR, LF or other controls (RFC 3261 §25.1); they become spaces. */
function toReasonPhrase(text: string | undefined): string | undefined {
  const clean = text?.replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
  return clean === undefined || clean === '' ? undefined : clean;
}

/** RFC 7247 §7.1: the SIP response for an XMPP stanza error. Total over the RFC 6120 conditions. */
export function xmppErrorToSipStatus(error: StanzaErrorCondition | StanzaError, opts: XmppToSipOptions): SipStatus {
  const condition = typeof error === 'string' ? error : error.condition;
  const alternate = opts.alternateAddress ?? (typeof error === 'string' ? undefined : error.alternateAddress);
  const text = opts.text ?? (typeof error === 'string' ? undefined : error.text);
  const row = XMPP_TO_SIP_STATUS[condition] ?? XMPP_TO_SIP_STATUS['undefined-condition'];
  let status = typeof row === 'number' ? row : opts.addressedTo === 'full' ? row.full : row.bare;
  if (condition === 'gone' && alternate !== undefined) status = 301; // §7.1: MUST 301 with new address
  if (condition === 'remote-server-not-found' && opts.remoteServerCause === 'cannot-resolve') status = 408;
  const withContact = alternate !== undefined && (status === 301 || status === 302);
  const reason = toReasonPhrase(text) ?? standardReasonPhrase(status);
  return withContact ? { status, reason, contact: alternate } : { status, reason };
}

export interface SipToXmppError {
  readonly code: 'no-mapping' | 'invalid-status';
  readonly detail: string;
}

/**
 * RFC 7247 §7.2: the XMPP stanza error for a SIP final failure response.
 * `contact` (from a 3xx response's Contact header) becomes the alternate address of
 * `gone` (301) and `redirect` (other 3xx).
 */
export function sipStatusToXmppError(
  status: number,
  reasonPhrase?: string,
  opts: { readonly contact?: string } = {},
): Result<StanzaError, SipToXmppError> {
  if (!Number.isInteger(status) || status < 100 || status > 699) {
    return err({ code: 'invalid-status', detail: `${status} is not a SIP status code (RFC 3261 §7.2)` });
  }
  if (status < 300) {
    return err({ code: 'no-mapping', detail: `${status}: 1xx/2xx have no XMPP error equivalent (RFC 7247 §7)` });
  }
  const condition = SIP_TO_XMPP_CONDITION[status] ?? (CLASS_DEFAULT[Math.floor(status / 100)] as StanzaErrorCondition);
  const text = toReasonPhrase(reasonPhrase);
  const base = stanzaError(condition, text, STANZA_ERROR_DEFAULT_TYPE[condition]);
  // Only 3xx responses carry a new address in Contact (RFC 3261 §21.3); 410 has none.
  const carriesAddress = status < 400;
  return ok(carriesAddress && opts.contact !== undefined ? { ...base, alternateAddress: opts.contact } : base);
}

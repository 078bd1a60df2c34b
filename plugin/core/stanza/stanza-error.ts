/**
 * XMPP stanza error vocabulary, RFC 6120 §8.3. Plain data used by the codec,
 * the RFC 7247 §7 error tables and the S2S edge's bounces.
 */
export const STANZA_ERROR_TYPES = ['auth', 'cancel', 'continue', 'modify', 'wait'] as const;
export type StanzaErrorType = (typeof STANZA_ERROR_TYPES)[number];

/** RFC 6120 §8.3.3, with the type each condition is usually sent with. */
export const STANZA_ERROR_DEFAULT_TYPE = {
  'bad-request': 'modify',
  conflict: 'cancel',
  'feature-not-implemented': 'cancel',
  forbidden: 'auth',
  gone: 'cancel',
  'internal-server-error': 'cancel',
  'item-not-found': 'cancel',
  'jid-malformed': 'modify',
  'not-acceptable': 'modify',
  'not-allowed': 'cancel',
  'not-authorized': 'auth',
  'policy-violation': 'modify',
  'recipient-unavailable': 'wait',
  redirect: 'modify',
  'registration-required': 'auth',
  'remote-server-not-found': 'cancel',
  'remote-server-timeout': 'wait',
  'resource-constraint': 'wait',
  'service-unavailable': 'cancel',
  'subscription-required': 'auth',
  'undefined-condition': 'cancel',
  'unexpected-request': 'wait',
} as const satisfies Record<string, StanzaErrorType>;

export type StanzaErrorCondition = keyof typeof STANZA_ERROR_DEFAULT_TYPE;
export const STANZA_ERROR_CONDITIONS = Object.keys(STANZA_ERROR_DEFAULT_TYPE) as StanzaErrorCondition[];

export const STANZAS_NS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

export interface StanzaError {
  readonly type: StanzaErrorType;
  readonly condition: StanzaErrorCondition;
  /** Human-readable text (RFC 6120 §8.3.2); RFC 7247 §7 maps it to/from the SIP Reason-Phrase. */
  readonly text?: string;
  readonly textLang?: string;
  /** Entity that generated the error (RFC 6120 §8.3.2 `by`). */
  readonly by?: string;
  /** New address for `gone` / `redirect` (RFC 6120 §8.3.3.5, §8.3.3.14). */
  readonly alternateAddress?: string;
}

export function stanzaError(condition: StanzaErrorCondition, text?: string, type?: StanzaErrorType): StanzaError {
  const t = type ?? STANZA_ERROR_DEFAULT_TYPE[condition];
  return text === undefined ? { type: t, condition } : { type: t, condition, text };
}

export function isStanzaErrorCondition(s: string): s is StanzaErrorCondition {
  return Object.prototype.hasOwnProperty.call(STANZA_ERROR_DEFAULT_TYPE, s);
}

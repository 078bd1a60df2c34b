import type { StanzaErrorCondition } from '../stanza/stanza-error';

/**
 * The one error vocabulary of the messaging core (content codecs and the
 * RFC 7572 mapping). Each code says what was wrong with the input; the edges
 * turn it into a SIP status (sipStatusFor) or an XMPP stanza error
 * (stanzaConditionFor) so that bad input is always answered, never dropped.
 */
export type MessageErrorCode =
  /** Media type we do not translate (RFC 3261 §21.4.13 415; RFC 7572 §7 leaves other types implementation-defined). */
  | 'unsupported-media'
  /** text/* with a charset other than UTF-8/US-ASCII. */
  | 'unsupported-charset'
  /** Body larger than the configured limit; refused before parsing. */
  | 'too-big'
  /** Text that cannot go into XML (XML 1.0 Char) or is not valid UTF-8. */
  | 'invalid-text'
  /** XML body that is not well-formed (or empty). */
  | 'not-well-formed'
  /** XML body with a DOCTYPE, entity, comment or PI (RFC 6120 §11.1 applied to bodies). */
  | 'restricted-xml'
  /** Too deep or too many elements. */
  | 'too-complex'
  /** Well-formed document with the wrong root, namespace or values (RFC 3994, RFC 5438). */
  | 'invalid-document'
  /** message/cpim without message headers (RFC 3862 §2). */
  | 'cpim-no-headers'
  /** message/cpim without the blank lines that separate its parts, or without a Content-Type. */
  | 'cpim-malformed'
  /** message/cpim wrapping another message/cpim. */
  | 'cpim-nested'
  /** A header value that cannot be mapped (e.g. a malformed language tag, RFC 7572 §8). */
  | 'invalid-header'
  /** Nothing to translate (no body, no chat state). */
  | 'no-content'
  /** A stanza that has no SIP MESSAGE equivalent (type error/groupchat). */
  | 'not-mappable'
  /** RFC 7572 §6: the SIP MESSAGE would exceed the RFC 3428 §6 1300-byte pager-mode limit. */
  | 'policy-violation';

export interface MessageError {
  readonly code: MessageErrorCode;
  readonly detail: string;
}

export const messageError = (code: MessageErrorCode, detail: string): MessageError => ({ code, detail });

/** Response a SIP UAS sends for a MESSAGE it refuses (RFC 3261 §21.4, RFC 3428 §7). */
export function sipStatusFor(code: MessageErrorCode): number {
  switch (code) {
    case 'unsupported-media':
    case 'unsupported-charset':
      return 415; // RFC 3261 §21.4.13 (with an Accept header listing what we take)
    case 'too-big':
      return 413; // RFC 3261 §21.4.11
    case 'not-mappable':
    case 'no-content':
      return 488; // RFC 3261 §21.4.26 Not Acceptable Here
    default:
      return 400;
  }
}

/** XMPP stanza error condition for a stanza the gateway cannot translate (RFC 6120 §8.3.3). */
export function stanzaConditionFor(code: MessageErrorCode): StanzaErrorCondition {
  switch (code) {
    case 'policy-violation':
      return 'policy-violation'; // RFC 7572 §6 SHOULD
    case 'too-big':
      return 'policy-violation';
    case 'not-mappable':
    case 'unsupported-media':
    case 'unsupported-charset':
      return 'feature-not-implemented';
    case 'no-content':
      return 'not-acceptable';
    default:
      return 'bad-request';
  }
}

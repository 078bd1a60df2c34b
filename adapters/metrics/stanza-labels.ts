/**
 * Bounded label values for stanza metrics: a peer chooses element names,
 * types and error conditions, so anything outside the RFC 6120 / RFC 6121
 * vocabularies becomes 'other' (an unbounded label set would let a peer grow
 * the gateway's memory and the operator's time series without limit).
 */
import type { XmlElement } from '../../plugin/core/xml/xml-element';

const KINDS = new Set(['message', 'presence', 'iq']);
/** RFC 6121 §5.2.2 message types, §4.7.1 presence types, RFC 6120 §8.2.3 IQ types. */
const TYPES = new Set([
  'chat', 'error', 'groupchat', 'headline', 'normal',
  'probe', 'subscribe', 'subscribed', 'unavailable', 'unsubscribe', 'unsubscribed',
  'get', 'set', 'result',
]);
/** RFC 6120 §8.3.3 defined conditions. */
const CONDITIONS = new Set([
  'bad-request', 'conflict', 'feature-not-implemented', 'forbidden', 'gone', 'internal-server-error',
  'item-not-found', 'jid-malformed', 'not-acceptable', 'not-allowed', 'not-authorized', 'policy-violation',
  'recipient-unavailable', 'redirect', 'registration-required', 'remote-server-not-found',
  'remote-server-timeout', 'resource-constraint', 'service-unavailable', 'subscription-required',
  'undefined-condition', 'unexpected-request',
]);
const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

export function stanzaKind(e: XmlElement): string {
  const name = e.name.includes(':') ? e.name.slice(e.name.indexOf(':') + 1) : e.name;
  return KINDS.has(name) ? name : 'other';
}

/** The type attribute, or what its absence means (RFC 6121 §5.2.2 normal, §4.7.1 available). */
export function stanzaType(e: XmlElement): string {
  const kind = stanzaKind(e);
  const t = e.attrs.type;
  if (kind === 'other') return 'other';
  if (t === undefined) return kind === 'presence' ? 'available' : kind === 'message' ? 'normal' : 'other';
  return TYPES.has(t) ? t : 'other';
}

/** The defined condition of an error stanza (RFC 6120 §8.3.2), or undefined when `e` is not one. */
export function errorCondition(e: XmlElement): string | undefined {
  if (e.attrs.type !== 'error') return undefined;
  const error = e.children.find((c): c is XmlElement => typeof c !== 'string' && c.name === 'error');
  const cond = error?.children.find((c): c is XmlElement => typeof c !== 'string' && (c.ns ?? c.attrs.xmlns) === NS_STANZAS && c.name !== 'text');
  return cond && CONDITIONS.has(cond.name) ? cond.name : 'other';
}

import { el, localName, type XmlElement } from '../../plugin/core/xml/xml-element';
import { STANZA_ERROR_DEFAULT_TYPE, type StanzaErrorCondition, type StanzaErrorType } from '../../plugin/core/stanza/stanza-error';
import { NS_SERVER, NS_STANZA_ERRORS } from './stream/namespaces';

/** May this stanza be answered with an error? Never an error, never an IQ result (RFC 6120 §8.3.1, §8.2.3; Prosody bounce_sendq). */
export function isBounceable(e: XmlElement): boolean {
  const type = e.attrs.type;
  if (type === 'error') return false;
  if (localName(e) === 'iq' && type === 'result') return false;
  return true;
}

/**
 * The error reply to a stanza (RFC 6120 §8.3.1): from/to swapped, same id,
 * type='error', an <error/> with the condition and its usual type
 * (§8.3.3). Undefined when the stanza must not be bounced.
 */
export function errorReply(
  e: XmlElement,
  condition: StanzaErrorCondition,
  opts: { text?: string; type?: StanzaErrorType; by?: string } = {},
): XmlElement | undefined {
  if (!isBounceable(e)) return undefined;
  const reply = el(localName(e), { from: e.attrs.to, to: e.attrs.from, id: e.attrs.id, type: 'error' },
    el('error', { type: opts.type ?? STANZA_ERROR_DEFAULT_TYPE[condition], by: opts.by },
      el(condition, { xmlns: NS_STANZA_ERRORS }),
      opts.text !== undefined && el('text', { xmlns: NS_STANZA_ERRORS, 'xml:lang': 'en' }, opts.text)));
  return { ...reply, ns: NS_SERVER };
}

import { err, ok, type Result } from '../result';
import { parseXmlDocument } from '../xml/parse-xml-document';
import { serializeXml } from '../xml/serialize-xml';
import type { XmlElement } from '../xml/xml-element';
import { messageError, type MessageError, type MessageErrorCode } from './message-error';
import { checkBodySize } from './text-plain';

/**
 * XML bodies carried in SIP (isComposing, IMDN): size check first, then the
 * shared restricted parser (no DOCTYPE/entities/PIs, RFC 6120 §11.1 rules),
 * with its error codes folded into the messaging vocabulary.
 */
export function parseXmlBody(text: string, maxBytes?: number): Result<XmlElement, MessageError> {
  const size = checkBodySize(text, maxBytes);
  if (!size.ok) return size;
  const r = parseXmlDocument(text);
  if (r.ok) return r;
  const code: MessageErrorCode =
    r.error.code === 'restricted-xml' ? 'restricted-xml'
    : r.error.code === 'stanza-too-big' ? 'too-big'
    : r.error.code === 'too-deep' || r.error.code === 'too-many-elements' ? 'too-complex'
    : 'not-well-formed';
  return err(messageError(code, r.error.detail));
}

export function serializeXmlBody(root: XmlElement): string {
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + serializeXml(root);
}

/** RFC 3339 date-time (used by RFC 3994 lastactive and RFC 5438 datetime). */
export const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Date → RFC 3339 UTC; an invalid Date is an error rather than a thrown RangeError. */
export function formatDateTime(d: Date): Result<string, MessageError> {
  return Number.isNaN(d.getTime()) ? err(messageError('invalid-document', 'invalid date')) : ok(d.toISOString());
}

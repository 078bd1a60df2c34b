import { err, ok, type Result } from '../result';
import { childElements, childText, el, localName, namespaceOf } from '../xml/xml-element';
import { messageError, type MessageError } from './message-error';
import { parseXmlBody, RFC3339, serializeXmlBody } from './xml-body';

/**
 * application/im-iscomposing+xml (RFC 3994 §7 schema): the SIP side of
 * "is typing" notifications, mapped to XEP-0085 in chat-state-mapping.ts.
 */
export const IS_COMPOSING_NS = 'urn:ietf:params:xml:ns:im-iscomposing';
export const IS_COMPOSING_TYPE = 'application/im-iscomposing+xml';

export type ComposingState = 'active' | 'idle';

export interface IsComposing {
  /** RFC 3994 §3: "active" while composing, "idle" otherwise. */
  readonly state: ComposingState;
  /** RFC 3339 time of the last activity. */
  readonly lastActive?: string;
  /** Media type being composed (default text/plain). */
  readonly contentType?: string;
  /** Seconds until the active state expires unless refreshed (RFC 3994 §3.2, §4). */
  readonly refresh?: number;
}

export function parseIsComposing(text: string, maxBytes?: number): Result<IsComposing, MessageError> {
  const doc = parseXmlBody(text, maxBytes);
  if (!doc.ok) return doc;
  const root = doc.value;
  const bad = (why: string) => err(messageError('invalid-document', `isComposing: ${why} (RFC 3994 §7)`));
  if (localName(root) !== 'isComposing' || namespaceOf(root) !== IS_COMPOSING_NS) return bad('wrong root element');
  const known = (n: string) => childElements(root).some((c) => localName(c) === n && namespaceOf(c) === IS_COMPOSING_NS);
  const state = childText(root, 'state', IS_COMPOSING_NS)?.trim();
  if (state !== 'active' && state !== 'idle') return bad(`state "${state ?? ''}"`);
  const out: { state: ComposingState; lastActive?: string; contentType?: string; refresh?: number } = { state };
  if (known('lastactive')) {
    const v = childText(root, 'lastactive', IS_COMPOSING_NS)!.trim();
    if (!RFC3339.test(v)) return bad(`lastactive "${v}"`);
    out.lastActive = v;
  }
  if (known('contenttype')) out.contentType = childText(root, 'contenttype', IS_COMPOSING_NS)!.trim();
  if (known('refresh')) {
    const v = childText(root, 'refresh', IS_COMPOSING_NS)!.trim();
    if (!/^[1-9]\d{0,8}$/.test(v)) return bad(`refresh "${v}"`);
    out.refresh = Number(v);
  }
  return ok(out);
}

export function buildIsComposing(c: IsComposing): string {
  return serializeXmlBody(
    el(
      'isComposing',
      { xmlns: IS_COMPOSING_NS },
      el('state', {}, c.state),
      c.lastActive !== undefined && el('lastactive', {}, c.lastActive),
      c.contentType !== undefined && el('contenttype', {}, c.contentType),
      c.refresh !== undefined && el('refresh', {}, String(c.refresh)),
    ),
  );
}

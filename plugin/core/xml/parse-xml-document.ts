import { Parser, type Element } from '@xmpp/xml';
import { err, ok, type Result } from '../result';
import { fromLtx } from './ltx-convert';
import { XmlGuard, type XmlGuardErrorCode, type XmlGuardLimits } from './xml-guard';
import type { XmlElement } from './xml-element';

export interface XmlDocumentError {
  readonly code: XmlGuardErrorCode | 'empty';
  readonly detail: string;
}

/** Limits for documents carried in SIP bodies (PIDF, isComposing, IMDN, XHTML). */
export const DEFAULT_DOCUMENT_LIMITS: XmlGuardLimits = {
  maxStanzaBytes: 64 * 1024,
  maxDepth: 32,
  maxElements: 2000,
};

/**
 * Parses one complete XML document with the same safety rules as the XMPP
 * stream: no DTD, entities, comments or PIs (RFC 6120 §11.1 applied to bodies
 * too, because a PIDF with a DOCTYPE is the classic XXE/billion-laughs vector),
 * and size/depth limits checked before the tree is built. Never throws.
 */
export function parseXmlDocument(
  text: string,
  limits: XmlGuardLimits = DEFAULT_DOCUMENT_LIMITS,
): Result<XmlElement, XmlDocumentError> {
  const guard = new XmlGuard(limits, 'document');
  const violation = guard.feed(text);
  if (violation) return err(violation);
  if (!guard.closed) {
    return err({ code: text.trim() === '' ? 'empty' : 'not-well-formed', detail: 'document is empty or incomplete' });
  }

  const parser = new Parser();
  let root: Element | undefined;
  let failure: string | undefined;
  parser.on('start', (e: Element) => (root = e));
  // @xmpp/xml emits each child of the root when it closes; re-attach them in order.
  parser.on('element', (e: Element) => root?.append(e));
  parser.on('error', (e: Error) => (failure ??= e.message));
  try {
    parser.write(text);
  } catch (e) {
    failure ??= e instanceof Error ? e.message : String(e);
  }
  if (failure !== undefined) return err({ code: 'not-well-formed', detail: failure });
  if (!root) return err({ code: 'empty', detail: 'no root element' });
  return ok(fromLtx(root));
}

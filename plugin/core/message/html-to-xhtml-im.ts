import { Parser } from 'htmlparser2';
import { err, ok, type Result } from '../result';
import type { XmlElement } from '../xml/xml-element';
import { messageError, type MessageError } from './message-error';
import { checkBodySize, checkXmlText } from './text-plain';
import { XhtmlImBuilder, type XhtmlBuilderLimits, DEFAULT_XHTML_LIMITS } from './xhtml-im-builder';

/**
 * text/html from SIP → XEP-0071 XHTML-IM plus a plain-text <body/>.
 * RFC 7572 §7: an S2X gateway SHOULD handle text/html and, if it does, MUST
 * convert it to XHTML-IM. HTML is not XML, so it is tokenised with htmlparser2
 * (forgiving, no DTD processing, only the fixed HTML named-entity table) and
 * filtered through the XEP-0071 recommended profile (xhtml-im-profile.ts).
 * A DOCTYPE with an internal subset is refused as `restricted-xml`: it is
 * never meaningful in a chat message and is the XXE vector in XML parsers.
 */
export interface XhtmlImContent {
  /** <body xmlns='http://www.w3.org/1999/xhtml'> to wrap in <html xmlns='http://jabber.org/protocol/xhtml-im'>. */
  readonly html: XmlElement;
  /** Plain-text equivalent for the stanza's <body/> (XEP-0071 §8). */
  readonly text: string;
}

export interface HtmlConversionOptions {
  readonly maxBytes?: number;
  readonly limits?: XhtmlBuilderLimits;
}

export function htmlToXhtmlIm(html: string, opts: HtmlConversionOptions = {}): Result<XhtmlImContent, MessageError> {
  const size = checkBodySize(html, opts.maxBytes);
  if (!size.ok) return size;
  const chars = checkXmlText(html);
  if (!chars.ok) return chars;

  const b = new XhtmlImBuilder(opts.limits ?? DEFAULT_XHTML_LIMITS);
  let restricted: string | undefined;
  const parser = new Parser(
    {
      onopentag: (name, attrs) => b.open(name, attrs),
      ontext: (t) => b.text(t),
      onclosetag: () => b.close(),
      onprocessinginstruction: (name, data) => {
        if (name.toLowerCase() === '!doctype' && data.includes('[')) restricted ??= 'DOCTYPE with an internal subset';
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, recognizeSelfClosing: true },
  );
  try {
    parser.end(html);
  } catch (e) {
    return err(messageError('not-well-formed', `HTML could not be tokenised: ${e instanceof Error ? e.message : String(e)}`));
  }
  if (restricted !== undefined) return err(messageError('restricted-xml', restricted));
  if (b.failure !== undefined) return err(messageError('too-complex', b.failure));
  return ok(b.result());
}

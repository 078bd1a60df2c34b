import { localName, namespaceOf, type XmlElement, type XmlNode } from '../xml/xml-element';
import { XhtmlImBuilder, DEFAULT_XHTML_LIMITS, type XhtmlBuilderLimits } from './xhtml-im-builder';
import { XHTML_NS } from './xhtml-im-profile';

/**
 * Re-filters an XHTML-IM <body/> received from XMPP through the XEP-0071
 * recommended profile (XEP-0071 §9: the receiver, here the gateway, MUST
 * remove what it does not support, and §10: scripts, handlers and unsafe
 * URIs never pass). Elements in another namespace are dropped with their
 * content. Returns undefined when nothing safe can be produced (a limit was
 * crossed); the plain <body/> still carries the text then.
 */
export function sanitizeXhtmlBody(body: XmlElement, limits: XhtmlBuilderLimits = DEFAULT_XHTML_LIMITS): XmlElement | undefined {
  const b = new XhtmlImBuilder(limits);
  // Iterative walk: the children of <body/> are fed as events, closing with a marker.
  const work: Array<XmlNode | typeof CLOSE> = [...body.children].reverse();
  while (work.length > 0) {
    const n = work.pop()!;
    if (n === CLOSE) b.close();
    else if (typeof n === 'string') b.text(n);
    else if (isXhtml(n)) {
      b.open(localName(n), n.attrs);
      work.push(CLOSE);
      for (let i = n.children.length - 1; i >= 0; i--) work.push(n.children[i]!);
    }
    if (b.failure !== undefined) return undefined;
  }
  return b.result().html;
}

const CLOSE = Symbol('close');

const isXhtml = (e: XmlElement) => {
  const ns = namespaceOf(e);
  return ns === undefined || ns === XHTML_NS;
};

import { escapeXML, escapeXMLText } from '@xmpp/xml';
import type { XmlElement, XmlNode } from './xml-element';

/**
 * The one place where plain XML data becomes text. Every attribute value and
 * text node is escaped here (RFC 6120 §11.1 forbids unescaped characters that
 * map to predefined entities), so nothing built by the core can inject markup.
 */
export function serializeXml(node: XmlNode): string {
  if (typeof node === 'string') return escapeXMLText(node);
  return serializeElement(node);
}

function serializeElement(e: XmlElement): string {
  let s = '<' + e.name;
  for (const [k, v] of Object.entries(e.attrs)) s += ' ' + k + '="' + escapeXML(v) + '"';
  if (e.children.length === 0) return s + '/>';
  s += '>';
  for (const c of e.children) s += serializeXml(c);
  return s + '</' + e.name + '>';
}

import type { Element } from '@xmpp/xml';
import type { XmlElement, XmlNode } from './xml-element';

/**
 * Converts an ltx element (what @xmpp/xml's parser produces) into plain data,
 * resolving each element's namespace from its ancestors' xmlns declarations.
 */
export function fromLtx(e: Element): XmlElement {
  const children: XmlNode[] = [];
  for (const c of e.children) children.push(typeof c === 'string' ? c : fromLtx(c as Element));
  const ns = e.getNS();
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.attrs as Record<string, unknown>)) {
    if (v !== undefined && v !== null) attrs[k] = String(v);
  }
  return ns ? { name: e.name, attrs, children, ns } : { name: e.name, attrs, children };
}

/**
 * Plain, immutable XML data. The core maps SIP and XMPP through this shape and
 * never through ltx elements, so mapping code can be tested with literals and
 * cannot accidentally serialise unescaped text (escaping happens in one place:
 * serialize-xml.ts).
 */
export interface XmlElement {
  /** Qualified name as written, e.g. "message" or "stream:features". */
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: ReadonlyArray<XmlNode>;
  /** Resolved namespace URI, filled in by the parsers; builders may omit it. */
  readonly ns?: string;
}
export type XmlNode = XmlElement | string;

export function el(
  name: string,
  attrs: Record<string, string | undefined> = {},
  ...children: Array<XmlNode | undefined | null | false>
): XmlElement {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) clean[k] = v;
  const kids: XmlNode[] = [];
  for (const c of children) if (c !== undefined && c !== null && c !== false) kids.push(c);
  return { name, attrs: clean, children: kids };
}

export const isElement = (n: XmlNode | undefined): n is XmlElement => typeof n === 'object' && n !== null;

/** The local part of a qualified name ("stream:features" -> "features"). */
export function localName(e: XmlElement): string {
  const i = e.name.indexOf(':');
  return i < 0 ? e.name : e.name.slice(i + 1);
}

/** Namespace of an element: the parser's resolved value, else its xmlns attribute. */
export function namespaceOf(e: XmlElement): string | undefined {
  return e.ns ?? e.attrs.xmlns;
}

export function childElements(e: XmlElement): XmlElement[] {
  return e.children.filter(isElement);
}

/** First child with the given local name (and namespace, when given). */
export function findChild(e: XmlElement, local: string, ns?: string): XmlElement | undefined {
  return childElements(e).find((c) => localName(c) === local && (ns === undefined || namespaceOf(c) === ns));
}

export function findChildren(e: XmlElement, local: string, ns?: string): XmlElement[] {
  return childElements(e).filter((c) => localName(c) === local && (ns === undefined || namespaceOf(c) === ns));
}

/** Concatenated text of the direct text children. */
export function textOf(e: XmlElement | undefined): string | undefined {
  if (!e) return undefined;
  return e.children.filter((c): c is string => typeof c === 'string').join('');
}

export function childText(e: XmlElement, local: string, ns?: string): string | undefined {
  return textOf(findChild(e, local, ns));
}

import { el, type XmlElement, type XmlNode } from '../xml/xml-element';
import {
  BLOCK_ELEMENTS, DROPPED_WITH_CONTENT, PROFILE_ELEMENTS, RENAMED_ELEMENTS, XHTML_NS, filterHref, filterStyle,
} from './xhtml-im-profile';

/**
 * Builds a sanitised XEP-0071 <body xmlns='http://www.w3.org/1999/xhtml'/>
 * and its plain-text equivalent (XEP-0071 §8: the XHTML body is always
 * accompanied by a plain <body/>) from open/text/close events. Both the HTML
 * parser (text/html from SIP) and the XHTML-IM walker (from XMPP) drive it,
 * so there is one profile filter. The stack is explicit, so hostile nesting
 * cannot overflow the call stack; limits make the builder fail instead.
 */
export interface XhtmlBuilderLimits {
  readonly maxDepth: number;
  readonly maxElements: number;
}
export const DEFAULT_XHTML_LIMITS: XhtmlBuilderLimits = { maxDepth: 32, maxElements: 2000 };

type Frame =
  | { readonly kind: 'keep'; readonly name: string; readonly attrs: Record<string, string>; readonly kids: XmlNode[]; readonly href?: string; textStart: number }
  | { readonly kind: 'unwrap'; readonly name: string }
  | { readonly kind: 'drop'; readonly name: string };

// Characters that are not XML 1.0 Chars (e.g. produced by a numeric character reference) are removed.
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export class XhtmlImBuilder {
  private readonly root: XmlNode[] = [];
  private readonly stack: Frame[] = [];
  private elements = 0;
  private dropping = 0;
  private plain = '';
  /** Set when a limit was crossed; the result must then be discarded. */
  failure: string | undefined;

  constructor(private readonly limits: XhtmlBuilderLimits = DEFAULT_XHTML_LIMITS) {}

  open(rawName: string, attrs: Readonly<Record<string, string>>): void {
    const name = rawName.toLowerCase();
    if (++this.elements > this.limits.maxElements) this.failure ??= `more than ${this.limits.maxElements} elements`;
    if (this.stack.length >= this.limits.maxDepth) this.failure ??= `nested deeper than ${this.limits.maxDepth}`;
    if (this.dropping > 0 || DROPPED_WITH_CONTENT.has(name)) {
      this.dropping++;
      this.stack.push({ kind: 'drop', name });
      return;
    }
    const target = RENAMED_ELEMENTS[name] ?? name;
    if (BLOCK_ELEMENTS.has(target) || name === 'div' || /^h[1-6]$/.test(name)) this.newline();
    if (target === 'li') this.plain += '- ';
    if (target === 'br') {
      this.plain += '\n';
    }
    const kept: Record<string, string> = {};
    const style = attrs.style === undefined ? undefined : filterStyle(attrs.style);
    if (style !== undefined) kept.style = style;
    let href: string | undefined;
    if (target === 'a') {
      href = attrs.href === undefined ? undefined : filterHref(attrs.href);
      if (href === undefined) {
        // A link without a safe target is just text.
        this.stack.push({ kind: 'unwrap', name });
        return;
      }
      kept.href = href;
    }
    if (!PROFILE_ELEMENTS.has(target)) {
      this.stack.push({ kind: 'unwrap', name });
      return;
    }
    this.stack.push({ kind: 'keep', name: target, attrs: kept, kids: [], textStart: this.plain.length, ...(href ? { href } : {}) });
  }

  text(raw: string): void {
    if (this.dropping > 0 || raw === '') return;
    const t = raw.replace(NOT_XML_CHAR, '');
    if (t === '') return;
    this.container().push(t);
    // HTML collapses white space; the fallback body does the same.
    let flat = t.replace(/\s+/g, ' ');
    if (this.plain === '' || this.plain.endsWith('\n') || this.plain.endsWith(' ')) flat = flat.replace(/^ /, '');
    this.plain += flat;
  }

  /** Closes the innermost open element (HTML parsers report implied closes too). */
  close(): void {
    const f = this.stack.pop();
    if (!f) return;
    if (f.kind === 'drop') {
      this.dropping--;
      return;
    }
    if (f.kind !== 'keep') return;
    this.container().push(el(f.name, f.attrs, ...f.kids));
    if (f.href !== undefined) {
      const label = this.plain.slice(f.textStart).trim();
      if (label !== f.href && label !== f.href.replace(/^mailto:/i, '')) this.plain += ` <${f.href}>`;
    }
    if (BLOCK_ELEMENTS.has(f.name) && f.name !== 'li') this.newline();
  }

  result(): { html: XmlElement; text: string } {
    while (this.stack.length > 0) this.close();
    const text = this.plain
      .split('\n')
      .map((l) => l.replace(/ +$/, ''))
      .join('\n')
      .replace(/^\n+|\n+$/g, '');
    return { html: el('body', { xmlns: XHTML_NS }, ...this.root), text };
  }

  private container(): XmlNode[] {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const f = this.stack[i]!;
      if (f.kind === 'keep') return f.kids;
    }
    return this.root;
  }

  private newline(): void {
    if (this.plain !== '' && !this.plain.endsWith('\n')) this.plain += '\n';
  }
}

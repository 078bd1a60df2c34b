import { localName, namespaceOf, textOf, type XmlElement } from '../xml/xml-element';
import type { PidfNote, PidfWarning } from './pidf-model';

/** What the PIDF readers (pidf.ts, rpid-parse.ts) report besides the document. */
export interface ParseCtx {
  readonly warnings: PidfWarning[];
  readonly ignored: Set<string>;
}

/** Records an element that is not interpreted, as a Clark name "{ns}local". */
export function ignore(e: XmlElement, ctx: ParseCtx): void {
  ctx.ignored.add(`{${namespaceOf(e) ?? ''}}${localName(e)}`);
}

/** xml:lang of e, else the inherited one (XML 1.0 §2.12). */
export function langOf(e: XmlElement, inherited: string | undefined): string | undefined {
  return e.attrs['xml:lang'] ?? inherited;
}

/** A <note> (PIDF, data model or RPID Note_t) with its effective xml:lang. */
export function readNote(e: XmlElement, inheritedLang: string | undefined): PidfNote {
  const lang = langOf(e, inheritedLang);
  const text = textOf(e) ?? '';
  return lang !== undefined && lang !== '' ? { lang, text } : { text };
}

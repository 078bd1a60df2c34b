import { err, ok, type Result } from '../result';
import type { PresenceShow } from '../stanza/stanza';
import { DEFAULT_DOCUMENT_LIMITS, parseXmlDocument } from '../xml/parse-xml-document';
import type { XmlGuardLimits } from '../xml/xml-guard';
import { childElements, localName, namespaceOf, textOf, type XmlElement } from '../xml/xml-element';
import {
  JABBER_CLIENT_NS,
  PIDF_DATA_MODEL_NS,
  PIDF_NS,
  PRESENCE_SHOWS,
  type PidfBasic,
  type PidfDocument,
  type PidfError,
  type PidfNote,
  type PidfTuple,
  type PidfWarning,
} from './pidf-model';

export * from './pidf-model';
export { buildPidf, formatQvalue } from './pidf-build';

/**
 * parsePidf: RFC 3863 text → PidfDocument (model and leniency rules in
 * pidf-model.ts). The restricted parser runs first, so a DOCTYPE, entity,
 * comment or PI, and anything over the size/depth limits, is refused before
 * any PIDF is read.
 */

/** qvalue (RFC 3261 §25.1), the type of <contact priority> (RFC 3863 §4.1.5). */
const QVALUE = /^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$/;

export function parsePidf(text: string, limits: XmlGuardLimits = DEFAULT_DOCUMENT_LIMITS): Result<PidfDocument, PidfError> {
  const parsed = parseXmlDocument(text, limits);
  if (!parsed.ok) return parsed;
  const root = parsed.value;
  if (localName(root) !== 'presence' || namespaceOf(root) !== PIDF_NS) {
    return err({ code: 'not-pidf', detail: `root is {${namespaceOf(root) ?? ''}}${localName(root)}, not {${PIDF_NS}}presence` });
  }
  const ctx: Ctx = { warnings: [], ignored: new Set() };
  const entity = root.attrs.entity ?? '';
  if (entity === '') ctx.warnings.push({ code: 'missing-entity', detail: '<presence> has no entity (RFC 3863 §4.1.1)' });
  const rootLang = root.attrs['xml:lang'];
  const tuples: PidfTuple[] = [];
  const notes: PidfNote[] = [];
  const personNotes: PidfNote[] = [];
  const deviceNotes: PidfNote[] = [];
  const seen = new Set<string>();
  for (const c of childElements(root)) {
    const ns = namespaceOf(c);
    const local = localName(c);
    if (ns === PIDF_NS && local === 'tuple') {
      const t = parseTuple(c, rootLang, ctx);
      if (seen.has(t.id)) ctx.warnings.push({ code: 'duplicate-tuple-id', detail: `tuple id "${t.id}" repeated` });
      seen.add(t.id);
      tuples.push(t);
    } else if (ns === PIDF_NS && local === 'note') notes.push(note(c, rootLang));
    else if (ns === PIDF_DATA_MODEL_NS && (local === 'person' || local === 'device')) {
      const into = local === 'person' ? personNotes : deviceNotes;
      const lang = c.attrs['xml:lang'] ?? rootLang;
      for (const n of childElements(c)) {
        if (localName(n) === 'note' && namespaceOf(n) === PIDF_DATA_MODEL_NS) into.push(note(n, lang));
        else ignore(n, ctx);
      }
    } else ignore(c, ctx);
  }
  return ok({
    entity,
    tuples,
    notes,
    ...(personNotes.length ? { personNotes } : {}),
    ...(deviceNotes.length ? { deviceNotes } : {}),
    ...(ctx.ignored.size ? { ignored: [...ctx.ignored] } : {}),
    ...(ctx.warnings.length ? { warnings: ctx.warnings } : {}),
  });
}

interface Ctx {
  readonly warnings: PidfWarning[];
  readonly ignored: Set<string>;
}

function parseTuple(t: XmlElement, inheritedLang: string | undefined, ctx: Ctx): PidfTuple {
  const id = t.attrs.id ?? '';
  if (id === '') ctx.warnings.push({ code: 'missing-tuple-id', detail: '<tuple> without id (RFC 3863 §4.1.2)' });
  const lang = t.attrs['xml:lang'] ?? inheritedLang;
  let basic: PidfBasic | undefined;
  let show: PresenceShow | undefined;
  let contact: string | undefined;
  let priority: number | undefined;
  let timestamp: string | undefined;
  const notes: PidfNote[] = [];
  for (const c of childElements(t)) {
    const ns = namespaceOf(c);
    const local = localName(c);
    if (ns !== PIDF_NS) ignore(c, ctx);
    else if (local === 'status') {
      for (const s of childElements(c)) {
        if (namespaceOf(s) === PIDF_NS && localName(s) === 'basic') {
          const v = (textOf(s) ?? '').trim();
          if (v === 'open' || v === 'closed') basic = v;
          else ctx.warnings.push({ code: 'unknown-basic', detail: `tuple "${id}": basic "${v.slice(0, 40)}" ignored` });
        } else if (namespaceOf(s) === JABBER_CLIENT_NS && localName(s) === 'show') {
          const v = (textOf(s) ?? '').trim();
          if ((PRESENCE_SHOWS as readonly string[]).includes(v)) show = v as PresenceShow;
          else ctx.warnings.push({ code: 'unknown-show', detail: `tuple "${id}": show "${v.slice(0, 40)}" ignored` });
        } else ignore(s, ctx);
      }
    } else if (local === 'contact') {
      contact = (textOf(c) ?? '').trim();
      const p = c.attrs.priority;
      if (p !== undefined) {
        const v = p.trim();
        if (QVALUE.test(v)) priority = Number(v);
        else ctx.warnings.push({ code: 'invalid-priority', detail: `tuple "${id}": priority "${v.slice(0, 40)}" is not a qvalue` });
      }
    } else if (local === 'note') notes.push(note(c, lang));
    else if (local === 'timestamp') timestamp = (textOf(c) ?? '').trim();
    else ignore(c, ctx);
  }
  return {
    id,
    ...(basic ? { basic } : {}),
    ...(show ? { show } : {}),
    ...(contact !== undefined ? { contact } : {}),
    ...(priority !== undefined ? { priority } : {}),
    notes,
    ...(timestamp !== undefined ? { timestamp } : {}),
  };
}

function note(e: XmlElement, inheritedLang: string | undefined): PidfNote {
  const lang = e.attrs['xml:lang'] ?? inheritedLang;
  const text = textOf(e) ?? '';
  return lang !== undefined && lang !== '' ? { lang, text } : { text };
}

function ignore(e: XmlElement, ctx: Ctx): void {
  ctx.ignored.add(`{${namespaceOf(e) ?? ''}}${localName(e)}`);
}

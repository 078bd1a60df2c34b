import { err, ok, type Result } from '../result';
import type { PresenceShow } from '../stanza/stanza';
import { DEFAULT_DOCUMENT_LIMITS, parseXmlDocument } from '../xml/parse-xml-document';
import type { XmlGuardLimits } from '../xml/xml-guard';
import { childElements, localName, namespaceOf, textOf, type XmlElement } from '../xml/xml-element';
import { ignore, langOf, readNote as note, type ParseCtx } from './pidf-parse-context';
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
} from './pidf-model';
import { hasRpid, newRpidDraft, readRpid, rpidFields, type RpidDraft } from './rpid-parse';

export * from './pidf-model';
export { buildPidf, formatQvalue } from './pidf-build';
export * from './rpid';

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
  const ctx: ParseCtx = { warnings: [], ignored: new Set() };
  const entity = root.attrs.entity ?? '';
  if (entity === '') ctx.warnings.push({ code: 'missing-entity', detail: '<presence> has no entity (RFC 3863 §4.1.1)' });
  const rootLang = root.attrs['xml:lang'];
  const tuples: PidfTuple[] = [];
  const notes: PidfNote[] = [];
  const personNotes: PidfNote[] = [];
  const deviceNotes: PidfNote[] = [];
  // Every <dm:person> (RFC 4479 allows several, e.g. one per <rpid:class>) and
  // RPID written directly under <presence> describe the one presentity: merged.
  const person = newRpidDraft();
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
    else if (ns === PIDF_DATA_MODEL_NS && local === 'person') {
      const lang = langOf(c, rootLang);
      for (const n of childElements(c)) {
        if (localName(n) === 'note' && namespaceOf(n) === PIDF_DATA_MODEL_NS) personNotes.push(note(n, lang));
        else if (!readRpid(n, person, lang, ctx, 'person')) ignore(n, ctx);
      }
    } else if (ns === PIDF_DATA_MODEL_NS && local === 'device') {
      const lang = langOf(c, rootLang);
      for (const n of childElements(c)) {
        if (localName(n) === 'note' && namespaceOf(n) === PIDF_DATA_MODEL_NS) deviceNotes.push(note(n, lang));
        else ignore(n, ctx);
      }
    } else if (!readRpid(c, person, rootLang, ctx, 'presence')) ignore(c, ctx);
  }
  personNotes.push(...person.notes);
  const personRpid = rpidFields(person);
  return ok({
    entity,
    tuples,
    notes,
    ...(personNotes.length ? { personNotes } : {}),
    ...(hasRpid(personRpid) ? { person: personRpid } : {}),
    ...(deviceNotes.length ? { deviceNotes } : {}),
    ...(ctx.ignored.size ? { ignored: [...ctx.ignored] } : {}),
    ...(ctx.warnings.length ? { warnings: ctx.warnings } : {}),
  });
}

function parseTuple(t: XmlElement, inheritedLang: string | undefined, ctx: ParseCtx): PidfTuple {
  const id = t.attrs.id ?? '';
  if (id === '') ctx.warnings.push({ code: 'missing-tuple-id', detail: '<tuple> without id (RFC 3863 §4.1.2)' });
  const lang = langOf(t, inheritedLang);
  const where = `tuple "${id.slice(0, 40)}"`;
  let basic: PidfBasic | undefined;
  let show: PresenceShow | undefined;
  let contact: string | undefined;
  let priority: number | undefined;
  let timestamp: string | undefined;
  const notes: PidfNote[] = [];
  // RFC 4479 puts service status extensions (RPID activities, user-input)
  // inside <status>; some UAs write them as direct children of <tuple>.
  const rpid: RpidDraft = newRpidDraft();
  for (const c of childElements(t)) {
    const ns = namespaceOf(c);
    const local = localName(c);
    if (ns !== PIDF_NS) {
      if (!readRpid(c, rpid, lang, ctx, where)) ignore(c, ctx);
    } else if (local === 'status') {
      for (const s of childElements(c)) {
        if (namespaceOf(s) === PIDF_NS && localName(s) === 'basic') {
          const v = (textOf(s) ?? '').trim();
          if (v === 'open' || v === 'closed') basic = v;
          else ctx.warnings.push({ code: 'unknown-basic', detail: `${where}: basic "${v.slice(0, 40)}" ignored` });
        } else if (namespaceOf(s) === JABBER_CLIENT_NS && localName(s) === 'show') {
          const v = (textOf(s) ?? '').trim();
          if ((PRESENCE_SHOWS as readonly string[]).includes(v)) show = v as PresenceShow;
          else ctx.warnings.push({ code: 'unknown-show', detail: `${where}: show "${v.slice(0, 40)}" ignored` });
        } else if (!readRpid(s, rpid, lang, ctx, where)) ignore(s, ctx);
      }
    } else if (local === 'contact') {
      contact = (textOf(c) ?? '').trim();
      const p = c.attrs.priority;
      if (p !== undefined) {
        const v = p.trim();
        if (QVALUE.test(v)) priority = Number(v);
        else ctx.warnings.push({ code: 'invalid-priority', detail: `${where}: priority "${v.slice(0, 40)}" is not a qvalue` });
      }
    } else if (local === 'note') notes.push(note(c, lang));
    else if (local === 'timestamp') timestamp = (textOf(c) ?? '').trim();
    else ignore(c, ctx);
  }
  notes.push(...rpid.notes);
  return {
    id,
    ...(basic ? { basic } : {}),
    ...(show ? { show } : {}),
    ...(contact !== undefined ? { contact } : {}),
    ...(priority !== undefined ? { priority } : {}),
    notes,
    ...(timestamp !== undefined ? { timestamp } : {}),
    ...rpidFields(rpid),
  };
}

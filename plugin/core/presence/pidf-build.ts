import { serializeXml } from '../xml/serialize-xml';
import { el, type XmlElement } from '../xml/xml-element';
import { JABBER_CLIENT_NS, PIDF_DATA_MODEL_NS, PIDF_NS, type PidfDocument, type PidfNote, type RpidFields } from './pidf-model';
import { RPID_NS } from './rpid';
import { isXsId, tupleIdForResource } from './tuple-id';

/**
 * Serialises a PIDF document (with the XML declaration) through serializeXml,
 * the one escaping path. Element order follows the RFC 3863 §4.1 schema:
 * tuple(status(basic, show, rpid:activities), contact, note*, timestamp), then
 * presence notes, then the RFC 4479 person (extensions such as
 * rpid:activities before dm:note, as its schema orders them). Namespace
 * prefixes are declared on the element that first uses them, with the names
 * UAs conventionally use (dm, rpid). RPID <user-input> and <class> are read by
 * the parser but not written. A tuple id that is not a valid xs:ID is made into
 * one with tupleIdForResource (RFC 8048 §6.2: ids must not start with a digit).
 * Priorities outside 0..1 are not written (they would make the body invalid).
 */
export function buildPidf(doc: PidfDocument): string {
  const noteEl = (n: PidfNote, name = 'note') => el(name, { 'xml:lang': n.lang }, n.text);
  const tuples = doc.tuples.map((t) => {
    const priority = t.priority !== undefined && t.priority >= 0 && t.priority <= 1 ? formatQvalue(t.priority) : undefined;
    return el(
      'tuple',
      { id: isXsId(t.id) ? t.id : tupleIdForResource(t.id) },
      el(
        'status',
        {},
        t.basic && el('basic', {}, t.basic),
        t.show && el('show', { xmlns: JABBER_CLIENT_NS }, t.show),
        activitiesEl(t, { 'xmlns:rpid': RPID_NS }),
      ),
      (t.contact !== undefined || priority !== undefined) && el('contact', { priority }, t.contact ?? doc.entity),
      ...t.notes.map((n) => noteEl(n)),
      t.timestamp !== undefined && el('timestamp', {}, t.timestamp),
    );
  });
  const personActivities = activitiesEl(doc.person, {});
  const person =
    doc.personNotes?.length || personActivities
      ? el(
          'dm:person',
          { 'xmlns:dm': PIDF_DATA_MODEL_NS, 'xmlns:rpid': personActivities ? RPID_NS : undefined, id: 'ID-person' },
          personActivities,
          ...(doc.personNotes ?? []).map((n) => noteEl(n, 'dm:note')),
        )
      : undefined;
  const root = el('presence', { xmlns: PIDF_NS, entity: doc.entity }, ...tuples, ...doc.notes.map((n) => noteEl(n)), person);
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + serializeXml(root);
}

/** <rpid:activities> (RFC 4480 §3.2): the activities, then the <other> texts; undefined when there are none. */
function activitiesEl(f: RpidFields | undefined, attrs: Record<string, string>): XmlElement | undefined {
  const activities = f?.activities ?? [];
  const others = f?.otherActivities ?? [];
  if (!activities.length && !others.length) return undefined;
  return el(
    'rpid:activities',
    attrs,
    ...activities.map((a) => el(`rpid:${a}`)),
    ...others.map((n) => el('rpid:other', { 'xml:lang': n.lang }, n.text)),
  );
}

/** A qvalue with at most three decimals (RFC 3261 §25.1), without trailing zeros. */
export function formatQvalue(q: number): string {
  return String(Math.round(q * 1000) / 1000);
}

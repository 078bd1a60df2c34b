import { ok, type Result } from '../result';
import type { PresenceShow, PresenceStanza } from '../stanza/stanza';
import type { XmlGuardLimits } from '../xml/xml-guard';
import { parsePidf, type PidfDocument, type PidfError, type PidfNote, type PidfTuple } from './pidf';
import { pidfPriorityToXmpp } from './presence-priority';
import { rpidToXmpp } from './rpid-mapping';
import { resourceForTupleId } from './tuple-id';

/**
 * RFC 8048 §6.3, SIP → XMPP presence notification (Table 2):
 *
 *   PIDF / SIP                        XMPP
 *   <basic>open</basic>               <presence/> without type
 *   <basic>closed</basic>             type='unavailable'
 *   basic absent or unknown           type='unavailable' (no evidence of availability)
 *   <note/>                           <status/> (one, picked by language, below)
 *   <show xmlns='jabber:client'>      <show/> (only on available presence, RFC 6121 §4.7.2.1)
 *   RPID <activities>, <user-input>   <show/> when there is no embedded <show> (rpid-mapping.ts)
 *   <contact priority> 0..1           <priority/> 0..127 (presence-priority.ts)
 *   Content-Language                  xml:lang (a chosen note's own xml:lang wins, it labels the status)
 *   From / To                         from / to: set by the caller
 *
 * Precedence for <show/>: basic closed (or absent/unknown) is unavailable
 * whatever the activities say; then the embedded jabber:client <show> (RFC 8048
 * §6.2: the sender said exactly what XMPP means); then the tuple's RPID
 * activities; then the person's; then <user-input>idle</user-input> → away.
 *
 * Several tuples: RFC 8048 §6.2 asks SIP UAs to show the "most available"
 * resource and leaves the reverse direction to the implementation. The default,
 * pidfToPresence, sends ONE presence built from the most available tuple,
 * because SIP tuple ids are often regenerated per NOTIFY and would leave stale
 * XMPP resources behind. Ordering (see compareAvailability):
 *   1. open before closed/unknown;
 *   2. show (embedded, else from RPID): chat > (none) > away > xa > dnd;
 *   3. higher priority (absent counts as 0);
 *   4. document order.
 * pidfToPresencePerTuple is there for callers that do want one XMPP resource
 * per tuple (resource = tuple id, "ID-" ids unescaped by tuple-id.ts).
 *
 * Status: the first of these that has a non-empty note —
 *   1. the tuple's <note>s (and <rpid:note>s): about this very service;
 *   2. the RFC 4479 person's <dm:note>s (and <rpid:note>s): Linphone and Bria
 *      write the user's text there, not in the tuple;
 *   3. the document's <note>s; 4. the device's;
 *   5. the RPID <other> activity text (the user's own words);
 *   6. only when there is no note at all, the presence is available and its
 *      <show/> was derived from the activities (not embedded): an English
 *      phrase for the deciding activity ("On the phone", "In a meeting"),
 *      xml:lang 'en'. It carries what the coarse <show/> loses (meeting vs
 *      phone vs driving are all dnd). With an embedded <show> the activities
 *      are the sender's own derivation of it (RFC 8048 gateways, this one
 *      included) and add nothing; on unavailable presence there is no <show/>
 *      to explain, and "Busy" next to offline (e.g. "appear offline") would
 *      only confuse.
 * Language: the note matching preferredLanguage (exact, then primary subtag),
 * else the one matching Content-Language, else one without xml:lang, else the
 * first; the stanza's xml:lang is the chosen note's, else Content-Language.
 */
export interface PidfToPresenceOptions {
  /** The NOTIFY's Content-Language header. */
  readonly contentLanguage?: string;
  /** The language the XMPP recipient prefers, if known. */
  readonly preferredLanguage?: string;
}

export interface TuplePresence {
  readonly resource?: string;
  readonly presence: PresenceStanza;
}

const SHOW_RANK: Readonly<Record<PresenceShow | 'none', number>> = { chat: 0, none: 1, away: 2, xa: 3, dnd: 4 };

/** Lower is more available. */
export function showRank(show: PresenceShow | undefined): number {
  return SHOW_RANK[show ?? 'none'];
}

const NO_DOCUMENT: PidfDocument = { entity: '', tuples: [], notes: [] };

/** The <show/> a tuple stands for: the embedded one, else what its (or the person's) RPID says. */
export function effectiveShow(t: PidfTuple, doc: PidfDocument = NO_DOCUMENT): PresenceShow | undefined {
  return t.show ?? rpidToXmpp(t, doc.person).show;
}

export function compareAvailability(a: PidfTuple, b: PidfTuple, doc: PidfDocument = NO_DOCUMENT): number {
  const open = (t: PidfTuple) => (t.basic === 'open' ? 0 : 1);
  return (
    open(a) - open(b) ||
    showRank(effectiveShow(a, doc)) - showRank(effectiveShow(b, doc)) ||
    (b.priority ?? 0) - (a.priority ?? 0)
  );
}

export function pidfToPresence(doc: PidfDocument, opts: PidfToPresenceOptions = {}): PresenceStanza {
  let best: PidfTuple | undefined;
  // Strictly-better replaces, so ties keep document order (deterministic).
  for (const t of doc.tuples) if (best === undefined || compareAvailability(t, best, doc) < 0) best = t;
  if (best === undefined) return withStatus({ kind: 'presence', type: 'unavailable' }, statusCandidates(undefined, doc), opts);
  return tupleToPresence(best, doc, opts);
}

export function pidfToPresencePerTuple(doc: PidfDocument, opts: PidfToPresenceOptions = {}): TuplePresence[] {
  return doc.tuples.map((t) => {
    const resource = resourceForTupleId(t.id);
    const presence = tupleToPresence(t, doc, opts);
    return resource !== undefined ? { resource, presence } : { presence };
  });
}

/**
 * A NOTIFY body → presence. RFC 8048 §5.2.1: an empty body means the state is
 * unknown or "closed", which XMPP can only say as type='unavailable'.
 */
export function presenceFromNotifyBody(
  body: string | undefined,
  opts: PidfToPresenceOptions & { readonly limits?: XmlGuardLimits } = {},
): Result<PresenceStanza, PidfError> {
  if (body === undefined || body.trim() === '') {
    return ok(opts.contentLanguage ? { kind: 'presence', type: 'unavailable', lang: opts.contentLanguage } : { kind: 'presence', type: 'unavailable' });
  }
  const doc = parsePidf(body, opts.limits);
  return doc.ok ? ok(pidfToPresence(doc.value, opts)) : doc;
}

function tupleToPresence(t: PidfTuple, doc: PidfDocument, opts: PidfToPresenceOptions): PresenceStanza {
  const open = t.basic === 'open';
  const priority = pidfPriorityToXmpp(t.priority);
  const show = effectiveShow(t, doc);
  const base: PresenceStanza = {
    kind: 'presence',
    ...(open ? {} : { type: 'unavailable' as const }),
    ...(open && show ? { show } : {}),
    ...(priority !== undefined ? { priority } : {}),
  };
  return withStatus(base, statusCandidates(t, doc, open), opts);
}

/** The note lists in the order of the status rule above; the first with text wins. */
function statusCandidates(t: PidfTuple | undefined, doc: PidfDocument, available = false): ReadonlyArray<ReadonlyArray<PidfNote>> {
  const rpid = rpidToXmpp(t, doc.person);
  return [
    t?.notes ?? [],
    doc.personNotes ?? [],
    doc.notes,
    doc.deviceNotes ?? [],
    rpid.other ?? [],
    available && t?.show === undefined && rpid.phrase ? [rpid.phrase] : [],
  ];
}

function withStatus(p: PresenceStanza, candidates: ReadonlyArray<ReadonlyArray<PidfNote>>, opts: PidfToPresenceOptions): PresenceStanza {
  let note: PidfNote | undefined;
  for (const notes of candidates) {
    note = pickNote(notes.filter((n) => n.text.trim() !== ''), opts);
    if (note) break;
  }
  const lang = note?.lang ?? opts.contentLanguage;
  return { ...p, ...(note ? { status: note.text } : {}), ...(lang ? { lang } : {}) };
}

function pickNote(notes: ReadonlyArray<PidfNote>, opts: PidfToPresenceOptions): PidfNote | undefined {
  const primary = (tag: string) => tag.toLowerCase().split('-')[0];
  for (const want of [opts.preferredLanguage, opts.contentLanguage]) {
    if (!want) continue;
    const exact = notes.find((n) => n.lang?.toLowerCase() === want.toLowerCase());
    if (exact) return exact;
    const sub = notes.find((n) => n.lang !== undefined && primary(n.lang) === primary(want));
    if (sub) return sub;
  }
  return notes.find((n) => n.lang === undefined) ?? notes[0];
}

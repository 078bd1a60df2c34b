import { err, ok, type Result } from '../result';
import type { PresenceStanza, PresenceType } from '../stanza/stanza';
import { buildPidf, PIDF_MEDIA_TYPE, type PidfDocument, type PidfTuple } from './pidf';
import { compareAvailability } from './pidf-to-presence';
import { xmppPriorityToPidf } from './presence-priority';
import { showToActivities } from './rpid-mapping';
import { tupleIdForResource } from './tuple-id';

export { pidfToPresence, pidfToPresencePerTuple, presenceFromNotifyBody, showRank } from './pidf-to-presence';
export type { PidfToPresenceOptions, TuplePresence } from './pidf-to-presence';

/**
 * RFC 8048 §6.2, XMPP → SIP presence notification (Table 1, MUST):
 *
 *   XMPP                         SIP / PIDF
 *   <presence/> (no type)        <basic>open</basic>
 *   type='unavailable'           <basic>closed</basic>
 *   other types                  not a notification (§6.2: only these two map)
 *   resource                     tuple id "ID-<resource>" (tuple-id.ts)
 *   xml:lang                     Content-Language (returned next to the body)
 *   <priority/> 0..127           <contact priority> 0..1 (presence-priority.ts); negative: not mapped
 *   <status/>                    <note xml:lang>
 *   <show/>                      <show xmlns='jabber:client'> inside <status> (RECOMMENDED)
 *   from / to / id               From / To / (nothing): set by the SIP edge, not here
 *
 * and "each XMPP resource yields a separate tuple" (aggregateResources).
 *
 * In addition, for SIP UAs that read only RPID (RFC 4480 §3.2) and would show
 * an embedded jabber:client <show> as plainly "available": the most available
 * open resource's <show/> also goes into <dm:person><rpid:activities>
 * (dnd → busy, away/xa → away; chat or none → no activity, see
 * rpid-mapping.ts). The person is the presentity as a whole (RFC 4479), so one
 * activity for all tuples, the same resource RFC 8048 §6.2 asks SIP UAs to
 * display. Table 1 above is unchanged.
 */
export interface PidfNotification {
  readonly document: PidfDocument;
  /** The NOTIFY body. */
  readonly body: string;
  readonly contentType: typeof PIDF_MEDIA_TYPE;
  /** From the stanza's xml:lang (RFC 8048 §6.2 Table 1). */
  readonly contentLanguage?: string;
}

export interface PresenceMappingError {
  readonly code: 'not-a-notification';
  readonly type: PresenceType;
  readonly detail: string;
}

export interface PresenceToPidfOptions {
  /** Resource to use instead of the one in p.from (e.g. the cache key). */
  readonly resource?: string;
  /**
   * <contact> URI per resource, e.g. the RFC 7247 §6.3 GRUU
   * "sip:juliet@example.com;gr=orchard". Without it, the entity is written
   * when a priority has to be carried (priority is a <contact> attribute).
   */
  readonly contactFor?: (resource: string | undefined) => string | undefined;
  /** RFC 3339 <timestamp>, supplied by the caller (the core has no clock). */
  readonly timestamp?: string;
}

/** The resourcepart of a JID string (after the first '/', RFC 7622 §3.1). */
export function resourceOfJid(jid: string | undefined): string | undefined {
  if (jid === undefined) return undefined;
  const i = jid.indexOf('/');
  return i < 0 || i === jid.length - 1 ? undefined : jid.slice(i + 1);
}

export function presenceToTuple(p: PresenceStanza, opts: PresenceToPidfOptions = {}): Result<PidfTuple, PresenceMappingError> {
  if (p.type !== undefined && p.type !== 'unavailable') {
    return err({ code: 'not-a-notification', type: p.type, detail: `presence type "${p.type}" is not a notification (RFC 8048 §6.2)` });
  }
  const resource = opts.resource ?? resourceOfJid(p.from);
  const open = p.type === undefined;
  const priority = xmppPriorityToPidf(p.priority);
  const contact = opts.contactFor?.(resource);
  return ok({
    id: tupleIdForResource(resource),
    basic: open ? 'open' : 'closed',
    // <show/> qualifies availability only (RFC 6121 §4.7.2.1): not kept on closed tuples.
    ...(open && p.show ? { show: p.show } : {}),
    ...(contact !== undefined ? { contact } : {}),
    ...(priority !== undefined ? { priority } : {}),
    notes: p.status !== undefined ? [p.lang ? { lang: p.lang, text: p.status } : { text: p.status }] : [],
    ...(opts.timestamp !== undefined ? { timestamp: opts.timestamp } : {}),
  });
}

/**
 * One presence stanza → one NOTIFY body. `entity` is the pres:/sip: URI of the
 * XMPP user as the SIP side knows it (address mapping is the caller's, RFC 7247 §6.5).
 */
export function presenceToPidf(
  p: PresenceStanza,
  entity: string,
  opts: PresenceToPidfOptions = {},
): Result<PidfNotification, PresenceMappingError> {
  const tuple = presenceToTuple(p, opts);
  if (!tuple.ok) return tuple;
  return ok(pidfNotification(withPersonActivities({ entity, tuples: [tuple.value], notes: [] }), p.lang));
}

export interface AggregatedPidf {
  readonly notification: PidfNotification;
  /** Resources whose stanza was not a notification (subscription/probe/error types). */
  readonly skipped: ReadonlyArray<string>;
}

/**
 * RFC 8048 §6.2: "each XMPP resource yields a separate tuple". Builds one PIDF
 * from the latest presence of every resource (the caller's cache, keyed by
 * resource). Tuples are sorted by resource so the body does not depend on
 * arrival order. Content-Language is set only when all stanzas agree on one;
 * each note still carries its own xml:lang.
 */
export function aggregateResources(
  presences: ReadonlyMap<string, PresenceStanza>,
  entity: string,
  opts: Omit<PresenceToPidfOptions, 'resource'> = {},
): AggregatedPidf {
  const tuples: PidfTuple[] = [];
  const skipped: string[] = [];
  const langs = new Set<string | undefined>();
  const resources = [...presences.keys()].sort();
  for (const resource of resources) {
    const p = presences.get(resource)!;
    const t = presenceToTuple(p, { ...opts, resource });
    if (!t.ok) {
      skipped.push(resource);
      continue;
    }
    tuples.push(t.value);
    langs.add(p.lang);
  }
  const [only] = langs;
  const lang = langs.size === 1 ? only : undefined;
  return { notification: pidfNotification(withPersonActivities({ entity, tuples, notes: [] }), lang), skipped };
}

/** Adds the RPID person activities derived from the most available open tuple (see the table comment). */
export function withPersonActivities(doc: PidfDocument): PidfDocument {
  let best: PidfTuple | undefined;
  for (const t of doc.tuples) if (t.basic === 'open' && (best === undefined || compareAvailability(t, best) < 0)) best = t;
  const activities = showToActivities(best?.show);
  return activities.length ? { ...doc, person: { ...doc.person, activities } } : doc;
}

/** Wraps a document with its serialised body and headers. */
export function pidfNotification(document: PidfDocument, contentLanguage?: string): PidfNotification {
  return {
    document,
    body: buildPidf(document),
    contentType: PIDF_MEDIA_TYPE,
    ...(contentLanguage ? { contentLanguage } : {}),
  };
}

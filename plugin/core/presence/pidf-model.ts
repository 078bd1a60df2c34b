import type { PresenceShow } from '../stanza/stanza';
import type { XmlDocumentError } from '../xml/parse-xml-document';
import type { RpidActivity, RpidUserInput } from './rpid';

/**
 * PIDF, RFC 3863, as plain data — the body of SIP presence NOTIFYs
 * (RFC 3856 §6.2 requires application/pidf+xml) and the carrier of the
 * RFC 8048 §6 mapping:
 * - tuple: id, <status><basic>open|closed</basic>, <contact priority>, <note>*, <timestamp>
 *   (RFC 3863 §4.1.2–§4.1.7);
 * - RFC 8048 §6.2: XMPP <show/> travels inside <status> as <show xmlns='jabber:client'>;
 * - notes of the whole document (RFC 3863 §4.1.6) and of RFC 4479 data-model
 *   <person>/<device> elements, which SIP UAs often use instead of tuple notes;
 * - RPID (RFC 4480) activities, <other>, <user-input> and <class>, read from
 *   <dm:person> (where RFC 4479/4480 put them and most UAs send them) and from
 *   a tuple (inside <status>, or as a direct child: UAs differ). RPID found
 *   directly under <presence> is read as the person's: it can only describe the
 *   presentity. <rpid:note> (inside <activities>, or under <person> where some
 *   UAs write it instead of <dm:note>) joins the notes of its person/tuple.
 *
 * Parsing is lenient about values and strict about XML: the restricted parser
 * refuses DOCTYPE/entities/comments/PIs and oversize input (parse-xml-document.ts),
 * while a bad value (priority "2", basic "busy", missing id) is dropped and
 * reported in `warnings`, so one bad attribute does not lose the open/closed
 * state of a contact; an activity RFC 4480 does not define is a warning too.
 * Elements we do not model (RPID mood/place/privacy/sphere…, device-level RPID,
 * caps, …) are listed in `ignored` as Clark names "{ns}local" so nothing
 * disappears unseen. The activities' from/until validity times are not
 * evaluated (the core has no clock): every <activities> element counts.
 */
export const PIDF_NS = 'urn:ietf:params:xml:ns:pidf';
export const PIDF_DATA_MODEL_NS = 'urn:ietf:params:xml:ns:pidf:data-model';
export const JABBER_CLIENT_NS = 'jabber:client';
export const PIDF_MEDIA_TYPE = 'application/pidf+xml';

export type PidfBasic = 'open' | 'closed';

export interface PidfNote {
  /** xml:lang of the note, inherited from enclosing elements (XML 1.0 §2.12). */
  readonly lang?: string;
  readonly text: string;
}

/** RPID data of a person or a tuple (RFC 4480). Absent fields: not sent. */
export interface RpidFields {
  /** RFC 4480 §3.2 activities, in document order, without repeats; all <activities> elements merged. */
  readonly activities?: ReadonlyArray<RpidActivity>;
  /** <rpid:other> free-text activities (Note_t, so each may carry xml:lang). */
  readonly otherActivities?: ReadonlyArray<PidfNote>;
  /** <rpid:user-input>: whether the user has been using the device/service. */
  readonly userInput?: RpidUserInput;
  /** <rpid:class>: a label the presentity groups elements by; read, not mapped. */
  readonly rpidClass?: string;
}

export interface PidfTuple extends RpidFields {
  /** xs:ID; "" when a peer sent a tuple without one (reported as a warning). */
  readonly id: string;
  /** Undefined when absent or not one of the two RFC 3863 §4.1.4 values. */
  readonly basic?: PidfBasic;
  /** RFC 8048 §6.2: <show xmlns='jabber:client'> inside <status>. */
  readonly show?: PresenceShow;
  /** <contact> URI (RFC 3863 §4.1.5). */
  readonly contact?: string;
  /** <contact priority>, a qvalue 0..1 with at most three decimals (RFC 3261 §25.1). */
  readonly priority?: number;
  readonly notes: ReadonlyArray<PidfNote>;
  /** <timestamp> text, RFC 3339 as sent (RFC 3863 §4.1.7); not interpreted. */
  readonly timestamp?: string;
}

export interface PidfDocument {
  /** The presentity URI, pres: or sip: (RFC 3863 §4.1.1). */
  readonly entity: string;
  readonly tuples: ReadonlyArray<PidfTuple>;
  /** <note> children of <presence> itself. */
  readonly notes: ReadonlyArray<PidfNote>;
  /** RFC 4479 <dm:person><dm:note> (and <rpid:note> inside the person). */
  readonly personNotes?: ReadonlyArray<PidfNote>;
  /** RPID of the RFC 4479 <dm:person> element(s), merged. */
  readonly person?: RpidFields;
  /** RFC 4479 <dm:device><dm:note> (read only: buildPidf does not write devices). */
  readonly deviceNotes?: ReadonlyArray<PidfNote>;
  /** Clark names of extension elements that were not interpreted. */
  readonly ignored?: ReadonlyArray<string>;
  readonly warnings?: ReadonlyArray<PidfWarning>;
}

export type PidfWarningCode =
  | 'missing-entity'
  | 'missing-tuple-id'
  | 'duplicate-tuple-id'
  | 'invalid-priority'
  | 'unknown-basic'
  | 'unknown-show'
  | 'unknown-activity'
  | 'unknown-user-input';

export interface PidfWarning {
  readonly code: PidfWarningCode;
  readonly detail: string;
}

export interface PidfError {
  /** The XML parser's code, or 'not-pidf' for a well-formed document that is not a PIDF <presence>. */
  readonly code: XmlDocumentError['code'] | 'not-pidf';
  readonly detail: string;
}

export const PRESENCE_SHOWS: ReadonlyArray<PresenceShow> = ['away', 'chat', 'dnd', 'xa'];

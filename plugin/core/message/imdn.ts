import { err, ok, type Result } from '../result';
import { childElements, childText, el, findChild, localName, namespaceOf, type XmlElement } from '../xml/xml-element';
import { buildCpim, cpimHeaderValues, type CpimAddress, type CpimMessage } from './cpim';
import { messageError, type MessageError } from './message-error';
import { formatDateTime, parseXmlBody, RFC3339, serializeXmlBody } from './xml-body';

/**
 * RFC 5438 Instant Message Disposition Notification (IMDN), the SIP side of
 * XEP-0184 receipts. Requests travel as CPIM headers in the `urn:ietf:params:imdn`
 * namespace (§6: imdn.Message-ID, imdn.Disposition-Notification, with a CPIM
 * DateTime); notifications are message/imdn+xml documents (§7.2 schema)
 * wrapped in CPIM with `Content-Disposition: notification` (§7.1.1.1).
 * Pure: the notification time and ids come in as arguments.
 */
export const IMDN_HEADER_NS = 'urn:ietf:params:imdn';
export const IMDN_XML_NS = 'urn:ietf:params:xml:ns:imdn';
export const IMDN_TYPE = 'message/imdn+xml';

export const DISPOSITIONS = ['positive-delivery', 'negative-delivery', 'display', 'processing'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

const STATUSES = {
  delivery: ['delivered', 'failed', 'forbidden', 'error'],
  display: ['displayed', 'forbidden', 'error'],
  processing: ['processed', 'stored', 'forbidden', 'error'],
} as const;
type Kind = keyof typeof STATUSES;

export type ImdnNotification = {
  [K in Kind]: { readonly kind: K; readonly status: (typeof STATUSES)[K][number] };
}[Kind];

export interface ImdnDocument {
  readonly messageId: string;
  readonly datetime: string;
  readonly recipientUri?: string;
  readonly originalRecipientUri?: string;
  readonly subject?: string;
  readonly notification: ImdnNotification;
}

/** What a CPIM message asks for (RFC 5438 §6). Undefined when it carries no imdn.Message-ID. */
export interface ImdnRequest {
  readonly messageId: string;
  readonly dispositions: ReadonlyArray<Disposition>;
  readonly dateTime?: string;
}

export function readImdnRequest(m: CpimMessage): ImdnRequest | undefined {
  const id = cpimHeaderValues(m, IMDN_HEADER_NS, 'Message-ID')[0]?.trim();
  if (!id) return undefined;
  const dispositions = cpimHeaderValues(m, IMDN_HEADER_NS, 'Disposition-Notification')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim().toLowerCase())
    .filter((v): v is Disposition => (DISPOSITIONS as readonly string[]).includes(v));
  return { messageId: id, dispositions, ...(m.dateTime !== undefined ? { dateTime: m.dateTime } : {}) };
}

/** CPIM headers that request notifications for an outgoing message (for buildCpim). */
export function imdnRequestHeaders(messageId: string, dispositions: ReadonlyArray<Disposition>) {
  return {
    ns: { imdn: IMDN_HEADER_NS },
    headers: [
      { name: 'imdn.Message-ID', value: messageId },
      ...(dispositions.length > 0 ? [{ name: 'imdn.Disposition-Notification', value: dispositions.join(', ') }] : []),
    ],
  };
}

export function parseImdn(text: string, maxBytes?: number): Result<ImdnDocument, MessageError> {
  const doc = parseXmlBody(text, maxBytes);
  if (!doc.ok) return doc;
  const root = doc.value;
  const bad = (why: string) => err(messageError('invalid-document', `imdn: ${why} (RFC 5438 §7.2)`));
  if (localName(root) !== 'imdn' || namespaceOf(root) !== IMDN_XML_NS) return bad('wrong root element');
  const text1 = (n: string) => childText(root, n, IMDN_XML_NS)?.trim();
  const messageId = text1('message-id');
  const datetime = text1('datetime');
  if (!messageId) return bad('missing message-id');
  if (datetime === undefined || !RFC3339.test(datetime)) return bad(`datetime "${datetime ?? ''}"`);
  const notification = readNotification(root);
  if (!notification) return bad('no valid delivery-, display- or processing-notification');
  const opt = (k: string, v: string | undefined) => (v === undefined ? {} : { [k]: v });
  return ok({
    messageId,
    datetime,
    ...opt('recipientUri', text1('recipient-uri')),
    ...opt('originalRecipientUri', text1('original-recipient-uri')),
    ...opt('subject', childText(root, 'subject', IMDN_XML_NS)),
    notification,
  });
}

function readNotification(root: XmlElement): ImdnNotification | undefined {
  for (const kind of Object.keys(STATUSES) as Kind[]) {
    const n = findChild(root, `${kind}-notification`, IMDN_XML_NS);
    if (!n) continue;
    const status = findChild(n, 'status', IMDN_XML_NS);
    const value = status ? childElements(status).map(localName).find((s) => (STATUSES[kind] as readonly string[]).includes(s)) : undefined;
    return value === undefined ? undefined : ({ kind, status: value } as ImdnNotification);
  }
  return undefined;
}

export function buildImdn(d: ImdnDocument): string {
  return serializeXmlBody(
    el(
      'imdn',
      { xmlns: IMDN_XML_NS },
      el('message-id', {}, d.messageId),
      el('datetime', {}, d.datetime),
      d.recipientUri !== undefined && el('recipient-uri', {}, d.recipientUri),
      d.originalRecipientUri !== undefined && el('original-recipient-uri', {}, d.originalRecipientUri),
      d.subject !== undefined && el('subject', {}, d.subject),
      el(`${d.notification.kind}-notification`, {}, el('status', {}, el(d.notification.status))),
    ),
  );
}

export interface DeliveryNotificationInput {
  /** imdn.Message-ID of the message being acknowledged. */
  readonly originalMessageId: string;
  /** CPIM DateTime of the original message; RFC 5438 §7.2.1.1 copies it into <datetime>. */
  readonly originalDateTime: string;
  /** A new unique id for the notification itself (RFC 5438 §7.1.1.1). */
  readonly notificationId: string;
  /** The acknowledging party (CPIM From) and the original sender (CPIM To). */
  readonly from: CpimAddress;
  readonly to: CpimAddress;
  /** Time of the notification itself (its CPIM DateTime). */
  readonly now: Date;
  readonly status: Extract<ImdnNotification, { kind: 'delivery' }>['status'];
}

/** A complete message/cpim body carrying a delivery notification (RFC 5438 §7.1.1.1, §7.2.1.1). */
export function buildDeliveryNotification(i: DeliveryNotificationInput): Result<string, MessageError> {
  const when = formatDateTime(i.now);
  if (!when.ok) return when;
  if (!RFC3339.test(i.originalDateTime)) return err(messageError('invalid-document', 'originalDateTime is not RFC 3339'));
  const req = imdnRequestHeaders(i.notificationId, []);
  return ok(
    buildCpim({
      from: i.from,
      to: [i.to],
      dateTime: when.value,
      ...req,
      contentType: IMDN_TYPE,
      contentHeaders: { 'Content-Disposition': 'notification' },
      body: buildImdn({
        messageId: i.originalMessageId,
        datetime: i.originalDateTime,
        recipientUri: i.from.uri,
        notification: { kind: 'delivery', status: i.status },
      }),
    }),
  );
}

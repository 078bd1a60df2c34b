/**
 * MESSAGEs the gateway itself sends to a SIP user about an earlier message:
 * a plain-text failure notice, or an RFC 5438 IMDN delivery notification
 * (`delivered` for a XEP-0184 receipt, `failed` for an error stanza when the
 * sender asked for negative-delivery). They come FROM the XMPP address the
 * message was sent to, so the SIP client shows them in that conversation.
 */
import { jidToSipUri } from '../core/address/address-mapping';
import { buildDeliveryNotification, type DeliveryNotificationInput } from '../core/message/imdn';
import type { MessageError } from '../core/message/message-error';
import { TEXT_PLAIN_UTF8 } from '../core/message/text-plain';
import { err, ok, type Result } from '../core/result';
import type { StanzaError } from '../core/stanza/stanza-error';
import type { OutboundSipMessage, SentToXmpp } from './ports';

/** Room for the RFC 3428 1300-byte limit: an error text is cut, never the notice. */
const MAX_ERROR_TEXT = 200;

/** The XMPP address as a SIP URI (RFC 7247 §6.5), without the resource: the notice is about the account. */
function xmppAddressUri(jid: string): Result<string, { code: string; detail: string }> {
  return jidToSipUri(jid, { includeResource: false });
}

export function failureText(xmppTo: string, error: StanzaError): string {
  const text = error.text?.replace(/\s+/g, ' ').trim();
  const cut = text !== undefined && text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}…` : text;
  return `Message to ${xmppTo} could not be delivered: ${error.condition}${cut ? ` (${cut})` : ''}`;
}

export function textFailureNotice(entry: SentToXmpp, error: StanzaError): Result<OutboundSipMessage, { code: string; detail: string }> {
  const from = xmppAddressUri(entry.xmppTo);
  if (!from.ok) return from;
  return ok({
    requestUri: entry.sipSender.uri,
    from: { uri: from.value },
    to: entry.sipSender,
    contentType: TEXT_PLAIN_UTF8,
    headers: {},
    body: failureText(entry.xmppTo, error),
  });
}

export interface ImdnNoticeInput {
  readonly entry: SentToXmpp;
  readonly status: DeliveryNotificationInput['status'];
  readonly now: Date;
  readonly notificationId: string;
}

/** RFC 5438 §7.1.1.1: a message/cpim body with Content-Disposition: notification. */
export function imdnNotice(i: ImdnNoticeInput): Result<OutboundSipMessage, MessageError | { code: string; detail: string }> {
  const { entry } = i;
  if (!entry.imdn) return err({ code: 'no-imdn-request', detail: 'the SIP message asked for no IMDN' });
  const from = xmppAddressUri(entry.xmppTo);
  if (!from.ok) return from;
  const body = buildDeliveryNotification({
    originalMessageId: entry.imdn.messageId,
    originalDateTime: entry.imdn.dateTime,
    notificationId: i.notificationId,
    from: { uri: from.value },
    to: entry.sipSender,
    now: i.now,
    status: i.status,
  });
  if (!body.ok) return body;
  return ok({ requestUri: entry.sipSender.uri, from: { uri: from.value }, to: entry.sipSender, contentType: 'message/cpim', headers: {}, body: body.value });
}

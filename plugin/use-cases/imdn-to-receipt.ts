/**
 * A SIP IMDN delivery notification (RFC 5438 §7.2.1.1) for a message that
 * came from XMPP with a XEP-0184 <request/> → a <received id=…/> stanza to
 * the XMPP sender (XEP-0184 §4). Only a real notification from the SIP user
 * produces a receipt: a 200 OK to the MESSAGE never does (issue #5).
 *
 * - `delivered` → <received/>.
 * - `failed` → an error stanza for the original id (recipient-unavailable): the
 *   XMPP sender learns the message did not arrive (RFC 6120 §8.3).
 * - `forbidden` / `error` say the NOTIFICATION was refused or broke (RFC 5438
 *   §7.2.1.1), not the message, and XEP-0184 has no way to say "no receipt will
 *   come": logged, nothing sent.
 * - display / processing notifications have no XEP-0184 equivalent: logged.
 * The MESSAGE itself is answered 200 when the gateway consumed it without
 * relaying, 202 when a stanza went out, or the delivery failure status.
 */
import { type Jid, formatJid, jidEquals, bareJid, parseJid } from '../core/address/jid';
import type { NameAddr } from '../core/address/name-addr';
import type { ImdnDocument } from '../core/message/imdn';
import type { MessageStanza } from '../core/stanza/stanza';
import { stanzaError } from '../core/stanza/stanza-error';
import { deliveryFailureAnswer } from './delivery-failure-status';
import { sendStanzaSafely } from './port-calls';
import type { MessagingDeps } from './ports';
import { answer, type SipAnswer } from './sip-request';

export interface ImdnArrival {
  readonly imdn: ImdnDocument;
  readonly sender: NameAddr;
  readonly xmppFrom: Jid;
  readonly xmppTo: Jid;
  readonly callId: string;
}

const sameBare = (a: Jid, b: string): boolean => {
  const j = parseJid(b);
  return j.ok && jidEquals(bareJid(a), bareJid(j.value));
};

export async function imdnToReceipt(a: ImdnArrival, deps: MessagingDeps): Promise<SipAnswer> {
  const { log } = deps;
  const n = a.imdn.notification;
  const where = { callId: a.callId, imdnMessageId: a.imdn.messageId, notification: `${n.kind}/${n.status}` };
  if (n.kind !== 'delivery') {
    log.info(where, 'IMDN display/processing notification has no XMPP equivalent; consumed');
    return answer(200);
  }
  const entry = deps.correlations.takeSentToSip(a.imdn.messageId);
  if (!entry) {
    log.info(where, 'IMDN for an unknown or expired message; consumed');
    return answer(200);
  }
  // Only the user the message went to may acknowledge it, and only towards its sender.
  if (!sameBare(a.xmppFrom, entry.xmppRecipient) || !sameBare(a.xmppTo, entry.xmppSender)) {
    deps.correlations.rememberSentToSip(a.imdn.messageId, entry);
    log.warn({ ...where, from: formatJid(a.xmppFrom), to: formatJid(a.xmppTo) }, 'IMDN from someone other than the recipient refused');
    return answer(403, 'Not The Recipient Of That Message');
  }
  let stanza: MessageStanza;
  if (n.status === 'delivered') {
    stanza = { kind: 'message', from: entry.xmppRecipient, to: entry.xmppSender, id: deps.ids.next(), receiptFor: entry.stanzaId };
  } else if (n.status === 'failed') {
    stanza = {
      kind: 'message', type: 'error', from: entry.xmppRecipient, to: entry.xmppSender, id: entry.stanzaId,
      error: stanzaError('recipient-unavailable', 'The SIP user agent reported that delivery failed (RFC 5438 IMDN)'),
    };
  } else {
    log.info({ ...where, stanzaId: entry.stanzaId }, 'IMDN notification refused or broken; no receipt will follow');
    return answer(200);
  }
  const delivery = await sendStanzaSafely(deps.xmpp, log, stanza);
  if (delivery.ok) {
    log.info({ ...where, stanzaId: entry.stanzaId, to: entry.xmppSender }, n.status === 'delivered' ? 'IMDN relayed as XEP-0184 receipt' : 'IMDN failure relayed as error stanza');
    return answer(202);
  }
  const sender = parseJid(entry.xmppSender);
  const addressedTo = sender.ok && sender.value.resource !== undefined ? 'full' : 'bare';
  const failed = deliveryFailureAnswer(delivery.error, addressedTo, delivery.remoteServerCause);
  log.warn({ ...where, condition: delivery.error.condition, status: failed.status }, 'IMDN not relayed: no S2S stream');
  return failed;
}

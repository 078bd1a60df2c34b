/**
 * Use-case 1 (issue #5): a SIP MESSAGE from one of our users → an XMPP
 * message over the S2S edge, answered with the SIP final response.
 *
 * After the admission checks (sip-message-checks.ts) the body is decoded
 * (RFC 7572 §7; bad bodies → 400/413/415/488 via the core's sipStatusFor) and
 * mapped with RFC 7572 §5 Table 2 (no type, thread ← Call-ID, From → full JID
 * with the GRUU resource, xml:lang ← Content-Language). isComposing becomes a
 * XEP-0085 chat state (RFC 7573 §6 Table 3). A CPIM imdn.Disposition-Notification
 * asking for positive-delivery becomes a XEP-0184 <request/>. An IMDN delivery
 * notification for a message that came FROM XMPP becomes a <received/>
 * (imdn-to-receipt.ts).
 *
 * 202 Accepted means "written on an authenticated S2S stream", nothing more
 * (RFC 3428 §7: 202 for a gateway that cannot know about delivery); a delivery
 * failure gets the RFC 7247 §7.1 status (delivery-failure-status.ts). Every sent
 * stanza id is remembered so a later error stanza or receipt can reach the SIP
 * sender (xmpp-error-to-sip.ts, receipt-to-imdn.ts).
 */
import { formatJid } from '../core/address/jid';
import { formatSipUri } from '../core/address/sip-uri';
import { readImdnRequest } from '../core/message/imdn';
import { sipStatusFor } from '../core/message/message-error';
import { sipContentToStanza } from '../core/message/message-mapping';
import { decodeSipContent } from '../core/message/sip-content';
import { RFC3339 } from '../core/message/xml-body';
import type { MessageStanza } from '../core/stanza/stanza';
import { deliveryFailureAnswer } from './delivery-failure-status';
import { imdnToReceipt } from './imdn-to-receipt';
import { bodyField, sendStanzaSafely } from './port-calls';
import type { ImdnRequestInfo, MessagingDeps, SentToXmpp } from './ports';
import { admitSipMessage } from './sip-message-checks';
import { ACCEPTED_CONTENT_TYPES, answer, type InboundSipMessage, type SipAnswer } from './sip-request';

export async function handleSipMessage(req: InboundSipMessage, deps: MessagingDeps): Promise<SipAnswer> {
  const { log, policy } = deps;
  const where = { callId: req.callId, source: req.source.address, requestUri: req.requestUri, from: req.from };
  const admitted = admitSipMessage(req, policy);
  if (!admitted.ok) {
    log.info({ ...where, status: admitted.error.status, reason: admitted.error.reason }, 'SIP MESSAGE refused');
    return admitted.error;
  }
  const { sender, xmppFrom, xmppTo } = admitted.value;

  const content = decodeSipContent(req.contentType, req.body, req.bodyNotUtf8 === true ? { notUtf8: true } : {});
  if (!content.ok) return refuseContent(deps, where, content.error.code, content.error.detail);
  if (content.value.kind === 'imdn') {
    return imdnToReceipt({ imdn: content.value.imdn, sender, xmppFrom, xmppTo, callId: req.callId }, deps);
  }

  const id = deps.ids.next();
  const mapped = sipContentToStanza(
    content.value,
    {
      callId: req.callId,
      ...(req.contentLanguage !== undefined ? { contentLanguage: req.contentLanguage } : {}),
      ...(req.subject !== undefined ? { subject: req.subject } : {}),
    },
    { from: formatJid(xmppFrom), to: formatJid(xmppTo) },
    id,
  );
  if (!mapped.ok) return refuseContent(deps, where, mapped.error.code, mapped.error.detail);

  const imdn = content.value.kind === 'text' && content.value.cpim ? imdnInfo(content.value.cpim, deps) : undefined;
  // RFC 5438 positive-delivery ⇄ XEP-0184 <request/> (a receipt is a positive delivery report).
  const stanza: MessageStanza = imdn?.positiveDelivery ? { ...mapped.value, receiptRequest: true } : mapped.value;
  const entry: SentToXmpp = {
    stanzaId: id,
    content: stanza.chatState !== undefined && stanza.body === undefined ? 'chat-state' : 'message',
    xmppFrom: formatJid(xmppFrom),
    xmppTo: formatJid(xmppTo),
    sipSender: { uri: formatSipUri(sender.uri), ...(sender.displayName !== undefined ? { displayName: sender.displayName } : {}) },
    ...(imdn ? { imdn } : {}),
  };
  // Remembered BEFORE sending: an error stanza may race the send's completion.
  deps.correlations.rememberSentToXmpp(id, entry);
  const delivery = await sendStanzaSafely(deps.xmpp, log, stanza);
  const logged = { ...where, stanzaId: id, xmppFrom: entry.xmppFrom, xmppTo: entry.xmppTo, content: entry.content, ...bodyField(policy, stanza.body) };
  if (delivery.ok) {
    log.info(logged, 'SIP MESSAGE relayed to XMPP');
    return answer(202);
  }
  deps.correlations.takeSentToXmpp(id); // answered now; a later error stanza for it is not expected
  const failed = deliveryFailureAnswer(delivery.error, xmppTo.resource !== undefined ? 'full' : 'bare', delivery.remoteServerCause);
  log.warn({ ...logged, condition: delivery.error.condition, status: failed.status }, 'SIP MESSAGE not relayed: no S2S stream');
  return failed;
}

function refuseContent(deps: MessagingDeps, where: Record<string, unknown>, code: Parameters<typeof sipStatusFor>[0], detail: string): SipAnswer {
  const status = sipStatusFor(code);
  deps.log.info({ ...where, status, code, detail }, 'SIP MESSAGE body refused');
  return status === 415 ? answer(415, undefined, { Accept: ACCEPTED_CONTENT_TYPES }) : answer(status);
}

/** RFC 5438 §6: what the sender asked for; DateTime is required with a request, our clock stands in if missing. */
function imdnInfo(cpim: Parameters<typeof readImdnRequest>[0], deps: MessagingDeps): ImdnRequestInfo | undefined {
  const r = readImdnRequest(cpim);
  if (!r) return undefined;
  const dateTime = r.dateTime !== undefined && RFC3339.test(r.dateTime) ? r.dateTime : deps.clock.now().toISOString();
  return {
    messageId: r.messageId,
    dateTime,
    positiveDelivery: r.dispositions.includes('positive-delivery'),
    negativeDelivery: r.dispositions.includes('negative-delivery'),
  };
}

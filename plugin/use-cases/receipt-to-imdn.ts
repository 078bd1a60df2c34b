/**
 * A XEP-0184 <received id=…/> for a message the gateway relayed from SIP →
 * an RFC 5438 IMDN `delivered` notification to the SIP sender (issue #5:
 * "XEP-0184 receipts become IMDN, both ways"). Sent only when the SIP sender
 * asked for positive-delivery (RFC 5438 §6: notifications are requested, never
 * volunteered); otherwise the receipt is logged and consumed. Receipts are
 * acknowledgements: nothing is ever bounced back to XMPP for them.
 */
import { bareJid, jidEquals, parseJid } from '../core/address/jid';
import type { MessageStanza } from '../core/stanza/stanza';
import { sendSipSafely } from './port-calls';
import type { MessagingDeps } from './ports';
import { imdnNotice } from './sip-notices';

export type ReceiptOutcome =
  | { readonly kind: 'relayed'; readonly status: number }
  | { readonly kind: 'dropped'; readonly reason: 'unknown-id' | 'wrong-sender' | 'not-requested' | 'unmappable' };

const sameBare = (a: string | undefined, b: string): boolean => {
  const x = parseJid(a ?? '');
  const y = parseJid(b);
  return x.ok && y.ok && jidEquals(bareJid(x.value), bareJid(y.value));
};

export async function receiptToImdn(stanza: MessageStanza & { receiptFor: string }, deps: MessagingDeps): Promise<ReceiptOutcome> {
  const { log } = deps;
  const where = { receiptFor: stanza.receiptFor, from: stanza.from, to: stanza.to };
  const entry = deps.correlations.takeSentToXmpp(stanza.receiptFor);
  if (!entry) {
    log.info(where, 'XEP-0184 receipt for an unknown or expired message dropped');
    return { kind: 'dropped', reason: 'unknown-id' };
  }
  // Only the user the message went to can have received it.
  if (!sameBare(stanza.from, entry.xmppTo)) {
    deps.correlations.rememberSentToXmpp(stanza.receiptFor, entry);
    log.warn({ ...where, expected: entry.xmppTo }, 'XEP-0184 receipt from someone other than the recipient ignored');
    return { kind: 'dropped', reason: 'wrong-sender' };
  }
  if (entry.imdn?.positiveDelivery !== true) {
    log.info(where, 'XEP-0184 receipt for a message that asked for no IMDN; consumed');
    return { kind: 'dropped', reason: 'not-requested' };
  }
  const msg = imdnNotice({ entry, status: 'delivered', now: deps.clock.now(), notificationId: deps.ids.next() });
  if (!msg.ok) {
    log.error({ ...where, detail: msg.error.detail }, 'XEP-0184 receipt could not be turned into an IMDN');
    return { kind: 'dropped', reason: 'unmappable' };
  }
  const res = await sendSipSafely(deps.sip, log, msg.value);
  const logged = { ...where, sipSender: entry.sipSender.uri, imdnMessageId: entry.imdn.messageId, status: res.status };
  if (res.status >= 200 && res.status < 300) log.info(logged, 'XEP-0184 receipt relayed as IMDN delivered');
  else log.warn(logged, 'IMDN delivered notification refused by SIP; logged only');
  return { kind: 'relayed', status: res.status };
}

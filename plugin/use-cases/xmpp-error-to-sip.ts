/**
 * Use-case 2 (issue #5): an error stanza that comes back for a message the
 * gateway relayed from SIP reaches the SIP sender as a MESSAGE from the XMPP
 * address: an RFC 5438 IMDN `failed` notification when the sender asked for
 * negative-delivery, a plain-text notice otherwise. Nothing is dropped
 * silently: every outcome is logged.
 *
 * Never loop an error (RFC 6120 §8.3.1: an entity MUST NOT respond to an
 * error stanza with another error): unknown ids, forged senders and errors for
 * chat-state notifications are logged and dropped, nothing goes back to XMPP.
 * Errors about a chat state are not turned into "could not be delivered"
 * notices: nobody wrote that message.
 */
import { parseJid } from '../core/address/jid';
import type { MessageStanza } from '../core/stanza/stanza';
import { stanzaError } from '../core/stanza/stanza-error';
import { sendSipSafely } from './port-calls';
import type { MessagingDeps, SentToXmpp } from './ports';
import { imdnNotice, textFailureNotice } from './sip-notices';

export type ErrorStanzaOutcome =
  | { readonly kind: 'dropped'; readonly reason: 'no-id' | 'unknown-id' | 'wrong-sender' | 'chat-state' | 'unmappable' }
  | { readonly kind: 'notified'; readonly notice: 'imdn' | 'text'; readonly status: number };

const domainOf = (jid: string | undefined): string | undefined => {
  if (jid === undefined) return undefined;
  const j = parseJid(jid);
  return j.ok ? j.value.domain : undefined;
};

export async function handleXmppErrorStanza(stanza: MessageStanza, deps: MessagingDeps): Promise<ErrorStanzaOutcome> {
  const { log } = deps;
  const error = stanza.error ?? stanzaError('undefined-condition');
  const where = { stanzaId: stanza.id, from: stanza.from, to: stanza.to, condition: error.condition, text: error.text };
  if (stanza.id === undefined) {
    log.warn(where, 'XMPP error stanza without id dropped (cannot correlate; RFC 6120 §8.3.1: never answered)');
    return { kind: 'dropped', reason: 'no-id' };
  }
  const entry = deps.correlations.takeSentToXmpp(stanza.id);
  if (!entry) {
    log.info(where, 'XMPP error stanza for an unknown or expired message dropped');
    return { kind: 'dropped', reason: 'unknown-id' };
  }
  // The error must come from the domain the message went to (its user or its server).
  if (domainOf(stanza.from) !== domainOf(entry.xmppTo)) {
    deps.correlations.rememberSentToXmpp(stanza.id, entry);
    log.warn({ ...where, expectedDomain: domainOf(entry.xmppTo) }, 'XMPP error stanza from the wrong domain ignored');
    return { kind: 'dropped', reason: 'wrong-sender' };
  }
  if (entry.content === 'chat-state') {
    log.info({ ...where, sipSender: entry.sipSender.uri }, 'XMPP error for a chat-state notification; not reported to the SIP user');
    return { kind: 'dropped', reason: 'chat-state' };
  }
  return notify(entry, stanza.id, deps, where, error);
}

async function notify(
  entry: SentToXmpp, stanzaId: string, deps: MessagingDeps, where: Record<string, unknown>, error: NonNullable<MessageStanza['error']>,
): Promise<ErrorStanzaOutcome> {
  const { log } = deps;
  const wantsImdn = entry.imdn?.negativeDelivery === true;
  const msg = wantsImdn
    ? imdnNotice({ entry, status: 'failed', now: deps.clock.now(), notificationId: deps.ids.next() })
    : textFailureNotice(entry, error);
  if (!msg.ok) {
    log.error({ ...where, sipSender: entry.sipSender.uri, detail: msg.error.detail }, 'XMPP error could not be turned into a SIP notice');
    return { kind: 'dropped', reason: 'unmappable' };
  }
  const res = await sendSipSafely(deps.sip, log, msg.value);
  const notice = wantsImdn ? 'imdn' : 'text';
  const logged = { ...where, stanzaId, sipSender: entry.sipSender.uri, notice, status: res.status, reason: res.reason };
  if (res.status >= 200 && res.status < 300) log.info(logged, 'XMPP delivery failure reported to the SIP sender');
  else log.warn(logged, 'XMPP delivery failure notice refused by SIP; logged only');
  return { kind: 'notified', notice, status: res.status };
}

/**
 * Use-case 3 (issue #5): a message stanza from an authenticated partner
 * domain to one of our users → a SIP MESSAGE through the configured proxy
 * (RFC 7572 §4, From with ;gr=resource), with every failure answered.
 *
 * Deliberate handling by type (RFC 6121 §5.2.2):
 *  - error     → use-case 2 (xmpp-error-to-sip.ts); an error is never answered with an error.
 *  - groupchat → feature-not-implemented until MUC exists (RFC 7702 is not implemented).
 *  - headline  → relayed like normal; but failures are logged, not bounced: no reply is
 *                expected to a headline (§5.2.2) and RFC 6121 §8.5.2.1.1 even has servers
 *                silently drop undeliverable ones; their senders are services.
 *  - chat / normal / absent → relayed.
 * Checks before SIP: addresses parse (jid-malformed), the recipient is in one of our
 * domains (item-not-found), the sender's domain is an allowed partner (policy-violation;
 * the edge has already refused unauthenticated or unknown domains), the recipient is a
 * user (service-unavailable for the bare domain), the user may federate (forbidden).
 * A SIP final failure, or no answer (408), becomes the RFC 7247 §7.2 Table 3 error.
 * A 2xx ends it: a receipt is NEVER faked from a 200 OK; only an IMDN makes one.
 * Standalone chat states go through the limiter (chat-state-limiter.ts); their
 * failures are logged, not bounced (nobody wrote a message that failed).
 */
import { jidToSipUri } from '../core/address/address-mapping';
import { type Jid, parseJid, formatJid } from '../core/address/jid';
import { unescapeLocalpart } from '../core/address/xep0106';
import { sipStatusToXmppError } from '../core/errors/error-mapping';
import { stanzaConditionFor } from '../core/message/message-error';
import { errorReplyFor } from '../core/stanza/stanza-codec';
import type { MessageStanza } from '../core/stanza/stanza';
import { stanzaError, type StanzaError, type StanzaErrorCondition } from '../core/stanza/stanza-error';
import { type ChatStateLimits, type ChatStateStore, conversationKey, decideChatState, noteMessageSent } from './chat-state-limiter';
import { bodyField, sendSipSafely, sendStanzaSafely } from './port-calls';
import type { MessagingDeps } from './ports';
import { receiptToImdn, type ReceiptOutcome } from './receipt-to-imdn';
import { stanzaToOutbound } from './stanza-to-outbound';
import { handleXmppErrorStanza, type ErrorStanzaOutcome } from './xmpp-error-to-sip';

export interface XmppToSipDeps extends MessagingDeps {
  readonly chatStates: ChatStateStore;
  readonly chatStateLimits?: ChatStateLimits;
}

export type XmppMessageOutcome =
  | { readonly kind: 'error-stanza'; readonly outcome: ErrorStanzaOutcome }
  | { readonly kind: 'refused'; readonly condition: StanzaErrorCondition; readonly bounced: boolean }
  | { readonly kind: 'sent'; readonly status: number; readonly receipt?: ReceiptOutcome }
  | { readonly kind: 'sip-failed'; readonly status: number; readonly condition: StanzaErrorCondition; readonly bounced: boolean }
  | { readonly kind: 'suppressed'; readonly reason: string; readonly receipt?: ReceiptOutcome }
  | { readonly kind: 'receipt'; readonly receipt: ReceiptOutcome };

export async function handleXmppMessage(stanza: MessageStanza, deps: XmppToSipDeps): Promise<XmppMessageOutcome> {
  if (stanza.type === 'error') return { kind: 'error-stanza', outcome: await handleXmppErrorStanza(stanza, deps) };
  const { policy } = deps;
  const refuse = async (condition: StanzaErrorCondition, text: string) =>
    ({ kind: 'refused', condition, bounced: await bounce(stanza, stanzaError(condition, text), deps) }) as const;

  const from = parseJid(stanza.from ?? '');
  const to = parseJid(stanza.to ?? '');
  if (!from.ok || !to.ok) return refuse('jid-malformed', 'malformed from or to address');
  if (!policy.ourDomains.has(to.value.domain)) return refuse('item-not-found', `this gateway does not serve ${to.value.domain}`);
  if (policy.partnerFor(from.value.domain) === 'not-allowed') return refuse('policy-violation', `${from.value.domain} is not an allowed partner`);
  if (to.value.local === undefined) return refuse('service-unavailable', 'no service at the gateway domain');
  if (!policy.mayFederate(unescapeLocalpart(to.value.local), to.value.domain)) return refuse('forbidden', 'this user does not take XMPP messages');
  if (stanza.type === 'groupchat') return refuse('feature-not-implemented', 'groupchat is not supported by this SIP gateway');

  const receipt = stanza.receiptFor !== undefined ? await receiptToImdn({ ...stanza, receiptFor: stanza.receiptFor }, deps) : undefined;
  const withReceipt = receipt ? { receipt } : {};
  if (stanza.body === undefined && stanza.chatState === undefined) {
    if (receipt) return { kind: 'receipt', receipt };
    deps.log.info({ stanzaId: stanza.id, from: stanza.from, to: stanza.to }, 'XMPP message with nothing to translate (no body, chat state or receipt) dropped');
    return { kind: 'suppressed', reason: 'no-content' };
  }
  return relay(stanza, from.value, to.value, deps, withReceipt);
}

async function relay(stanza: MessageStanza, from: Jid, to: Jid, deps: XmppToSipDeps, withReceipt: { receipt?: ReceiptOutcome }): Promise<XmppMessageOutcome> {
  const { log, policy } = deps;
  const key = conversationKey(formatJid(from), formatJid(to));
  const chatStateOnly = stanza.body === undefined;
  let refreshSeconds: number | undefined;
  if (chatStateOnly && stanza.chatState !== undefined) {
    const d = decideChatState(deps.chatStates, key, stanza.chatState, deps.clock.now(), deps.chatStateLimits);
    if (!d.send) {
      log.debug({ from: stanza.from, to: stanza.to, chatState: stanza.chatState, reason: d.reason }, 'chat state not sent to SIP');
      return { kind: 'suppressed', reason: d.reason, ...withReceipt };
    }
    if (d.state === 'active') refreshSeconds = d.refreshSeconds;
  }
  const fromUri = jidToSipUri(from);
  const toUri = jidToSipUri(to);
  if (!fromUri.ok || !toUri.ok) return failedBeforeSip(stanza, 'not-acceptable', 'address cannot be expressed as a SIP URI (RFC 7247 §6.5)', deps);
  const wantsImdn = stanza.receiptRequest === true && stanza.id !== undefined && !chatStateOnly;
  const imdn = wantsImdn ? { messageId: deps.ids.next(), dateTime: deps.clock.now().toISOString() } : undefined;
  const out = stanzaToOutbound(stanza, {
    fromUri: fromUri.value, toUri: toUri.value, proxyIsTcpCapable: policy.proxyIsTcpCapable,
    ...(imdn ? { imdn } : {}), ...(refreshSeconds !== undefined ? { refreshSeconds } : {}),
  });
  if (!out.ok) return failedBeforeSip(stanza, stanzaConditionFor(out.error.code), out.error.detail, deps);

  // Remembered BEFORE sending: the user agent's IMDN may overtake the 200 OK.
  if (imdn) {
    deps.correlations.rememberSentToSip(imdn.messageId, {
      imdnMessageId: imdn.messageId, stanzaId: stanza.id!, xmppSender: formatJid(from), xmppRecipient: formatJid(to), sipRecipientUri: toUri.value,
    });
  }
  const res = await sendSipSafely(deps.sip, log, out.value);
  const logged = { stanzaId: stanza.id, from: stanza.from, to: stanza.to, requestUri: toUri.value, status: res.status, reason: res.reason, ...bodyField(policy, stanza.body) };
  if (res.status >= 200 && res.status < 300) {
    if (!chatStateOnly) noteMessageSent(deps.chatStates, key, deps.chatStateLimits);
    log.info(logged, chatStateOnly ? 'XMPP chat state relayed to SIP' : 'XMPP message relayed to SIP');
    return { kind: 'sent', status: res.status, ...withReceipt };
  }
  if (imdn) deps.correlations.takeSentToSip(imdn.messageId);
  const mapped = res.gatewayCondition !== undefined
    ? { ok: true as const, value: stanzaError(res.gatewayCondition, 'the gateway is at its SIP capacity; try again later') }
    : sipStatusToXmppError(res.status, res.reason, res.contact !== undefined ? { contact: res.contact } : {});
  // 1xx/2xx cannot reach here; anything unmappable is still reported, never silent.
  const error = mapped.ok ? mapped.value : stanzaError('undefined-condition', `SIP ${res.status} ${res.reason}`);
  log.warn({ ...logged, condition: error.condition }, 'SIP refused the message relayed from XMPP');
  return { kind: 'sip-failed', status: res.status, condition: error.condition, bounced: await bounce(stanza, error, deps) };
}

async function failedBeforeSip(stanza: MessageStanza, condition: StanzaErrorCondition, detail: string, deps: MessagingDeps): Promise<XmppMessageOutcome> {
  deps.log.info({ stanzaId: stanza.id, from: stanza.from, to: stanza.to, condition, detail }, 'XMPP message cannot be translated to SIP');
  return { kind: 'refused', condition, bounced: await bounce(stanza, stanzaError(condition, detail), deps) };
}

/**
 * Sends the RFC 6120 §8.3.1 error reply (from/to swapped, same id, original content),
 * except for headlines and standalone chat states (see the file comment). Returns
 * whether a reply went out.
 */
async function bounce(stanza: MessageStanza, error: StanzaError, deps: MessagingDeps): Promise<boolean> {
  const quiet = stanza.type === 'headline' || (stanza.body === undefined && stanza.chatState !== undefined);
  const reply = quiet ? undefined : errorReplyFor(stanza, error);
  if (!reply) {
    deps.log.info({ stanzaId: stanza.id, from: stanza.from, condition: error.condition, type: stanza.type }, 'XMPP message not bounced (headline or chat state)');
    return false;
  }
  const d = await sendStanzaSafely(deps.xmpp, deps.log, reply);
  if (!d.ok) deps.log.warn({ stanzaId: stanza.id, to: stanza.from, condition: d.error.condition }, 'error reply could not be sent back to XMPP');
  return d.ok;
}

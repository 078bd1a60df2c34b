/**
 * Use-case 5 (issue #5): an IQ get/set addressed to one of our SIP users (or
 * to a gateway domain). An IQ request MUST be answered (RFC 6120 §8.2.3),
 * never met with silence, so:
 *  - XEP-0199 ping (get)            → empty result.
 *  - XEP-0030 disco#info (get, no node) → result: `server/im` for the domain,
 *    `account/registered` for a bare user JID (the server answers for the account,
 *    RFC 6121 §8.5.1), `client/pc` for a full JID (a SIP instance), advertising only
 *    what the gateway really translates (ping; for clients also XEP-0184 receipts and
 *    XEP-0085 chat states). A node we do not have → item-not-found (XEP-0030 §3.1).
 *  - anything else (vCard, version, last activity, disco#items…) → service-unavailable
 *    (RFC 6121 §8.5.1 / §8.5.2: an unsupported namespace, or a user that is not ours or
 *    may not federate: the same answer, so the existence of accounts is not revealed).
 *  - result / error IQs are never answered (RFC 6120 §8.2.3, §8.3.1): logged, dropped.
 */
import { parseJid } from '../core/address/jid';
import { CHATSTATES_NS, errorReplyFor, RECEIPTS_NS } from '../core/stanza/stanza-codec';
import type { IqStanza } from '../core/stanza/stanza';
import { stanzaError } from '../core/stanza/stanza-error';
import { unescapeLocalpart } from '../core/address/xep0106';
import { el, localName, namespaceOf, type XmlElement } from '../core/xml/xml-element';
import { sendStanzaSafely } from './port-calls';
import type { GatewayPolicy, MessagingDeps } from './ports';

export const PING_NS = 'urn:xmpp:ping';
export const DISCO_INFO_NS = 'http://jabber.org/protocol/disco#info';

export type IqAnswerPolicy = Pick<GatewayPolicy, 'ourDomains' | 'mayFederate'>;

/** The reply to send, or undefined for a result/error IQ (never answered). Pure. */
export function answerIqToUser(iq: IqStanza, policy: IqAnswerPolicy): IqStanza | undefined {
  if (iq.type === 'result' || iq.type === 'error') return undefined;
  const fail = (condition: 'service-unavailable' | 'item-not-found') => errorReplyFor(iq, stanzaError(condition)) as IqStanza | undefined;
  const to = parseJid(iq.to ?? '');
  if (!to.ok || !policy.ourDomains.has(to.value.domain)) return fail('service-unavailable');
  const isUser = to.value.local !== undefined;
  if (isUser && !policy.mayFederate(unescapeLocalpart(to.value.local!), to.value.domain)) return fail('service-unavailable');
  const p = iq.payload;
  if (iq.type !== 'get' || !p) return fail('service-unavailable');
  const result = (payload?: XmlElement): IqStanza => ({
    kind: 'iq', type: 'result', id: iq.id, ...(iq.to !== undefined ? { from: iq.to } : {}), ...(iq.from !== undefined ? { to: iq.from } : {}),
    ...(payload ? { payload } : {}),
  });
  if (localName(p) === 'ping' && namespaceOf(p) === PING_NS) return result();
  if (localName(p) === 'query' && namespaceOf(p) === DISCO_INFO_NS) {
    if (p.attrs.node !== undefined) return fail('item-not-found');
    const kind = !isUser ? 'domain' : to.value.resource === undefined ? 'account' : 'client';
    return result(discoInfo(kind));
  }
  return fail('service-unavailable');
}

const IDENTITY = {
  domain: { category: 'server', type: 'im', name: 'SIP gateway' },
  account: { category: 'account', type: 'registered' },
  client: { category: 'client', type: 'pc' },
} as const;

function discoInfo(kind: keyof typeof IDENTITY): XmlElement {
  const features = [DISCO_INFO_NS, PING_NS, ...(kind === 'client' ? [RECEIPTS_NS, CHATSTATES_NS] : [])];
  return el('query', { xmlns: DISCO_INFO_NS }, el('identity', { ...IDENTITY[kind] }), ...features.map((v) => el('feature', { var: v })));
}

export type IqOutcome =
  | { readonly kind: 'answered'; readonly type: 'result' | 'error'; readonly delivered: boolean }
  | { readonly kind: 'ignored' };

/** Answers the IQ through the S2S edge and logs the outcome. */
export async function handleIqToUser(iq: IqStanza, deps: Pick<MessagingDeps, 'xmpp' | 'log' | 'policy'>): Promise<IqOutcome> {
  const where = { iqId: iq.id, from: iq.from, to: iq.to, type: iq.type, payload: iq.payload ? `{${namespaceOf(iq.payload) ?? ''}}${localName(iq.payload)}` : undefined };
  const reply = answerIqToUser(iq, deps.policy);
  if (!reply) {
    deps.log.debug(where, `IQ ${iq.type} to a SIP user dropped (never answered, RFC 6120 §8.2.3)`);
    return { kind: 'ignored' };
  }
  const d = await sendStanzaSafely(deps.xmpp, deps.log, reply);
  const type = reply.type === 'result' ? 'result' : 'error';
  if (d.ok) deps.log.debug({ ...where, answer: reply.error?.condition ?? 'result' }, 'IQ to a SIP user answered');
  else deps.log.warn({ ...where, condition: d.error.condition }, 'IQ answer could not be sent back to XMPP');
  return { kind: 'answered', type, delivered: d.ok };
}

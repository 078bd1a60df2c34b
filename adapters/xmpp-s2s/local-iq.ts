import { childElements, el, localName, namespaceOf, type XmlElement } from '../../plugin/core/xml/xml-element';
import { errorReply } from './bounce';
import { isBareDomainJid, jidDomain } from './session/addressing';
import { NS_DISCO_INFO, NS_PING, NS_SERVER } from './stream/namespaces';

export interface LocalIqOptions {
  /** disco#info identity name (XEP-0030 §3.1). */
  readonly name?: string;
  /** Extra features the gateway supports, advertised on our bare domains. */
  readonly features?: readonly string[];
}

/** 'pass': not an IQ to our bare domain, the core handles it; 'consumed': a result/error to us, nothing to answer. */
export type LocalIqOutcome = { readonly reply: XmlElement } | 'pass' | 'consumed';

const result = (iq: XmlElement, ...children: XmlElement[]): XmlElement =>
  ({ ...el('iq', { from: iq.attrs.to, to: iq.attrs.from, id: iq.attrs.id, type: 'result' }, ...children), ns: NS_SERVER });

/**
 * Answers IQs addressed to one of our bare domains (the server itself):
 * XEP-0199 ping → result; XEP-0030 disco#info → identity server/im +
 * features; every other get/set → service-unavailable (RFC 6120 §8.2.3 /
 * §8.3.3.19: an IQ request is never left unanswered). IQs to users pass.
 */
export function answerLocalIq(e: XmlElement, localDomains: ReadonlySet<string>, opts: LocalIqOptions = {}): LocalIqOutcome {
  if (localName(e) !== 'iq' || !isBareDomainJid(e.attrs.to)) return 'pass';
  const to = jidDomain(e.attrs.to);
  if (!to || !localDomains.has(to)) return 'pass';
  const type = e.attrs.type;
  if (type === 'result' || type === 'error') return 'consumed';
  const payload = childElements(e)[0];
  if (type === 'get' && payload && localName(payload) === 'ping' && namespaceOf(payload) === NS_PING) {
    return { reply: result(e) };
  }
  if (type === 'get' && payload && localName(payload) === 'query' && namespaceOf(payload) === NS_DISCO_INFO) {
    if (payload.attrs.node !== undefined) {
      return { reply: errorReply(e, 'item-not-found') as XmlElement };
    }
    const features = [...new Set([NS_DISCO_INFO, NS_PING, ...(opts.features ?? [])])];
    return {
      reply: result(e, el('query', { xmlns: NS_DISCO_INFO },
        el('identity', { category: 'server', type: 'im', name: opts.name }),
        ...features.map((f) => el('feature', { var: f })))),
    };
  }
  return { reply: errorReply(e, 'service-unavailable') as XmlElement };
}

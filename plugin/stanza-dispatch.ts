import { decodeStanza, errorReplyFor } from './core/stanza/stanza-codec';
import type { Stanza } from './core/stanza/stanza';
import { stanzaError } from './core/stanza/stanza-error';
import type { XmlElement } from './core/xml/xml-element';
import { handleIqToUser } from './use-cases/iq-to-user';
import { sendStanzaSafely } from './use-cases/port-calls';
import { handleXmppMessage, type XmppToSipDeps } from './use-cases/xmpp-message-to-sip';

/**
 * Where an authenticated inbound stanza from the S2S edge goes. The edge has
 * already checked that `from` is authenticated on its stream and `to` is ours
 * (RFC 6120 §13.7, §4.7.1) and answered IQs to our bare domain; everything
 * addressed to our users comes here. Nothing is dropped without a log line,
 * and every refusal that RFC 6120 lets us answer is answered.
 */
export function createStanzaDispatcher(deps: XmppToSipDeps, presence?: PresenceSink): (el: XmlElement) => Promise<void> {
  const { log } = deps;
  return async (el) => {
    const decoded = decodeStanza(el);
    if (!decoded.ok) {
      // RFC 6120 §8.3.3.1: a stanza we cannot read gets bad-request, unless it is itself an error.
      log.warn({ code: decoded.error.code, detail: decoded.error.detail, name: el.name }, 'undecodable stanza from peer');
      const reply = badRequestReply(el, decoded.error.detail);
      if (reply) await sendStanzaSafely(deps.xmpp, log, reply);
      return;
    }
    const s = decoded.value;
    switch (s.kind) {
      case 'message': {
        const outcome = await handleXmppMessage(s, deps);
        log.debug({ stanzaId: s.id, outcome: outcome.kind }, 'XMPP message handled');
        return;
      }
      case 'iq':
        await handleIqToUser(s, deps);
        return;
      case 'presence':
        if (presence) await presence.onPresence(s);
        else await refusePresence(s, deps);
        return;
    }
  };
}

/** Where presence goes when presence federation is on (use-cases/presence/presence-service.ts). */
export interface PresenceSink {
  onPresence(p: Extract<Stanza, { kind: 'presence' }>): Promise<void>;
}

/**
 * Without presence federation (no presence service wired), a subscription
 * request or a probe gets service-unavailable so the XMPP user sees a clear
 * refusal instead of a request pending forever; broadcast presence needs no
 * answer (RFC 6121 §4.3.3) and is logged.
 */
async function refusePresence(s: Extract<Stanza, { kind: 'presence' }>, deps: XmppToSipDeps): Promise<void> {
  if (s.type === 'subscribe' || s.type === 'probe') {
    const reply = errorReplyFor(s, stanzaError('service-unavailable', 'presence is not federated by this gateway yet'));
    if (reply) await sendStanzaSafely(deps.xmpp, deps.log, reply);
    deps.log.info({ from: s.from, to: s.to, type: s.type }, 'presence request refused (presence not federated yet)');
    return;
  }
  deps.log.debug({ from: s.from, to: s.to, type: s.type ?? 'available' }, 'presence ignored (presence not federated yet)');
}

function badRequestReply(el: XmlElement, detail: string): Stanza | undefined {
  const { from, to, id, type } = el.attrs;
  if (type === 'error' || (el.name === 'iq' && type === 'result')) return undefined;
  const base = { ...(to ? { from: to } : {}), ...(from ? { to: from } : {}), ...(id ? { id } : {}) };
  const error = stanzaError('bad-request', detail.slice(0, 200));
  if (el.name === 'iq') return id ? { kind: 'iq', type: 'error', id, ...base, error } : undefined;
  if (el.name === 'presence') return { kind: 'presence', type: 'error', ...base, error };
  return { kind: 'message', type: 'error', ...base, error };
}

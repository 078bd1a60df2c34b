import type { XmlElement } from './core/xml/xml-element';
import { messageRoute } from './middleware/message-route';
import { notifyRoute } from './middleware/notify-route';
import { subscribeRoute } from './middleware/subscribe-route';
import { createStanzaDispatcher, type PresenceSink } from './stanza-dispatch';
import type { SipPresenceHandlers } from './use-cases/presence-ports';
import { handleSipMessage } from './use-cases/sip-message-to-xmpp';
import type { XmppToSipDeps } from './use-cases/xmpp-message-to-sip';

/** The part of drachtio-srf's app the gateway registers with. */
export interface SrfApp {
  use(method: string, fns: Array<(req: never, res: never) => void>): unknown;
}

/**
 * Plugs the gateway into a drachtio-srf application: SIP MESSAGE is routed to
 * the SIP→XMPP use-case (`srf.use('message', …)`, which also makes srf ask
 * drachtio-server for the route), and the returned handler takes the S2S
 * edge's authenticated inbound stanzas.
 */
/** Presence federation (use-cases/presence/presence-service.ts): SIP handlers for srf, and the sink for presence stanzas. */
export interface PresenceWiring extends PresenceSink {
  readonly handlers: SipPresenceHandlers;
}

export function installGateway(srf: SrfApp, deps: XmppToSipDeps, presence?: PresenceWiring): { onStanza: (el: XmlElement) => void } {
  srf.use('message', [messageRoute((m) => handleSipMessage(m, deps), deps.log) as (req: never, res: never) => void]);
  if (presence) {
    // RFC 8048 §5: SUBSCRIBE from SIP watchers, NOTIFY in the dialogs the gateway subscribed
    // in. Both at the stack-dialog level, no srf Dialog objects (adapters/drachtio/sip-presence-out.ts).
    srf.use('subscribe', [subscribeRoute(presence.handlers, deps.log) as (req: never, res: never) => void]);
    srf.use('notify', [notifyRoute(presence.handlers, deps.log) as (req: never, res: never) => void]);
  }
  const dispatch = createStanzaDispatcher(deps, presence);
  return {
    onStanza: (el) => {
      dispatch(el).catch((e: unknown) => deps.log.error({ err: e, stanza: el.name }, 'stanza dispatch failed'));
    },
  };
}

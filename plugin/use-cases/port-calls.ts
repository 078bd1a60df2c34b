/**
 * Port calls that cannot throw past a use-case: the ports promise never to
 * reject, but if an adapter breaks that promise the message is still answered
 * (as an internal error) instead of being lost in an unhandled rejection.
 */
import { stanzaError } from '../core/stanza/stanza-error';
import type { Stanza } from '../core/stanza/stanza';
import type { GatewayPolicy, Log, OutboundSipMessage, SipOutcome, SipOut, XmppDelivery, XmppOut } from './ports';

export async function sendStanzaSafely(xmpp: XmppOut, log: Log, s: Stanza): Promise<XmppDelivery> {
  try {
    return await xmpp.sendStanza(s);
  } catch (e) {
    log.error({ err: String(e), stanzaId: s.id, to: s.to }, 'XMPP edge rejected instead of reporting a failure');
    return { ok: false, error: stanzaError('internal-server-error', 'gateway failure') };
  }
}

export async function sendSipSafely(sip: SipOut, log: Log, m: OutboundSipMessage): Promise<SipOutcome> {
  try {
    return await sip.sendMessage(m);
  } catch (e) {
    log.error({ err: String(e), requestUri: m.requestUri }, 'SIP adapter rejected instead of reporting a response');
    return { status: 500, reason: 'Server Internal Error' };
  }
}

/** A `body` log field only when the operator enabled body logging (Lync EnableLoggingAllMessageBodies). */
export function bodyField(policy: GatewayPolicy, body: string | undefined): Record<string, unknown> {
  return policy.logMessageBodies && body !== undefined ? { body } : {};
}

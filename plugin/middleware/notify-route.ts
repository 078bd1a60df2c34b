import type { Log } from '../use-cases/ports';
import type { InboundSipNotify, SipPresenceHandlers } from '../use-cases/presence-ports';
import { toInboundSipNotify, type SrfPresenceRequest } from './inbound-sip-presence';
import { safeSend, type SrfPresenceResponse } from './subscribe-route';

/**
 * The srf middleware for NOTIFY (`srf.use('notify', …)`). Every NOTIFY reaches it, known
 * dialog or not: the gateway keeps no srf Dialog objects, so srf passes them all on, with
 * req.stackDialogId when drachtio matched a dialog. The use-case decides (481 for a dialog
 * it does not know, RFC 6665 §4.1.3).
 *
 * Quirk Q6 (PROTOCOL-NOTES §5): for a terminating NOTIFY in a dialog we created, drachtio
 * has already answered 500 itself and refuses our answer with NOK ("Response not sent due
 * to unknown transaction"). That refusal is expected: logged at debug, nothing thrown.
 */
export function notifyRoute(handlers: Pick<SipPresenceHandlers, 'onNotify'>, log: Log) {
  return (req: SrfPresenceRequest, res: SrfPresenceResponse): void => {
    let inbound: InboundSipNotify;
    try {
      inbound = toInboundSipNotify(req);
    } catch (e) {
      log.error({ err: e }, 'could not read SIP NOTIFY');
      safeSend(res, log, 400, 'Bad Request', {});
      return;
    }
    const refused = (err: unknown): void => {
      if (err) log.debug({ err: String(err), dialogId: inbound.dialogId, subscriptionState: inbound.subscriptionState }, 'drachtio did not send our answer to NOTIFY');
    };
    handlers.onNotify(inbound).then(
      (a) => safeSend(res, log, a.status, a.reason, a.headers ? { headers: { ...a.headers } } : {}, refused),
      (e: unknown) => {
        log.error({ err: e, callId: inbound.callId, dialogId: inbound.dialogId }, 'NOTIFY handler failed');
        safeSend(res, log, 500, 'Server Internal Error', {}, refused);
      },
    );
  };
}

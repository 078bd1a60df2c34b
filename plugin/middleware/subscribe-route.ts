import type { Log } from '../use-cases/ports';
import type { InboundSipSubscribe, SipPresenceHandlers, SubscribeAnswer } from '../use-cases/presence-ports';
import { toInboundSipSubscribe, type SrfPresenceRequest } from './inbound-sip-presence';

/** srf's Response as the presence routes use it: the 4-argument send, and the dialog id of its echo. */
export interface SrfPresenceResponse {
  send(status: number, reason: string, opts: { headers?: Record<string, string> }, cb?: (err: unknown) => void): void;
  /** Set by srf from token 11 of drachtio's echo of our response (PROTOCOL-NOTES §3.1, S3 #7). */
  readonly stackDialogId?: string;
}

/**
 * The srf middleware for SUBSCRIBE (`srf.use('subscribe', …)`): map, ask the use-case,
 * answer. For a 2xx the dialog id only exists once drachtio has sent the response (token 11
 * of its echo), so the answer goes out with a callback, and `accepted(dialogId)` — which
 * sends the immediate NOTIFY of RFC 6665 §4.2.1.2 — runs from there. No srf Dialog is made
 * (see adapters/drachtio/sip-presence-out.ts for why).
 *
 * A handler that rejects (a bug, never bad input) still gets 500 and a log line, so no SIP
 * transaction is left to time out silently.
 */
export function subscribeRoute(handlers: Pick<SipPresenceHandlers, 'onSubscribe'>, log: Log) {
  return (req: SrfPresenceRequest, res: SrfPresenceResponse): void => {
    let inbound: InboundSipSubscribe;
    try {
      inbound = toInboundSipSubscribe(req);
    } catch (e) {
      log.error({ err: e }, 'could not read SIP SUBSCRIBE');
      safeSend(res, log, 400, 'Bad Request', {});
      return;
    }
    handlers.onSubscribe(inbound).then(
      (a) => answerSubscribe(res, log, inbound, a),
      (e: unknown) => {
        log.error({ err: e, callId: inbound.callId, dialogId: inbound.dialogId }, 'SUBSCRIBE handler failed');
        safeSend(res, log, 500, 'Server Internal Error', {});
      },
    );
  };
}

function answerSubscribe(res: SrfPresenceResponse, log: Log, inbound: InboundSipSubscribe, a: SubscribeAnswer): void {
  const opts = a.headers ? { headers: { ...a.headers } } : {};
  const accepted = a.accepted;
  if (a.status < 200 || a.status >= 300 || !accepted) {
    safeSend(res, log, a.status, a.reason, opts);
    return;
  }
  safeSend(res, log, a.status, a.reason, opts, (err) => {
    if (err) {
      // drachtio did not send our 2xx (NOK, link lost): there is no subscription to notify in.
      log.warn({ err: String(err), callId: inbound.callId, dialogId: inbound.dialogId }, 'drachtio refused our 2xx to SUBSCRIBE');
      return;
    }
    const id = res.stackDialogId || inbound.dialogId; // a refresh names its dialog in the request too
    if (!id) {
      log.warn({ callId: inbound.callId }, 'drachtio echoed our 2xx to SUBSCRIBE without a dialog id: no NOTIFY can be sent');
      return;
    }
    accepted(id).catch((e: unknown) => log.error({ err: e, dialogId: id }, 'SUBSCRIBE accepted-handler failed'));
  });
}

/** res.send that never throws into srf's socket reader (srf throws on an unknown status code). */
export function safeSend(
  res: SrfPresenceResponse,
  log: Log,
  status: number,
  reason: string,
  opts: { headers?: Record<string, string> },
  cb?: (err: unknown) => void,
): void {
  try {
    res.send(status, reason, opts, cb);
  } catch (e) {
    log.error({ err: e, status }, 'could not send SIP response');
    cb?.(e);
  }
}

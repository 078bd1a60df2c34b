import type { Log } from '../use-cases/ports';
import type { InboundSipMessage, SipAnswer } from '../use-cases/sip-request';
import { toInboundSipMessage, type SrfMessageRequest } from './inbound-sip-message';

export interface SrfMessageResponse {
  send(status: number, reason: string, opts: { headers?: Record<string, string> }): void;
}

/**
 * The srf middleware for MESSAGE: map the request, run the use-case, answer.
 * A use-case that throws (a bug, never bad input) still answers 500 and logs,
 * so no SIP transaction is left to time out silently.
 */
export function messageRoute(handle: (m: InboundSipMessage) => Promise<SipAnswer>, log: Log) {
  return (req: SrfMessageRequest, res: SrfMessageResponse): void => {
    let inbound: InboundSipMessage;
    try {
      inbound = toInboundSipMessage(req);
    } catch (e) {
      log.error({ err: e }, 'could not read SIP MESSAGE');
      res.send(400, 'Bad Request', {});
      return;
    }
    handle(inbound).then(
      (a) => res.send(a.status, a.reason, a.headers ? { headers: { ...a.headers } } : {}),
      (e: unknown) => {
        log.error({ err: e, callId: inbound.callId }, 'MESSAGE handler failed');
        res.send(500, 'Server Internal Error', {});
      },
    );
  };
}

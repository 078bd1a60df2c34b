import type { GateOutcome, RequestGate } from '../drachtio/request-gate';
import type { OutgoingSipRequest, SipFinalResponse } from '../drachtio/send-request';

const none = (): undefined => undefined;

/**
 * Presence SUBSCRIBEs and NOTIFYs go through the same request gate as
 * MESSAGEs (issue #13: one bound on what the gateway asks of drachtio), and
 * come back as the final response SipPresenceOut expects:
 * - never sent (gate full / waited too long) or link down → 503 with
 *   Retry-After, which the presence decisions treat as transient
 *   (RFC 8048 §5.2.2);
 * - no final in time → 408 (RFC 3261 Timer F);
 * - drachtio refused the request (e.g. it no longer knows the dialog) → thrown,
 *   so SipPresenceOut can tell "no such dialog" (481) from other refusals.
 */
export function gatedSend(gate: Pick<RequestGate, 'send'>): (r: OutgoingSipRequest) => Promise<SipFinalResponse> {
  return async (r) => fromOutcome(await gate.send(r));
}

export function fromOutcome(o: GateOutcome): SipFinalResponse {
  switch (o.kind) {
    case 'final':
      return o.response;
    case 'overloaded':
    case 'link-down':
      return { status: 503, reason: 'Service Unavailable', get: (h) => (h.toLowerCase() === 'retry-after' ? '5' : undefined) };
    case 'timeout':
      return { status: 408, reason: 'Request Timeout', get: none };
    case 'refused':
      throw new Error(o.error);
  }
}

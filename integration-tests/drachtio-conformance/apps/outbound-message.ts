/**
 * Port of app_outbound_message.js (golden traces S2): the app sends one MESSAGE
 * with srf.request. MODE 'cb' attaches the 'response' listener inside the
 * callback (safe); MODE 'promise' attaches it after `await` (quirk Q1: loses the
 * final response when drachtio's echo and the response share one TCP read).
 */
import type Srf from 'drachtio-srf';
import { deferred, loose, type RequestOpts, type SipMessageView } from './srf-loose';

export type RequestMode = 'cb' | 'promise';

export interface OutboundMessage {
  /** stackTxnId of the sent request (token 10 of drachtio's echo) */
  readonly sent: Promise<string>;
  /** every response srf delivered to the app's listener */
  readonly responses: SipMessageView[];
  /** the first final response the app saw (never settles when it was lost) */
  readonly final: Promise<SipMessageView>;
}

export const OUTBOUND_BODY = 'héllo ✓ from the gateway app';

export function sendOutboundMessage(srf: Srf, target: string, mode: RequestMode): OutboundMessage {
  const opts: RequestOpts = {
    method: 'MESSAGE',
    headers: { From: '<sip:romeo@xmpp-gw.test>', To: `<${target}>`, 'Content-Type': 'text/plain;charset=UTF-8' },
    body: OUTBOUND_BODY,
  };
  const sent = deferred<string>();
  const final = deferred<SipMessageView>();
  const responses: SipMessageView[] = [];
  const onResponse = (res: SipMessageView) => {
    responses.push(res);
    if (res.status >= 200) final.resolve(res);
  };
  if (mode === 'promise') {
    loose(srf).request(target, opts).then((req) => {
      sent.resolve(req.stackTxnId);
      req.on('response', onResponse); // one microtask too late when coalesced (Q1)
    }, (e: Error) => { sent.reject(e); final.reject(e); });
  } else {
    loose(srf).request(target, opts, (err, req) => {
      if (err) { sent.reject(err); final.reject(err); return; }
      sent.resolve(req.stackTxnId);
      req.on('response', onResponse);
    });
  }
  return { sent: sent.promise, responses, final: final.promise };
}

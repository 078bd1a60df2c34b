/**
 * Port of the capture kit's app_inbound_message.js (golden traces S1, S1x):
 * answers an inbound MESSAGE according to its Request-URI user:
 * ok200 → 200, acc202 → 202 + X-Gateway, nf404 → "404 No Such XMPP User", fb403 → 403.
 */
import type Srf from 'drachtio-srf';
import { connectSrf, type AdminAddress, type ConnectedSrf } from '../../harness/srf-app';
import { deferred, looseRes, type SendCallback } from './srf-loose';

export interface InboundMessageApp {
  readonly conn: ConnectedSrf;
  /** first line of the final response as drachtio echoed it */
  readonly echoed: Promise<string>;
  /** bodies of the MESSAGE requests that reached the app */
  readonly bodies: string[];
}

export async function startInboundMessageApp(admin: AdminAddress): Promise<InboundMessageApp> {
  const echo = deferred<string>();
  const bodies: string[] = [];
  const onMessage = (req: Srf.SrfRequest, res: Srf.SrfResponse) => {
    bodies.push(req.body);
    const user = /^sips?:([^@]+)@/.exec(req.uri)?.[1];
    const cb: SendCallback = (err, msg) => {
      if (err) echo.reject(err);
      else echo.resolve(msg.toString().split('\r\n')[0] ?? '');
    };
    const r = looseRes(res);
    switch (user) {
      case 'acc202': return r.send(202, { headers: { 'X-Gateway': 'sip-xmpp-test' } }, cb);
      case 'nf404': return r.send(404, 'No Such XMPP User', {}, cb);
      case 'fb403': return r.send(403, cb);
      default: return r.send(200, cb);
    }
  };
  const conn = await connectSrf(admin, { routes: { message: onMessage } });
  return { conn, echoed: echo.promise, bodies };
}

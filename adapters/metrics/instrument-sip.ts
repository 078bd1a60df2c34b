/**
 * SIP request counts: an srf middleware for the requests drachtio hands us
 * (counted with the final status we answered, whoever answered it, the
 * overload shedder included), and a wrapper of the request gate for the ones
 * we send (counted with their final status, or why none came).
 */
import type { RequestGate } from '../drachtio/request-gate';
import type { GatewayMetrics } from './gateway-metrics';

interface SrfRequest { readonly method: string }
interface SrfResponse { once(event: 'end', cb: (r: { status: number }) => void): unknown }

export function sipMetricsMiddleware(m: GatewayMetrics): (req: SrfRequest, res: SrfResponse, next: () => void) => void {
  return (req, res, next) => {
    res.once('end', ({ status }) => m.sipRequest('in', req.method, status));
    next();
  };
}

export function instrumentGate(gate: RequestGate, m: GatewayMetrics): RequestGate {
  return {
    async send(r) {
      const o = await gate.send(r);
      m.sipRequest('out', r.method, o.kind === 'final' ? o.response.status : o.kind);
      return o;
    },
    stats: () => gate.stats(),
    close: () => gate.close(),
  };
}

/**
 * The S2S edge as the rest of the gateway sees it, counting every stanza that
 * crosses it and timing how long an outgoing stanza takes to reach an
 * authenticated stream. Behaviour is the edge's own, unchanged.
 */
import type { S2SEdge } from '../xmpp-s2s/edge';
import type { GatewayMetrics } from './gateway-metrics';

export function instrumentEdge(edge: S2SEdge, m: GatewayMetrics): S2SEdge {
  return {
    start: () => edge.start(),
    stop: () => edge.stop(),
    send(e) {
      m.stanza('out', e);
      edge.send(e);
    },
    async sendConfirmed(e) {
      m.stanza('out', e);
      const t0 = process.hrtime.bigint();
      const r = await edge.sendConfirmed(e);
      if (r.ok) m.onWire(Number(process.hrtime.bigint() - t0) / 1e9);
      return r;
    },
    onStanza(h) {
      edge.onStanza((e) => {
        m.stanza('in', e);
        h(e);
      });
    },
    acceptSocket: (socket, ip) => edge.acceptSocket(socket, ip),
    get connections() {
      return edge.connections;
    },
    streams: () => edge.streams(),
    enforcePolicy: () => edge.enforcePolicy(),
  };
}

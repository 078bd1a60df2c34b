import { duplexPair } from 'node:stream';
import { el, type XmlElement } from '../../../plugin/core/xml/xml-element';
import { createS2SEdge, type S2SEdge } from '../edge';
import { memoryLogger, POLICY_PLAIN, settle, tlsFor } from '../__tests__/test-deps';
import { DEFAULT_IN_DOUBT } from './options';

/**
 * Two real edges over in-process duplex pairs (as in edge.test.ts): our
 * edge has no XEP-0198 on its inbound side, so the sender fences with
 * XEP-0199 pings, and the answer comes back on the OTHER edge's outbound
 * stream. With a cap of 3 in doubt, messages 4 and 5 can only go out once
 * the edge has routed that answer to the fence (issue #11).
 */
it('XEP-0199: the ping answer arriving on the peer\'s own stream confirms our outbound stream (RFC 6120 §10.1) and releases the capped queue', async () => {
  const edges: Record<string, S2SEdge> = {};
  const received: XmlElement[] = [];
  const logs = memoryLogger();
  const mk = (domain: string, other: string) => {
    const edge = createS2SEdge({
      domains: [domain],
      policyFor: (d) => (d === other ? POLICY_PLAIN : undefined),
      tls: tlsFor({}),
      dialbackSecret: `secret-of-${domain}`,
      logger: logs.logger,
      limits: { closeTimeoutMs: 100 },
      inDoubt: { ...DEFAULT_IN_DOUBT, maxPerStream: 3, fenceAfterMs: 10 },
      connect: async (remote) => {
        const [a, b] = duplexPair();
        (edges[remote] as S2SEdge).acceptSocket(b, '127.0.0.1');
        return { socket: a, secure: false, ip: '127.0.0.1' };
      },
    });
    edge.onStanza((e) => { if (domain === 'peer.test') received.push(e); });
    edges[domain] = edge;
  };
  mk('gw.test', 'peer.test');
  mk('peer.test', 'gw.test');
  const gw = edges['gw.test'] as S2SEdge;
  const results = await Promise.all([1, 2, 3, 4, 5].map((i) =>
    gw.sendConfirmed(el('message', { from: 'bob@gw.test/sip', to: 'alice@peer.test', id: `m${i}` }, el('body', {}, `m${i}`)))));
  expect(results).toEqual(Array(5).fill({ ok: true }));
  for (let i = 0; i < 200 && received.length < 5; i++) await settle(2);
  expect(received.map((e) => e.attrs.id)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
  // Consumed as a fence answer, not handed on as an IQ response to the server itself.
  expect(logs.lines.filter((l) => l.msg === 'IQ response to the server itself')).toEqual([]);
  expect(logs.lines.filter((l) => l.msg === 'in-doubt tracking started').map((l) => `${l.local}->${l.remote} ${l.confirmations}`))
    .toEqual(expect.arrayContaining(['gw.test->peer.test fence']));
  await Promise.all([gw.stop(), (edges['peer.test'] as S2SEdge).stop()]);
});

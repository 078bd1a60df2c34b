/**
 * Attack tests for connection admission on the S2S edge (Lync global
 * connection limit and per-partner ConnectionLimit, anchors.md §1.2–§1.3),
 * driven through acceptSocket() with in-process duplex pairs.
 */
import { duplexPair } from 'node:stream';
import { el } from '../../plugin/core/xml/xml-element';
import { createS2SEdge } from './edge';
import type { PartnerPolicy } from './policy/partner-policy';
import { memoryLogger, Peer, PEER_HEADER, POLICY_PLAIN, settle, tlsFor } from './__tests__/test-deps';

function edgeWith(opts: { connectionLimit: number; partnerLimit: number }) {
  const policy: PartnerPolicy = { ...POLICY_PLAIN, connectionLimit: opts.partnerLimit };
  const connects: string[] = [];
  const edge = createS2SEdge({
    domains: ['gw.test'],
    policyFor: (d) => (d === 'peer.test' || d === 'other.test' ? policy : undefined),
    tls: tlsFor({}),
    dialbackSecret: 'edge-secret',
    logger: memoryLogger().logger,
    limits: { closeTimeoutMs: 50 },
    connectionLimit: opts.connectionLimit,
    connect: (remote) => {
      connects.push(remote);
      return new Promise(() => undefined); // the remote never answers; only the attempt matters
    },
  });
  edge.onStanza(() => undefined);
  const open = () => {
    const [a, b] = duplexPair();
    edge.acceptSocket(a, '127.0.0.1');
    return new Peer(b);
  };
  return { edge, open, connects };
}

describe('security: per-partner connection limit (Lync XmppAllowedPartner ConnectionLimit)', () => {
  it('refuses the stream beyond the partner limit with policy-violation, and frees the slot when a stream closes', async () => {
    const { edge, open } = edgeWith({ connectionLimit: 100, partnerLimit: 2 });
    const peers = [open(), open(), open()];
    for (const p of peers) p.send(PEER_HEADER());
    await peers[2]!.waitFor(/<stream:error><policy-violation /);
    expect(peers[0]!.text).toContain('</stream:features>');
    expect(peers[1]!.text).toContain('</stream:features>');
    expect(edge.connections).toBe(2);
    peers[0]!.send('</stream:stream>');
    await peers[0]!.waitFor(/<\/stream:stream>$/);
    await settle();
    const again = open();
    again.send(PEER_HEADER());
    await again.waitFor(/<\/stream:features>/);
    await edge.stop();
  });

  it('refuses a stream beyond the global limit with resource-constraint, whatever domain it claims', async () => {
    const { edge, open } = edgeWith({ connectionLimit: 2, partnerLimit: 20 });
    const a = open();
    const b = open();
    const c = open();
    a.send(PEER_HEADER());
    b.send(PEER_HEADER('other.test'));
    await b.waitFor(/<\/stream:features>/);
    c.send(PEER_HEADER('other.test'));
    await c.waitFor(/<stream:error><resource-constraint /);
    await edge.stop();
  });

  /*
   * DEFECT: admission is counted when the stream HEADER arrives
   * (inbound-session.ts onStreamStart → admit), i.e. for a domain the peer
   * merely claims, before any authentication. Inbound and outbound streams
   * share the per-partner count (connection-registry.ts), so anyone who can
   * reach port 5269 can open `connectionLimit` idle streams claiming
   * from='peer.test' and, for as long as the establishment timeout (re-opened
   * at will), lock the real peer.test out in both directions: its inbound
   * streams get policy-violation and our outbound stream to it is never
   * opened (router ensureConnecting → resource-constraint bounce). RFC 6120
   * §13.7/§4.9.3.9 says a claimed 'from' means nothing until authenticated;
   * the team rule "accept nothing from a domain the stream has not
   * authenticated". Expected: charge a pre-auth stream to a separate budget
   * (per IP / global), and to the partner only once the domain is
   * authenticated.
   */
  it.failing('does not let unauthenticated streams that merely claim peer.test use up peer.test\'s connection limit', async () => {
    const { edge, open, connects } = edgeWith({ connectionLimit: 100, partnerLimit: 2 });
    const squatters = [open(), open()];
    for (const p of squatters) p.send(PEER_HEADER()); // never authenticate
    await squatters[1]!.waitFor(/<\/stream:features>/);
    edge.send(el('message', { from: 'bob@gw.test', to: 'alice@peer.test', id: 'm1', type: 'chat' }, el('body', {}, 'hi')));
    await settle();
    expect(connects).toEqual(['peer.test']);
    await edge.stop();
  });
});

describe('security: slowloris (connections that never send a header)', () => {
  /*
   * DEFECT: the global connection limit is only applied when a stream
   * header arrives (edge.ts acceptSocket → InboundSession → admit at
   * onStreamStart). A connection that sends nothing is never counted, so
   * an attacker can hold any number of sockets, each with its session,
   * parser and timers, for streamEstablishmentTimeout (60 s) each — the
   * Lync global connection limit does not bound them. Expected: count a
   * connection from accept, and refuse (resource-constraint, RFC 6120
   * §4.9.3.17) or drop sockets beyond the limit.
   */
  it.failing('refuses a connection beyond the global limit even when none of the open ones has sent a header', async () => {
    const { edge, open } = edgeWith({ connectionLimit: 2, partnerLimit: 20 });
    open();
    open();
    const third = open();
    await settle(8);
    expect(third.text).toContain('<stream:error><resource-constraint ');
    await edge.stop();
  });
});

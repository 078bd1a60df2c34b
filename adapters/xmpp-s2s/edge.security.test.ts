/**
 * Attack tests for connection admission on the S2S edge (Lync global
 * connection limit and per-partner ConnectionLimit, anchors.md §1.2–§1.3),
 * driven through acceptSocket() with in-process duplex pairs.
 */
import { duplexPair } from 'node:stream';
import { el } from '../../plugin/core/xml/xml-element';
import { dialbackKey } from './auth/dialback-key';
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

const PEER_SECRET = 'secret-of-peer';
const streamIdOf = (text: string) => /<stream:stream [^>]*id='([^']+)'/.exec(text)?.[1] as string;

/**
 * gw.test whose outbound streams reach a real peer.test edge: the
 * authoritative server that answers gw's db:verify (XEP-0220 §2.1.3). The
 * test peers stand in for peer.test's originating servers (they hold its
 * secret, so their keys are genuine).
 */
function authoritativeFederation(partnerLimit: number) {
  const policy: PartnerPolicy = { ...POLICY_PLAIN, connectionLimit: partnerLimit };
  const common = { tls: tlsFor({}), logger: memoryLogger().logger, limits: { closeTimeoutMs: 50 } };
  const authoritative = createS2SEdge({
    ...common, domains: ['peer.test'], policyFor: (d) => (d === 'gw.test' ? policy : undefined), dialbackSecret: PEER_SECRET,
    connect: () => new Promise(() => undefined), // it never needs to verify gw.test for these tests
  });
  const edge = createS2SEdge({
    ...common, domains: ['gw.test'], policyFor: (d) => (d === 'peer.test' ? policy : undefined), dialbackSecret: 'edge-secret',
    connect: async () => {
      const [ours, theirs] = duplexPair();
      authoritative.acceptSocket(theirs, '127.0.0.1');
      return { socket: ours, secure: false };
    },
  });
  edge.onStanza(() => undefined);
  const open = () => {
    const [a, b] = duplexPair();
    edge.acceptSocket(a, '127.0.0.1');
    return new Peer(b);
  };
  return { edge, open };
}

/** Opens a stream claiming peer.test and authenticates it by dialback with a genuine key. */
async function authenticate(peer: Peer): Promise<void> {
  peer.send(PEER_HEADER());
  const id = streamIdOf(await peer.waitFor(/<\/stream:features>/));
  peer.send(`<db:result from='peer.test' to='gw.test'>${dialbackKey(PEER_SECRET, 'gw.test', 'peer.test', id)}</db:result>`);
  await peer.waitFor(/<db:result from="gw.test" to="peer.test" type="valid"\/>/);
}

describe('security: per-partner connection limit (Lync XmppAllowedPartner ConnectionLimit)', () => {
  it('charges a stream to the partner when it authenticates: beyond the limit it is refused with policy-violation, and a closed stream frees its slot', async () => {
    const { edge, open } = authoritativeFederation(2);
    const a = open();
    await authenticate(a);
    // B proves peer.test too, but the partner is at its limit: our outbound stream to
    // peer.test (which carried the db:verify) holds one slot and A the other.
    const b = open();
    b.send(PEER_HEADER());
    const bId = streamIdOf(await b.waitFor(/<\/stream:features>/));
    b.send(`<db:result from='peer.test' to='gw.test'>${dialbackKey(PEER_SECRET, 'gw.test', 'peer.test', bId)}</db:result>`);
    await b.waitFor(/<stream:error><policy-violation /);
    expect(b.text).not.toContain('type="valid"');
    a.send('</stream:stream>');
    await a.waitFor(/<\/stream:stream>$/);
    await settle();
    await authenticate(open());
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
   * Fixed defect, kept as a regression test: admission used to be counted
   * when the stream HEADER arrived, i.e. for a domain the peer merely
   * claimed, before any authentication. Inbound and outbound streams share
   * the per-partner count (connection-registry.ts), so anyone who could
   * reach port 5269 could open `connectionLimit` idle streams claiming
   * from='peer.test' and lock the real peer.test out in both directions
   * (its inbound streams refused, our outbound stream to it never opened).
   * RFC 6120 §13.7/§4.9.3.9: a claimed 'from' means nothing until
   * authenticated. Now a pre-auth stream counts against the global limit
   * only, and is charged to the partner when its first domain pair
   * authenticates (ConnectionRegistry.admitPending/promote).
   */
  it('does not let unauthenticated streams that merely claim peer.test use up peer.test\'s connection limit', async () => {
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
   * Fixed defect, kept as a regression test: the global connection limit
   * used to be applied only when a stream header arrived, so a connection
   * that sent nothing was never counted and an attacker could hold any
   * number of sockets, each with its session, parser and timers, for
   * streamEstablishmentTimeout each. Now every connection counts from
   * accept (edge.ts acceptSocket), and one beyond the limit is refused at
   * once with resource-constraint (RFC 6120 §4.9.3.17) without a session.
   */
  it('refuses a connection beyond the global limit even when none of the open ones has sent a header', async () => {
    const { edge, open } = edgeWith({ connectionLimit: 2, partnerLimit: 20 });
    open();
    open();
    const third = open();
    await settle(8);
    expect(third.text).toContain('<stream:error><resource-constraint ');
    await edge.stop();
  });

  it('closes the refused socket at once (header, error, close: RFC 6120 §4.9.1.2) and accepts again when a silent one goes away', async () => {
    const { edge, open } = edgeWith({ connectionLimit: 2, partnerLimit: 20 });
    const silent = open();
    open();
    const refused = open();
    await refused.waitEnded();
    expect(refused.text).toMatch(/^<\?xml version='1.0'\?><stream:stream [^>]*from='gw.test'[^>]*><stream:error><resource-constraint [^]*<\/stream:stream>$/);
    expect(edge.connections).toBe(2);
    silent.socket.end();
    await settle();
    expect(edge.connections).toBe(1);
    const again = open();
    again.send(PEER_HEADER());
    await again.waitFor(/<\/stream:features>/);
    await edge.stop();
  });
});

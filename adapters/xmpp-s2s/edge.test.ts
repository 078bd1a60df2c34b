import { once } from 'node:events';
import net from 'node:net';
import { duplexPair } from 'node:stream';
import { serializeXml } from '../../plugin/core/xml/serialize-xml';
import { el, type XmlElement } from '../../plugin/core/xml/xml-element';
import { createS2SEdge, type S2SEdge } from './edge';
import type { PartnerPolicy } from './policy/partner-policy';
import { contextFor, memoryLogger, Peer, PEER_HEADER, POLICY_OPEN, POLICY_PLAIN, settle, tlsFor } from './__tests__/test-deps';

/**
 * Two edges federating with each other over in-process duplex pairs: every
 * connect() of one is an acceptSocket() of the other, so dialback runs for
 * real in both directions (the verify goes out on an outbound stream).
 */
function federation(policy: PartnerPolicy | (() => PartnerPolicy | undefined), withTls: boolean) {
  const current = typeof policy === 'function' ? policy : () => policy;
  const edges: Record<string, S2SEdge> = {};
  const received: Record<string, XmlElement[]> = { 'gw.test': [], 'peer.test': [] };
  const logs = memoryLogger();
  const mk = (domain: 'gw.test' | 'peer.test', other: string) => {
    const name = domain === 'gw.test' ? 'gw' : 'peer';
    const edge = createS2SEdge({
      domains: [domain],
      policyFor: (d) => (d === other ? current() : undefined),
      tls: withTls ? tlsFor({ [domain]: contextFor(name) }) : tlsFor({}),
      dialbackSecret: `secret-of-${domain}`,
      logger: logs.logger,
      limits: { closeTimeoutMs: 100 },
      connect: async (remote) => {
        const [a, b] = duplexPair();
        (edges[remote] as S2SEdge).acceptSocket(b, '127.0.0.1');
        return { socket: a, secure: false, ip: '127.0.0.1' };
      },
    });
    edge.onStanza((e) => (received[domain] as XmlElement[]).push(e));
    edges[domain] = edge;
  };
  mk('gw.test', 'peer.test');
  mk('peer.test', 'gw.test');
  const until = async (pred: () => boolean) => {
    for (let i = 0; i < 200 && !pred(); i++) await settle(2);
    expect(pred()).toBe(true);
  };
  return { gw: edges['gw.test'] as S2SEdge, peer: edges['peer.test'] as S2SEdge, received, logs, until };
}

const message = (id: string) => el('message', { from: 'bob@gw.test/sip', to: 'alice@peer.test', id, type: 'chat' }, el('body', {}, 'h\u00e9'));

describe('S2S edge federating with another edge', () => {
  it('delivers a message over plain-TCP dialback, the verify travelling on the verifier\'s outbound stream (XEP-0220 §2.1)', async () => {
    const f = federation(POLICY_PLAIN, false);
    f.gw.send(message('m1'));
    await f.until(() => f.received['peer.test']?.length === 1);
    expect(serializeXml(f.received['peer.test']?.[0] as XmlElement)).toBe('<message from="bob@gw.test/sip" to="alice@peer.test" id="m1" type="chat"><body>h\u00e9</body></message>');
    const auth = f.logs.lines.filter((l) => l.msg === 'authenticated');
    expect(auth).toEqual(expect.arrayContaining([expect.objectContaining({ dir: 'in', local: 'peer.test', remote: 'gw.test', mechanism: 'dialback' })]));
    // Each side verified the other's key by asking it over its own outbound stream; each answered on an inbound one.
    const verifies = f.logs.lines.filter((l) => l.msg === 'answered dialback verify');
    expect(verifies.map((l) => `${l.dir} ${l.local} ${l.valid}`).sort()).toEqual(['in gw.test true', 'in peer.test true']);
    await Promise.all([f.gw.stop(), f.peer.stop()]);
  });

  it('delivers a message over STARTTLS + SASL EXTERNAL when both certificates chain to the trusted CA (XEP-0178)', async () => {
    const f = federation(POLICY_OPEN, true);
    f.gw.send(message('m2'));
    await f.until(() => f.received['peer.test']?.length === 1);
    expect(f.logs.lines.filter((l) => l.msg === 'authenticated')).toEqual([expect.objectContaining({ dir: 'in', mechanism: 'EXTERNAL', secure: true }), expect.objectContaining({ dir: 'out', mechanism: 'EXTERNAL' })]);
    await Promise.all([f.gw.stop(), f.peer.stop()]);
  });

  it('lists each live stream with direction, authentication, TLS, queue and in-doubt count for status and metrics (issue #9)', async () => {
    const f = federation(POLICY_OPEN, true);
    expect(f.gw.streams()).toEqual([]);
    f.gw.send(message('m3'));
    await f.until(() => f.received['peer.test']?.length === 1);
    const view = (e: S2SEdge) => e.streams().map((s) => [s.direction, s.local, s.remote, s.auth, s.secure, s.established, s.queued]);
    expect(view(f.gw)).toEqual([['outbound', 'gw.test', 'peer.test', 'EXTERNAL', true, true, 0]]);
    expect(view(f.peer)).toEqual([['inbound', 'peer.test', 'gw.test', 'EXTERNAL', true, true, 0]]);
    const [out] = f.gw.streams();
    expect(out?.bytesOut).toBeGreaterThan(0);
    expect(out?.openedAt).toBeLessThanOrEqual(Date.now());
    await Promise.all([f.gw.stop(), f.peer.stop()]);
    expect(f.gw.streams()).toEqual([]);
  });

  it('on reload keeps conforming streams and closes with policy-violation those the new policy forbids (issue #9; RFC 6120 §4.9.3.14)', async () => {
    let policy: PartnerPolicy | undefined = POLICY_PLAIN;
    const f = federation(() => policy, false);
    f.gw.send(message('m4'));
    await f.until(() => f.received['peer.test']?.length === 1);
    const before = f.gw.streams().filter((s) => s.established).length;
    expect(before).toBeGreaterThan(0);
    expect(f.gw.enforcePolicy()).toBe(0); // same policy: nothing dropped
    policy = { ...POLICY_PLAIN, tls: 'Required' }; // a plain dialback stream no longer conforms
    expect(f.gw.enforcePolicy()).toBe(before);
    await f.until(() => f.gw.streams().length === 0);
    expect(f.logs.lines.filter((l) => l.msg === 'closing a stream the reloaded partner policy no longer allows').map((l) => l.why))
      .toEqual(Array(before).fill('TLS is now Required with peer.test and this stream is not encrypted'));
    await Promise.all([f.gw.stop(), f.peer.stop()]);
  });

  it('stop() refuses with system-shutdown a connection that arrives while it closes, and resolves (RFC 6120 §4.9.3.20)', async () => {
    const logs = memoryLogger();
    const edge = createS2SEdge({
      domains: ['gw.test'], policyFor: () => POLICY_PLAIN, tls: tlsFor({}), dialbackSecret: 'secret-of-gw.test', logger: logs.logger,
      limits: { closeTimeoutMs: 100 }, listen: { host: '127.0.0.1', port: 0 },
    });
    const { port } = await edge.start();
    const early = net.connect(port, '127.0.0.1');
    await once(early, 'connect');
    early.on('error', () => undefined);
    const stopping = edge.stop();
    const [peer, ours] = duplexPair();
    const chunks: Buffer[] = [];
    peer.on('data', (c: Buffer) => chunks.push(c));
    expect(edge.acceptSocket(ours, '127.0.0.1')).toBeUndefined();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([stopping, new Promise((_r, reject) => { timer = setTimeout(() => reject(new Error('stop() did not resolve')), 5000); })]);
    clearTimeout(timer);
    await settle();
    expect(Buffer.concat(chunks).toString('utf8')).toContain('<system-shutdown xmlns="urn:ietf:params:xml:ns:xmpp-streams"/>');
    early.destroy();
  });

  it('answers a ping to our bare domain over our own outbound stream (XEP-0199)', async () => {
    const f = federation(POLICY_PLAIN, false);
    f.peer.send(el('iq', { from: 'alice@peer.test/r', to: 'gw.test', id: 'p1', type: 'get' }, el('ping', { xmlns: 'urn:xmpp:ping' })));
    await f.until(() => f.received['peer.test']?.length === 1);
    expect(serializeXml(f.received['peer.test']?.[0] as XmlElement)).toBe('<iq from="gw.test" to="alice@peer.test/r" id="p1" type="result"/>');
    expect(f.received['gw.test']).toEqual([]);
    await Promise.all([f.gw.stop(), f.peer.stop()]);
  });

  it('passes IQs for users to the core handler', async () => {
    const f = federation(POLICY_PLAIN, false);
    f.peer.send(el('iq', { from: 'alice@peer.test/r', to: 'bob@gw.test', id: 'v1', type: 'get' }, el('vCard', { xmlns: 'vcard-temp' })));
    await f.until(() => f.received['gw.test']?.length === 1);
    await Promise.all([f.gw.stop(), f.peer.stop()]);
  });

  it('closes every stream with system-shutdown on stop (RFC 6120 §4.9.3.20)', async () => {
    const f = federation(POLICY_PLAIN, false);
    f.gw.send(message('m3'));
    await f.until(() => f.received['peer.test']?.length === 1);
    await f.gw.stop();
    expect(f.logs.lines.some((l) => l.msg === 'closing stream with error' && l.condition === 'system-shutdown')).toBe(true);
    await f.peer.stop();
    expect(f.gw.connections).toBe(0);
  });
});

describe('S2S edge: inbound connection limits', () => {
  it('counts a stream that has not authenticated against the global limit only, not against the partner it claims (RFC 6120 §13.7)', async () => {
    const edge = createS2SEdge({
      domains: ['gw.test'], policyFor: () => ({ ...POLICY_PLAIN, connectionLimit: 1 }), tls: tlsFor({}),
      logger: memoryLogger().logger, limits: { closeTimeoutMs: 50 }, connect: () => new Promise(() => undefined),
    });
    const peers = [0, 1].map(() => {
      const [a, b] = duplexPair();
      edge.acceptSocket(a, '127.0.0.1');
      const p = new Peer(b);
      p.send(PEER_HEADER());
      return p;
    });
    await peers[0]?.waitFor(/<\/stream:features>/);
    await peers[1]?.waitFor(/<\/stream:features>/);
    expect(edge.connections).toBe(2);
    await edge.stop();
    expect(edge.connections).toBe(0);
  });

  it('refuses an inbound stream beyond the global connection limit with resource-constraint', async () => {
    const edge = createS2SEdge({
      domains: ['gw.test'], policyFor: () => POLICY_PLAIN, tls: tlsFor({}), connectionLimit: 1,
      logger: memoryLogger().logger, connect: () => new Promise(() => undefined),
    });
    const peers = ['peer.test', 'other.test'].map((from) => {
      const [a, b] = duplexPair();
      edge.acceptSocket(a);
      const p = new Peer(b);
      p.send(PEER_HEADER(from));
      return p;
    });
    await peers[0]?.waitFor(/<\/stream:features>/);
    await peers[1]?.waitFor(/<stream:error><resource-constraint /);
  });
});

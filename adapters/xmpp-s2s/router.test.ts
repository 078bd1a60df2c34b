import { duplexPair } from 'node:stream';
import { serializeXml } from '../../plugin/core/xml/serialize-xml';
import { el, type XmlElement } from '../../plugin/core/xml/xml-element';
import { ConnectionRegistry } from './connection-registry';
import { S2SRouter, type Connector, type OpenedConnection } from './router';
import { makeDeps, Peer, POLICY_PLAIN, settle } from './__tests__/test-deps';

const msg = (id: string, type?: string) => el('message', { from: 'bob@gw.test/r', to: 'alice@peer.test', id, type }, el('body', {}, 'hi'));

function setup(connect: Connector, opts: { sendQueueMax?: number; registry?: ConnectionRegistry; random?: () => number; now?: () => number } = {}) {
  const delivered: XmlElement[] = [];
  const calls: string[] = [];
  const router = new S2SRouter({
    session: makeDeps({ limits: { sendQueueMax: opts.sendQueueMax ?? 1000 } }),
    connect: (remote, local, policy) => { calls.push(`${local}->${remote}`); return connect(remote, local, policy); },
    registry: opts.registry ?? new ConnectionRegistry(1000),
    deliverLocal: (e) => delivered.push(e),
    maxRetryDelayMs: 60_000,
    random: opts.random ?? (() => 0.5),
    now: opts.now ?? (() => Date.now()),
    logger: makeDeps().logger,
  });
  return { router, delivered, calls };
}

const never: Connector = () => new Promise<OpenedConnection>(() => undefined);
const failing = (condition: string): Connector => () => Promise.reject(Object.assign(new Error('down'), { condition }));

describe('S2SRouter: queue and bounces (Prosody bounce_sendq, RFC 6120 §8.3.3)', () => {
  it('bounces wait/resource-constraint beyond sendQueueMax while connecting', () => {
    const { router, delivered } = setup(never, { sendQueueMax: 3 });
    for (let i = 0; i < 5; i++) router.send(msg(String(i)));
    expect(router.routeState('gw.test', 'peer.test')).toMatchObject({ queued: 3, connecting: true });
    expect(delivered.map((d) => serializeXml(d))).toEqual(['3', '4'].map((id) =>
      `<message from="alice@peer.test" to="bob@gw.test/r" id="${id}" type="error"><error type="wait"><resource-constraint xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/><text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas" xml:lang="en">outgoing stanza queue full</text></error></message>`));
  });

  it.each([['remote-server-timeout', 'wait'], ['remote-server-not-found', 'cancel']])(
    'bounces every queued stanza with %s when the connection fails, except error and result stanzas', async (condition, type) => {
      const { router, delivered } = setup(failing(condition));
      router.send(msg('1'));
      router.send(msg('2', 'error'));
      router.send(el('iq', { from: 'gw.test', to: 'peer.test', id: 'r', type: 'result' }));
      router.send(el('presence', { from: 'bob@gw.test', to: 'alice@peer.test' }));
      await settle();
      expect(delivered.map((d) => `${d.name} ${d.attrs.id ?? ''} ${d.attrs.type}`)).toEqual(['message 1 error', 'presence  error']);
      expect(serializeXml(delivered[0] as XmlElement)).toContain(`<error type="${type}"><${condition} `);
    });

  it('bounces at once during the randomized retry delay, then reconnects on the next stanza', async () => {
    let now = 1_000_000;
    const { router, delivered, calls } = setup(failing('remote-server-not-found'), { now: () => now, random: () => 1 });
    router.send(msg('1'));
    await settle();
    router.send(msg('2'));
    expect(calls).toHaveLength(1);
    expect(delivered.map((d) => d.attrs.id)).toEqual(['1', '2']);
    now += 1000; // retryDelayMs(0, …, random=1) = 1 s
    router.send(msg('3'));
    await settle();
    expect(calls).toHaveLength(2);
    expect(router.routeState('gw.test', 'peer.test')?.failures).toBe(2);
  });

  it('refuses a stanza from a domain that is not ours instead of routing it', () => {
    const { router, delivered, calls } = setup(never);
    router.send(el('message', { from: 'x@evil.test', to: 'alice@peer.test' }));
    expect(calls).toEqual([]);
    expect(delivered).toEqual([]);
  });

  it('bounces remote-server-not-found for a domain that is not a federated partner', () => {
    const { router, delivered, calls } = setup(never);
    router.send(el('message', { from: 'bob@gw.test', to: 'x@refused.test', id: 'z' }));
    expect(calls).toEqual([]);
    expect(delivered[0]?.attrs).toMatchObject({ type: 'error', to: 'bob@gw.test', id: 'z' });
  });

  it('does not open a connection beyond the per-partner connection limit and bounces resource-constraint', () => {
    const registry = new ConnectionRegistry(1000);
    for (let i = 0; i < POLICY_PLAIN.connectionLimit; i++) registry.admit('peer.test', POLICY_PLAIN.connectionLimit);
    const { router, delivered, calls } = setup(never, { registry });
    router.send(msg('1'));
    expect(calls).toEqual([]);
    expect(serializeXml(delivered[0] as XmlElement)).toContain('<resource-constraint ');
  });

  it('does not open a connection beyond the global connection limit', () => {
    const registry = new ConnectionRegistry(1);
    registry.admit('other.test', 10);
    const { router, calls, delivered } = setup(never, { registry });
    router.send(msg('1'));
    expect(calls).toEqual([]);
    expect(delivered).toHaveLength(1);
  });
});

describe('S2SRouter: one reused outbound stream per domain pair', () => {
  it('opens one connection, flushes the queue in order once established, and reuses it', async () => {
    const peers: Peer[] = [];
    const connect: Connector = async () => {
      const [a, b] = duplexPair();
      peers.push(new Peer(b));
      return { socket: a, secure: false };
    };
    const { router, calls } = setup(connect);
    router.send(msg('1'));
    router.send(msg('2'));
    await settle();
    const peer = peers[0] as Peer;
    await peer.waitFor(/<stream:stream [^>]*>/);
    peer.send("<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='peer.test' to='gw.test' id='X' version='1.0'><stream:features/>");
    await peer.waitFor(/<\/db:result>/);
    peer.send("<db:result from='peer.test' to='gw.test' type='valid'/>");
    await peer.waitFor(/id="2"/);
    router.send(msg('3'));
    await peer.waitFor(/id="3"/);
    expect(calls).toEqual(['gw.test->peer.test']);
    expect([...peer.text.matchAll(/<message [^>]*id="(\d)"/g)].map((m) => m[1])).toEqual(['1', '2', '3']);
  });

  it('bounces queued stanzas with remote-server-not-found when the stream fails before authentication', async () => {
    let peer: Peer | undefined;
    const { router, delivered } = setup(async () => {
      const [a, b] = duplexPair();
      peer = new Peer(b);
      return { socket: a, secure: false };
    });
    router.send(msg('1'));
    await settle();
    await peer?.waitFor(/<stream:stream [^>]*>/);
    peer?.send("<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' from='peer.test' id='X' version='1.0'><stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>");
    await settle(20);
    expect(serializeXml(delivered[0] as XmlElement)).toContain('<remote-server-not-found ');
  });

  it('answers a dialback verification with error when the authoritative server cannot be reached (XEP-0220 §2.4)', async () => {
    const { router } = setup(failing('remote-server-not-found'));
    await expect(router.verify({ receiving: 'gw.test', originating: 'peer.test', streamId: 's', key: 'k' })).resolves.toBe('error');
    await expect(router.verify({ receiving: 'gw.test', originating: 'refused.test', streamId: 's', key: 'k' })).resolves.toBe('invalid');
  });
});

describe('S2SRouter: stream establishment timeout (Lync StreamEstablishmentTimeout)', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  it('bounces queued stanzas with remote-server-timeout when the peer never completes authentication', async () => {
    const delivered: XmlElement[] = [];
    const router = new S2SRouter({
      session: makeDeps({ limits: { streamEstablishmentTimeoutMs: 60_000, closeTimeoutMs: 1000 } }),
      connect: async () => {
        const [a, b] = duplexPair();
        b.resume(); // a peer that reads and never answers
        return { socket: a, secure: false };
      },
      registry: new ConnectionRegistry(10),
      deliverLocal: (e) => delivered.push(e),
      maxRetryDelayMs: 1000,
      random: () => 0,
      now: () => Date.now(),
      logger: makeDeps().logger,
    });
    router.send(msg('1'));
    await settle();
    jest.advanceTimersByTime(59_999);
    await settle();
    expect(delivered).toEqual([]);
    jest.advanceTimersByTime(1);
    await settle();
    // RFC 6120 §4.9.1.1: connection-timeout is a stream error; the stream is shed at once, not after closeTimeout.
    jest.advanceTimersByTime(100);
    await settle();
    expect(serializeXml(delivered[0] as XmlElement)).toContain('<error type="wait"><remote-server-timeout ');
  });
});

describe('S2SRouter: confirmed sends (the SIP side answers its transaction with the verdict, RFC 7247 §7)', () => {
  it('reports ok only once the stanza is written on the authenticated stream', async () => {
    const peers: Peer[] = [];
    const { router, delivered } = setup(async () => {
      const [a, b] = duplexPair();
      peers.push(new Peer(b));
      return { socket: a, secure: false };
    });
    const results: unknown[] = [];
    router.send(msg('1'), (r) => results.push(r));
    await settle();
    expect(results).toEqual([]); // still negotiating: no verdict yet
    const peer = peers[0] as Peer;
    await peer.waitFor(/<stream:stream [^>]*>/);
    peer.send("<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='peer.test' to='gw.test' id='X' version='1.0'><stream:features/>");
    await peer.waitFor(/<\/db:result>/);
    peer.send("<db:result from='peer.test' to='gw.test' type='valid'/>");
    await peer.waitFor(/id="1"/);
    expect(results).toEqual([{ ok: true }]);
    expect(delivered).toEqual([]);
  });

  it.each([['remote-server-timeout'], ['remote-server-not-found']])(
    'reports %s to the caller instead of bouncing when the connection fails', async (condition) => {
      const { router, delivered } = setup(failing(condition));
      const results: unknown[] = [];
      router.send(msg('1'), (r) => results.push(r));
      await settle();
      expect(results).toEqual([{ ok: false, condition, text: 'peer.test could not be reached' }]);
      expect(delivered).toEqual([]);
    });

  it('reports remote-server-not-found for a domain that is not a partner', () => {
    const { router } = setup(never);
    const results: unknown[] = [];
    router.send(el('message', { from: 'bob@gw.test', to: 'x@refused.test', id: 'u' }), (r) => results.push(r));
    expect(results).toEqual([{ ok: false, condition: 'remote-server-not-found', text: 'refused.test is not a federated partner' }]);
  });
});

describe('S2SRouter: dialback verification during the reconnect backoff (XEP-0220 §2.1.2)', () => {
  it('still tries to reach the authoritative server when the partner connects to us during our backoff', async () => {
    let now = 1_000_000;
    let attempts = 0;
    const { router } = setup(() => {
      attempts++;
      return Promise.reject(Object.assign(new Error('down'), { condition: 'remote-server-not-found' }));
    }, { now: () => now, random: () => 1 });
    router.send(msg('1'));
    await settle();
    expect(attempts).toBe(1); // our outbound failed: backoff starts
    now += 10; // well inside the retry window
    await router.verify({ receiving: 'gw.test', originating: 'peer.test', streamId: 's', key: 'k' });
    expect(attempts).toBe(2); // the partner's own connection to us is evidence it is back
  });
});

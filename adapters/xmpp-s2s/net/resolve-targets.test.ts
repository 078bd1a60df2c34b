import { orderCandidates, parseHostPort, resolveS2STargets } from './resolve-targets';
import { startTestDnsServer } from './__tests__/dns-server';

describe('resolveS2STargets (RFC 6120 §3.2, XEP-0368, RFC 2782) over real DNS on loopback', () => {
  let dns: Awaited<ReturnType<typeof startTestDnsServer>>;
  beforeAll(async () => {
    dns = await startTestDnsServer({
      srv: {
        '_xmpp-server._tcp.both.test': [{ name: 'xmpp.both.test', port: 5269, priority: 10, weight: 0 }],
        '_xmpps-server._tcp.both.test': [{ name: 'tls.both.test', port: 5270, priority: 10, weight: 0 }],
        '_xmpp-server._tcp.prio.test': [
          { name: 'backup.prio.test', port: 5269, priority: 20, weight: 0 },
          { name: 'main.prio.test', port: 5269, priority: 10, weight: 0 },
        ],
        '_xmpp-server._tcp.none.test': [{ name: '.', port: 0, priority: 0, weight: 0 }],
      },
    });
  });
  afterAll(() => dns.stop());

  it('tries direct TLS (_xmpps-server) before STARTTLS (_xmpp-server) at the same priority (XEP-0368 §3)', async () => {
    const t = await resolveS2STargets('both.test', { resolver: dns.resolver });
    expect(t).toEqual([
      { host: 'tls.both.test', port: 5270, directTls: true },
      { host: 'xmpp.both.test', port: 5269, directTls: false },
    ]);
  });

  it('orders SRV targets by priority, lowest first (RFC 2782)', async () => {
    const t = await resolveS2STargets('prio.test', { resolver: dns.resolver });
    expect(t.map((x) => x.host)).toEqual(['main.prio.test', 'backup.prio.test']);
  });

  it('falls back to the domain on port 5269 when no SRV record exists (RFC 6120 §3.2.2)', async () => {
    const t = await resolveS2STargets('plain.test', { resolver: dns.resolver });
    expect(t).toEqual([{ host: 'plain.test', port: 5269, directTls: false }]);
    expect(dns.queries).toEqual(expect.arrayContaining(['SRV _xmpp-server._tcp.plain.test', 'SRV _xmpps-server._tcp.plain.test']));
  });

  it("gives no target when _xmpp-server says '.', service decidedly not available (RFC 2782)", async () => {
    expect(await resolveS2STargets('none.test', { resolver: dns.resolver })).toEqual([]);
  });

  it('uses a partner proxyFqdn without any DNS lookup (Lync ProxyFqdn)', async () => {
    const before = dns.queries.length;
    expect(await resolveS2STargets('both.test', { resolver: dns.resolver, proxyFqdn: 'edge.partner.test:5299' })).toEqual([
      { host: 'edge.partner.test', port: 5299, directTls: false },
    ]);
    expect(dns.queries.length).toBe(before);
  });
});

describe('SRV weight selection (RFC 2782)', () => {
  const c = (host: string, weight: number) => ({ host, port: 1, directTls: false, priority: 1, weight });
  it('picks a heavier record first more often, over a bounded number of draws', () => {
    let seed = 1;
    const rng = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const firsts = { heavy: 0, light: 0 };
    for (let i = 0; i < 1000; i++) {
      const first = orderCandidates([c('light', 10), c('heavy', 90)], rng)[0]!.host as 'heavy' | 'light';
      firsts[first]++;
    }
    expect(firsts.heavy).toBeGreaterThan(800);
    expect(firsts.light).toBeGreaterThan(50);
  });
});

describe('parseHostPort', () => {
  it.each([
    ['edge.example.com', { host: 'edge.example.com', port: 5269 }],
    ['edge.example.com:5299', { host: 'edge.example.com', port: 5299 }],
    ['[2001:db8::1]:5270', { host: '2001:db8::1', port: 5270 }],
    ['[2001:db8::1]', { host: '2001:db8::1', port: 5269 }],
  ])('%s', (input, expected) => {
    expect(parseHostPort(input)).toEqual({ ...expected, directTls: false });
  });
});

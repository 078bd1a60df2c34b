import { validateConfig } from './load';
import { baseRaw } from './__tests__/fixtures';
import type { GatewayConfig } from './types';

const validate = (raw: unknown) => validateConfig(raw, { env: {}, baseDir: '/etc/dxg', checkFiles: false });

function accepted(raw: unknown): GatewayConfig {
  const r = validate(raw);
  if (!r.ok) throw new Error(r.error.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return r.value.config;
}

function errorLines(raw: unknown): string[] {
  const r = validate(raw);
  return r.ok ? [] : r.error.errors.map((e) => `${e.path}: ${e.message}`);
}

describe('configuration defaults, each from its documented source', () => {
  const c = accepted(baseRaw());
  const p = c.partners[0]!;
  it.each([
    ['drachtio admin port 9022', c.gateway.drachtio.mode === 'inbound' ? c.gateway.drachtio.port : 0, 9022],
    ['s2s.listen.host 0.0.0.0', c.gateway.s2s.listen.host, '0.0.0.0'],
    ['s2s.listen.port 5269 (RFC 6120 §14.7)', c.gateway.s2s.listen.port, 5269],
    ['connectionLimit 1000 (Lync)', c.gateway.s2s.connectionLimit, 1000],
    ['partnerConnectionLimit 20 (Lync)', c.gateway.s2s.partnerConnectionLimit, 20],
    ['keepAliveInterval 300 s (Lync)', c.gateway.s2s.keepAliveIntervalMs, 300_000],
    ['streamEstablishmentTimeout 60 s (Lync)', c.gateway.s2s.streamEstablishmentTimeoutMs, 60_000],
    ['streamInactivityTimeout 600 s (Lync)', c.gateway.s2s.streamInactivityTimeoutMs, 600_000],
    ['subscriptionRefreshInterval 28800 s (Lync)', c.gateway.s2s.subscriptionRefreshIntervalMs, 28_800_000],
    ['logMessageBodies false (Lync)', c.gateway.s2s.logMessageBodies, false],
    ['maxStanzaBytes 256 KiB', c.gateway.s2s.maxStanzaBytes, 262144],
    ['maxStanzaBytesPreAuth 8192 (ejabberd)', c.gateway.s2s.maxStanzaBytesPreAuth, 8192],
    ['maxElementsPreAuth 32 (ejabberd)', c.gateway.s2s.maxElementsPreAuth, 32],
    ['sendQueueMax 1000', c.gateway.s2s.sendQueueMax, 1000],
    ['connectTimeout 10 s (ejabberd)', c.gateway.s2s.connectTimeoutMs, 10_000],
    ['maxRetryDelay 300 s (ejabberd)', c.gateway.s2s.maxRetryDelayMs, 300_000],
    ['partner additionalDomains none', p.additionalDomains, []],
    ['partnerType PublicUnverified (Lync)', p.partnerType, 'PublicUnverified'],
    ['keepAlive true (Lync)', p.keepAlive, true],
    ['partner connectionLimit = partnerConnectionLimit', p.connectionLimit, 20],
    ['openFederation off', c.openFederation.enabled, false],
    ['sipProxy.trustedSources = the proxy host', c.gateway.sipProxy.trustedSources, ['proxy.example.com']],
    ['sipProxy.supportsTcp from transport=tcp', c.gateway.sipProxy.supportsTcp, true],
  ])('%s', (_name, actual, expected) => {
    expect(actual).toEqual(expected);
  });

  it('partner tls and sasl default to Required, dialback to true (Lync New-CsXmppAllowedPartner)', () => {
    const raw = baseRaw();
    raw.partners = [{ domain: 'fabrikam.com' }];
    raw.gateway.s2s.certificates = [{ domain: 'example.com', key: 'k.pem', cert: 'c.pem' }];
    const q = accepted(raw).partners[0]!;
    expect([q.tls, q.sasl, q.dialback]).toEqual(['Required', 'Required', true]);
  });

  it('policy default is false (Lync EnableXmppAccess default False)', () => {
    const raw = baseRaw();
    delete raw.policy;
    expect(accepted(raw).policy).toEqual({ default: false, domains: {}, users: {} });
  });
});

describe('values are normalised', () => {
  it('lower-cases domains and strips a trailing dot (RFC 4343)', () => {
    const raw = baseRaw();
    raw.gateway.domains = ['Example.COM.'];
    raw.partners[0].domain = 'Legacy.Example.NET';
    raw.partners[0].additionalDomains = ['CHAT.example.net'];
    raw.policy = { domains: { 'EXAMPLE.com': true }, users: { 'Alice@EXAMPLE.com': true } };
    const c = accepted(raw);
    expect(c.gateway.domains).toEqual(['example.com']);
    expect(c.partners[0]!.domain).toBe('legacy.example.net');
    expect(c.partners[0]!.additionalDomains).toEqual(['chat.example.net']);
    expect(c.policy.domains).toEqual({ 'example.com': true });
    expect(c.policy.users).toEqual({ 'Alice@example.com': true });
  });

  it('supports the outbound drachtio mode (drachtio-server connects to us)', () => {
    const raw = baseRaw();
    raw.gateway.drachtio = { listen: { port: 3000 }, secret: 'cymru' };
    expect(accepted(raw).gateway.drachtio).toMatchObject({ mode: 'outbound', listen: { port: 3000, host: undefined }, secret: 'cymru' });
  });

  it('gives the drachtio load bounds their defaults, durations in ms (issue #13)', () => {
    expect(accepted(baseRaw()).gateway.drachtio.limits).toEqual({
      maxOutstandingRequests: 256, maxQueuedRequests: 2000, queueTimeoutMs: 10_000, maxInboundRequests: 1000, startTimeoutMs: 30_000,
    });
  });

  it.each([
    ['sip:proxy.example.com', false, 'proxy.example.com', undefined],
    ['sip:proxy.example.com:5060;transport=udp', false, 'proxy.example.com', 5060],
    ['sips:proxy.example.com', true, 'proxy.example.com', undefined],
    ['sip:10.0.0.1:5070;transport=TLS', true, '10.0.0.1', 5070],
    ['sip:[2001:db8::1]:5060;transport=tcp', true, '2001:db8::1', 5060],
  ])('sipProxy %s → supportsTcp %s (RFC 3428 §6 1300-byte rule), host %s', (uri, tcp, host, port) => {
    const raw = baseRaw();
    raw.gateway.sipProxy = { uri };
    const s = accepted(raw).gateway.sipProxy;
    expect([s.supportsTcp, s.host, s.port]).toEqual([tcp, host, port]);
    expect(s.trustedSources).toEqual([host]);
  });

  it.each(['xmpp.example.net', 'xmpp.example.net:5270', '192.0.2.7:5269', '[2001:db8::7]', '[2001:db8::7]:5269'])('accepts proxyFqdn %s', (proxyFqdn) => {
    const raw = baseRaw();
    raw.partners[0].proxyFqdn = proxyFqdn;
    expect(accepted(raw).partners[0]!.proxyFqdn).toBe(proxyFqdn);
  });
});

describe('rejects bad values with a message naming the key path (an enum error echoes the bad value, issue #14)', () => {
  it.each<[string, (r: Record<string, any>) => void, string]>([
    ['bad tls value', (r) => { r.partners.push({ domain: 'b.example', tls: 'Maybe' }); }, 'partners[1].tls: "Maybe" is not one of Required|Optional|NotSupported'],
    ['bad sasl value', (r) => { r.partners[0].sasl = 'required'; }, 'partners[0].sasl: "required" is not one of Required|Optional|NotSupported'],
    ['bad partnerType', (r) => { r.partners[0].partnerType = 'Friend'; }, 'partners[0].partnerType: "Friend" is not one of Federated|PublicVerified|PublicUnverified'],
    ['dialback not boolean', (r) => { r.partners[0].dialback = 'yes'; }, 'partners[0].dialback: expected boolean, received string'],
    ['no domains', (r) => { r.gateway.domains = []; }, 'gateway.domains: must have at least 1 entry'],
    ['domains missing', (r) => { delete r.gateway.domains; }, 'gateway.domains: required (array)'],
    ['invalid domain', (r) => { r.gateway.domains = ['bad_domain.example']; }, 'gateway.domains[0]: expected a DNS name (letters, digits, hyphens; A-label form for IDNs)'],
    ['label starting with a hyphen', (r) => { r.partners[0].domain = '-x.example'; }, 'partners[0].domain: expected a DNS name (letters, digits, hyphens; A-label form for IDNs)'],
    ['drachtio secret missing', (r) => { delete r.gateway.drachtio.secret; }, 'gateway.drachtio.secret: required (string)'],
    ['drachtio with host and listen', (r) => { r.gateway.drachtio.listen = { port: 3000 }; }, 'gateway.drachtio: give either host (connect to drachtio-server) or listen (drachtio-server connects to us), exactly one'],
    ['drachtio with neither', (r) => { delete r.gateway.drachtio.host; }, 'gateway.drachtio: give either host (connect to drachtio-server) or listen (drachtio-server connects to us), exactly one'],
    ['port out of range', (r) => { r.gateway.drachtio.port = 70000; }, 'gateway.drachtio.port: must be <= 65535'],
    ['sipProxy not a SIP URI', (r) => { r.gateway.sipProxy.uri = 'http://proxy'; }, 'gateway.sipProxy.uri: expected a SIP URI naming the proxy, e.g. sip:proxy.example.com:5060;transport=tcp'],
    ['bad trusted source', (r) => { r.gateway.sipProxy.trustedSources = ['10.0.0.0/33']; }, 'gateway.sipProxy.trustedSources[0]: expected an IP address, a CIDR block (e.g. 10.0.0.0/8) or a host name'],
    ['short dialback secret', (r) => { r.gateway.s2s.dialbackSecret = 'short'; }, 'gateway.s2s.dialbackSecret: must be at least 16 characters'],
    ['seconds as text', (r) => { r.gateway.s2s.keepAliveInterval = '5m'; }, 'gateway.s2s.keepAliveInterval: expected number, received string'],
    ['fractional limit', (r) => { r.gateway.s2s.connectionLimit = 1.5; }, 'gateway.s2s.connectionLimit: expected int, received number'],
    ['zero timeout', (r) => { r.gateway.s2s.connectTimeout = 0; }, 'gateway.s2s.connectTimeout: must be >= 1'],
    ['stanza limit below RFC 6120 §13.12 minimum', (r) => { r.gateway.s2s.maxStanzaBytes = 9999; }, 'gateway.s2s.maxStanzaBytes: must be >= 10000'],
    ['proxyFqdn with bare IPv6', (r) => { r.partners[0].proxyFqdn = '2001:db8::7:5269'; }, 'partners[0].proxyFqdn: expected host[:port] with a DNS name or IP address (IPv6 in brackets, e.g. [2001:db8::1]:5269)'],
    ['proxyFqdn with bad port', (r) => { r.partners[0].proxyFqdn = 'x.example:0'; }, 'partners[0].proxyFqdn: expected host[:port] with a DNS name or IP address (IPv6 in brackets, e.g. [2001:db8::1]:5269)'],
    ['policy user key without @', (r) => { r.policy.users = { alice: true }; }, 'policy.users.alice: expected a key of the form user@domain'],
    ['policy domain value not boolean', (r) => { r.policy.domains = { 'example.com': 'yes' }; }, 'policy.domains["example.com"]: expected boolean, received string'],
    ['root not a mapping', (r) => { for (const k of Object.keys(r)) delete r[k]; r.gateway = 'x'; }, 'gateway: expected object, received string'],
  ])('%s', (_name, mutate, expected) => {
    const raw = baseRaw();
    mutate(raw);
    expect(errorLines(raw)).toContain(expected);
  });

  it.each<[string, (r: Record<string, any>) => void, string]>([
    ['at the root', (r) => { r.partner = []; }, 'partner'],
    ['in gateway', (r) => { r.gateway.domain = 'x'; }, 'gateway.domain'],
    ['in s2s (Lync name instead of ours)', (r) => { r.gateway.s2s.dialbackPassphrase = 'x'; }, 'gateway.s2s.dialbackPassphrase'],
    ['in s2s.listen', (r) => { r.gateway.s2s.listen = { address: '::' }; }, 'gateway.s2s.listen.address'],
    ['in a partner', (r) => { r.partners[0].tlsNegotiation = 'Required'; }, 'partners[0].tlsNegotiation'],
    ['in openFederation', (r) => { r.openFederation = { enable: true }; }, 'openFederation.enable'],
    ['in policy', (r) => { r.policy.enableXmppAccess = true; }, 'policy.enableXmppAccess'],
    ['in sipProxy', (r) => { r.gateway.sipProxy.transport = 'tcp'; }, 'gateway.sipProxy.transport'],
  ])('rejects an unknown key %s (strict objects)', (_name, mutate, path) => {
    const raw = baseRaw();
    mutate(raw);
    expect(errorLines(raw)).toContain(`${path}: unknown key`);
  });

  it('never echoes a rejected value (a secret under a wrong key stays private)', () => {
    const raw = baseRaw();
    raw.gateway.drachtio.secret = 42;
    raw.gateway.drachtio.secrett = 'hunter2-hunter2';
    expect(errorLines(raw).join('\n')).not.toMatch(/hunter2|42/);
  });
});

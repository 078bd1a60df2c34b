import { buildGatewayPolicy } from './gateway-policy';
import { parseConfigText } from '../../config/load';

const YAML = `
gateway:
  domains: [sip.example]
  drachtio: { host: 127.0.0.1, secret: s3cret }
  sipProxy:
    uri: sip:proxy.sip.example;transport=tcp
    trustedSources: [proxy.sip.example, 192.0.2.0/24, "2001:db8::7"]
  s2s:
    dialbackSecret: a-long-enough-dialback-secret
    certificates: [{ domain: sip.example, key: k.pem, cert: c.pem }]
partners:
  - { domain: xmpp.example, tls: Optional, sasl: Optional, dialback: true }
policy:
  default: false
  domains: { sip.example: true }
  users: { mallory@sip.example: false }
`;

async function policy() {
  const r = parseConfigText(YAML, { baseDir: '/tmp', checkFiles: false, env: {} });
  if (!r.ok) throw new Error(r.error.errors.map((e) => e.message).join('\n'));
  return buildGatewayPolicy(r.value.config, async (h) => (h === 'proxy.sip.example' ? ['198.51.100.9'] : []));
}

describe('GatewayPolicy from configuration', () => {
  it.each([
    ['the proxy host name, resolved at start', '198.51.100.9', true],
    ['an address inside a trusted CIDR', '192.0.2.77', true],
    ['an IPv4-mapped IPv6 form of a trusted address', '::ffff:192.0.2.77', true],
    ['a trusted IPv6 address', '2001:db8::7', true],
    ['any other address', '203.0.113.1', false],
    ['garbage', 'not-an-ip', false],
  ])('trusts %s: %s → %s', async (_n, ip, expected) => {
    expect((await policy()).trustedSources(ip)).toBe(expected);
  });

  it('applies EnableXmppAccess with the most specific scope winning', async () => {
    const p = await policy();
    expect(p.mayFederate('alice', 'sip.example')).toBe(true);
    expect(p.mayFederate('mallory', 'sip.example')).toBe(false);
  });

  it('finds listed partners and never treats our own domain as one', async () => {
    const p = await policy();
    expect(p.partnerFor('XMPP.example')).toMatchObject({ domain: 'xmpp.example', source: 'listed' });
    expect(p.partnerFor('other.example')).toBe('not-allowed');
    expect(p.partnerFor('sip.example')).toBe('not-allowed');
  });

  it('refuses to start when a trusted host name does not resolve', async () => {
    const r = parseConfigText(YAML, { baseDir: '/tmp', checkFiles: false, env: {} });
    if (!r.ok) throw new Error('config');
    await expect(buildGatewayPolicy(r.value.config, async () => [])).rejects.toThrow(/proxy.sip.example does not resolve/);
  });
});

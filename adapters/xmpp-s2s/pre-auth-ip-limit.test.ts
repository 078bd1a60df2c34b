import { ipKey, PreAuthIpLimit } from './pre-auth-ip-limit';

describe('ipKey: the address an unauthenticated connection is counted under', () => {
  it.each([
    ['IPv4 as is', '127.0.0.1', '127.0.0.1'],
    ['IPv4-mapped IPv6 (dual-stack listener) = its IPv4', '::ffff:127.0.0.1', '127.0.0.1'],
    ['IPv6 by its /64 (RFC 6177: a site gets a /64)', '2001:db8:1:2:aaaa::1', '2001:db8:1:2::/64'],
    ['another address of the same /64', '2001:0db8:0001:0002:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['compressed inside the prefix', '2001:db8::5', '2001:db8:0:0::/64'],
    ['loopback ::1', '::1', '0:0:0:0::/64'],
    ['with a zone index', 'fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['with an embedded IPv4 tail', '64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
  ])('%s', (_name, ip, key) => {
    expect(ipKey(ip)).toBe(key);
  });
});

describe('PreAuthIpLimit: unauthenticated connections per source address', () => {
  it('refuses the connection past the cap with policy-violation (RFC 6120 §4.9.3.14), other addresses unaffected', () => {
    const l = new PreAuthIpLimit(2);
    expect(l.admit('127.0.0.1')).toBeUndefined();
    expect(l.admit('::ffff:127.0.0.1')).toBeUndefined();
    expect(l.admit('127.0.0.1')?.condition).toBe('policy-violation');
    expect(l.admit('127.0.0.2')).toBeUndefined();
    expect(l.countFor('127.0.0.1')).toBe(2);
  });

  it('frees a slot on release, and never counts below zero', () => {
    const l = new PreAuthIpLimit(1);
    expect(l.admit('10.0.0.1')).toBeUndefined();
    l.release('10.0.0.1');
    l.release('10.0.0.1');
    expect(l.countFor('10.0.0.1')).toBe(0);
    expect(l.admit('10.0.0.1')).toBeUndefined();
    expect(l.admit('10.0.0.1')?.condition).toBe('policy-violation');
  });
});

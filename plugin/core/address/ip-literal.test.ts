import { isBracketedIpv6, isIpv4, isIpv6 } from './ip-literal';

describe('IP literals (RFC 3986 §3.2.2, RFC 4291 §2.2)', () => {
  it.each(['0.0.0.0', '192.0.2.1', '255.255.255.255'])('accepts IPv4 %s', (s) => expect(isIpv4(s)).toBe(true));
  it.each(['256.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', 'a.b.c.d', ''])('refuses IPv4 %j', (s) =>
    expect(isIpv4(s)).toBe(false),
  );
  it.each(['::', '::1', '2001:db8::1', '2001:DB8:0:0:8:800:200C:417A', 'fe80::', '::ffff:192.0.2.1', '1:2:3:4:5:6:7::'])(
    'accepts IPv6 %s',
    (s) => expect(isIpv6(s)).toBe(true),
  );
  it.each([':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'g::1', '1:2:3:4:5:6:7', '::1.2.3', '', ':1'])(
    'refuses IPv6 %j',
    (s) => expect(isIpv6(s)).toBe(false),
  );
  it('requires brackets for the bracketed form', () => {
    expect(isBracketedIpv6('[::1]')).toBe(true);
    expect(isBracketedIpv6('::1')).toBe(false);
    expect(isBracketedIpv6('[::1')).toBe(false);
  });
});

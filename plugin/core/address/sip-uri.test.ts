import { formatSipUri, getUriParam, parseSipUri } from './sip-uri';

describe('parseSipUri: RFC 3261 §19.1 / §25.1 shapes', () => {
  it.each([
    ['sip:alice@atlanta.example', { scheme: 'sip', user: 'alice', host: 'atlanta.example', params: [], headers: [] }],
    ['SIP:alice@atlanta.example', { scheme: 'sip', user: 'alice', host: 'atlanta.example', params: [], headers: [] }],
    ['sips:bob@biloxi.example:5061', { scheme: 'sips', user: 'bob', host: 'biloxi.example', port: 5061, params: [], headers: [] }],
    ['im:juliet@example.com', { scheme: 'im', user: 'juliet', host: 'example.com', params: [], headers: [] }],
    ['pres:juliet@example.com', { scheme: 'pres', user: 'juliet', host: 'example.com', params: [], headers: [] }],
    ['sip:example.com', { scheme: 'sip', host: 'example.com', params: [], headers: [] }],
    ['sip:alice@192.0.2.4:5060', { scheme: 'sip', user: 'alice', host: '192.0.2.4', port: 5060, params: [], headers: [] }],
    ['sip:alice@[2001:db8::10]:5070', { scheme: 'sip', user: 'alice', host: '[2001:db8::10]', port: 5070, params: [], headers: [] }],
    ['sip:alice@[::1]', { scheme: 'sip', user: 'alice', host: '[::1]', params: [], headers: [] }],
    ["sip:o'malley@sip.example", { scheme: 'sip', user: "o'malley", host: 'sip.example', params: [], headers: [] }],
    ['sip:m&m@xmpp.example', { scheme: 'sip', user: 'm&m', host: 'xmpp.example', params: [], headers: [] }],
    ['sip:a%20b%40c@x.example', { scheme: 'sip', user: 'a%20b%40c', host: 'x.example', params: [], headers: [] }],
    ['sip:+1-212-555-1212;npdi@x.example;user=phone', {
      scheme: 'sip', user: '+1-212-555-1212;npdi', host: 'x.example', params: [{ name: 'user', value: 'phone' }], headers: [],
    }],
    ['sip:foo@sip.example;gr=bar', { scheme: 'sip', user: 'foo', host: 'sip.example', params: [{ name: 'gr', value: 'bar' }], headers: [] }],
    ['sip:foo@sip.example;gr', { scheme: 'sip', user: 'foo', host: 'sip.example', params: [{ name: 'gr' }], headers: [] }],
    ['sip:foo@sip.example;transport=tcp;lr;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6', {
      scheme: 'sip', user: 'foo', host: 'sip.example',
      params: [{ name: 'transport', value: 'tcp' }, { name: 'lr' }, { name: 'gr', value: 'urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6' }],
      headers: [],
    }],
    ['sip:alice@atlanta.example?subject=project%20x&priority=urgent', {
      scheme: 'sip', user: 'alice', host: 'atlanta.example', params: [],
      headers: [{ name: 'subject', value: 'project%20x' }, { name: 'priority', value: 'urgent' }],
    }],
    ['sip:atlanta.example.;maddr=239.255.255.1?to=', {
      scheme: 'sip', host: 'atlanta.example.', params: [{ name: 'maddr', value: '239.255.255.1' }], headers: [{ name: 'to', value: '' }],
    }],
  ])('%s', (s, uri) => {
    expect(parseSipUri(s)).toEqual({ ok: true, value: uri });
  });

  it('formats a parsed URI back to the same text (RFC 3261 §19.1.1)', () => {
    for (const s of [
      'sip:alice@atlanta.example',
      'sips:bob@[2001:db8::10]:5061;transport=tls;lr?x=y&z=',
      'sip:foo@sip.example;gr',
      'sip:a%20b@x.example;gr=urn:uuid:1',
      'pres:juliet@example.com',
    ]) {
      const r = parseSipUri(s);
      expect(r.ok && formatSipUri(r.value)).toBe(s);
    }
  });

  it('finds uri-parameters case-insensitively (RFC 3261 §19.1.4)', () => {
    const r = parseSipUri('sip:a@b.example;GR=x;Transport=tcp');
    if (!r.ok) throw new Error(r.error.detail);
    expect(getUriParam(r.value, 'gr')).toEqual({ name: 'GR', value: 'x' });
    expect(getUriParam(r.value, 'transport')?.value).toBe('tcp');
    expect(getUriParam(r.value, 'maddr')).toBeUndefined();
  });
});

describe('parseSipUri: bad input is a typed error, never a throw', () => {
  it.each([
    ['an empty string', '', 'malformed-uri'],
    ['no scheme', 'alice@example.com', 'malformed-uri'],
    ['an http URI', 'http://example.com/', 'unsupported-scheme'],
    ['a tel URI', 'tel:+12125551212', 'unsupported-scheme'],
    ['a password (RFC 3261 §19.1.1)', 'sip:alice:secret@example.com', 'password-refused'],
    ['an empty user', 'sip:@example.com', 'invalid-user'],
    ['a raw space', 'sip:a b@example.com', 'malformed-uri'],
    ['a CR LF', 'sip:a@example.com\r\nVia: x', 'malformed-uri'],
    ['a NUL', 'sip:a\u0000@example.com', 'malformed-uri'],
    ['raw non-ASCII', 'sip:café@example.com', 'malformed-uri'],
    ['a raw # in the user', 'sip:a#b@example.com', 'invalid-user'],
    ['a raw backslash in the user', 'sip:a\\b@example.com', 'invalid-user'],
    ['a raw " in the user', 'sip:a"b@example.com', 'invalid-user'],
    ['a truncated escape', 'sip:a%2@example.com', 'invalid-user'],
    ['a non-hex escape', 'sip:a%zz@example.com', 'invalid-user'],
    ['two unescaped @', 'sip:a@b@example.com', 'malformed-uri'],
    ['no host', 'sip:alice@', 'invalid-host'],
    ['no host at all', 'sip:', 'invalid-host'],
    ['an underscore host', 'sip:a@ex_ample.com', 'invalid-host'],
    ['a numeric top label', 'sip:a@1.2.3.256', 'invalid-host'],
    ['a bad IPv6 reference', 'sip:a@[::1::2]', 'invalid-host'],
    ['an unbracketed IPv6', 'sip:a@2001:db8::1', 'invalid-host'],
    ['text after an IPv6 reference', 'sip:a@[::1]x', 'invalid-host'],
    ['a port over 65535', 'sip:a@example.com:65536', 'invalid-port'],
    ['a non-numeric port', 'sip:a@example.com:http', 'invalid-port'],
    ['an empty port', 'sip:a@example.com:', 'invalid-port'],
    ['an empty parameter name', 'sip:a@example.com;=x', 'invalid-param'],
    ['an empty parameter value', 'sip:a@example.com;gr=', 'invalid-param'],
    ['an empty parameter', 'sip:a@example.com;', 'invalid-param'],
    ['a bad escape in a parameter', 'sip:a@example.com;gr=%G0', 'invalid-param'],
    ['a header without =', 'sip:a@example.com?subject', 'invalid-header'],
    ['a header without a name', 'sip:a@example.com?=x', 'invalid-header'],
  ])('refuses %s', (_n, s, code) => {
    const r = parseSipUri(s);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe(code);
  });

  it('accepts a 2000-byte user part (length limits belong to the JID side)', () => {
    expect(parseSipUri(`sip:${'a'.repeat(2000)}@example.com`).ok).toBe(true);
  });
});

import { formatNameAddr, getHeaderParam, parseNameAddr } from './name-addr';

describe('parseNameAddr: RFC 3261 §20.10 forms', () => {
  it('reads a quoted display name, the bracketed URI and the tag', () => {
    const r = parseNameAddr('"Alice" <sip:alice@atlanta.example>;tag=1928301774');
    if (!r.ok) throw new Error(r.error.detail);
    expect(r.value.displayName).toBe('Alice');
    expect(r.value.uri).toMatchObject({ scheme: 'sip', user: 'alice', host: 'atlanta.example', params: [] });
    expect(getHeaderParam(r.value, 'TAG')?.value).toBe('1928301774');
  });

  it('keeps uri-parameters inside the brackets apart from header parameters', () => {
    const r = parseNameAddr('<sip:bob@biloxi.example;gr=urn:uuid:1;transport=tcp> ; tag = a6c85cf ; expires=60');
    if (!r.ok) throw new Error(r.error.detail);
    expect(r.value.displayName).toBeUndefined();
    expect(r.value.uri.params).toEqual([{ name: 'gr', value: 'urn:uuid:1' }, { name: 'transport', value: 'tcp' }]);
    expect(r.value.params).toEqual([{ name: 'tag', value: 'a6c85cf' }, { name: 'expires', value: '60' }]);
  });

  it('treats parameters after an unbracketed addr-spec as header parameters (§20.10)', () => {
    const r = parseNameAddr('sip:carol@chicago.example;tag=887s');
    if (!r.ok) throw new Error(r.error.detail);
    expect(r.value.uri.params).toEqual([]);
    expect(r.value.params).toEqual([{ name: 'tag', value: '887s' }]);
  });

  it('reads an unquoted token display name and a quoted-pair escape', () => {
    const a = parseNameAddr('Bob Smith <sip:bob@biloxi.example>');
    expect(a.ok && a.value.displayName).toBe('Bob Smith');
    const b = parseNameAddr('"The \\"Boss\\" \\\\ Co" <sips:boss@x.example>;lr');
    expect(b.ok && b.value.displayName).toBe('The "Boss" \\ Co');
    expect(b.ok && b.value.params).toEqual([{ name: 'lr' }]);
  });

  it('unquotes quoted header parameter values', () => {
    const r = parseNameAddr('<sip:a@b.example>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"');
    expect(r.ok && r.value.params).toEqual([{ name: '+sip.instance', value: '<urn:uuid:00000000-0000-1000-8000-000A95A0E128>' }]);
  });

  it('round-trips through formatNameAddr', () => {
    const text = '"A \\"q\\"" <sip:a%20b@x.example;gr=r1>;tag=9;x="y z"';
    const r = parseNameAddr(text);
    if (!r.ok) throw new Error(r.error.detail);
    expect(formatNameAddr(r.value)).toBe(text);
  });
});

describe('parseNameAddr: bad input is a typed error, never a throw', () => {
  it.each([
    ['an empty value', '   ', 'malformed-name-addr'],
    ['an unterminated display name', '"Alice <sip:a@b.example>', 'malformed-name-addr'],
    ['a missing >', '"Alice" <sip:a@b.example', 'malformed-name-addr'],
    ['a quoted name without <URI>', '"Alice" sip:a@b.example', 'malformed-name-addr'],
    ['a CR LF (header injection)', '<sip:a@b.example>\r\nVia: x', 'malformed-name-addr'],
    ['garbage between parameters', '<sip:a@b.example> junk', 'malformed-name-addr'],
    ['a parameter without a name', '<sip:a@b.example>;=x', 'malformed-name-addr'],
    ['an empty parameter value', '<sip:a@b.example>;tag=', 'malformed-name-addr'],
    ['an unterminated quoted value', '<sip:a@b.example>;x="y', 'malformed-name-addr'],
    ['a "?" in an unbracketed addr-spec', 'sip:a@b.example?x=y', 'malformed-name-addr'],
    ['a bad URI inside brackets', '<sip:a:pw@b.example>', 'password-refused'],
    ['an unsupported scheme', '<mailto:a@b.example>', 'unsupported-scheme'],
  ])('refuses %s', (_n, s, code) => {
    const r = parseNameAddr(s);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe(code);
  });
});

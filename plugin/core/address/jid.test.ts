import { bareJid, formatJid, jidEquals, makeJid, parseJid, utf8Length } from './jid';

describe('parseJid: RFC 7622 §3.1 split rules', () => {
  it.each([
    ['juliet@example.com', { local: 'juliet', domain: 'example.com' }],
    ['juliet@example.com/foo', { local: 'juliet', domain: 'example.com', resource: 'foo' }],
    ['example.com', { domain: 'example.com' }],
    ['example.com/foo', { domain: 'example.com', resource: 'foo' }],
    // The resource starts at the FIRST '/', so '@' and '/' after it belong to the resource.
    ['juliet@example.com/foo@bar/baz', { local: 'juliet', domain: 'example.com', resource: 'foo@bar/baz' }],
    ['example.com/foo@bar', { domain: 'example.com', resource: 'foo@bar' }],
    ['juliet@example.com/ foo', { local: 'juliet', domain: 'example.com', resource: ' foo' }],
    ['o\\27malley@sip.example', { local: 'o\\27malley', domain: 'sip.example' }],
    ['\u05d9\u05d5\u05e1\u05e3@example.com', { local: '\u05d9\u05d5\u05e1\u05e3', domain: 'example.com' }],
    ['\u{20000}x@example.com', { local: '\u{20000}x', domain: 'example.com' }],
  ])('%s', (s, jid) => {
    expect(parseJid(s)).toEqual({ ok: true, value: jid });
  });
});

describe('parseJid: RFC 7622 §3.2 domainpart', () => {
  it.each([
    ['a@EXAMPLE.Com', 'example.com'],
    ['a@example.com.', 'example.com'],
    ['a@[::1]', '[::1]'],
    ['a@[2001:DB8::1]/r', '[2001:db8::1]'],
    ['a@192.0.2.1', '192.0.2.1'],
    ['a@xn--caf-dma.example', 'xn--caf-dma.example'],
    ['a@café.example', 'café.example'],
  ])('%s has domain %s', (s, domain) => {
    const r = parseJid(s);
    expect(r.ok && r.value.domain).toBe(domain);
  });
});

describe('parseJid: bad input returns jid-malformed, never throws (RFC 7622 §3)', () => {
  it.each([
    ['an empty string', '', 'jid'],
    ['an empty localpart', '@example.com', 'local'],
    ['an empty domainpart', 'juliet@', 'domain'],
    ['an empty resourcepart', 'juliet@example.com/', 'resource'],
    ['only a dot as domain', 'a@.', 'domain'],
    ['a second @ (domain)', 'a@b@example.com', 'domain'],
    ['a double dot', 'a@example..com', 'domain'],
    ['a bad IPv6 literal', 'a@[::g]', 'domain'],
    ['an unclosed IPv6 literal', 'a@[::1', 'domain'],
    ['a space in the domain', 'a@exa mple.com', 'domain'],
    ['an underscore in the domain', 'a@ex_ample.com', 'domain'],
    ['a label starting with a hyphen', 'a@-example.com', 'domain'],
    ['a raw quote in the localpart', 'a"b@example.com', 'local'],
    ['a raw ampersand in the localpart', 'a&b@example.com', 'local'],
    ["a raw apostrophe in the localpart", "o'malley@example.com", 'local'],
    ['a raw colon in the localpart', 'a:b@example.com', 'local'],
    ['a raw < in the localpart', 'a<b@example.com', 'local'],
    ['a raw > in the localpart', 'a>b@example.com', 'local'],
    ['a space in the localpart', 'a b@example.com', 'local'],
    ['a no-break space in the localpart', 'a\u00a0b@example.com', 'local'],
    ['a NUL in the localpart', 'a\u0000b@example.com', 'local'],
    ['a DEL in the localpart', 'a\u007fb@example.com', 'local'],
    ['a zero-width joiner in the localpart', 'a\u200db@example.com', 'local'],
    ['a private-use char in the localpart', 'a\ue000b@example.com', 'local'],
    ['an unassigned code point in the localpart', 'a\u{e0fff}b@example.com', 'local'],
    ['a lone surrogate in the localpart', 'a\ud800b@example.com', 'local'],
    ['U+FFFD in the localpart', 'a\ufffdb@example.com', 'local'],
    ['a control char in the resource', 'a@example.com/x\u0007y', 'resource'],
    ['a CR LF in the resource', 'a@example.com/x\r\ny', 'resource'],
    ['a 2000-byte localpart', `${'a'.repeat(2000)}@example.com`, 'local'],
    ['a 1024-byte localpart', `${'a'.repeat(1024)}@example.com`, 'local'],
    ['a 1026-byte localpart of 2-byte chars', `${'é'.repeat(513)}@example.com`, 'local'],
    ['a 2000-byte resource', `a@example.com/${'r'.repeat(2000)}`, 'resource'],
    ['a 2000-byte domain', `a@${'d.'.repeat(1000)}com`, 'domain'],
  ])('refuses %s', (_n, s, part) => {
    const r = parseJid(s);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('jid-malformed');
      expect(r.error.part).toBe(part);
      expect(r.error.detail).toMatch(/RFC/);
    }
  });

  it('accepts exactly 1023 octets per part (RFC 7622 §3.1)', () => {
    expect(parseJid(`${'a'.repeat(1023)}@example.com/${'€'.repeat(341)}`).ok).toBe(true);
    expect(utf8Length('€'.repeat(341))).toBe(1023);
  });
});

describe('formatJid / bareJid / jidEquals (RFC 7622 §3)', () => {
  it('formats every shape back to its canonical string', () => {
    for (const s of ['a@b.example', 'a@b.example/r/s', 'b.example', 'b.example/r', 'a@[::1]/r']) {
      const r = parseJid(s);
      expect(r.ok && formatJid(r.value)).toBe(s);
    }
  });

  it('bareJid drops only the resource (RFC 6120 §1.4)', () => {
    expect(bareJid({ local: 'a', domain: 'b', resource: 'r' })).toEqual({ local: 'a', domain: 'b' });
    expect(bareJid({ domain: 'b', resource: 'r' })).toEqual({ domain: 'b' });
  });

  it('compares domains after normalisation, localparts case-insensitively, resources exactly', () => {
    const j = (s: string) => {
      const r = parseJid(s);
      if (!r.ok) throw new Error(r.error.detail);
      return r.value;
    };
    expect(jidEquals(j('Juliet@EXAMPLE.com./Balcony'), j('juliet@example.com/Balcony'))).toBe(true);
    expect(jidEquals(j('juliet@example.com/Balcony'), j('juliet@example.com/balcony'))).toBe(false);
    expect(jidEquals(j('juliet@example.com'), j('juliet@example.com/balcony'))).toBe(false);
    expect(jidEquals(j('juliet@example.com'), j('example.com'))).toBe(false);
    expect(jidEquals(j('caf\u00e9@example.com'), j('cafe\u0301@example.com'))).toBe(true);
  });

  it('makeJid validates hand-built parts like parseJid does', () => {
    expect(makeJid({ local: 'a@b', domain: 'example.com' }).ok).toBe(false);
    expect(makeJid({ local: 'a', domain: 'Example.COM', resource: 'r' })).toEqual({
      ok: true,
      value: { local: 'a', domain: 'example.com', resource: 'r' },
    });
  });
});

import { canonicalPercentEncoding, percentDecode, percentEncode, SIP_USER_SAFE } from './percent-encoding';

describe('percent-encoding (RFC 3261 §25.1 escaped, RFC 3986 §2.1)', () => {
  it('encodes UTF-8 octets with uppercase hex and leaves safe characters', () => {
    expect(percentEncode('a b#é\u{1f600}', SIP_USER_SAFE)).toEqual({ ok: true, value: 'a%20b%23%C3%A9%F0%9F%98%80' });
    expect(percentEncode("o'malley&m=m", SIP_USER_SAFE)).toEqual({ ok: true, value: "o'malley&m=m" });
  });

  it('decodes escapes in either hex case', () => {
    expect(percentDecode('a%20b%c3%A9')).toEqual({ ok: true, value: 'a bé' });
  });

  it('canonicalises equivalent spellings to one string (RFC 3261 §19.1.4)', () => {
    expect(canonicalPercentEncoding('%61l%69ce%2a%c3%a9', SIP_USER_SAFE)).toEqual({ ok: true, value: 'alice*%C3%A9' });
  });

  it.each([
    ['a stray %', 'a%', 'invalid-escape'],
    ['a truncated escape', 'a%4', 'invalid-escape'],
    ['a non-hex escape', '%zz', 'invalid-escape'],
    ['a lone continuation byte', '%80', 'invalid-utf8'],
    ['a truncated sequence', '%C3', 'invalid-utf8'],
    ['an overlong encoding', '%C0%AF', 'invalid-utf8'],
    ['an encoded surrogate', '%ED%A0%80', 'invalid-utf8'],
    ['a byte over F4', '%F8%88%80%80%80', 'invalid-utf8'],
  ])('refuses %s without throwing', (_n, s, code) => {
    const r = percentDecode(s);
    expect(!r.ok && r.error.code).toBe(code);
  });

  it('refuses to encode an unpaired surrogate', () => {
    const r = percentEncode('a\ud800', SIP_USER_SAFE);
    expect(!r.ok && r.error.code).toBe('lone-surrogate');
  });
});

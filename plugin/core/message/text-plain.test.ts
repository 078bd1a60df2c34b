import { parseContentType } from './content-type';
import { checkXmlText, decodeTextPlain, decodeUtf8 } from './text-plain';

const media = (v: string) => {
  const r = parseContentType(v);
  if (!r.ok) throw new Error(r.error.detail);
  return r.value;
};

describe('parseContentType (RFC 3261 §20.15, RFC 2045 §5.1)', () => {
  it('lower-cases type and parameter names and unquotes values', () => {
    expect(parseContentType('Text/Plain; Charset="UTF-8"; x="a;b"')).toEqual({
      ok: true, value: { type: 'text', subtype: 'plain', essence: 'text/plain', params: { charset: 'UTF-8', x: 'a;b' } },
    });
  });
  it.each(['text', 'text/', '/plain', 'text/plain; charset', 'text/plain; charset="utf-8'])('refuses "%s"', (v) => {
    const r = parseContentType(v);
    expect(!r.ok && r.error.code).toBe('invalid-header');
  });
});

describe('text/plain (RFC 7572 §7 MUST)', () => {
  it.each(['text/plain', 'text/plain;charset=UTF-8', 'text/plain; charset=us-ascii', 'text/plain; charset="utf-8"'])('accepts %s', (ct) => {
    expect(decodeTextPlain(media(ct), 'hello')).toEqual({ ok: true, value: 'hello' });
  });

  it.each(['iso-8859-1', 'utf-16', 'shift_jis'])('refuses charset %s as unsupported-charset (415)', (cs) => {
    const r = decodeTextPlain(media(`text/plain; charset=${cs}`), 'x');
    expect(!r.ok && r.error.code).toBe('unsupported-charset');
  });

  it('refuses a 2 MB body as too-big', () => {
    const r = decodeTextPlain(media('text/plain'), 'x'.repeat(2 * 1024 * 1024));
    expect(!r.ok && r.error.code).toBe('too-big');
  });

  it('refuses a body just over the limit measured in UTF-8 bytes', () => {
    const r = decodeTextPlain(media('text/plain'), '\u00e9'.repeat(600), 1000);
    expect(!r.ok && r.error.code).toBe('too-big');
  });

  it.each([
    ['a NUL', 'a\u0000b'],
    ['binary garbage', '\u0001\u0002\u0003\u00ff\u0010'],
    ['a lone surrogate', 'a\ud800b'],
    ['U+FFFE', 'a\ufffe'],
  ])('refuses %s (not an XML 1.0 Char) with invalid-text', (_n, body) => {
    const r = decodeTextPlain(media('text/plain'), body);
    expect(!r.ok && r.error.code).toBe('invalid-text');
  });

  it('keeps U+FFFD, tabs, newlines and astral characters', () => {
    expect(checkXmlText('a\ufffd\tb\r\n\ud83d\ude00')).toEqual({ ok: true, value: 'a\ufffd\tb\r\n\ud83d\ude00' });
  });
});

describe('decodeUtf8: strict decoding for raw bytes', () => {
  it('decodes valid UTF-8', () => {
    expect(decodeUtf8(new Uint8Array([0x68, 0xc3, 0xa9]))).toEqual({ ok: true, value: 'h\u00e9' });
  });
  it.each([
    ['a truncated sequence', [0x68, 0xc3]],
    ['an overlong encoding', [0xc0, 0xaf]],
    ['a stray continuation byte', [0x80]],
  ])('refuses %s instead of inserting U+FFFD', (_n, bytes) => {
    const r = decodeUtf8(new Uint8Array(bytes));
    expect(!r.ok && r.error.code).toBe('invalid-text');
  });
});

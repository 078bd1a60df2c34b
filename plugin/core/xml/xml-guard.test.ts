import { XmlGuard, type XmlGuardLimits } from './xml-guard';

const LIMITS: XmlGuardLimits = { maxStanzaBytes: 200, maxDepth: 4, maxElements: 10 };
const HEADER = "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";

function scanStream(parts: string[], limits = LIMITS) {
  const g = new XmlGuard(limits, 'stream');
  for (const p of parts) {
    const e = g.feed(p);
    if (e) return e.code;
  }
  return 'ok';
}

/** Every split of the input into two reads must give the same verdict. */
function verdictAtEverySplit(input: string, limits = LIMITS): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i <= input.length; i++) out.add(scanStream([input.slice(0, i), input.slice(i)], limits));
  return out;
}

describe('XmlGuard on an XMPP stream (RFC 6120 §11)', () => {
  it.each([
    ['a message stanza', `${HEADER}<message to='a@b'><body>x &amp; y &#x263A;</body></message> `, 'ok'],
    ['whitespace keepalives between stanzas', `${HEADER} \n <presence/>\n `, 'ok'],
    ['a comment (§11.1)', `${HEADER}<!-- hi --><message/>`, 'restricted-xml'],
    ['a processing instruction (§11.1)', `${HEADER}<?php x?><message/>`, 'restricted-xml'],
    ['a DOCTYPE (§11.1)', `<!DOCTYPE x [<!ENTITY a 'b'>]>${HEADER}`, 'restricted-xml'],
    ['a CDATA section', `${HEADER}<message><body><![CDATA[x]]></body></message>`, 'restricted-xml'],
    ['an undeclared entity (§11.1)', `${HEADER}<message><body>&lol;</body></message>`, 'restricted-xml'],
    ['a bare ampersand', `${HEADER}<message><body>a & b</body></message>`, 'not-well-formed'],
    ['an unquoted attribute', `${HEADER}<message to=a/>`, 'not-well-formed'],
    ["'<' inside an attribute value", `${HEADER}<message to='<'/>`, 'not-well-formed'],
    ['text directly inside the stream', `${HEADER}hello`, 'not-well-formed'],
    ['an illegal control character', `${HEADER}<message><body>\u0001</body></message>`, 'not-well-formed'],
    ['a character reference to NUL', `${HEADER}<message><body>&#0;</body></message>`, 'not-well-formed'],
    ['a stanza over the byte limit (§13.12)', `${HEADER}<message><body>${'x'.repeat(300)}</body></message>`, 'stanza-too-big'],
    ['nesting deeper than the limit', `${HEADER}<a><b><c><d><e/></d></c></b></a>`, 'too-deep'],
    ['more elements than the limit', `${HEADER}<a>${'<b/>'.repeat(10)}</a>`, 'too-many-elements'],
  ])('%s gives %s at every split point', (_name, input, expected) => {
    expect([...verdictAtEverySplit(input)]).toEqual([expected]);
  });

  it('counts multi-byte UTF-8 characters by their encoded size', () => {
    const limits = { ...LIMITS, maxStanzaBytes: 40 };
    // "<message>" + 8 × "é" (2 bytes) + "</message>" = 9 + 16 + 10 = 35 bytes: fits.
    expect(scanStream(['<stream:stream>', `<message>${'é'.repeat(8)}</message>`], limits)).toBe('ok');
    // 8 × "😀" (4 bytes) = 32 bytes of text: 51 bytes, over the limit.
    expect(scanStream(['<stream:stream>', `<message>${'😀'.repeat(8)}</message>`], limits)).toBe('stanza-too-big');
  });

  it('refuses an oversized stanza before it is complete', () => {
    const g = new XmlGuard(LIMITS, 'stream');
    expect(g.feed(HEADER)).toBeUndefined();
    expect(g.feed('<message><body>' + 'x'.repeat(250))?.code).toBe('stanza-too-big');
  });

  it('bounds an oversized stream header too', () => {
    expect(scanStream([`<stream:stream to='${'x'.repeat(500)}'>`])).toBe('stanza-too-big');
  });

  it('allows new limits after authentication and a reset after a stream restart', () => {
    const g = new XmlGuard({ ...LIMITS, maxStanzaBytes: 50 }, 'stream');
    expect(g.feed('<stream:stream>')).toBeUndefined();
    g.setLimits({ ...LIMITS, maxStanzaBytes: 1000 });
    expect(g.feed(`<message>${'x'.repeat(300)}</message>`)).toBeUndefined();
    g.reset();
    expect(g.feed('<stream:stream><presence/>')).toBeUndefined();
  });
});

describe('XmlGuard on a document', () => {
  const doc = (s: string) => new XmlGuard(LIMITS, 'document').feed(s)?.code ?? 'ok';
  it.each([
    ['a declaration then a root', '<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf"/>', 'ok'],
    ['a PI after the root starts', '<a><?x?></a>', 'restricted-xml'],
    ['a second root', '<a/><b/>', 'not-well-formed'],
    ['text before the root', 'hello<a/>', 'not-well-formed'],
  ])('%s gives %s', (_n, input, expected) => {
    expect(doc(input)).toBe(expected);
  });
});

describe('XmlGuard position getters (used to keep inter-stanza whitespace out of the parser)', () => {
  it.each([
    ['before anything', '', { beforeRoot: true, betweenStanzas: false }],
    ['inside the stream header tag', '<stream:stream a="', { beforeRoot: false, betweenStanzas: false }],
    ['right after the stream header', '<stream:stream>', { beforeRoot: false, betweenStanzas: true }],
    ['between two stanzas', '<stream:stream><presence/>  ', { beforeRoot: false, betweenStanzas: true }],
    ['inside a stanza', '<stream:stream><message><body>', { beforeRoot: false, betweenStanzas: false }],
    ['inside a split start tag of a stanza', '<stream:stream><message to="a', { beforeRoot: false, betweenStanzas: false }],
  ])('%s', (_n, input, expected) => {
    const g = new XmlGuard(LIMITS, 'stream');
    expect(g.feed(input)).toBeUndefined();
    expect({ beforeRoot: g.beforeRoot, betweenStanzas: g.betweenStanzas }).toEqual(expected);
  });
});

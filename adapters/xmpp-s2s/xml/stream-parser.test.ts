import { serializeXml } from '../../../plugin/core/xml/serialize-xml';
import type { XmlElement } from '../../../plugin/core/xml/xml-element';
import { StreamParser } from './stream-parser';

const LIMITS = { maxStanzaBytes: 8192, maxElements: 32, maxDepth: 32 };
const HEADER = "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='peer.test' to='gw.test' version='1.0'>";

type Ev = string;
function run(chunks: Array<Buffer | string>, limits = LIMITS): Ev[] {
  const events: Ev[] = [];
  const p = new StreamParser(limits, {
    start: (name, attrs) => events.push(`start ${name} ${attrs.from}->${attrs.to}`),
    stanza: (e: XmlElement) => events.push(`stanza ${e.ns} ${serializeXml(e)}`),
    end: () => events.push('end'),
    error: (e) => events.push(`error ${e.condition}${e.app ? ' ' + e.app.name : ''}`),
  });
  for (const c of chunks) p.write(c);
  return events;
}

/** Splits the bytes into two reads at every offset (bounded by the input length). */
function atEverySplit(input: string, limits = LIMITS): Set<string> {
  const bytes = Buffer.from(input, 'utf8');
  const seen = new Set<string>();
  for (let i = 0; i <= bytes.length; i++) seen.add(JSON.stringify(run([bytes.subarray(0, i), bytes.subarray(i)], limits)));
  return seen;
}

describe('StreamParser: RFC 6120 §4 stream parsing over arbitrary reads', () => {
  const stream = `${HEADER}<message from='a@peer.test' to='b@gw.test'><body>h\u00e9llo \u20ac \u{1F600} &amp; &lt;</body></message> <db:result from='peer.test' to='gw.test'>k</db:result></stream:stream>`;

  it('gives the same events whichever byte the read boundary falls on, including inside multi-byte UTF-8', () => {
    const results = atEverySplit(stream);
    expect(results.size).toBe(1);
    const events = JSON.parse([...results][0] as string) as string[];
    expect(events).toEqual([
      'start stream:stream peer.test->gw.test',
      "stanza jabber:server <message from=\"a@peer.test\" to=\"b@gw.test\"><body>h\u00e9llo \u20ac \u{1F600} &amp; &lt;</body></message>",
      'stanza jabber:server:dialback <db:result from="peer.test" to="gw.test">k</db:result>',
      'end',
    ]);
  });

  it('emits one stanza when it arrives in 1-byte reads', () => {
    const bytes = Buffer.from(stream, 'utf8');
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    expect(run(chunks).filter((e) => e.startsWith('stanza'))).toHaveLength(2);
  });

  it.each([
    ['a comment (RFC 6120 §11.1)', `${HEADER}<!-- x --><message/>`, 'error restricted-xml'],
    ['a processing instruction (§11.1)', `${HEADER}<?pi x?><message/>`, 'error restricted-xml'],
    ['a DOCTYPE (§11.1)', `<!DOCTYPE stream:stream>${HEADER}`, 'error restricted-xml'],
    ['an internal entity reference (§11.1)', `${HEADER}<message><body>&xxe;</body></message>`, 'error restricted-xml'],
    ['mismatched tags (§4.9.3.13)', `${HEADER}<message></presence>`, 'error not-well-formed'],
    ['a reference directly inside the stream (§4.9.3.13)', `${HEADER} &amp; <message/>`, 'error not-well-formed'],
    ['an unquoted attribute', `${HEADER}<message to=x/>`, 'error not-well-formed'],
    ['a stanza over the pre-auth size limit (Prosody stanza-too-big)', `${HEADER}<message><body>${'x'.repeat(9000)}</body></message>`, 'error policy-violation stanza-too-big'],
    ['more elements than the pre-auth limit (ejabberd 32)', `${HEADER}<message>${'<x/>'.repeat(40)}</message>`, 'error policy-violation'],
  ])('closes on %s at every split point', (_n, input, expected) => {
    for (const r of atEverySplit(input)) {
      const events = JSON.parse(r) as string[];
      expect(events[events.length - 1]).toBe(expected);
    }
  });

  it('refuses invalid UTF-8 with unsupported-encoding (RFC 6120 §11.6)', () => {
    const bad = Buffer.concat([Buffer.from(`${HEADER}<message><body>`), Buffer.from([0xc3, 0x28]), Buffer.from('</body></message>')]);
    expect(run([bad]).pop()).toBe('error unsupported-encoding');
  });

  it('delivers the stanzas that precede a violation in the same read', () => {
    const ev = run([`${HEADER}<presence from='a@peer.test' to='b@gw.test'/><!-- x -->`]);
    expect(ev).toEqual(['start stream:stream peer.test->gw.test', 'stanza jabber:server <presence from="a@peer.test" to="b@gw.test"/>', 'error restricted-xml']);
  });

  it('restarts on a new header after reset (RFC 6120 §4.3.3), even within one read', () => {
    const events: string[] = [];
    const p = new StreamParser(LIMITS, {
      start: (_n, a) => events.push(`start ${a.id ?? ''}`),
      stanza: (e) => { events.push(`stanza ${e.name}`); if (e.name === 'success') p.reset(); },
      end: () => events.push('end'),
      error: (e) => events.push(`error ${e.condition}`),
    });
    p.write(`${HEADER}<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>${HEADER.replace(" version='1.0'>", " id='2' version='1.0'>")}<message/>`);
    expect(events).toEqual(['start ', 'stanza success', 'start 2', 'stanza message']);
  });

  it('applies relaxed limits after setLimits (post-auth)', () => {
    const big = `<message><body>${'x'.repeat(9000)}</body></message>`;
    const events: string[] = [];
    const p = new StreamParser(LIMITS, {
      start: () => events.push('start'), stanza: () => events.push('stanza'), end: () => events.push('end'),
      error: (e) => events.push(`error ${e.condition}`),
    });
    p.write(HEADER);
    p.setLimits({ maxStanzaBytes: 65536, maxElements: Infinity, maxDepth: 64 });
    p.write(big);
    expect(events).toEqual(['start', 'stanza']);
  });

  it('does not accumulate whitespace keepalives (RFC 6120 §4.6.1)', () => {
    const events: string[] = [];
    const p = new StreamParser(LIMITS, { start: () => undefined, stanza: () => events.push('s'), end: () => undefined, error: (e) => events.push(e.condition) });
    p.write(HEADER);
    for (let i = 0; i < 20000; i++) p.write(' ');
    expect(events).toEqual([]);
    expect(((p as unknown as { ltx: { root: { children: unknown[] } } }).ltx.root.children.length)).toBe(0);
  });
});

describe('StreamParser: whitespace at stream level never reaches ltx (RFC 6120 §4.6.1 keepalives, §13.12 bounded memory)', () => {
  const MSG = "<message from='a@peer.test' to='b@gw.test'><body>x</body></message>";

  /** A parser whose ltx input is measured (ltx keeps unfinished text and re-copies it on every write). */
  function measured() {
    const events: string[] = [];
    const p = new StreamParser(LIMITS, {
      start: () => events.push('start'), stanza: (e) => events.push(serializeXml(e)), end: () => events.push('end'),
      error: (e) => events.push(`error ${e.condition}`),
    });
    const ltx = (p as unknown as { ltx: { write(s: string): void } }).ltx;
    const write = ltx.write.bind(ltx);
    let fed = 0;
    ltx.write = (t: string) => { fed += t.length; write(t); };
    return { p, events, fed: () => fed };
  }

  it('drops megabytes of whitespace before the header and between stanzas: ltx sees only the markup', () => {
    const { p, events, fed } = measured();
    for (let i = 0; i < 16; i++) p.write(' \r\n\t'.repeat(16_384));
    p.write(HEADER);
    for (let i = 0; i < 16; i++) p.write(' '.repeat(65_536));
    p.write(` \n${MSG}\n `);
    expect(events).toEqual(['start', '<message from="a@peer.test" to="b@gw.test"><body>x</body></message>']);
    expect(fed()).toBe(HEADER.length - "<?xml version='1.0'?>".length + MSG.length);
  });

  it('keeps whitespace that belongs to a stanza when a read ends inside a tag or inside its text', () => {
    const { p, events } = measured();
    p.write(HEADER);
    p.write("<message to='b@gw.test");
    p.write("  x' ");
    p.write("   from='a@peer.test'><body>");
    p.write('  two  spaces  ');
    p.write('</body></message>');
    expect(events).toEqual(['start', '<message to="b@gw.test  x" from="a@peer.test"><body>  two  spaces  </body></message>']);
  });
});

describe('StreamParser: clear text read after STARTTLS is never parsed (RFC 6120 §5.4.3.3, CVE-2011-0411)', () => {
  const STARTTLS = "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>";

  function tlsParser() {
    const events: string[] = [];
    const p: StreamParser = new StreamParser(LIMITS, {
      start: (_n, a) => events.push(`start ${a.from}`),
      stanza: (e) => { events.push(`stanza ${e.name}`); if (e.name === 'starttls') p.resetTransport(); },
      end: () => events.push('end'),
      error: (e) => events.push(`error ${e.condition}`),
    });
    return { p, events };
  }

  it.each([
    ['nothing', '', []],
    ['whitespace', ' \r\n ', []],
    ['a header and a db:result', `${HEADER.replace("from='peer.test'", "from='evil.test'")}<db:result from='peer.test' to='gw.test'>k</db:result>`, ['error policy-violation']],
    ['one character', 'x', ['error policy-violation']],
  ])('after %s in the same read, only what arrives over TLS is parsed', (_n, pipelined, expected) => {
    const { p, events } = tlsParser();
    p.write(HEADER + STARTTLS + pipelined);
    p.write(HEADER); // the first read over TLS
    const overTls = expected.length === 0 ? ['start peer.test'] : [];
    expect(events).toEqual(['start peer.test', 'stanza starttls', ...expected, ...overTls]);
  });

  it.each([
    ['whitespace', ' \n', []],
    ['markup', '<db:result/>', ['error policy-violation']],
  ])('refuses queued clear-text reads only when they hold more than whitespace (%s)', (_n, data, expected) => {
    const { p, events } = tlsParser();
    p.write(HEADER + STARTTLS);
    p.discardCleartext(Buffer.from(data));
    expect(events).toEqual(['start peer.test', 'stanza starttls', ...expected]);
  });
});

describe('the first violation in the byte stream decides the condition, however the reads were cut (found by fuzz/targets/stream-parser)', () => {
  const run = (chunks: Buffer[]): string[] => {
    const out: string[] = [];
    const p = new StreamParser({ maxStanzaBytes: 8192, maxElements: 32, maxDepth: 32 }, {
      start: () => out.push('start'), stanza: () => out.push('stanza'), end: () => out.push('end'), error: (e) => out.push(`error ${e.condition}`),
    });
    for (const c of chunks) p.write(c);
    return out;
  };
  // Not well-formed first (an unquoted attribute), then a byte that is not UTF-8 (RFC 6120 §4.9.3.13 before §11.6).
  const bad = Buffer.concat([Buffer.from("<stream:stream xmlns:stream='http://etherx.jabber.org/streams' a=b>"), Buffer.from([0xc3, 0x28])]);
  it.each([
    ['one read', [bad]],
    ['cut before the bad byte', [bad.subarray(0, bad.length - 2), bad.subarray(bad.length - 2)]],
    ['cut inside the markup', [bad.subarray(0, 20), bad.subarray(20)]],
  ])('%s: not-well-formed', (_what, chunks) => {
    expect(run(chunks)).toEqual(['error not-well-formed']);
  });

  it('a bad byte before any markup error is unsupported-encoding in one read or many', () => {
    const b = Buffer.concat([Buffer.from("<stream:stream xmlns:stream='http://etherx.jabber.org/streams' "), Buffer.from([0xff]), Buffer.from('a=b>')]);
    expect(run([b])).toEqual(['error unsupported-encoding']);
    expect(run([b.subarray(0, 10), b.subarray(10)])).toEqual(['error unsupported-encoding']);
  });
});

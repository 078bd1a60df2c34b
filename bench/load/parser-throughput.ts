/**
 * Edge figure of issue #12: the S2S stream parser's throughput with the limits on
 * (adapters/xmpp-s2s/xml/stream-parser.ts: UTF-8 scan, XmlGuard size/depth limits, ltx,
 * conversion to XmlElement) next to raw ltx (@xmpp/xml's Parser) on the same bytes in the
 * same 16 KiB reads, as a ratio (target ≥ 0.5). In-process, CPU only; bounded by ROUNDS.
 *
 *   npx tsx bench/load/parser-throughput.ts          # prints; bench/load/run.ts includes it
 */
import { Parser } from '@xmpp/xml';
import { performance } from 'node:perf_hooks';
import { StreamParser } from '../../adapters/xmpp-s2s/xml/stream-parser';

const HEADER = "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='xmpp-load.test' to='sip-load.test' version='1.0'>";
const STANZA = (i: number): string => `<message from='romeo@xmpp-load.test/load' to='alice@sip-load.test' type='chat' id='m-${i}'><body>load message ${i}: h\u00e9llo \u20ac &amp; &lt;tags&gt;</body><active xmlns='http://jabber.org/protocol/chatstates'/><request xmlns='urn:xmpp:receipts'/></message>`;
const STANZAS = 20_000;
const CHUNK = 16 * 1024;
const ROUNDS = 5;
const LIMITS = { maxStanzaBytes: 262_144, maxElements: 10_000, maxDepth: 32 };

export interface ParserFigure { readonly bytes: number; readonly stanzas: number; readonly guardedMBps: number; readonly rawLtxMBps: number; readonly ratio: number }

function chunks(): Buffer[] {
  const all = Buffer.from(HEADER + Array.from({ length: STANZAS }, (_, i) => STANZA(i)).join(''), 'utf8');
  const out: Buffer[] = [];
  for (let o = 0; o < all.length; o += CHUNK) out.push(all.subarray(o, o + CHUNK));
  return out;
}

function best(run: () => number): number {
  let ms = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    const n = run();
    ms = Math.min(ms, performance.now() - t);
    if (n !== STANZAS) throw new Error(`parsed ${n} stanzas, expected ${STANZAS}`);
  }
  return ms;
}

export function measureParser(): ParserFigure {
  const c = chunks();
  const bytes = c.reduce((n, b) => n + b.length, 0);
  const guarded = best(() => {
    let n = 0;
    const p = new StreamParser(LIMITS, { start: () => undefined, stanza: () => { n += 1; }, end: () => undefined, error: (e) => { throw new Error(e.condition); } });
    for (const b of c) p.write(b);
    return n;
  });
  const raw = best(() => {
    let n = 0;
    const p = new Parser();
    p.on('element', () => { n += 1; });
    for (const b of c) p.write(b.toString('utf8')); // ltx takes strings; a split code point is rare at 16 KiB and ASCII-dominated here
    return n;
  });
  const mbps = (ms: number): number => Math.round((bytes / 1e6 / (ms / 1000)) * 10) / 10;
  return { bytes, stanzas: STANZAS, guardedMBps: mbps(guarded), rawLtxMBps: mbps(raw), ratio: Math.round((raw / guarded) * 100) / 100 };
}

if (require.main === module) console.log(JSON.stringify(measureParser()));

/**
 * The S2S stream parser (UTF-8 decoder → XmlGuard → ltx) with the pre-auth
 * limits a hostile, unauthenticated peer meets. Properties: it never throws,
 * and what it delivers does not depend on how TCP cut the bytes (the parser's
 * own promise: "every complete stanza before a violation is delivered
 * whatever the read boundaries were"): one read, and the same bytes cut at
 * points chosen from the input, give the same events and the same error.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_LIMITS, preAuthLimits } from '../../adapters/xmpp-s2s/session/session-options';
import { StreamParser } from '../../adapters/xmpp-s2s/xml/stream-parser';
import { serializeXml } from '../../plugin/core/xml/serialize-xml';
import { PropertyViolation, type FuzzTarget } from '../engine/target';
import { XML_DICTIONARY } from './xml-dictionary';

const LIMITS = preAuthLimits(DEFAULT_LIMITS);

function events(chunks: readonly Buffer[]): string[] {
  const out: string[] = [];
  const p = new StreamParser(LIMITS, {
    start: (name, attrs) => out.push(`start ${name} ${JSON.stringify(attrs)}`),
    stanza: (e) => out.push(`stanza ${serializeXml(e)}`),
    end: () => out.push('end'),
    error: (e) => out.push(`error ${e.condition}`),
  });
  for (const c of chunks) p.write(c);
  return out;
}

function cuts(input: Buffer): Buffer[] {
  const h = createHash('sha256').update(input).digest();
  const points = [...h.subarray(0, 6)].map((b) => Math.floor((b / 256) * input.length)).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of points) { out.push(input.subarray(from, p)); from = p; }
  out.push(input.subarray(from));
  return out;
}

const HEADER = `<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='peer.test' to='gw.test' version='1.0'>`;

export const streamParserTarget: FuzzTarget = {
  name: 'stream-parser',
  seeds: [
    HEADER,
    `${HEADER}<db:result from='peer.test' to='gw.test'>abcdef0123</db:result>`,
    `${HEADER}<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`,
    `${HEADER}<message from='a@peer.test' to='b@gw.test' type='chat' id='1'><body>h\u00e9 ✓ &amp; &lt;</body></message></stream:stream>`,
    `${HEADER}<iq type='get' id='p' from='peer.test' to='gw.test'><ping xmlns='urn:xmpp:ping'/></iq>`,
  ],
  dictionary: XML_DICTIONARY,
  maxBytes: 16_384,
  run(input) {
    const whole = events([input]);
    const split = events(cuts(input));
    if (JSON.stringify(whole) !== JSON.stringify(split)) {
      throw new PropertyViolation(`events depend on read boundaries:\nwhole ${JSON.stringify(whole).slice(0, 300)}\nsplit ${JSON.stringify(split).slice(0, 300)}`);
    }
    const err = whole.findIndex((e) => e.startsWith('error '));
    if (err >= 0 && err !== whole.length - 1) throw new PropertyViolation(`events after the stream error: ${JSON.stringify(whole.slice(err))}`);
  },
};

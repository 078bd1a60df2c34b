/**
 * The SIP body parsers a SIP peer (or an XMPP peer's mapped content) feeds:
 * PIDF (RFC 3863/4479/4480), isComposing (RFC 3994), IMDN (RFC 5438), CPIM
 * (RFC 3862), and the Content-Type dispatch (decodeSipContent). Properties:
 * none throws (every refusal is a Result error the use-case maps to a SIP
 * status), and what one parses, its builder writes and it parses again.
 */
import { parseCpim } from '../../plugin/core/message/cpim';
import { buildImdn, parseImdn } from '../../plugin/core/message/imdn';
import { buildIsComposing, parseIsComposing } from '../../plugin/core/message/is-composing';
import { decodeSipContent } from '../../plugin/core/message/sip-content';
import { buildPidf } from '../../plugin/core/presence/pidf-build';
import { parsePidf } from '../../plugin/core/presence/pidf';
import { BRIA_DND_UNICODE } from '../../plugin/core/presence/__fixtures__/bria';
import { LINPHONE_AWAY_WITH_NOTE } from '../../plugin/core/presence/__fixtures__/linphone';
import { MICROSOFT_IN_A_MEETING } from '../../plugin/core/presence/__fixtures__/microsoft';
import { RFC4480_RICH } from '../../plugin/core/presence/__fixtures__/rfc4480';
import { PropertyViolation, type FuzzTarget } from '../engine/target';
import { XML_DICTIONARY } from './xml-dictionary';

const text = (b: Buffer): string => b.toString('utf8');

export const pidfTarget: FuzzTarget = {
  name: 'pidf',
  seeds: [LINPHONE_AWAY_WITH_NOTE, BRIA_DND_UNICODE, MICROSOFT_IN_A_MEETING, RFC4480_RICH],
  dictionary: [...XML_DICTIONARY, 'urn:ietf:params:xml:ns:pidf', 'urn:ietf:params:xml:ns:pidf:rpid', '<basic>open</basic>', '<note xml:lang="de">', '<rpid:activities>', '<tuple id="t">', 'priority="0.5"'],
  maxBytes: 65_536,
  run(input) {
    const r = parsePidf(text(input));
    if (!r.ok) return;
    const again = parsePidf(buildPidf(r.value));
    if (!again.ok) throw new PropertyViolation(`buildPidf wrote what parsePidf refuses: ${JSON.stringify(again.error)}`);
  },
};

export const isComposingTarget: FuzzTarget = {
  name: 'is-composing',
  seeds: [
    `<?xml version="1.0" encoding="UTF-8"?><isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>active</state><contenttype>text/plain</contenttype><refresh>90</refresh></isComposing>`,
    `<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>idle</state><lastactive>2026-12-07T10:00:00Z</lastactive></isComposing>`,
  ],
  dictionary: [...XML_DICTIONARY, 'urn:ietf:params:xml:ns:im-iscomposing', '<state>', '<refresh>', '<lastactive>'],
  maxBytes: 8192,
  run(input) {
    const r = parseIsComposing(text(input));
    if (!r.ok) return;
    const again = parseIsComposing(buildIsComposing(r.value));
    if (!again.ok || JSON.stringify(again.value) !== JSON.stringify(r.value)) throw new PropertyViolation(`isComposing round trip: ${JSON.stringify(r.value)} → ${JSON.stringify(again)}`);
  },
};

export const imdnTarget: FuzzTarget = {
  name: 'imdn',
  seeds: [
    `<?xml version="1.0" encoding="UTF-8"?><imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>34jk324j</message-id><datetime>2008-04-04T12:16:49-05:00</datetime><recipient-uri>im:bob@example.com</recipient-uri><delivery-notification><status><delivered/></status></delivery-notification></imdn>`,
  ],
  dictionary: [...XML_DICTIONARY, 'urn:ietf:params:xml:ns:imdn', '<delivered/>', '<failed/>', '<display-notification>', '<message-id>'],
  maxBytes: 8192,
  run(input) {
    const r = parseImdn(text(input));
    if (!r.ok) return;
    const again = parseImdn(buildImdn(r.value));
    if (!again.ok) throw new PropertyViolation(`buildImdn wrote what parseImdn refuses: ${JSON.stringify(again.error)}`);
  },
};

export const cpimTarget: FuzzTarget = {
  name: 'cpim',
  seeds: [
    'From: MR SANDERS <im:piglet@100akerwood.com>\r\nTo: Depressed Donkey <im:eeyore@100akerwood.com>\r\nDateTime: 2000-12-13T13:40:00-08:00\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: 34jk324j\r\nimdn.Disposition-Notification: positive-delivery\r\n\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello ✓',
  ],
  dictionary: ['\r\n', '\r\n\r\n', 'Content-Type: ', 'NS: ', 'imdn.', ': ', '<im:a@b>', 'text/plain', 'message/imdn+xml', ';charset=utf-8', '\u0000'],
  maxBytes: 8192,
  run(input) {
    parseCpim(text(input)); // a Result either way; a throw is the finding
  },
};

export const sipContentTarget: FuzzTarget = {
  name: 'sip-content',
  // First line: the Content-Type header value; the rest: the body.
  seeds: [
    'text/plain;charset=UTF-8\nHello ✓',
    'text/html\n<p>hi <b>there</b><script>x</script></p>',
    'message/cpim\nFrom: <im:a@b>\r\n\r\nContent-Type: text/plain\r\n\r\nhi',
    'application/im-iscomposing+xml\n<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>active</state></isComposing>',
  ],
  dictionary: ['\n', 'text/plain', 'text/html', 'message/cpim', 'application/im-iscomposing+xml', 'message/imdn+xml', ';charset=', 'ISO-8859-1', 'utf-8', '<', '>', '"', ';', '=', '\u0000'],
  maxBytes: 16_384,
  run(input) {
    const s = text(input);
    const nl = s.indexOf('\n');
    decodeSipContent(nl >= 0 ? s.slice(0, nl) : s, nl >= 0 ? s.slice(nl + 1) : '');
  },
};

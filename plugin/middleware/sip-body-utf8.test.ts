import { sipBodyText } from './sip-body-utf8';
import { toInboundSipMessage } from './inbound-sip-message';

/** What drachtio-srf hands the middleware: the frame decoded with Buffer#toString('utf8') (U+FFFD for bad bytes). */
const asSrfDecodes = (bytes: number[]) => Buffer.from(bytes).toString('utf8');

describe('SIP body bytes that are not UTF-8 are detected after srf decoded them (RFC 3629, RFC 7572 §7)', () => {
  it.each<[string, number[], boolean, boolean]>([
    // name, bytes, notUtf8 from Content-Length, notUtf8 from raw bytes
    ['C3 28 (lead byte + ASCII)', [0xc3, 0x28], true, true],
    ['C0 AF (overlong "/")', [0xc0, 0xaf], true, true],
    ['ED A0 80 (lone surrogate U+D800 encoded)', [0xed, 0xa0, 0x80], true, true],
    ['FF (never in UTF-8)', [0x68, 0xff], true, true],
    ['F0 9F 98 41 (4-byte sequence cut after 3 bytes: length-neutral, only raw bytes tell)', [0xf0, 0x9f, 0x98, 0x41], false, true],
    ['valid: é ✓ 😀', [...Buffer.from('é ✓ 😀')], false, false],
    ['valid: a real U+FFFD (EF BF BD)', [0x61, 0xef, 0xbf, 0xbd], false, false],
    ['valid UTF-8: NUL (refused later as not an XML Char, text-plain.ts)', [0x61, 0x00, 0x62], false, false],
  ])('%s', (_name, bytes, byLength, byRaw) => {
    const decoded = asSrfDecodes(bytes);
    expect(sipBodyText(decoded, String(bytes.length)).notUtf8).toBe(byLength);
    expect(sipBodyText(decoded, String(bytes.length), Uint8Array.from(bytes)).notUtf8).toBe(byRaw);
  });

  it('without Content-Length (UDP, RFC 3261 §20.14 SHOULD) a decoded body is taken as it is', () => {
    expect(sipBodyText(asSrfDecodes([0xc3, 0x28]), undefined)).toEqual({ body: '\uFFFD(', notUtf8: false });
  });

  it('the middleware marks the request, so the use-case refuses it (bodyNotUtf8)', () => {
    const headers: Record<string, string> = { 'content-length': '2', 'content-type': 'text/plain;charset=UTF-8', from: '<sip:a@b>', to: '<sip:c@d>', 'call-id': 'x' };
    const m = toInboundSipMessage({ uri: 'sip:c@d', body: asSrfDecodes([0xc3, 0x28]), get: (h) => headers[h.toLowerCase()] });
    expect(m.bodyNotUtf8).toBe(true);
    const ok = toInboundSipMessage({ uri: 'sip:c@d', body: 'hé', get: (h) => ({ ...headers, 'content-length': '3' })[h.toLowerCase()] });
    expect(ok.bodyNotUtf8).toBeUndefined();
  });
});

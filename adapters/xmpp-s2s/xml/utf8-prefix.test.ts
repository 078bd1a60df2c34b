import { scanUtf8 } from './utf8-prefix';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('scanUtf8 finds where the bytes stop being UTF-8 (RFC 3629 §4), as a fatal TextDecoder would refuse them', () => {
  it.each([
    ['ASCII', Buffer.from('abc'), { valid: 3, invalid: false }],
    ['é ✓ 😀 complete', Buffer.from('é ✓ 😀'), { valid: Buffer.byteLength('é ✓ 😀'), invalid: false }],
    ['a 4-byte sequence cut after 2 bytes', bytes(0x61, 0xf0, 0x9f), { valid: 1, invalid: false }],
    ['C3 28: a lead without its continuation', bytes(0x61, 0xc3, 0x28), { valid: 1, invalid: true }],
    ['overlong C0 AF', bytes(0xc0, 0xaf), { valid: 0, invalid: true }],
    ['overlong E0 80 AF', bytes(0xe0, 0x80, 0xaf), { valid: 0, invalid: true }],
    ['a surrogate ED A0 80', bytes(0x61, 0x62, 0xed, 0xa0, 0x80), { valid: 2, invalid: true }],
    ['above U+10FFFF: F4 90 80 80', bytes(0xf4, 0x90, 0x80, 0x80), { valid: 0, invalid: true }],
    ['a lone continuation byte', bytes(0x80), { valid: 0, invalid: true }],
    ['FF', bytes(0x61, 0xff), { valid: 1, invalid: true }],
  ])('%s', (_what, input, expected) => {
    expect(scanUtf8(input)).toEqual(expected);
  });

  it.each([[bytes(0xc3, 0x28)], [bytes(0xed, 0xa0, 0x80)], [bytes(0xf4, 0x90, 0x80, 0x80)], [bytes(0xe0, 0x80, 0xaf)], [Buffer.from('ok ✓')]])('agrees with a fatal TextDecoder on %j', (input) => {
    let decoderOk = true;
    try { new TextDecoder('utf-8', { fatal: true }).decode(input); } catch { decoderOk = false; }
    const s = scanUtf8(input);
    expect(!s.invalid && s.valid === input.length).toBe(decoderOk);
  });
});

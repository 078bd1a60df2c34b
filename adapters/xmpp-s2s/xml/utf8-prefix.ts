/**
 * Where a byte run stops being UTF-8 (RFC 3629 §4 syntax: no overlongs, no
 * surrogates, nothing above U+10FFFF — the same bytes a fatal TextDecoder
 * refuses). The stream parser needs the position, not just a verdict: the
 * text before a bad byte is parsed first, so a stream that is both
 * not-well-formed and badly encoded gets the condition of whichever comes
 * first in the byte stream, however TCP cut it (RFC 6120 §11.6, §4.9.3.13).
 */
export interface Utf8Scan {
  /** Bytes [0, valid) are complete, valid UTF-8. */
  readonly valid: number;
  /** True when the byte at `valid` cannot start or continue a sequence; false when [valid, end) is an incomplete sequence cut by the read. */
  readonly invalid: boolean;
}

const cont = (b: number | undefined): boolean => b !== undefined && b >= 0x80 && b <= 0xbf;

/** Length of the sequence led by `b`, with the allowed range of its second byte (RFC 3629 §4), or undefined. */
function lead(b: number): { len: number; lo: number; hi: number } | undefined {
  if (b <= 0x7f) return { len: 1, lo: 0, hi: 0 };
  if (b >= 0xc2 && b <= 0xdf) return { len: 2, lo: 0x80, hi: 0xbf };
  if (b === 0xe0) return { len: 3, lo: 0xa0, hi: 0xbf };
  if ((b >= 0xe1 && b <= 0xec) || b === 0xee || b === 0xef) return { len: 3, lo: 0x80, hi: 0xbf };
  if (b === 0xed) return { len: 3, lo: 0x80, hi: 0x9f }; // no UTF-16 surrogates
  if (b === 0xf0) return { len: 4, lo: 0x90, hi: 0xbf };
  if (b >= 0xf1 && b <= 0xf3) return { len: 4, lo: 0x80, hi: 0xbf };
  if (b === 0xf4) return { len: 4, lo: 0x80, hi: 0x8f }; // nothing above U+10FFFF
  return undefined;
}

export function scanUtf8(bytes: Uint8Array): Utf8Scan {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b <= 0x7f) { i += 1; continue; }
    const l = lead(b);
    if (!l) return { valid: i, invalid: true };
    for (let k = 1; k < l.len; k++) {
      const c = bytes[i + k];
      if (c === undefined) return { valid: i, invalid: false }; // cut by the read
      const ok = k === 1 ? c >= l.lo && c <= l.hi : cont(c);
      if (!ok) return { valid: i, invalid: true };
    }
    i += l.len;
  }
  return { valid: i, invalid: false };
}

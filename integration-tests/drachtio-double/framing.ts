/**
 * drachtio admin-protocol framing: `<decimal UTF-8 byte length>#<payload>`, no separator
 * between frames (PROTOCOL-NOTES §1). TCP chunking does not follow frame boundaries, so
 * the decoder buffers BYTES and may yield several frames per chunk or none.
 *
 * drachtio-server reads at most 5 length digits, so an app-to-server frame must be under
 * 100 000 bytes (PROTOCOL-NOTES §1). The decoder mirrors that: a longer length prefix is a
 * protocol error and the admin connection is closed.
 */
export const MAX_LENGTH_DIGITS = 5;

export type DecodeResult =
  | { readonly ok: true; readonly frames: readonly string[] }
  | { readonly ok: false; readonly error: string; readonly frames: readonly string[] };

export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly maxLengthDigits: number = MAX_LENGTH_DIGITS) {}

  push(chunk: Buffer): DecodeResult {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const frames: string[] = [];
    for (;;) {
      const hash = this.buf.indexOf(0x23 /* '#' */);
      const digitsSeen = hash === -1 ? this.buf.length : hash;
      if (digitsSeen > this.maxLengthDigits) {
        return { ok: false, error: `length prefix longer than ${this.maxLengthDigits} digits`, frames };
      }
      if (hash === -1) return { ok: true, frames };
      const lenText = this.buf.toString('latin1', 0, hash);
      if (!/^[0-9]+$/.test(lenText)) return { ok: false, error: `invalid length prefix '${lenText}'`, frames };
      const len = Number(lenText);
      if (len <= 0) return { ok: false, error: 'zero-length frame', frames };
      const end = hash + 1 + len;
      if (this.buf.length < end) return { ok: true, frames };
      frames.push(this.buf.toString('utf8', hash + 1, end));
      this.buf = this.buf.subarray(end);
    }
  }
}

/** Encodes one frame; the length counts UTF-8 bytes, not JavaScript characters (Q4). */
export function encodeFrame(payload: string): Buffer {
  const body = Buffer.from(payload, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length}#`, 'latin1'), body]);
}

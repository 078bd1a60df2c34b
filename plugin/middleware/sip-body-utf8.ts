import { decodeUtf8 } from '../core/message/text-plain';

/**
 * Is a SIP body really UTF-8 (RFC 3629)? drachtio-srf decodes each whole
 * drachtio frame with Buffer#toString('utf8') (lib/wire-protocol.js
 * _onData), which puts U+FFFD in place of invalid bytes, so by the time the
 * middleware runs the bytes are gone. Two ways to still tell:
 * - raw bytes, when the adapter supplies them (`rawBody`): decoded here with
 *   a fatal decoder, the exact answer;
 * - otherwise the body's Content-Length, which counts the ORIGINAL bytes
 *   (RFC 3261 §20.14): re-encoding a valid UTF-8 decoding gives the same
 *   bytes back, and every U+FFFD substitution covers 1 to 3 bytes and takes 3,
 *   so a body with U+FFFD whose UTF-8 length differs from Content-Length held
 *   invalid bytes. What this cannot see: only substitutions of exactly three
 *   bytes (a four-byte sequence cut after its third byte), or no
 *   Content-Length (allowed on UDP): then the body is taken as it decoded.
 */
export type BodyText = { readonly body: string; readonly notUtf8: boolean };

export function sipBodyText(decoded: string, contentLength: string | undefined, rawBody?: Uint8Array): BodyText {
  if (rawBody !== undefined) {
    const d = decodeUtf8(rawBody);
    return d.ok ? { body: d.value, notUtf8: false } : { body: decoded, notUtf8: true };
  }
  if (!decoded.includes('\uFFFD')) return { body: decoded, notUtf8: false };
  const cl = contentLength?.trim();
  if (cl === undefined || !/^\d{1,9}$/.test(cl)) return { body: decoded, notUtf8: false };
  return { body: decoded, notUtf8: Buffer.byteLength(decoded, 'utf8') !== Number(cl) };
}

import { err, ok, type Result } from '../result';
import type { MediaType } from './content-type';
import { messageError, type MessageError } from './message-error';

/**
 * text/plain, the one content type an S2X gateway MUST handle (RFC 7572 §7).
 *
 * SIP bodies reach the core as strings. Only UTF-8 and US-ASCII are accepted
 * (RFC 3428 §9 recommends UTF-8; XMPP is UTF-8 only, RFC 6120 §11.6); any other
 * charset is refused with `unsupported-charset` (→ 415) rather than guessed.
 * Text bound for an XMPP stanza must also be XML 1.0 `Char` data: a NUL or
 * other C0 control would make the peer close the whole S2S stream with
 * `not-well-formed`, so such a body is refused here, per message.
 */

/** Default maximum SIP body size the gateway translates; larger bodies are refused before parsing. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

const ACCEPTED_CHARSETS = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii']);

// C0 controls except TAB/LF/CR, U+FFFE/U+FFFF, and lone surrogates (what a broken
// decoder leaves behind) are not XML 1.0 Chars (XML 1.0 §2.2).
const NOT_XML_CHAR =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Refuses text that cannot be carried in XML. U+FFFD itself is a valid character and is kept. */
export function checkXmlText(text: string): Result<string, MessageError> {
  const m = NOT_XML_CHAR.exec(text);
  if (m) {
    const code = m[0].charCodeAt(0).toString(16).padStart(4, '0');
    return err(messageError('invalid-text', `character U+${code.toUpperCase()} at offset ${m.index} is not allowed in XML`));
  }
  return ok(text);
}

/** Refuses a body over the limit without scanning it (string length never exceeds its UTF-8 byte length). */
export function checkBodySize(body: string, maxBytes: number = DEFAULT_MAX_BODY_BYTES): Result<string, MessageError> {
  if (body.length > maxBytes || Buffer.byteLength(body, 'utf8') > maxBytes) {
    return err(messageError('too-big', `body exceeds ${maxBytes} bytes`));
  }
  return ok(body);
}

/** Strict UTF-8 decoding for callers that hold raw bytes: invalid sequences are an error, not U+FFFD. */
export function decodeUtf8(bytes: Uint8Array): Result<string, MessageError> {
  try {
    return ok(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    return err(messageError('invalid-text', 'body is not valid UTF-8'));
  }
}

/** Checks the charset parameter of a text/* media type (absent → UTF-8 in practice, RFC 3428 §9). */
export function checkCharset(media: MediaType): Result<MediaType, MessageError> {
  const cs = media.params.charset?.toLowerCase();
  if (cs === undefined || ACCEPTED_CHARSETS.has(cs)) return ok(media);
  return err(messageError('unsupported-charset', `charset "${cs}" is not supported (UTF-8 only)`));
}

/** text/plain body → text for an XMPP <body/>. */
export function decodeTextPlain(media: MediaType, body: string, maxBytes?: number): Result<string, MessageError> {
  if (media.essence !== 'text/plain') return err(messageError('unsupported-media', `${media.essence} is not text/plain`));
  const cs = checkCharset(media);
  if (!cs.ok) return cs;
  const size = checkBodySize(body, maxBytes);
  if (!size.ok) return size;
  return checkXmlText(body);
}

export const TEXT_PLAIN_UTF8 = 'text/plain;charset=UTF-8';

import { err, ok, type Result } from '../result';
import type { XmlElement } from '../xml/xml-element';
import { parseContentType } from './content-type';
import { parseCpim, type CpimMessage } from './cpim';
import { htmlToXhtmlIm } from './html-to-xhtml-im';
import { IMDN_TYPE, parseImdn, type ImdnDocument } from './imdn';
import { IS_COMPOSING_TYPE, parseIsComposing, type IsComposing } from './is-composing';
import { messageError, type MessageError } from './message-error';
import { checkBodySize, checkCharset, decodeTextPlain, DEFAULT_MAX_BODY_BYTES } from './text-plain';

/**
 * Decodes a SIP MESSAGE body by its Content-Type (RFC 7572 §7): text/plain
 * (MUST), text/html → XHTML-IM (SHOULD), message/cpim (RFC 3862) wrapping one
 * of those, application/im-iscomposing+xml (RFC 3994), and message/imdn+xml
 * inside CPIM (RFC 5438 §7.1.1.1 requires the CPIM wrapper). The body size is
 * checked once, before any parsing.
 */
export type SipContent =
  | { readonly kind: 'text'; readonly text: string; readonly html?: XmlElement; readonly cpim?: CpimMessage }
  | { readonly kind: 'is-composing'; readonly isComposing: IsComposing; readonly cpim?: CpimMessage }
  | { readonly kind: 'imdn'; readonly imdn: ImdnDocument; readonly cpim: CpimMessage };

export interface SipContentOptions {
  readonly maxBodyBytes?: number;
  /**
   * The adapter proved that the body bytes are not valid UTF-8 (RFC 3629):
   * the string holds U+FFFD where they were. Such a body is refused (400),
   * never relayed repaired; a charset we do not take is still 415.
   */
  readonly notUtf8?: boolean;
}

export function decodeSipContent(
  contentType: string | undefined,
  body: string,
  opts: SipContentOptions = {},
): Result<SipContent, MessageError> {
  const max = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const size = checkBodySize(body, max);
  if (!size.ok) return size;
  if (contentType === undefined) {
    // RFC 3261 §20.15: a non-empty body MUST come with a Content-Type.
    return body === ''
      ? err(messageError('no-content', 'MESSAGE without a body'))
      : err(messageError('invalid-header', 'body without Content-Type (RFC 3261 §20.15)'));
  }
  const ct = parseContentType(contentType);
  if (!ct.ok) return ct;
  if (ct.value.essence === 'message/cpim') {
    const cpim = parseCpim(body, { maxBytes: max });
    if (!cpim.ok) return cpim;
    return decodeInner(cpim.value.contentType.essence, contentTypeOf(cpim.value), cpim.value.body, max, cpim.value, opts.notUtf8 === true);
  }
  return decodeInner(ct.value.essence, contentType, body, max, undefined, opts.notUtf8 === true);
}

const contentTypeOf = (c: CpimMessage) => c.contentHeaders['content-type'] ?? '';

function decodeInner(
  essence: string,
  contentType: string,
  body: string,
  max: number,
  cpim: CpimMessage | undefined,
  notUtf8: boolean,
): Result<SipContent, MessageError> {
  const ct = parseContentType(contentType);
  if (!ct.ok) return ct;
  const withCpim = cpim ? { cpim } : {};
  const known = essence === 'text/plain' || essence === 'text/html' || essence === IS_COMPOSING_TYPE || essence === IMDN_TYPE;
  if (notUtf8 && known) {
    // 415 for a charset we do not take comes first (the sender can fix that); else RFC 7572 §7 / RFC 3629: 400.
    const cs = checkCharset(ct.value);
    return cs.ok ? err(messageError('invalid-text', 'body is not valid UTF-8 (RFC 3629)')) : cs;
  }
  switch (essence) {
    case 'text/plain': {
      const text = decodeTextPlain(ct.value, body, max);
      return text.ok ? ok({ kind: 'text', text: text.value, ...withCpim }) : text;
    }
    case 'text/html': {
      const cs = checkCharset(ct.value);
      if (!cs.ok) return cs;
      const x = htmlToXhtmlIm(body, { maxBytes: max });
      return x.ok ? ok({ kind: 'text', text: x.value.text, html: x.value.html, ...withCpim }) : x;
    }
    case IS_COMPOSING_TYPE: {
      const c = parseIsComposing(body, max);
      return c.ok ? ok({ kind: 'is-composing', isComposing: c.value, ...withCpim }) : c;
    }
    case IMDN_TYPE: {
      if (!cpim) return err(messageError('unsupported-media', 'message/imdn+xml must be wrapped in message/cpim (RFC 5438 §7.1.1.1)'));
      const d = parseImdn(body, max);
      return d.ok ? ok({ kind: 'imdn', imdn: d.value, cpim }) : d;
    }
    default:
      return err(messageError('unsupported-media', `${essence} is not translated (RFC 7572 §7)`));
  }
}

/**
 * XEP-0106 (JID Escaping, v1.1.1) for localparts.
 *
 * RFC 7622 §3.3.1 forbids `" & ' / : < > @` and spaces in a localpart; XEP-0106 §3.1
 * gives each a `\hh` sequence, plus `\5c` for the backslash itself. RFC 7247 §6.2 says
 * a native XMPP destination MUST use this form, and §6.4 (SIP→XMPP) needs the full set
 * because percent-decoding a SIP user part can yield any of them.
 *
 * Rules kept here:
 * - XEP-0106 §3.2: a backslash is escaped (`\5c`) ONLY when it is followed by two
 *   characters that form one of the ten escape codes; otherwise it stays literal
 *   (`c:\net` → `c\3a\net`).
 * - XEP-0106 §3.3: unescaping transforms only the ten sequences; `\ne` stays as is.
 * - XEP-0106 §3.2 / §4.3: a localpart MUST NOT begin or end with an escaped space, so
 *   escaping a string with a leading/trailing space is refused rather than altered.
 * - Hex codes are produced lowercase; they are recognised in either case because PRECIS
 *   case mapping (RFC 7613 UsernameCaseMapped) may have lowercased or a peer may upper-
 *   case them. Escaping and unescaping use the same recogniser, so both stay inverse.
 */
import { err, ok, type Result } from '../result';

/** XEP-0106 §3.1 Table 1: character → escape code (two lowercase hex digits). */
export const XEP0106_ESCAPES: Readonly<Record<string, string>> = {
  ' ': '20',
  '"': '22',
  '&': '26',
  "'": '27',
  '/': '2f',
  ':': '3a',
  '<': '3c',
  '>': '3e',
  '@': '40',
  '\\': '5c',
};

const UNESCAPES: ReadonlyMap<string, string> = new Map(
  Object.entries(XEP0106_ESCAPES).map(([ch, hex]) => [hex, ch]),
);

export interface EscapeError {
  readonly code: 'escaped-space-at-edge' | 'empty';
  readonly detail: string;
}

/** The character an escape code stands for, if `s[i..]` starts with `\hh` of Table 1. */
function escapeAt(s: string, i: number): string | undefined {
  if (s[i] !== '\\') return undefined;
  return UNESCAPES.get(s.slice(i + 1, i + 3).toLowerCase());
}

/**
 * Escapes a raw (display-form) localpart into an XMPP localpart, XEP-0106 §3.2.
 * Refuses a leading or trailing space (XEP-0106 §3.2: no `\20` at either end).
 */
export function escapeLocalpart(raw: string): Result<string, EscapeError> {
  if (raw.length === 0) return err({ code: 'empty', detail: 'a localpart cannot be empty (RFC 7622 §3.3)' });
  if (raw.startsWith(' ') || raw.endsWith(' ')) {
    return err({
      code: 'escaped-space-at-edge',
      detail: 'a localpart must not begin or end with an escaped space (XEP-0106 §3.2)',
    });
  }
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i] as string;
    if (ch === '\\') {
      // Literal backslash unless it would be read back as an escape sequence.
      out += escapeAt(raw, i) === undefined ? '\\' : '\\5c';
      continue;
    }
    const hex = XEP0106_ESCAPES[ch];
    out += hex === undefined ? ch : `\\${hex}`;
  }
  return ok(out);
}

/**
 * Unescapes an XMPP localpart into its display form, XEP-0106 §3.3. Total: any string is
 * a valid input; backslashes not starting one of the ten sequences are kept literally.
 */
export function unescapeLocalpart(escaped: string): string {
  let out = '';
  for (let i = 0; i < escaped.length; i++) {
    const ch = escapeAt(escaped, i);
    if (ch !== undefined) {
      out += ch;
      i += 2;
    } else {
      out += escaped[i] as string;
    }
  }
  return out;
}

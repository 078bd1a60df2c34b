/**
 * Percent-encoding (`%hh`) for the URI side of RFC 7247 §6.2: "a URI destination MUST
 * use %hh". Decoding is strict: every `%` starts two hex digits (RFC 3261 §25.1
 * `escaped`) and the octets must be well-formed UTF-8 (RFC 7247 §6.4 step 4). Encoding
 * writes UTF-8 octets with uppercase hex (RFC 3986 §2.1) for everything outside the
 * caller's safe set, so the same text always encodes the same way.
 */
import { err, ok, type Result } from '../result';

export interface PercentError {
  readonly code: 'invalid-escape' | 'invalid-utf8' | 'lone-surrogate';
  readonly detail: string;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** RFC 3261 §25.1 `unreserved` = alphanum / mark. */
const SIP_UNRESERVED = `${ALNUM}-_.!~*'()`;
/** RFC 3261 §25.1 `user` = 1*( unreserved / escaped / user-unreserved ). */
export const SIP_USER_SAFE = `${SIP_UNRESERVED}&=+$,;?/`;
/** RFC 3261 §25.1 `paramchar` = param-unreserved / unreserved / escaped. */
export const SIP_PARAM_SAFE = `${SIP_UNRESERVED}[]/:&+$`;
/** RFC 3261 §25.1 `hvalue`/`hname` = *( hnv-unreserved / unreserved / escaped ). */
export const SIP_HEADER_SAFE = `${SIP_UNRESERVED}[]/?:+$`;
/**
 * im:/pres: local parts (RFC 3860 §3 / RFC 3859 §3 → RFC 5322 `atext`), minus `%`
 * (kept for escapes). RFC 7247 §6.5 step 5 lists `( ) , . ; [ \ ]` as the characters to
 * encode for these schemes; none of them is in atext, and `.` is always encoded so
 * that dot-atom rules (no leading, trailing or doubled dot) never bite.
 */
export const IM_LOCAL_SAFE = `${ALNUM}!#$&'*+-/=?^_\`{|}~`;

const HEX = '0123456789ABCDEF';
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9A-Fa-f]$/.test(c);

function utf8Bytes(cp: number): number[] {
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 63)];
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
}

/** Encodes every code point not in `safe` as UTF-8 `%HH` octets. */
export function percentEncode(s: string, safe: string): Result<string, PercentError> {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      return err({ code: 'lone-surrogate', detail: 'text contains an unpaired UTF-16 surrogate' });
    }
    if (cp < 0x80 && safe.includes(ch)) {
      out += ch;
    } else {
      for (const b of utf8Bytes(cp)) out += `%${HEX[b >> 4]}${HEX[b & 15]}`;
    }
  }
  return ok(out);
}

/** Decodes `%hh` escapes as UTF-8. Refuses stray `%` and ill-formed UTF-8. Never throws. */
export function percentDecode(s: string): Result<string, PercentError> {
  for (let i = s.indexOf('%'); i >= 0; i = s.indexOf('%', i + 1)) {
    if (!isHex(s[i + 1]) || !isHex(s[i + 2])) {
      return err({ code: 'invalid-escape', detail: `"%" at offset ${i} is not followed by two hex digits (RFC 3261 §25.1)` });
    }
  }
  try {
    return ok(decodeURIComponent(s));
  } catch {
    return err({ code: 'invalid-utf8', detail: 'percent-decoded octets are not well-formed UTF-8 (RFC 7247 §6.4 step 4)' });
  }
}

/**
 * The canonical spelling of percent-encoded text: decode, then re-encode with `safe`.
 * RFC 3261 §19.1.4 treats `%41` and `A` in a user part as equal; this makes them equal
 * as strings.
 */
export function canonicalPercentEncoding(s: string, safe: string): Result<string, PercentError> {
  const decoded = percentDecode(s);
  return decoded.ok ? percentEncode(decoded.value, safe) : decoded;
}

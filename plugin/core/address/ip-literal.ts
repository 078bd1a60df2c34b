/**
 * IP address literal recognisers shared by the JID domainpart (RFC 7622 §3.2, which
 * allows IP-literal / IPv4address from RFC 3986 §3.2.2) and the SIP URI host (RFC 3261
 * §25.1 `IPv4address`, `IPv6reference`). Syntax only; no canonicalisation.
 */

const DEC_OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const H16 = /^[0-9A-Fa-f]{1,4}$/;

/** RFC 3986 §3.2.2 IPv4address: four dec-octets without leading zeros. */
export function isIpv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => DEC_OCTET.test(p));
}

/** RFC 4291 §2.2 / RFC 3986 §3.2.2 IPv6address (text form, no zone id). */
export function isIpv6(s: string): boolean {
  if (s.length === 0 || s.length > 45) return false;
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const groups = (part: string): string[] | undefined => (part === '' ? [] : part.split(':'));
  const head = groups(halves[0] as string);
  const tail = halves.length === 2 ? groups(halves[1] as string) : [];
  if (head === undefined || tail === undefined) return false;
  const all = [...head, ...tail];
  let width = 0;
  for (let i = 0; i < all.length; i++) {
    const g = all[i] as string;
    if (i === all.length - 1 && g.includes('.')) {
      if (!isIpv4(g)) return false;
      width += 2; // an embedded IPv4 address fills the last 32 bits
    } else if (H16.test(g)) {
      width += 1;
    } else {
      return false;
    }
  }
  return halves.length === 2 ? width <= 7 : width === 8;
}

/** `[IPv6]` as written in a JID domainpart or a SIP host. */
export function isBracketedIpv6(s: string): boolean {
  return s.startsWith('[') && s.endsWith(']') && isIpv6(s.slice(1, -1));
}

/**
 * XMPP resource ⇄ PIDF tuple id.
 *
 * RFC 8048 §6.2 Table 1 note: the tuple 'id' is an xs:ID (an NCName: it may not
 * start with a digit and allows only name characters), while an XMPP
 * resourcepart is any string (RFC 7622 §3.4), so prefixing "ID-" is
 * RECOMMENDED. The prefix alone is not enough: resources routinely contain
 * spaces, '/', '@' or ':'. We therefore escape every character outside
 * [A-Za-z0-9.-] as `_<hex code point>_`; '_' itself is escaped, so the mapping
 * is injective (distinct resources give distinct, unique tuple ids) and
 * reversible (§6.3 per-tuple mapping gets the resource back).
 *
 *   "orchard"      → "ID-orchard"      (the RFC 8048 example)
 *   "my phone"     → "ID-my_20_phone"
 *   "1"            → "ID-1"
 */
export const TUPLE_ID_PREFIX = 'ID-';

const SAFE = /[A-Za-z0-9.-]/;

export function tupleIdForResource(resource: string | undefined): string {
  let out = TUPLE_ID_PREFIX;
  for (const ch of resource ?? '') {
    out += SAFE.test(ch) ? ch : `_${ch.codePointAt(0)!.toString(16)}_`;
  }
  return out;
}

/**
 * The XMPP resource a tuple id stands for: our own "ID-" ids are unescaped;
 * a foreign id (e.g. "a8098a" from a SIP UA) is used as it is. An empty
 * result means "no resource" (RFC 7622 §3.4: a resourcepart is never empty).
 */
export function resourceForTupleId(id: string): string | undefined {
  if (!id.startsWith(TUPLE_ID_PREFIX)) return id === '' ? undefined : id;
  const rest = id.slice(TUPLE_ID_PREFIX.length).replace(/_([0-9a-f]{1,6})_/g, (whole, hex: string) => {
    const cp = parseInt(hex, 16);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
  });
  return rest === '' ? undefined : rest;
}

/** xs:ID / NCName check (ASCII subset plus any non-ASCII name character). */
export function isXsId(id: string): boolean {
  return /^[A-Za-z_\u00C0-\uFFFF][A-Za-z0-9._\-\u00B7\u00C0-\uFFFF]*$/.test(id);
}

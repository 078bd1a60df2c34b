/**
 * XMPP <priority/> ⇄ PIDF <contact priority>, RFC 8048 §6.2 Table 1 note and
 * §6.3 Table 2.
 *
 * XMPP priority is an integer -128..127 (RFC 6121 §4.7.2.3); the PIDF value is
 * a qvalue 0..1 with at most three decimals (RFC 3863 §4.1.5, RFC 3261 §25.1).
 * RFC 8048 §6.2: a negative priority MUST NOT be mapped; 0 maps to 0 and 127
 * to 1, with intermediate values mapped so that they stay unique — its own
 * example is 1 → 0.007, 2 → 0.015, 126 → 0.992, i.e. truncation to three
 * decimals. We use exactly that:
 *
 *   pidf = floor(xmpp × 1000 / 127) / 1000          (0..127 → 0..1)
 *   xmpp = round(pidf × 127)                         (0..1 → 0..127)
 *
 * 1000/127 > 1, so every XMPP value gets a distinct PIDF value, and the
 * truncation error (< 0.001 × 127 = 0.127) is below 0.5, so the inverse gives
 * back the original integer: the round trip is exact for 0..127.
 */
export const XMPP_PRIORITY_MAX = 127;

/** Undefined for a negative, non-integer or out-of-range XMPP priority (not mapped). */
export function xmppPriorityToPidf(priority: number | undefined): number | undefined {
  if (priority === undefined || !Number.isInteger(priority)) return undefined;
  if (priority < 0 || priority > XMPP_PRIORITY_MAX) return undefined;
  return Math.floor((priority * 1000) / XMPP_PRIORITY_MAX) / 1000;
}

/** Undefined for a value outside 0..1 (the PIDF parser has already refused non-qvalues). */
export function pidfPriorityToXmpp(priority: number | undefined): number | undefined {
  if (priority === undefined || !Number.isFinite(priority) || priority < 0 || priority > 1) return undefined;
  return Math.round(priority * XMPP_PRIORITY_MAX);
}

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * XEP-0185 §2 dialback key:
 *   key = HMAC-SHA256(SHA256(secret), receiving + ' ' + originating + ' ' + streamId)
 * as hex, where SHA256(secret) is itself used in its hex form. That is what
 * Prosody (mod_dialback.lua: `dialback_secret = sha256(secret, true)`, then
 * `hmac_sha256(dialback_secret, to .. ' ' .. from .. ' ' .. id, true)`) and
 * ejabberd (mod_s2s_dialback.erl make_key/3: `crypto_hmac(sha256,
 * str:to_hexlist(crypto:hash(sha256, Secret)), [To, " ", From, " ", StreamID])`)
 * compute, so keys interoperate with both.
 */
export function dialbackKey(secret: string, receiving: string, originating: string, streamId: string): string {
  const hashedSecret = createHash('sha256').update(secret, 'utf8').digest('hex');
  return createHmac('sha256', hashedSecret).update(`${receiving} ${originating} ${streamId}`, 'utf8').digest('hex');
}

/** Checks a received key in constant time (Prosody uses secure_equals for the same reason). */
export function verifyDialbackKey(
  secret: string, receiving: string, originating: string, streamId: string, key: string,
): boolean {
  const expected = Buffer.from(dialbackKey(secret, receiving, originating, streamId), 'utf8');
  const got = Buffer.from(key.trim(), 'utf8');
  // timingSafeEqual needs equal lengths; compare against itself to keep the timing flat.
  if (got.length !== expected.length) {
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(got, expected);
}

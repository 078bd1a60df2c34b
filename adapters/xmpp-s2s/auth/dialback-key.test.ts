import { createHash, createHmac } from 'node:crypto';
import { dialbackKey, verifyDialbackKey } from './dialback-key';

/** Independent computation: HMAC-SHA256 keyed with the hex SHA-256 of the secret (XEP-0185 §2). */
function expected(secret: string, receiving: string, originating: string, id: string): string {
  const k = createHash('sha256').update(secret).digest('hex');
  return createHmac('sha256', k).update([receiving, originating, id].join(' ')).digest('hex');
}

describe('dialback keys (XEP-0185 §2)', () => {
  it('matches the XEP-0185 example (secret s3cr3tf0rd14lb4ck, receiving xmpp.example.com, originating example.org, id D60000229F)', () => {
    expect(dialbackKey('s3cr3tf0rd14lb4ck', 'xmpp.example.com', 'example.org', 'D60000229F'))
      .toBe('37c69b1cf07a3f67c04a5ef5902fa5114f2c76fe4a2686482ba5b89323075643');
  });

  it.each([
    ['test-secret', 'peer.test', 'gw.test', 'sid1'],
    ['\u00fcnicode secret', 'prosody.test', 'gw2.test', 'f0e1-d2c3'],
    ['', 'a.test', 'b.test', ''],
  ])('equals an independent HMAC-SHA256(hex(SHA256(%j)), receiving originating id)', (secret, r, o, id) => {
    expect(dialbackKey(secret, r, o, id)).toBe(expected(secret, r, o, id));
  });

  it('binds the key to the order receiving-then-originating', () => {
    expect(dialbackKey('s', 'a.test', 'b.test', 'i')).not.toBe(dialbackKey('s', 'b.test', 'a.test', 'i'));
  });

  it('verifies a correct key and refuses a wrong, truncated or empty one', () => {
    const k = expected('s', 'peer.test', 'gw.test', 'i');
    expect(verifyDialbackKey('s', 'peer.test', 'gw.test', 'i', k)).toBe(true);
    expect(verifyDialbackKey('s', 'peer.test', 'gw.test', 'i', ` ${k}\n`)).toBe(true);
    expect(verifyDialbackKey('s', 'peer.test', 'gw.test', 'j', k)).toBe(false);
    expect(verifyDialbackKey('s', 'peer.test', 'gw.test', 'i', k.slice(1))).toBe(false);
    expect(verifyDialbackKey('s', 'peer.test', 'gw.test', 'i', '')).toBe(false);
  });
});

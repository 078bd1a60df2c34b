import { createRateLimiter } from './rate-limiter';

describe('presence rate limiter (RFC 8048 §8.1 amplification caps)', () => {
  it('allows a key its budget per window, refuses the rest, and allows again in the next window', () => {
    let t = 0;
    const l = createRateLimiter([{ prefix: 'probe:', limit: 2, windowMs: 1000 }], { now: () => t });
    expect([l.allow('probe:a'), l.allow('probe:a'), l.allow('probe:a')]).toEqual([true, true, false]);
    expect(l.allow('probe:b')).toBe(true);
    t = 1000;
    expect(l.allow('probe:a')).toBe(true);
  });

  it('always allows keys that have no budget', () => {
    const l = createRateLimiter([{ prefix: 'probe:', limit: 0, windowMs: 1000 }]);
    expect(l.allow('other:x')).toBe(true);
  });
});

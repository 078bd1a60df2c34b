import { createRateLimiter, DEFAULT_PRESENCE_BUDGETS, presenceBudgets } from './rate-limiter';

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

  it('presenceBudgets(n): the per-partner presence budget is n per second, every other budget as the defaults', () => {
    const b = presenceBudgets(50);
    expect(b.find((x) => x.prefix === 'presence:')).toEqual({ prefix: 'presence:', limit: 50, windowMs: 1000 });
    expect(b.filter((x) => x.prefix !== 'presence:')).toEqual(DEFAULT_PRESENCE_BUDGETS.filter((x) => x.prefix !== 'presence:'));
    let t = 0;
    const l = createRateLimiter(presenceBudgets(3), { now: () => t });
    expect([1, 2, 3, 4].map(() => l.allow('presence:xmpp.example'))).toEqual([true, true, true, false]);
    t = 1000;
    expect(l.allow('presence:xmpp.example')).toBe(true);
  });
});

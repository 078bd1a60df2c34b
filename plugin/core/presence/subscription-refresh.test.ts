import {
  classifySubscribeResponse,
  DEFAULT_SUBSCRIPTION_REFRESH_CAP_SECONDS,
  refreshDelaySeconds,
} from './subscription-refresh';

describe('refreshDelaySeconds (RFC 8048 §5.2.2: the gateway refreshes before expiry; Lync 8 h cap)', () => {
  it('uses Lync SubscriptionRefreshInterval, 28800 s, as the default cap', () => {
    expect(DEFAULT_SUBSCRIPTION_REFRESH_CAP_SECONDS).toBe(28800);
  });

  it.each([
    [3600, undefined, 3240],
    [86400, undefined, 28200],
    [28800, undefined, 28200],
    [3600, 600, 540],
    [60, undefined, 54],
    [8, undefined, 3],
    [2, undefined, 1],
    [1, undefined, 1],
    [3600, 0, 3240],
  ])('refreshes a %p s subscription (cap %p) after %p s', (expires, cap, delay) => {
    expect(refreshDelaySeconds(expires, cap)).toBe(delay);
  });

  it.each([0, -5, Number.NaN, 0.5])('schedules nothing for a granted expiry of %p', (expires) => {
    expect(refreshDelaySeconds(expires)).toBeUndefined();
  });

  it('always refreshes strictly before the (capped) expiry', () => {
    for (const e of [2, 10, 59, 61, 599, 3600, 7200, 40000]) {
      const d = refreshDelaySeconds(e)!;
      expect(d).toBeLessThan(Math.min(e, DEFAULT_SUBSCRIPTION_REFRESH_CAP_SECONDS));
    }
  });
});

describe('classifySubscribeResponse (RFC 8048 §5.2.2)', () => {
  it.each([
    [100, 'provisional'],
    [180, 'provisional'],
    [200, 'ok'],
    [202, 'ok'],
    [403, 'permanent'],
    [489, 'permanent'],
    [603, 'permanent'],
    [423, 'transient'],
    [481, 'transient'],
    [404, 'transient'],
    [408, 'transient'],
    [480, 'transient'],
    [503, 'transient'],
    [302, 'transient'],
    [0, 'transient'],
    [700, 'transient'],
    [200.5, 'transient'],
  ])('classifies %p as %p', (status, cls) => expect(classifySubscribeResponse(status)).toBe(cls));
});

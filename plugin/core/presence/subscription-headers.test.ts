import {
  formatSubscriptionStateHeader,
  isPresenceEvent,
  parseEventHeader,
  parseExpiresHeader,
  parseSubscriptionStateHeader,
} from './subscription-headers';

describe('Subscription-State (RFC 6665 §8.2.3)', () => {
  it.each([
    ['active;expires=3600', { state: 'active', expires: 3600, params: { expires: '3600' } }],
    ['pending', { state: 'pending', params: {} }],
    ['terminated;reason=rejected', { state: 'terminated', reason: 'rejected', params: { reason: 'rejected' } }],
    ['Terminated ; Reason=Timeout', { state: 'terminated', reason: 'timeout', params: { reason: 'Timeout' } }],
    ['terminated;reason=probation;retry-after=120', { state: 'terminated', reason: 'probation', retryAfter: 120, params: { reason: 'probation', 'retry-after': '120' } }],
    ['terminated;reason=x-custom', { state: 'terminated', reason: 'x-custom', params: { reason: 'x-custom' } }],
    ['active;expires=99999999999', { state: 'active', expires: 2 ** 32 - 1, params: { expires: '99999999999' } }],
    ['active;foo="a b"', { state: 'active', params: { foo: 'a b' } }],
  ])('parses %p', (value, expected) => {
    expect(parseSubscriptionStateHeader(value)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['an unknown substate', 'waiting'],
    ['an empty value', ''],
    ['a non-numeric expires', 'active;expires=soon'],
    ['a negative retry-after', 'terminated;retry-after=-1'],
    ['a parameter without a name', 'active;=3'],
  ])('refuses %s with invalid-header', (_n, value) => {
    const r = parseSubscriptionStateHeader(value);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('invalid-header');
  });

  it.each([
    [{ state: 'active', expires: 3599.7 } as const, 'active;expires=3599'],
    [{ state: 'terminated', reason: 'timeout' } as const, 'terminated;reason=timeout'],
    [{ state: 'terminated', reason: 'giveup', retryAfter: 60 } as const, 'terminated;reason=giveup;retry-after=60'],
    [{ state: 'pending' } as const, 'pending'],
  ])('formats %p as %p', (s, out) => {
    expect(formatSubscriptionStateHeader(s)).toBe(out);
    expect(parseSubscriptionStateHeader(out).ok).toBe(true);
  });
});

describe('Event (RFC 6665 §8.2.1)', () => {
  it.each([
    ['presence', { package: 'presence', templates: [], params: {} }, true],
    ['presence;id=abc', { package: 'presence', templates: [], id: 'abc', params: { id: 'abc' } }, true],
    ['presence.winfo', { package: 'presence', templates: ['winfo'], params: {} }, false],
    ['dialog', { package: 'dialog', templates: [], params: {} }, false],
    ['Presence', { package: 'Presence', templates: [], params: {} }, false],
  ])('parses %p (presence package: %p)', (value, expected, presence) => {
    const r = parseEventHeader(value);
    expect(r).toEqual({ ok: true, value: expected });
    expect(r.ok && isPresenceEvent(r.value)).toBe(presence);
  });

  it.each(['', 'presence.', 'pres ence', ';id=1'])('refuses %p', (value) => {
    expect(parseEventHeader(value).ok).toBe(false);
  });
});

describe('Expires (RFC 3261 §20.19)', () => {
  it.each([
    ['3600', 3600],
    [' 0 ', 0],
  ])('parses %p', (v, n) => expect(parseExpiresHeader(v)).toEqual({ ok: true, value: n }));
  it.each(['', '-1', '1.5', 'never'])('refuses %p', (v) => expect(parseExpiresHeader(v).ok).toBe(false));
});

import { fromOutcome } from './gated-send';

describe('presence requests through the drachtio request gate', () => {
  it.each([
    [{ kind: 'overloaded' } as const, 503],
    [{ kind: 'link-down', sent: true } as const, 503],
    [{ kind: 'timeout' } as const, 408],
  ])('maps %j to a final %i (transient for RFC 8048 §5.2.2)', (o, status) => {
    expect(fromOutcome(o).status).toBe(status);
  });

  it('passes a real final response through and throws drachtio refusals so a lost dialog can become 481', () => {
    const response = { status: 200, reason: 'OK', get: () => undefined };
    expect(fromOutcome({ kind: 'final', response })).toBe(response);
    expect(() => fromOutcome({ kind: 'refused', error: 'unable to find dialog' })).toThrow('unable to find dialog');
  });
});

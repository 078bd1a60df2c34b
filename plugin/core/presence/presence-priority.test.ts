import { pidfPriorityToXmpp, xmppPriorityToPidf } from './presence-priority';

describe('XMPP <priority/> ⇄ PIDF contact priority (RFC 8048 §6.2 Table 1 note, §6.3 Table 2)', () => {
  it.each([
    [0, 0],
    [1, 0.007],
    [2, 0.015],
    [126, 0.992],
    [127, 1],
  ])('maps XMPP %i to PIDF %d, as in the RFC 8048 §6.2 example', (xmpp, pidf) => {
    expect(xmppPriorityToPidf(xmpp)).toBe(pidf);
  });

  it.each([-1, -128, 128, 0.5, Number.NaN, Number.POSITIVE_INFINITY, undefined])(
    'does not map %p (negative MUST NOT be mapped; others are not XMPP priorities)',
    (xmpp) => expect(xmppPriorityToPidf(xmpp)).toBeUndefined(),
  );

  it('gives every XMPP value 0..127 a distinct PIDF value that maps back to it', () => {
    const all = Array.from({ length: 128 }, (_, i) => i);
    const pidf = all.map((p) => xmppPriorityToPidf(p)!);
    expect(new Set(pidf).size).toBe(128);
    expect(pidf.every((q) => q >= 0 && q <= 1 && Math.round(q * 1000) === q * 1000)).toBe(true);
    expect(pidf.map((q) => pidfPriorityToXmpp(q))).toEqual(all);
  });

  it.each([
    [0, 0],
    [0.5, 64],
    [0.25, 32],
    [1, 127],
  ])('maps PIDF %d to XMPP %i', (pidf, xmpp) => expect(pidfPriorityToXmpp(pidf)).toBe(xmpp));

  it.each([-0.1, 1.1, Number.NaN, undefined])('does not map the PIDF value %p', (pidf) => {
    expect(pidfPriorityToXmpp(pidf)).toBeUndefined();
  });
});

import type { Negotiation } from '../../../plugin/core/policy/federation-vocabulary';
import { authMethods, expectedMethods } from './partner-policy';

describe('negotiation matrix (Lync TechNet JJ552456, anchors.md §1.2.3 "Expected method(s)")', () => {
  it.each<[Negotiation, Negotiation, boolean, string[]]>([
    ['Required', 'Required', true, ['sasl-over-tls']],
    ['Required', 'Required', false, ['sasl-over-tls']],
    ['Optional', 'Required', true, ['sasl-over-tls', 'tls-dialback', 'tcp-dialback']],
    ['Optional', 'Required', false, ['sasl-over-tls']],
    ['NotSupported', 'Required', true, ['tcp-dialback']],
    ['NotSupported', 'Required', false, []],
    ['Required', 'Optional', true, ['sasl-over-tls', 'tls-dialback']],
    ['Required', 'Optional', false, ['sasl-over-tls']],
    ['Optional', 'Optional', true, ['sasl-over-tls', 'tls-dialback', 'tcp-dialback']],
    ['Optional', 'Optional', false, ['sasl-over-tls']],
    ['NotSupported', 'Optional', true, ['tcp-dialback']],
    ['NotSupported', 'Optional', false, []],
    ['Required', 'NotSupported', true, ['tls-dialback']],
    ['Required', 'NotSupported', false, []],
    ['Optional', 'NotSupported', true, ['tls-dialback', 'tcp-dialback']],
    ['Optional', 'NotSupported', false, []],
    ['NotSupported', 'NotSupported', true, ['tcp-dialback']],
    ['NotSupported', 'NotSupported', false, []],
  ])('TLS %s, SASL %s, dialback %s → %j', (tls, sasl, dialback, methods) => {
    expect(expectedMethods({ tls, sasl, dialback })).toEqual(methods);
  });

  it('offers EXTERNAL only over TLS with a valid certificate (RFC 6120 §13.7.2)', () => {
    const p = { tls: 'Optional', sasl: 'Optional', dialback: true } as const;
    expect(authMethods(p, true, true).external).toBe(true);
    expect(authMethods(p, true, false).external).toBe(false);
    expect(authMethods(p, false, true).external).toBe(false);
  });
});

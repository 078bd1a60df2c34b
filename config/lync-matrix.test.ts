import { checkNegotiation, LYNC_NEGOTIATION_MATRIX, usesDialback } from './lync-matrix';
import { NEGOTIATION_VALUES } from '../plugin/core/policy/federation-vocabulary';

describe('Lync negotiation matrix (TechNet JJ552456, anchors §1.2.3)', () => {
  // The table as printed in anchors.md §1.2.3, one row per line: TLS, SASL, dialback, methods, validity.
  it.each([
    ['Required', 'Required', true, 'SASL over TLS', 'warning'],
    ['Required', 'Required', false, 'SASL over TLS', 'ok'],
    ['Optional', 'Required', true, 'SASL over TLS, TLS dialback, TCP dialback', 'warning'],
    ['Optional', 'Required', false, 'SASL over TLS', 'warning'],
    ['NotSupported', 'Required', true, 'TCP dialback', 'warning'],
    ['NotSupported', 'Required', false, '', 'invalid'],
    ['Required', 'Optional', true, 'SASL over TLS, TLS dialback', 'ok'],
    ['Required', 'Optional', false, 'SASL over TLS', 'ok'],
    ['Optional', 'Optional', true, 'SASL over TLS, TLS dialback, TCP dialback', 'warning'],
    ['Optional', 'Optional', false, 'SASL over TLS', 'warning'],
    ['NotSupported', 'Optional', true, 'TCP dialback', 'warning'],
    ['NotSupported', 'Optional', false, '', 'invalid'],
    ['Required', 'NotSupported', true, 'TLS dialback', 'ok'],
    ['Required', 'NotSupported', false, '', 'invalid'],
    ['Optional', 'NotSupported', true, 'TLS dialback, TCP dialback', 'ok'],
    ['Optional', 'NotSupported', false, '', 'invalid'],
    ['NotSupported', 'NotSupported', true, 'TCP dialback', 'ok'],
    ['NotSupported', 'NotSupported', false, '', 'invalid'],
  ] as const)('tls %s, sasl %s, dialback %s → [%s] %s', (tls, sasl, dialback, methods, validity) => {
    const c = checkNegotiation(tls, sasl, dialback);
    expect(c.validity).toBe(validity);
    const labels = c.methods.map((m) => ({ 'sasl-over-tls': 'SASL over TLS', 'tls-dialback': 'TLS dialback', 'tcp-dialback': 'TCP dialback' })[m]);
    expect(labels.join(', ')).toBe(methods);
    expect(c.message).toContain(`tls ${tls}, sasl ${sasl}, dialback ${dialback}`);
    // The rule in words, not only its TechNet id (issue #14).
    if (validity === 'invalid') expect(c.message).toMatch(/is invalid: .+ \(Lync's rule for XMPP partners: SASL \(over TLS\) or dialback must be able to authenticate the partner; TechNet JJ552456\)$/);
  });

  it('holds exactly one row per combination (3 × 3 × 2 = 18)', () => {
    expect(LYNC_NEGOTIATION_MATRIX).toHaveLength(18);
    const keys = new Set(LYNC_NEGOTIATION_MATRIX.map((r) => `${r.tls}/${r.sasl}/${r.dialback}`));
    expect(keys.size).toBe(18);
    for (const tls of NEGOTIATION_VALUES) for (const sasl of NEGOTIATION_VALUES) for (const db of [true, false]) expect(keys.has(`${tls}/${sasl}/${db}`)).toBe(true);
  });

  it('an invalid row is exactly a row with no authentication method', () => {
    for (const r of LYNC_NEGOTIATION_MATRIX) expect(r.validity === 'invalid').toBe(r.methods.length === 0);
  });

  it.each([
    [['sasl-over-tls'], false],
    [['sasl-over-tls', 'tls-dialback'], true],
    [['tcp-dialback'], true],
    [[], false],
  ] as const)('usesDialback(%j) is %s', (methods, expected) => {
    expect(usesDialback(methods)).toBe(expected);
  });
});

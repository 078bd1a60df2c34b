import { serializeXml } from '../../../plugin/core/xml/serialize-xml';
import type { Negotiation } from '../../../plugin/core/policy/federation-vocabulary';
import { inboundFeatures } from './inbound-features';

const STARTTLS = '<starttls xmlns="urn:ietf:params:xml:ns:xmpp-tls"/>';
const STARTTLS_REQ = '<starttls xmlns="urn:ietf:params:xml:ns:xmpp-tls"><required/></starttls>';
const EXTERNAL = '<mechanisms xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><mechanism>EXTERNAL</mechanism></mechanisms>';
const DIALBACK = '<dialback xmlns="urn:xmpp:features:dialback"><errors/></dialback>';

function features(tls: Negotiation, sasl: Negotiation, dialback: boolean, secure: boolean, certValid: boolean, authenticated = false): string {
  const r = inboundFeatures({
    policy: { tls, sasl, dialback, keepAlive: false, connectionLimit: 1 }, secure, haveCertificate: true, certValid, authenticated,
    local: 'gw.test', remote: 'peer.test',
  });
  return r.ok ? serializeXml(r.features).replace(/^<stream:features>|<\/stream:features>$|^<stream:features\/>$/g, '') : `error ${r.error.condition}`;
}

describe('inbound stream features under partner policy (RFC 6120 §4.3.2, §5.3.1, §13.7.2; XEP-0220 §2.1)', () => {
  it.each<[string, Negotiation, Negotiation, boolean, boolean, boolean, string]>([
    ['plain, TLS Optional', 'Optional', 'Optional', true, false, false, STARTTLS + DIALBACK],
    ['plain, TLS Required: only STARTTLS', 'Required', 'Optional', true, false, false, STARTTLS_REQ],
    ['plain, TLS NotSupported: dialback only', 'NotSupported', 'NotSupported', true, false, false, DIALBACK],
    ['TLS, valid certificate', 'Optional', 'Optional', true, true, true, EXTERNAL + DIALBACK],
    ['TLS, invalid certificate: dialback only', 'Optional', 'Optional', true, true, false, DIALBACK],
    ['TLS, SASL NotSupported: no EXTERNAL', 'Required', 'NotSupported', true, true, true, DIALBACK],
    ['TLS + SASL Required, valid certificate: EXTERNAL only', 'Required', 'Required', true, true, true, EXTERNAL],
    ['TLS + SASL Required, invalid certificate: refused', 'Required', 'Required', true, true, false, 'error policy-violation'],
    ['dialback off, invalid certificate: refused', 'Optional', 'Optional', false, true, false, 'error policy-violation'],
    ['plain, dialback off, TLS offered: wait for TLS', 'Optional', 'Optional', false, false, false, STARTTLS],
  ])('%s', (_n, tls, sasl, dialback, secure, certValid, expected) => {
    expect(features(tls, sasl, dialback, secure, certValid)).toBe(expected);
  });

  it('advertises only dialback after authentication, for piggybacking (XEP-0220 §2.5)', () => {
    expect(features('Optional', 'Optional', true, true, true, true)).toBe(DIALBACK);
  });

  it('refuses when TLS is Required and we hold no certificate for the domain', () => {
    const r = inboundFeatures({ policy: { tls: 'Required', sasl: 'Optional', dialback: true, keepAlive: false, connectionLimit: 1 }, secure: false, haveCertificate: false, certValid: false, authenticated: false, local: 'gw.test', remote: 'peer.test' });
    expect(r.ok ? 'ok' : r.error.condition).toBe('policy-violation');
  });
});

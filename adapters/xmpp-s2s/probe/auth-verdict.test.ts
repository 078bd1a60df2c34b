import type { CertificateStatus } from '../auth/certificate-identity';
import type { PartnerPolicy } from '../policy/partner-policy';
import { authVerdict, type AuthInputs } from './auth-verdict';
import type { OfferedFeatures } from './stream-probe';

const STARTTLS: OfferedFeatures = { starttls: true, starttlsRequired: false, mechanisms: [], dialback: true };
const REQUIRED: OfferedFeatures = { ...STARTTLS, starttlsRequired: true };
const PLAIN: OfferedFeatures = { starttls: false, starttlsRequired: false, mechanisms: [], dialback: true };
const AFTER_EXT: OfferedFeatures = { starttls: false, starttlsRequired: false, mechanisms: ['EXTERNAL'], dialback: false };
const AFTER_DB: OfferedFeatures = { starttls: false, starttlsRequired: false, mechanisms: [], dialback: true };
const VALID: CertificateStatus = { chain: 'valid', identity: 'valid' };
const UNTRUSTED: CertificateStatus = { chain: 'invalid', identity: 'valid', chainError: 'SELF_SIGNED_CERT_IN_CHAIN' };
const WRONG_NAME: CertificateStatus = { chain: 'valid', identity: 'invalid' };

type P = Pick<PartnerPolicy, 'tls' | 'sasl' | 'dialback'>;
const STRICT: P = { tls: 'Required', sasl: 'Required', dialback: false };
const TLS_DB: P = { tls: 'Required', sasl: 'Optional', dialback: true };
const OPEN: P = { tls: 'Optional', sasl: 'Optional', dialback: true };
const NO_TLS: P = { tls: 'NotSupported', sasl: 'NotSupported', dialback: true };
const BOTH_REQUIRED_DB: P = { tls: 'Required', sasl: 'Required', dialback: true };

const base = (over: Partial<AuthInputs>): AuthInputs => ({
  policy: OPEN, directTls: false, features: STARTTLS, tlsFeatures: AFTER_DB, certificate: VALID, haveOwnCertificate: true, haveDialbackSecret: true, ...over,
});

// Lync's matrix (partner-policy.ts authMethods) applied to what a probe saw, as OutboundSession.onFeatures decides.
describe('authVerdict: would an outbound stream authenticate (OutboundSession.onFeatures + authMethods)', () => {
  it.each<[string, Partial<AuthInputs>, string]>([
    ['EXTERNAL offered, certificate valid, SASL allowed', { policy: STRICT, tlsFeatures: AFTER_EXT }, 'EXTERNAL'],
    ['EXTERNAL offered but certificate untrusted: dialback', { policy: OPEN, tlsFeatures: AFTER_EXT, certificate: UNTRUSTED }, 'dialback'],
    ['no EXTERNAL after TLS: TLS dialback', { policy: TLS_DB }, 'dialback'],
    ['TLS NotSupported: plain TCP dialback even when STARTTLS is offered', { policy: NO_TLS, features: STARTTLS }, 'dialback'],
    ['direct TLS (XEP-0368) with EXTERNAL', { policy: STRICT, directTls: true, features: undefined, tlsFeatures: AFTER_EXT }, 'EXTERNAL'],
    ['Optional TLS, no STARTTLS offered: plain dialback', { policy: OPEN, features: PLAIN, tlsFeatures: undefined }, 'dialback'],
  ])('%s → %s', (_name, over, method) => {
    const v = authVerdict(base(over));
    expect(v).toEqual(expect.objectContaining({ ok: true, method }));
  });

  it.each<[string, Partial<AuthInputs>, RegExp]>([
    ['TLS Required, STARTTLS not offered', { policy: TLS_DB, features: PLAIN, tlsFeatures: undefined }, /does not offer STARTTLS/],
    ['TLS Required, no certificate of ours', { policy: TLS_DB, haveOwnCertificate: false }, /no certificate for our domain/],
    ['peer requires TLS, our policy NotSupported', { policy: { ...NO_TLS, dialback: true }, features: REQUIRED }, /requires TLS/],
    ['strict policy, untrusted certificate', { policy: STRICT, tlsFeatures: AFTER_EXT, certificate: UNTRUSTED }, /does not chain to our trust anchors \(SELF_SIGNED_CERT_IN_CHAIN\)/],
    ['strict policy, certificate names another domain', { policy: STRICT, tlsFeatures: AFTER_EXT, certificate: WRONG_NAME }, /does not name the domain/],
    ['strict policy, valid certificate but no EXTERNAL offered', { policy: STRICT, tlsFeatures: AFTER_DB }, /does not offer SASL EXTERNAL/],
    ['TLS and SASL Required switch dialback off ("dialback won\'t operate if both are required")', { policy: BOTH_REQUIRED_DB, tlsFeatures: AFTER_DB }, /does not offer SASL EXTERNAL/],
    ['dialback allowed but no dialbackSecret', { policy: TLS_DB, haveDialbackSecret: false }, /dialbackSecret/],
  ])('%s → refused', (_name, over, reason) => {
    const v = authVerdict(base(over));
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.reason).toMatch(reason);
  });

  it('notes when the peer does not advertise dialback (XEP-0220 §2.4) but the gateway would try it', () => {
    const v = authVerdict(base({ policy: TLS_DB, tlsFeatures: { ...AFTER_DB, dialback: false } }));
    expect(v).toEqual(expect.objectContaining({ ok: true, method: 'dialback', note: expect.stringMatching(/does not advertise dialback/) }));
  });
});

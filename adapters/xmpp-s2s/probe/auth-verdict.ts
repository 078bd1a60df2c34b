/**
 * Would an outbound stream to this peer authenticate? The same decisions
 * OutboundSession.onFeatures makes (TLS per the partner's tls setting, then
 * authMethods: SASL EXTERNAL when offered and the certificate is valid,
 * else dialback), applied to what a probe saw. Pure: `diagnose` (issue #9)
 * reports it; the edge itself never calls this.
 */
import { isCertificateValid, type CertificateStatus } from '../auth/certificate-identity';
import { authMethods, type PartnerPolicy } from '../policy/partner-policy';
import type { OfferedFeatures } from './stream-probe';

export interface AuthInputs {
  readonly policy: Pick<PartnerPolicy, 'tls' | 'sasl' | 'dialback'>;
  /** The target was XEP-0368 direct TLS. */
  readonly directTls: boolean;
  /** Features on the plain stream (undefined for direct TLS). */
  readonly features: OfferedFeatures | undefined;
  /** Features after TLS (undefined when TLS was not reached). */
  readonly tlsFeatures: OfferedFeatures | undefined;
  readonly certificate: CertificateStatus | undefined;
  /** We hold a certificate for our domain (tlsProvider.secureContext(local)). */
  readonly haveOwnCertificate: boolean;
  readonly haveDialbackSecret: boolean;
}

export type AuthVerdict =
  | { readonly ok: true; readonly method: 'EXTERNAL' | 'dialback'; readonly secure: boolean; readonly note?: string }
  | { readonly ok: false; readonly secure: boolean; readonly reason: string };

export function authVerdict(i: AuthInputs): AuthVerdict {
  const p = i.policy;
  // OutboundSession.onFeatures: STARTTLS when offered, allowed and we hold a certificate.
  const startsTls = !i.directTls && (i.features?.starttls ?? false) && p.tls !== 'NotSupported' && i.haveOwnCertificate;
  const secure = i.directTls || startsTls;
  if (!secure) {
    if (p.tls === 'Required') {
      const why = i.features?.starttls ? `we hold no certificate for our domain, and our policy requires TLS` : 'the peer does not offer STARTTLS, which our policy requires (tls: Required)';
      return { ok: false, secure, reason: why };
    }
    if (i.features?.starttlsRequired) return { ok: false, secure, reason: 'the peer requires TLS, which our policy does not support (tls: NotSupported)' };
  }
  const offered = secure ? i.tlsFeatures : i.features;
  if (secure && offered === undefined) return { ok: false, secure, reason: 'TLS was not established with the peer' };
  const certValid = isCertificateValid(i.certificate);
  const m = authMethods(p, secure, certValid);
  if (m.external && (offered?.mechanisms ?? []).includes('EXTERNAL')) return { ok: true, method: 'EXTERNAL', secure };
  if (m.dialback && i.haveDialbackSecret) {
    const note = offered?.dialback ? undefined : 'the peer does not advertise dialback (XEP-0220 §2.4); the gateway tries it anyway';
    return { ok: true, method: 'dialback', secure, ...(note ? { note } : {}) };
  }
  if (m.dialback && !i.haveDialbackSecret) return { ok: false, secure, reason: 'dialback is allowed but gateway.s2s.dialbackSecret is not set' };
  if (secure && !certValid && p.sasl !== 'NotSupported') {
    const why = i.certificate?.chain !== 'valid' ? `does not chain to our trust anchors (${i.certificate?.chainError ?? 'unknown'})` : 'does not name the domain (RFC 6125)';
    return { ok: false, secure, reason: `the peer's certificate ${why}, and dialback is not allowed` };
  }
  if (m.external) return { ok: false, secure, reason: 'the peer does not offer SASL EXTERNAL (it does not accept our certificate), and dialback is not allowed' };
  return { ok: false, secure, reason: 'no authentication method allowed by our policy (sasl/dialback) fits what the peer offers' };
}

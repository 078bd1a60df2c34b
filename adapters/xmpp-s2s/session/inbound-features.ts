import { el, type XmlElement } from '../../../plugin/core/xml/xml-element';
import { authMethods, type PartnerPolicy } from '../policy/partner-policy';
import { NS_DIALBACK_FEATURE, NS_SASL, NS_TLS } from '../stream/namespaces';
import { streamError, type StreamError } from '../stream/stream-error';

export interface InboundFeatureInput {
  readonly policy: PartnerPolicy;
  readonly secure: boolean;
  /** We hold a certificate for the local domain (STARTTLS possible). */
  readonly haveCertificate: boolean;
  /** The peer's certificate chains to our anchors and names its domain. */
  readonly certValid: boolean;
  /** At least one domain pair is authenticated (features after the SASL restart). */
  readonly authenticated: boolean;
  readonly local: string;
  readonly remote: string;
}

export type InboundFeatures =
  | { readonly ok: true; readonly features: XmlElement; readonly tlsOffered: boolean; readonly externalOffered: boolean }
  | { readonly ok: false; readonly error: StreamError };

/**
 * The receiving server's <stream:features/> (RFC 6120 §4.3.2) under the
 * partner policy: STARTTLS (with <required/> when TLS is Required, §5.3.1);
 * SASL EXTERNAL only over TLS with a valid certificate (§13.7.2, XEP-0178,
 * Prosody's s2s-stream-features rule); the dialback feature (XEP-0220 §2.1,
 * also after authentication for piggybacking, §2.5). When the policy leaves
 * the peer no way to authenticate, the stream is refused (Prosody
 * s2s_secure_auth → policy-violation).
 */
export function inboundFeatures(i: InboundFeatureInput): InboundFeatures {
  const children: XmlElement[] = [];
  let tlsOffered = false;
  let externalOffered = false;
  if (!i.secure && i.policy.tls !== 'NotSupported' && !i.authenticated) {
    if (i.haveCertificate) {
      tlsOffered = true;
      children.push(el('starttls', { xmlns: NS_TLS }, i.policy.tls === 'Required' && el('required', {})));
    } else if (i.policy.tls === 'Required') {
      return { ok: false, error: streamError('policy-violation', `TLS is required but there is no certificate for ${i.local}`) };
    }
  }
  const methods = authMethods(i.policy, i.secure, i.certValid);
  const tlsPending = i.policy.tls === 'Required' && !i.secure;
  if (!tlsPending && !i.authenticated) {
    if (!methods.external && !methods.dialback && !tlsOffered) {
      return {
        ok: false,
        error: streamError('policy-violation', i.secure
          ? `the certificate of ${i.remote} is not valid for it and no other authentication is allowed`
          : `no authentication method is allowed for ${i.remote} without TLS`),
      };
    }
    if (methods.external) {
      externalOffered = true;
      children.push(el('mechanisms', { xmlns: NS_SASL }, el('mechanism', {}, 'EXTERNAL')));
    }
  }
  if (!tlsPending && methods.dialback) children.push(el('dialback', { xmlns: NS_DIALBACK_FEATURE }, el('errors', {})));
  return { ok: true, features: el('stream:features', {}, ...children), tlsOffered, externalOffered };
}

/**
 * After a reload (issue #9): does an established stream still satisfy its
 * partner's settings? A removed partner's streams, and streams that the new
 * settings would not have allowed (TLS now Required on a plain stream,
 * dialback now off on a dialback stream, SASL now Required on a dialback
 * stream …), are closed with policy-violation (RFC 6120 §4.9.3.14);
 * conforming streams are kept, so a reload never drops working federation.
 */
import type { StreamSnapshot } from '../session/stream-session';
import { authMethods, type PartnerPolicy } from './partner-policy';

/** Why the stream no longer conforms, or undefined when it does (or has not authenticated yet: checked then). */
export function nonConformance(s: Pick<StreamSnapshot, 'remote' | 'auth' | 'secure' | 'established'>, policy: PartnerPolicy | undefined): string | undefined {
  if (!s.established || s.auth === 'none' || s.remote === '') return undefined;
  if (!policy) return `${s.remote} is no longer an allowed partner`;
  if (policy.tls === 'Required' && !s.secure) return `TLS is now Required with ${s.remote} and this stream is not encrypted`;
  if (policy.tls === 'NotSupported' && s.secure) return `TLS is now NotSupported with ${s.remote}`;
  // The certificate was valid if EXTERNAL succeeded; a dialback stream's certificate did not matter.
  const allowed = authMethods(policy, s.secure, s.auth === 'EXTERNAL');
  if (s.auth === 'EXTERNAL' && !allowed.external) return `SASL EXTERNAL is no longer allowed with ${s.remote}`;
  if (s.auth === 'dialback' && !allowed.dialback) return `dialback is no longer allowed with ${s.remote}`;
  if (s.auth === 'dialback' && policy.sasl === 'Required') return `SASL is now Required with ${s.remote} and this stream used dialback`;
  return undefined;
}

import type { CertificateStatus } from './certificate-identity';
import { isCertificateValid } from './certificate-identity';

/** RFC 6120 §6.5 SASL failure conditions the receiving side of EXTERNAL uses. */
export type SaslFailure = 'invalid-mechanism' | 'encryption-required' | 'incorrect-encoding' | 'invalid-authzid' | 'not-authorized';

export interface ExternalAuthRequest {
  readonly mechanism: string | undefined;
  /** Text content of <auth/>: base64 authzid, '=' or '' for none (RFC 6120 §6.4.2). */
  readonly initialResponse: string;
}

export interface ExternalAuthContext {
  /** EXTERNAL was in our features (policy allows SASL and the certificate is valid). */
  readonly offered: boolean;
  readonly secure: boolean;
  /** The stream's 'from' domain. */
  readonly remote: string;
  readonly certificate: CertificateStatus | undefined;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Prosody's s2s EXTERNAL ladder (mod_saslauth.lua), one refusal per rung;
 * success only on the last line. XEP-0178 §3: the authzid, if any, must be
 * the initiating domain; the identity comes from the certificate (RFC 6120
 * §13.7.2.2), never from the authzid.
 */
export function decideExternalAuth(req: ExternalAuthRequest, ctx: ExternalAuthContext): { ok: true } | { ok: false; failure: SaslFailure } {
  if (req.mechanism !== 'EXTERNAL' || !ctx.offered) return { ok: false, failure: 'invalid-mechanism' };
  if (!ctx.secure) return { ok: false, failure: 'encryption-required' };
  const text = req.initialResponse.trim();
  let authzid = '';
  if (text !== '' && text !== '=') {
    if (!BASE64.test(text)) return { ok: false, failure: 'incorrect-encoding' };
    authzid = Buffer.from(text, 'base64').toString('utf8');
  }
  if (authzid !== '' && authzid.toLowerCase() !== ctx.remote) return { ok: false, failure: 'invalid-authzid' };
  if (!isCertificateValid(ctx.certificate)) return { ok: false, failure: 'not-authorized' };
  return { ok: true };
}

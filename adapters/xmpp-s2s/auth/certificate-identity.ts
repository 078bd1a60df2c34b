import type { PeerCertificate } from 'node:tls';

/** Prosody's per-session certificate verdicts (mod_s2s_auth_certs: cert_chain_status / cert_identity_status). */
export interface CertificateStatus {
  readonly chain: 'valid' | 'invalid';
  readonly identity: 'valid' | 'invalid';
  /** Why the chain is invalid (OpenSSL's verify error), for the log. */
  readonly chainError?: string;
}

export const isCertificateValid = (s: CertificateStatus | undefined): boolean =>
  s !== undefined && s.chain === 'valid' && s.identity === 'valid';

/** RFC 6125 §6.4.3: '*' only as the whole left-most label, matching exactly one label. */
function dnsIdMatches(pattern: string, domain: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  if (p === domain) return true;
  if (!p.startsWith('*.')) return false;
  const rest = p.slice(2);
  const dot = domain.indexOf('.');
  return dot > 0 && domain.slice(dot + 1) === rest && !rest.includes('*');
}

/** Splits Node's subjectaltname string ("DNS:a, othername:SRVName:_xmpp-server.a"), honouring quoted values. */
export function parseSubjectAltNames(san: string | undefined): { dns: string[]; srv: string[] } {
  const dns: string[] = [];
  const srv: string[] = [];
  if (!san) return { dns, srv };
  for (const raw of san.match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g) ?? []) {
    const entry = raw.trim().replace(/"/g, '');
    if (entry.startsWith('DNS:')) dns.push(entry.slice(4));
    else if (/^othername:SRVName:/i.test(entry)) srv.push(entry.replace(/^othername:SRVName:/i, ''));
  }
  return { dns, srv };
}

/**
 * Does the certificate name `domain` as an XMPP server? RFC 6120 §13.7.1.2 /
 * RFC 6125: DNS-ID and SRV-ID (`_xmpp-server.<domain>`, RFC 4985) are
 * checked; the subject CN is used only when the certificate has no DNS-ID or
 * SRV-ID at all (RFC 6125 §6.4.4). XmppAddr is not consulted (ejabberd 23.01
 * crashes on it, so our peers should not rely on it either).
 */
export function certificateNamesDomain(cert: Pick<PeerCertificate, 'subjectaltname' | 'subject'> | undefined, domain: string): boolean {
  if (!cert) return false;
  const d = domain.toLowerCase();
  const { dns, srv } = parseSubjectAltNames(cert.subjectaltname);
  if (dns.length > 0 || srv.length > 0) {
    if (dns.some((p) => dnsIdMatches(p, d))) return true;
    return srv.some((s) => {
      const m = /^_xmpp-server\.(.+)$/i.exec(s);
      return m !== null && m[1] !== undefined && dnsIdMatches(m[1], d);
    });
  }
  const cn = cert.subject?.CN;
  const cns = Array.isArray(cn) ? cn : cn === undefined ? [] : [cn];
  return cns.some((c) => dnsIdMatches(c, d));
}

type VerifiableSocket = {
  authorized: boolean;
  authorizationError?: Error | string | null;
  getPeerCertificate(detailed?: boolean): PeerCertificate;
  _handle?: { verifyError?: () => Error | null } | null;
};

/**
 * OpenSSL's verdict on the peer's chain. A client socket has `authorized`;
 * a server-side TLSSocket created outside tls.Server never sets it (Node
 * does that in tls.Server's onServerSocketSecure), so we ask the handle the
 * same way Node does there (`_handle.verifyError()`).
 */
function chainError(socket: VerifiableSocket): string | undefined {
  if (socket.authorized) return undefined;
  if (socket.authorizationError) return String(socket.authorizationError);
  const verify = socket._handle?.verifyError;
  if (typeof verify !== 'function') return 'chain not verified';
  const e = verify.call(socket._handle);
  return e ? ((e as Error & { code?: string }).code ?? e.message) : undefined;
}

/** The verdicts for a TLS socket whose chain OpenSSL checked against our trust anchors. */
export function certificateStatus(socket: VerifiableSocket, domain: string): CertificateStatus {
  const cert = socket.getPeerCertificate();
  const present = cert !== undefined && cert !== null && Object.keys(cert).length > 0;
  const error = present ? chainError(socket) : 'no certificate';
  return {
    chain: present && error === undefined ? 'valid' : 'invalid',
    identity: present && certificateNamesDomain(cert, domain) ? 'valid' : 'invalid',
    ...(error !== undefined ? { chainError: error } : {}),
  };
}

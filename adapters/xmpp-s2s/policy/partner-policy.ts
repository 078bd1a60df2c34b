import type { Negotiation } from '../../../plugin/core/policy/federation-vocabulary';

/**
 * The negotiation settings for one remote domain (Lync XmppAllowedPartner,
 * anchors.md §1.2). `undefined` from a PolicyLookup means the domain is
 * refused (not listed and no open federation).
 */
export interface PartnerPolicy {
  readonly tls: Negotiation;
  readonly sasl: Negotiation;
  readonly dialback: boolean;
  readonly keepAlive: boolean;
  /** Simultaneous streams with this partner (both directions together). */
  readonly connectionLimit: number;
  /** Static host[:port] instead of DNS SRV (Lync ProxyFqdn). */
  readonly proxyFqdn?: string | undefined;
}

export type PolicyLookup = (remoteDomain: string) => PartnerPolicy | undefined;

/** What a stream with the partner may use to authenticate, given its TLS state. */
export interface AuthMethods {
  /** SASL EXTERNAL (RFC 6120 §6, XEP-0178): TLS up and the certificate valid for the domain. */
  readonly external: boolean;
  /** XEP-0220 dialback (over TLS or plain TCP). */
  readonly dialback: boolean;
}

/**
 * Lync's negotiation matrix (TechNet JJ552456, anchors.md §1.2.3), column
 * "Expected method(s)": SASL needs TLS and a valid certificate; dialback is
 * used when allowed, except that TLS Required + SASL Required means "SASL over
 * TLS" only ("dialback won't operate if both are required").
 */
export function authMethods(p: Pick<PartnerPolicy, 'tls' | 'sasl' | 'dialback'>, secure: boolean, certValid: boolean): AuthMethods {
  return {
    external: secure && certValid && p.sasl !== 'NotSupported' && p.tls !== 'NotSupported',
    dialback: p.dialback && !(p.tls === 'Required' && p.sasl === 'Required'),
  };
}

/** Methods the partner could use at all (plain TCP dialback, TLS dialback, SASL over TLS). */
export function expectedMethods(p: Pick<PartnerPolicy, 'tls' | 'sasl' | 'dialback'>): string[] {
  const out: string[] = [];
  if (p.tls !== 'NotSupported' && p.sasl !== 'NotSupported') out.push('sasl-over-tls');
  const db = authMethods(p, false, false).dialback;
  if (db && p.tls !== 'NotSupported') out.push('tls-dialback');
  if (db && p.tls !== 'Required') out.push('tcp-dialback');
  return out;
}

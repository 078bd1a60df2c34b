/**
 * The vocabulary of Lync Server 2013's XMPP federation settings
 * (New-CsXmppAllowedPartner, anchors.md §1.2), shared by the configuration
 * schema and the pure federation policy.
 */

/** -TlsNegotiation / -SaslNegotiation values (cmdlet help; default Required for both). */
export const NEGOTIATION_VALUES = ['Required', 'Optional', 'NotSupported'] as const;
export type Negotiation = (typeof NEGOTIATION_VALUES)[number];

/**
 * -PartnerType (anchors.md §1.2.1). PublicUnverified (the documented default)
 * means a remote user may only subscribe after our user invited them first.
 */
export const PARTNER_TYPES = ['Federated', 'PublicVerified', 'PublicUnverified'] as const;
export type PartnerType = (typeof PARTNER_TYPES)[number];

/** How a stream with the partner can end up authenticated (Lync JJ552456 "Expected method(s)"). */
export const AUTH_METHODS = ['sasl-over-tls', 'tls-dialback', 'tcp-dialback'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

/** The settings that govern one remote XMPP domain (one Lync XmppAllowedPartner). */
export interface PartnerSettings {
  /** Primary domain (lower case). */
  readonly domain: string;
  /** Other domains served by the same partner (lower case). */
  readonly additionalDomains: readonly string[];
  readonly partnerType: PartnerType;
  readonly tls: Negotiation;
  readonly sasl: Negotiation;
  /** XEP-0220 dialback allowed (SupportDialbackNegotiation). */
  readonly dialback: boolean;
  /** EnableKeepAlive: we send whitespace keep-alives on streams to this partner. */
  readonly keepAlive: boolean;
  /** Static route "host[:port]" (IPv6 in brackets) instead of SRV (Lync ProxyFqdn). */
  readonly proxyFqdn?: string | undefined;
  /** Simultaneous streams with this partner. */
  readonly connectionLimit: number;
  readonly description?: string | undefined;
}

/** Settings applied to any domain that is not listed, when open federation is enabled. */
export interface OpenFederationSettings {
  readonly enabled: boolean;
  readonly partnerType: PartnerType;
  readonly tls: Negotiation;
  readonly sasl: Negotiation;
  readonly dialback: boolean;
  readonly keepAlive: boolean;
  readonly connectionLimit: number;
}

import type { OpenFederationSettings, PartnerSettings } from './federation-vocabulary';
import { normalizeDomain } from './xmpp-access';

/** The settings that apply to one remote domain, and where they came from. */
export interface EffectivePartner extends PartnerSettings {
  /** 'listed': an allowed-partner entry; 'open-federation': the "any domain" settings. */
  readonly source: 'listed' | 'open-federation';
  /** The remote domain that was looked up (lower case). */
  readonly remoteDomain: string;
}

/**
 * Lync federates only with listed partners (CsXmppAllowedPartner, the list
 * "acts as a global policy", anchors.md §1.4); a remote domain matches a
 * partner's primary domain or one of its AdditionalDomains, case-insensitively
 * (DNS names, RFC 4343). Unlisted domains get the open-federation settings
 * when that is enabled, and are refused otherwise.
 */
export function findPartner(
  partners: readonly PartnerSettings[],
  openFederation: OpenFederationSettings,
  domain: string,
): EffectivePartner | 'not-allowed' {
  const remoteDomain = normalizeDomain(domain);
  if (remoteDomain === '') return 'not-allowed';
  for (const p of partners) {
    if (normalizeDomain(p.domain) === remoteDomain || p.additionalDomains.some((d) => normalizeDomain(d) === remoteDomain)) {
      return { ...p, source: 'listed', remoteDomain };
    }
  }
  if (!openFederation.enabled) return 'not-allowed';
  return {
    domain: remoteDomain,
    additionalDomains: [],
    partnerType: openFederation.partnerType,
    tls: openFederation.tls,
    sasl: openFederation.sasl,
    dialback: openFederation.dialback,
    keepAlive: openFederation.keepAlive,
    connectionLimit: openFederation.connectionLimit,
    source: 'open-federation',
    remoteDomain,
  };
}

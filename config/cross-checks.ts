import { checkNegotiation, usesDialback } from './lync-matrix';
import type { ConfigIssue, GatewayConfig } from './types';

const error = (path: string, message: string): ConfigIssue => ({ severity: 'error', path, message });
const warning = (path: string, message: string): ConfigIssue => ({ severity: 'warning', path, message });

/**
 * Rules that span several keys, run after the schema accepted every value.
 * Errors stop the gateway from starting; warnings are printed.
 */
export function crossCheck(config: GatewayConfig): ConfigIssue[] {
  return [...checkPartnerDomains(config), ...checkNegotiations(config), ...checkCertificates(config), ...checkPolicy(config), ...checkLimits(config)];
}

/** Each remote domain belongs to one partner, and never to us (a route to ourselves would loop). */
function checkPartnerDomains(config: GatewayConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const ours = new Set(config.gateway.domains);
  const seen = new Map<string, string>();
  config.partners.forEach((p, i) => {
    const entries: Array<[string, string]> = [[`partners[${i}].domain`, p.domain], ...p.additionalDomains.map((d, j): [string, string] => [`partners[${i}].additionalDomains[${j}]`, d])];
    for (const [path, domain] of entries) {
      if (ours.has(domain)) issues.push(error(path, `"${domain}" is one of our own domains (gateway.domains)`));
      const first = seen.get(domain);
      if (first !== undefined) issues.push(error(path, `duplicate partner domain "${domain}" (already at ${first})`));
      else seen.set(domain, path);
    }
  });
  return issues;
}

/** Lync's TLS/SASL/dialback matrix (JJ552456, anchors.md §1.2.3), per partner and for open federation. */
function checkNegotiations(config: GatewayConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  let dialbackNeededBy: string | undefined;
  config.partners.forEach((p, i) => {
    const c = checkNegotiation(p.tls, p.sasl, p.dialback);
    const where = `partners[${i}]`;
    if (c.validity === 'invalid') issues.push(error(where, `partner ${p.domain}: ${c.message}`));
    if (c.validity === 'warning') issues.push(warning(where, `partner ${p.domain}: ${c.message}`));
    if (usesDialback(c.methods)) dialbackNeededBy ??= `partner ${p.domain}`;
  });
  const of = config.openFederation;
  if (of.enabled) {
    const c = checkNegotiation(of.tls, of.sasl, of.dialback);
    if (c.validity === 'invalid') issues.push(error('openFederation', `open federation: ${c.message}`));
    if (c.validity === 'warning') issues.push(warning('openFederation', `open federation: ${c.message}`));
    if (usesDialback(c.methods)) dialbackNeededBy ??= 'open federation';
  }
  if (dialbackNeededBy !== undefined && config.gateway.s2s.dialbackSecret === undefined) {
    issues.push(error('gateway.s2s.dialbackSecret', `required because ${dialbackNeededBy} may authenticate by dialback (XEP-0220 keys, XEP-0185); set it here or in DXG_DIALBACK_SECRET`));
  }
  return issues;
}

/**
 * Our certificate must name each of our domains (RFC 6120 §13.7.1.2; Lync
 * puts every XMPP domain in the Edge certificate's SAN, anchors.md §1.5).
 * It is needed as soon as some peer may use TLS.
 */
function checkCertificates(config: GatewayConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { domains, s2s } = config.gateway;
  const byDomain = new Map<string, number>();
  s2s.certificates.forEach((c, i) => {
    const path = `gateway.s2s.certificates[${i}].domain`;
    if (!domains.includes(c.domain)) issues.push(error(path, `"${c.domain}" is not one of gateway.domains`));
    if (byDomain.has(c.domain)) issues.push(error(path, `duplicate certificate for "${c.domain}" (already at gateway.s2s.certificates[${byDomain.get(c.domain)}])`));
    else byDomain.set(c.domain, i);
  });
  const tlsUsed = config.partners.some((p) => p.tls !== 'NotSupported') || (config.openFederation.enabled && config.openFederation.tls !== 'NotSupported');
  if (tlsUsed) {
    for (const d of domains) {
      if (!byDomain.has(d)) issues.push(error('gateway.s2s.certificates', `no certificate for our domain "${d}", but TLS may be negotiated with partners`));
    }
  }
  if (config.partners.length === 0 && !config.openFederation.enabled) {
    issues.push(warning('partners', 'no partners and open federation disabled: every remote domain will be refused'));
  }
  return issues;
}

/** Policy entries for domains we do not serve can never match a SIP user of ours: likely a typo. */
function checkPolicy(config: GatewayConfig): ConfigIssue[] {
  const ours = new Set(config.gateway.domains);
  const issues: ConfigIssue[] = [];
  for (const d of Object.keys(config.policy.domains)) {
    if (!ours.has(d)) issues.push(warning(`policy.domains["${d}"]`, 'not one of gateway.domains, so it never applies'));
  }
  for (const u of Object.keys(config.policy.users)) {
    const d = u.slice(u.lastIndexOf('@') + 1);
    if (!ours.has(d)) issues.push(warning(`policy.users["${u}"]`, 'domain is not one of gateway.domains, so it never applies'));
  }
  const anyEnabled = config.policy.default || Object.values(config.policy.domains).some(Boolean) || Object.values(config.policy.users).some(Boolean);
  if (!anyEnabled) issues.push(warning('policy', 'no SIP user may federate (Lync EnableXmppAccess default False); enable policy.default, a domain or a user'));
  return issues;
}

function checkLimits(config: GatewayConfig): ConfigIssue[] {
  const s = config.gateway.s2s;
  const issues: ConfigIssue[] = [];
  if (s.maxStanzaBytesPreAuth > s.maxStanzaBytes) {
    issues.push(error('gateway.s2s.maxStanzaBytesPreAuth', 'must not exceed gateway.s2s.maxStanzaBytes'));
  }
  if (s.partnerConnectionLimit > s.connectionLimit) {
    issues.push(warning('gateway.s2s.partnerConnectionLimit', 'exceeds gateway.s2s.connectionLimit, which caps it'));
  }
  // Issue #10: the per-address cap exists so that one address cannot take the global limit.
  if (s.preAuthConnectionsPerIp >= s.connectionLimit) {
    issues.push(warning('gateway.s2s.preAuthConnectionsPerIp', 'is not below gateway.s2s.connectionLimit: one address can take every connection before authenticating'));
  }
  config.partners.forEach((p, i) => {
    if (p.connectionLimit > s.connectionLimit) issues.push(warning(`partners[${i}].connectionLimit`, 'exceeds gateway.s2s.connectionLimit, which caps it'));
  });
  if (s.keepAliveIntervalMs >= s.streamInactivityTimeoutMs) {
    issues.push(warning('gateway.s2s.keepAliveInterval', 'is not below streamInactivityTimeout: idle streams close before a keep-alive is due'));
  }
  return issues;
}

import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../../config/types';
import { findPartner } from '../../plugin/core/policy/find-partner';
import type { S2SEdgeDeps } from './edge';
import type { PartnerPolicy, PolicyLookup } from './policy/partner-policy';
import type { TlsProvider } from './session/session-options';

/** The partner policy of a remote domain from the allowed-partner list / open federation (anchors.md §1.2). */
export function policyLookup(config: Pick<GatewayConfig, 'partners' | 'openFederation'> & { gateway: Pick<GatewayConfig['gateway'], 'domains'> }): PolicyLookup {
  const ours = new Set(config.gateway.domains.map((d) => d.toLowerCase()));
  return (domain) => {
    // Our own domains are never a partner, even with open federation on.
    if (ours.has(domain.toLowerCase())) return undefined;
    const p = findPartner(config.partners, config.openFederation, domain);
    if (p === 'not-allowed') return undefined;
    const policy: PartnerPolicy = {
      tls: p.tls, sasl: p.sasl, dialback: p.dialback, keepAlive: p.keepAlive, connectionLimit: p.connectionLimit,
      ...(p.proxyFqdn !== undefined ? { proxyFqdn: p.proxyFqdn } : {}),
    };
    return policy;
  };
}

/**
 * One secure context per configured certificate (selected by SNI inbound,
 * used as client certificate outbound). With a caFile, peers are verified
 * against Node's bundled roots plus that file (passing `ca` alone would
 * replace the bundled roots).
 */
export function tlsProviderFromConfig(
  s2s: GatewayConfig['gateway']['s2s'],
  read: (path: string) => Buffer = (p) => readFileSync(p),
): TlsProvider {
  const ca = s2s.caFile !== undefined ? [...tls.rootCertificates, read(s2s.caFile).toString('utf8')] : undefined;
  const contexts = new Map<string, tls.SecureContext>();
  for (const c of s2s.certificates) {
    contexts.set(c.domain.toLowerCase(), tls.createSecureContext({ key: read(c.key), cert: read(c.cert), ...(ca ? { ca } : {}) }));
  }
  return { secureContext: (domain) => contexts.get(domain.toLowerCase()) };
}

/** Builds the edge's dependencies from the validated configuration (config/types.ts). */
export function edgeDepsFromConfig(config: GatewayConfig, logger: Logger, read?: (path: string) => Buffer): S2SEdgeDeps {
  const s2s = config.gateway.s2s;
  return {
    domains: config.gateway.domains,
    policyFor: policyLookup(config),
    tls: tlsProviderFromConfig(s2s, read),
    dialbackSecret: s2s.dialbackSecret,
    logger,
    listen: s2s.listen,
    connectionLimit: s2s.connectionLimit,
    preAuthConnectionsPerIp: s2s.preAuthConnectionsPerIp,
    connectTimeoutMs: s2s.connectTimeoutMs,
    maxRetryDelayMs: s2s.maxRetryDelayMs,
    inDoubt: s2s.inDoubt,
    limits: {
      maxStanzaBytes: s2s.maxStanzaBytes,
      maxStanzaBytesPreAuth: s2s.maxStanzaBytesPreAuth,
      maxElementsPreAuth: s2s.maxElementsPreAuth,
      streamEstablishmentTimeoutMs: s2s.streamEstablishmentTimeoutMs,
      streamInactivityTimeoutMs: s2s.streamInactivityTimeoutMs,
      keepAliveIntervalMs: s2s.keepAliveIntervalMs,
      sendQueueMax: s2s.sendQueueMax,
    },
  };
}

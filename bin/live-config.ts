/**
 * The parts of a running gateway that a reload swaps (issue #9): the partner
 * policy the S2S edge consults, the use-cases' GatewayPolicy, and the TLS
 * contexts for new handshakes. Each sits behind one indirection; a reload
 * builds every new piece first, so a failure (an unreadable certificate, a
 * trusted source that does not resolve) leaves the running ones untouched.
 */
import type { Logger } from '../adapters/logging/logger';
import { buildGatewayPolicy } from '../adapters/policy/gateway-policy';
import { ReloadablePolicy } from '../adapters/policy/reloadable-policy';
import { policyLookup, tlsProviderFromConfig } from '../adapters/xmpp-s2s/edge-config';
import type { PolicyLookup } from '../adapters/xmpp-s2s/policy/partner-policy';
import type { TlsProvider } from '../adapters/xmpp-s2s/session/session-options';
import type { GatewayConfig } from '../config/types';
import { restartOnlyChanges } from './reload-plan';

export interface ReloadReport {
  readonly partners: number;
  /** Established streams closed with policy-violation because the new policy forbids them. */
  readonly closedStreams: number;
  /** Changed keys that take effect only after a restart. */
  readonly notApplied: readonly string[];
}

export interface LiveConfig {
  readonly policy: ReloadablePolicy;
  readonly policyFor: PolicyLookup;
  readonly tls: TlsProvider;
  readonly current: () => GatewayConfig;
  /** Applies `next`; `enforce` closes the streams the new policy forbids and returns how many. */
  reload(next: GatewayConfig, enforce: () => number): Promise<ReloadReport>;
}

export async function createLiveConfig(config: GatewayConfig, initialTls: TlsProvider, logger: Logger): Promise<LiveConfig> {
  let running = config;
  let lookup = policyLookup(config);
  let tls = initialTls;
  const policy = new ReloadablePolicy(await buildGatewayPolicy(config));
  return {
    policy,
    policyFor: (domain) => lookup(domain),
    tls: { secureContext: (domain) => tls.secureContext(domain) },
    current: () => running,
    async reload(next, enforce) {
      const nextPolicy = await buildGatewayPolicy(next);
      const nextTls = tlsProviderFromConfig(next.gateway.s2s);
      const notApplied = restartOnlyChanges(running, next);
      lookup = policyLookup(next);
      tls = nextTls;
      policy.replace(nextPolicy);
      running = next;
      const closedStreams = enforce();
      const report = { partners: next.partners.length, closedStreams, notApplied };
      logger.info(report, 'configuration reloaded');
      if (notApplied.length > 0) logger.warn({ keys: notApplied }, 'changed settings that take effect only after a restart');
      return report;
    },
  };
}

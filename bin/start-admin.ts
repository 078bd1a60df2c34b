/**
 * The operator's endpoint from `gateway.admin` (issue #9): the metrics the
 * composition root collects, and readiness as an orchestrator needs it —
 * drachtio connected, the S2S listener bound, the presence store answering.
 */
import type { Logger } from '../adapters/logging/logger';
import { startAdminServer, type AdminServer } from '../adapters/admin/admin-server';
import type { GatewayMetrics } from '../adapters/metrics/gateway-metrics';
import type { DrachtioLink } from '../adapters/drachtio/srf-connection';
import type { AdminConfig } from '../config/types';
import type { PresenceRuntime } from './start-presence';

export interface AdminSources {
  readonly metrics: GatewayMetrics;
  readonly link: DrachtioLink;
  readonly s2sListening: () => boolean;
  readonly presence: PresenceRuntime | undefined;
}

export async function startAdmin(cfg: AdminConfig | undefined, logger: Logger, s: AdminSources): Promise<AdminServer | undefined> {
  if (!cfg) return undefined;
  const presence = s.presence;
  return startAdminServer({
    host: cfg.host,
    port: cfg.port,
    registry: s.metrics.registry,
    logger,
    checks: [
      { name: 'drachtio', check: () => s.link.isUp() },
      { name: 's2sListener', check: s.s2sListening },
      ...(presence ? [{ name: 'presenceStore', check: () => presence.store.ping().then(() => true) }] : []),
    ],
  });
}

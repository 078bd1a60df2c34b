/**
 * The operator's endpoint from `gateway.admin` (issue #9): the metrics the
 * composition root collects, readiness as an orchestrator needs it (drachtio
 * connected, the S2S listener bound, the presence store answering), the live
 * status the CLI prints, and reload for the CLI's partner edits.
 */
import type { Logger } from '../adapters/logging/logger';
import { startAdminServer, type AdminServer } from '../adapters/admin/admin-server';
import type { RequestGate } from '../adapters/drachtio/request-gate';
import type { DrachtioLink } from '../adapters/drachtio/srf-connection';
import type { GatewayMetrics } from '../adapters/metrics/gateway-metrics';
import type { S2SEdge } from '../adapters/xmpp-s2s/edge';
import type { AdminConfig } from '../config/types';
import type { ReloadReport } from './live-config';
import type { PresenceRuntime } from './start-presence';

export interface AdminSources {
  readonly metrics: GatewayMetrics;
  readonly link: DrachtioLink;
  readonly edge: S2SEdge;
  readonly gate: RequestGate;
  readonly s2sListening: () => boolean;
  readonly presence: PresenceRuntime | undefined;
  readonly reloadRequested?: (() => Promise<ReloadReport>) | undefined;
}

/** GET /status: what `drachtio-xmpp-gateway status` prints. */
export function gatewayStatus(s: Pick<AdminSources, 'edge' | 'link' | 'gate' | 'metrics'>, now = Date.now()): Record<string, unknown> {
  return {
    failuresSinceStart: s.metrics.failures(),
    drachtio: { connected: s.link.isUp(), ...s.gate.stats() },
    streams: s.edge.streams().map((x) => ({
      partner: x.remote, local: x.local, direction: x.direction, auth: x.auth, secure: x.secure, established: x.established,
      ageSeconds: Math.round((now - x.openedAt) / 1000), queued: x.queued, inDoubt: x.inDoubt, ip: x.ip,
    })),
  };
}

export async function startAdmin(cfg: AdminConfig | undefined, logger: Logger, s: AdminSources): Promise<AdminServer | undefined> {
  if (!cfg) return undefined;
  const presence = s.presence;
  return startAdminServer({
    host: cfg.host,
    port: cfg.port,
    token: cfg.token,
    registry: s.metrics.registry,
    logger,
    status: () => gatewayStatus(s),
    ...(s.reloadRequested ? { reload: s.reloadRequested } : {}),
    checks: [
      { name: 'drachtio', check: () => s.link.isUp() },
      { name: 's2sListener', check: s.s2sListening },
      ...(presence ? [{ name: 'presenceStore', check: () => presence.store.ping().then(() => true) }] : []),
    ],
  });
}

import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type Srf from 'drachtio-srf';
import type { Logger } from '../adapters/logging/logger';
import type { RequestGate } from '../adapters/drachtio/request-gate';
import { createSipPresenceOut } from '../adapters/drachtio/sip-presence-out';
import { gatedSend } from '../adapters/presence/gated-send';
import { createLruPresenceCache } from '../adapters/presence/lru-presence-cache';
import { startPresenceTicker } from '../adapters/presence/presence-ticker';
import { createRateLimiter, presenceBudgets } from '../adapters/presence/rate-limiter';
import { openPresenceStore } from '../adapters/stores/presence-store-from-config';
import type { GatewayConfig } from '../config/types';
import type { PresenceWiring } from '../plugin/install';
import type { GatewayPolicy, XmppOut } from '../plugin/use-cases/ports';
import { DEFAULT_PRESENCE_OPTIONS } from '../plugin/use-cases/presence/presence-deps';
import { recordingInterest } from '../plugin/use-cases/presence/interest-on-message';
import { createPresenceService, type PresenceService } from '../plugin/use-cases/presence/presence-service';
import type { PresenceStore } from '../plugin/use-cases/presence-ports';

export interface PresenceRuntime {
  readonly nodeId: string;
  readonly store: PresenceStore;
  readonly service: PresenceService;
  readonly wiring: PresenceWiring;
  /** The XmppOut the messaging use-cases get: it records interest for PublicUnverified partners. */
  readonly messagingXmpp: XmppOut;
  /** After the routes are installed: resumes owned subscriptions, then sweeps on a timer. */
  start(): Promise<void>;
  /** First at shutdown: no sweep may start while the SIP side goes away. */
  stopSweeps(): Promise<void>;
  /** Last at shutdown. */
  close(): Promise<void>;
}

/**
 * Presence federation (RFC 8048, issue #8) from `gateway.presence`: the store, SUBSCRIBE and
 * NOTIFY through the request gate (so presence shares the drachtio load bounds of issue #13),
 * the hot caches and rate budgets, and the sweep ticker. Composition only; no decisions.
 */
export async function buildPresence(
  config: GatewayConfig,
  logger: Logger,
  io: { readonly srf: Srf; readonly gate: RequestGate; readonly xmpp: XmppOut; readonly policy: GatewayPolicy },
): Promise<PresenceRuntime> {
  const pc = config.gateway.presence;
  const nodeId = pc.nodeId ?? hostname();
  const store = await openPresenceStore(pc.store, logger);
  const clock = { now: () => new Date() };
  const service = createPresenceService({
    store,
    sip: createSipPresenceOut(io.srf, logger, { proxy: config.gateway.sipProxy.uri, send: gatedSend(io.gate) }),
    xmpp: io.xmpp,
    cache: createLruPresenceCache(),
    limiter: createRateLimiter(presenceBudgets(pc.maxPresencePerPartner)),
    clock,
    ids: { next: () => randomUUID() },
    log: logger,
    policy: io.policy,
    options: {
      ...DEFAULT_PRESENCE_OPTIONS,
      nodeId,
      refreshCapSeconds: Math.round(config.gateway.s2s.subscriptionRefreshIntervalMs / 1000),
      fanoutLimit: pc.maxWatchersPerContact,
      livenessMs: pc.livenessMs,
    },
  });
  const messagingXmpp = recordingInterest(io.xmpp, store, { ourDomains: new Set(config.gateway.domains), clock, log: logger });
  let ticker: { stop(): Promise<void> } | undefined;
  return {
    nodeId,
    store,
    service,
    wiring: { handlers: service.handlers, onPresence: (p) => service.onPresence(p) },
    messagingXmpp,
    async start() {
      const resumed = await service.start();
      logger.info({ nodeId, store: pc.store.kind, ...resumed }, 'presence started');
      ticker = startPresenceTicker(() => service.tick(), pc.sweepIntervalMs, logger);
    },
    async stopSweeps() {
      await ticker?.stop();
    },
    close: () => store.close(),
  };
}

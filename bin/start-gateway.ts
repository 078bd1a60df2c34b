import { randomUUID } from 'node:crypto';
import type { Logger } from '../adapters/logging/logger';
import { createAnswersInDoubt } from '../adapters/drachtio/answers-in-doubt';
import { createInboundShedding } from '../adapters/drachtio/inbound-shedding';
import type { AdminServer } from '../adapters/admin/admin-server';
import { createRequestGate, type RequestGate } from '../adapters/drachtio/request-gate';
import { connectDrachtio, type DrachtioLink, type DrachtioLinkOptions } from '../adapters/drachtio/srf-connection';
import { createSipOut } from '../adapters/drachtio/sip-out';
import { createGatewayMetrics, type GatewayMetrics } from '../adapters/metrics/gateway-metrics';
import { instrumentEdge } from '../adapters/metrics/instrument-edge';
import { instrumentGate, sipMetricsMiddleware } from '../adapters/metrics/instrument-sip';
import { createLruCorrelations } from '../adapters/stores/lru-correlations';
import { createXmppOut } from '../adapters/xmpp-port/xmpp-out';
import { createS2SEdge, type S2SEdge } from '../adapters/xmpp-s2s/edge';
import { edgeDepsFromConfig } from '../adapters/xmpp-s2s/edge-config';
import type { SrvResolver } from '../adapters/xmpp-s2s/net/resolve-targets';
import type { GatewayConfig } from '../config/types';
import { installGateway, type SrfApp } from '../plugin/install';
import { createLiveConfig, type ReloadReport } from './live-config';
import { startAdmin } from './start-admin';
import { buildPresence, type PresenceRuntime } from './start-presence';

export interface RunningGateway {
  readonly s2s: { readonly host: string; readonly port: number };
  readonly edge: S2SEdge;
  /** The supervised drachtio connection and the gate that bounds requests on it (issue #13). */
  readonly drachtio: { readonly link: DrachtioLink; readonly gate: RequestGate };
  /** Presence federation (issue #8); undefined when gateway.presence.enabled is false. */
  readonly presence: PresenceRuntime | undefined;
  /** Prometheus metrics (issue #9), served by `admin` when gateway.admin is configured. */
  readonly metrics: GatewayMetrics;
  readonly admin: AdminServer | undefined;
  /**
   * Applies a new, validated configuration without dropping conforming streams (issue #9):
   * partners, policy, trusted sources, certificates. Rejects, changing nothing, if a new
   * piece cannot be built.
   */
  reload(next: GatewayConfig): Promise<ReloadReport>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Tests point SRV lookups at a loopback DNS server. */
  readonly resolver?: SrvResolver;
  /** Tests shorten the drachtio reconnect backoff. */
  readonly drachtio?: DrachtioLinkOptions;
  /** Longest stop() waits for SIP transactions in flight before closing (default 5 s). */
  readonly drainTimeoutMs?: number;
  /** POST /reload on the admin endpoint: the CLI re-reads its configuration file and calls reload(). */
  readonly reloadRequested?: () => Promise<ReloadReport>;
}

const DRAIN_MS = 5000;

/** Resolves when `done()` holds or after `ms`, polling every 20 ms (bounded). */
async function settled(done: () => boolean, ms: number): Promise<void> {
  for (let waited = 0; waited < ms && !done(); waited += 20) await new Promise((r) => setTimeout(r, 20));
}

/**
 * The composition root: builds every adapter from the validated config and
 * wires them to the use-cases. Nothing else in the project constructs
 * adapters, and nothing here makes a decision.
 */
export async function startGateway(config: GatewayConfig, logger: Logger, opts: StartOptions = {}): Promise<RunningGateway> {
  const edgeDeps = edgeDepsFromConfig(config, logger);
  const live = await createLiveConfig(config, edgeDeps.tls, logger);
  const policy = live.policy;
  let linkRef: DrachtioLink | undefined;
  let gateRef: RequestGate | undefined;
  let listening = false;
  // Gauges read the live objects at scrape time; the closures see them once they exist.
  const metrics = createGatewayMetrics({
    streams: () => edge.streams(),
    drachtioConnected: () => linkRef?.isUp() ?? false,
    gate: () => gateRef?.stats() ?? { outstanding: 0, queued: 0 },
  });
  const edge = instrumentEdge(createS2SEdge({
    ...edgeDeps,
    policyFor: live.policyFor,
    tls: live.tls,
    ...(opts.resolver ? { resolver: opts.resolver } : {}),
    onAuthenticated: (st) => metrics.negotiated(st, (Date.now() - st.openedAt) / 1000),
  }), metrics);
  const s2s = await edge.start();
  listening = true;
  const dl = config.gateway.drachtio.limits;
  let link: DrachtioLink;
  try {
    // Rejects (DrachtioAuthError / DrachtioUnreachableError) with nothing of its own left running.
    link = await connectDrachtio(config.gateway.drachtio, logger, { startTimeoutMs: dl.startTimeoutMs, ...opts.drachtio });
  } catch (e) {
    await edge.stop();
    throw e;
  }
  linkRef = link;
  const srf = link.srf;
  const gate = instrumentGate(createRequestGate(srf, link, logger, { maxOutstanding: dl.maxOutstandingRequests, maxQueued: dl.maxQueuedRequests, maxQueueWaitMs: dl.queueTimeoutMs }), metrics);
  gateRef = gate;
  // Registered before the gateway's routes so they see every SIP request first (srf runs middleware
  // in order): the counter first, so the shedder's 503s are counted too.
  (srf as unknown as { use(fn: unknown): void }).use(sipMetricsMiddleware(metrics));
  // Then every final answer the link may lose is tracked (issue #11), the shedder's 503s included.
  const answers = createAnswersInDoubt(logger);
  link.onDown(() => void answers.linkDown());
  (srf as unknown as { use(fn: unknown): void }).use(answers.middleware);
  const shedding = createInboundShedding(logger, { maxInFlight: dl.maxInboundRequests, retryAfterSeconds: 2 });
  (srf as unknown as { use(fn: unknown): void }).use(shedding.middleware);
  const xmppOut = createXmppOut(edge);
  let presence: PresenceRuntime | undefined;
  try {
    presence = config.gateway.presence.enabled ? await buildPresence(config, logger, { srf, gate, xmpp: xmppOut, policy }) : undefined;
  } catch (e) {
    // e.g. the presence store cannot be opened: nothing started stays running (issue #14).
    gate.close();
    await link.stop();
    await edge.stop();
    throw e;
  }
  const gateway = installGateway(srf as unknown as SrfApp, {
    xmpp: presence?.messagingXmpp ?? xmppOut,
    sip: createSipOut(gate, logger, { proxy: config.gateway.sipProxy.uri }),
    correlations: createLruCorrelations(),
    clock: { now: () => new Date() },
    ids: { next: () => randomUUID() },
    log: logger,
    policy,
    chatStates: new Map(),
  }, presence?.wiring);
  edge.onStanza(gateway.onStanza);
  await presence?.start();
  let admin: AdminServer | undefined;
  const stopAll = async (): Promise<void> => {
    await admin?.close();
    // SIGTERM (issue #9): stop taking SIP requests, let the accepted ones and the SIP requests
    // we sent get their answers (bounded), then close the streams with system-shutdown.
    shedding.drain();
    await settled(() => shedding.inFlight() === 0 && gate.stats().outstanding === 0 && gate.stats().queued === 0, opts.drainTimeoutMs ?? DRAIN_MS);
    // Subscriptions stay in the store (and in drachtio's dialogs): a restart, or another
    // node on the same store, resumes them (RFC 8048 §5; issue #8 "survive a restart").
    await presence?.stopSweeps();
    gate.close();
    await link.stop();
    listening = false;
    await edge.stop();
    await presence?.close();
  };
  try {
    admin = await startAdmin(config.gateway.admin, logger, {
      metrics, link, s2sListening: () => listening, presence, edge, gate, reloadRequested: opts.reloadRequested,
    });
  } catch (e) {
    // e.g. the admin port is taken: a start failure like any other (issue #14), nothing left running.
    await stopAll();
    throw e;
  }
  logger.info({ domains: config.gateway.domains, s2s, admin: admin ? { host: admin.host, port: admin.port } : undefined }, 'gateway started');
  return {
    s2s,
    edge,
    drachtio: { link, gate },
    presence,
    metrics,
    admin,
    reload: (next) => live.reload(next, () => edge.enforcePolicy()),
    async stop() {
      await stopAll();
      logger.info({}, 'gateway stopped');
    },
  };
}

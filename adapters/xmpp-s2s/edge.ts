import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { XmlElement } from '../../plugin/core/xml/xml-element';
import { errorReply } from './bounce';
import { ConnectionRegistry } from './connection-registry';
import { answerLocalIq, type LocalIqOptions } from './local-iq';
import { openS2SConnection } from './net/connect';
import { PreAuthIpLimit } from './pre-auth-ip-limit';
import { createS2SListener } from './net/listener';
import type { SrvResolver } from './net/resolve-targets';
import type { PolicyLookup } from './policy/partner-policy';
import { nonConformance } from './policy/stream-conformance';
import type { InDoubtOptions } from './in-doubt/options';
import { S2SRouter, type Connector, type RouteResult } from './router';
import { InboundSession } from './session/inbound-session';
import { DEFAULT_LIMITS, type S2SLimits, type SessionDeps, type TlsProvider } from './session/session-options';
import type { StreamSession, StreamSnapshot } from './session/stream-session';
import { refuseSocket } from './stream/refuse-socket';
import { streamError, type StreamError } from './stream/stream-error';
import { systemTimers, type Timers } from './stream/timers';

export interface S2SEdgeDeps {
  /** Our XMPP domains (lower case). */
  readonly domains: readonly string[];
  readonly policyFor: PolicyLookup;
  readonly tls: TlsProvider;
  readonly dialbackSecret?: string | undefined;
  readonly logger: Logger;
  readonly limits?: Partial<S2SLimits>;
  /** Lync global connection limit (default 1000). */
  readonly connectionLimit?: number;
  /**
   * Inbound connections per source address (IPv6: per /64) that have not
   * authenticated yet (default 20; pre-auth-ip-limit.ts): one address cannot
   * take the global limit.
   */
  readonly preAuthConnectionsPerIp?: number;
  readonly connectTimeoutMs?: number;
  readonly maxRetryDelayMs?: number;
  /** Where start() listens (RFC 6120 §3: 5269). */
  readonly listen?: { readonly host: string; readonly port: number };
  readonly resolver?: SrvResolver;
  /** Replaces DNS + TCP (tests pass duplex pairs). */
  readonly connect?: Connector;
  readonly newStreamId?: () => string;
  readonly random?: () => number;
  readonly timers?: Timers;
  readonly disco?: LocalIqOptions;
  /** Issue #11: in-doubt tracking on outbound streams (default DEFAULT_IN_DOUBT). */
  readonly inDoubt?: InDoubtOptions;
  /** Once per stream, when it authenticates (metrics: negotiation time; issue #9). */
  readonly onAuthenticated?: (s: StreamSnapshot) => void;
}

export interface S2SEdge {
  /** Starts the inbound listener (net/listener.ts); resolves with the bound address. */
  start(): Promise<{ host: string; port: number }>;
  /** Closes every stream with system-shutdown (RFC 6120 §4.9.3.20) and the listener. */
  stop(): Promise<void>;
  /** Routes a stanza from one of our domains to its remote domain; failures come back through onStanza as error stanzas. */
  send(el: XmlElement): void;
  /**
   * Routes a stanza and resolves once it is written on an authenticated
   * stream, or with the condition that stopped it (no bounce is generated).
   */
  sendConfirmed(el: XmlElement): Promise<RouteResult>;
  /** Receives authenticated inbound stanzas (and bounces of our own stanzas). IQ get/set to users must be answered. */
  onStanza(handler: (el: XmlElement) => void): void;
  /**
   * Runs the S2S protocol on an accepted connection (what the listener calls;
   * tests pass duplex pairs). Beyond the per-address pre-authentication cap
   * (policy-violation) or the global connection limit (resource-constraint)
   * the socket is refused at once, and undefined is returned.
   */
  acceptSocket(socket: Duplex, ip?: string): InboundSession | undefined;
  readonly connections: number;
  /** Every live stream, both directions, with its outbound queue and in-doubt count (status, metrics; issue #9). */
  streams(): StreamStatus[];
  /**
   * After the partner policy changed (reload, issue #9): closes with policy-violation every
   * authenticated stream the policy no longer allows; returns how many.
   */
  enforcePolicy(): number;
}

export interface StreamStatus extends StreamSnapshot {
  /** Stanzas waiting for this route's stream (outbound only; 0 inbound). */
  readonly queued: number;
  /** Written but not yet confirmed by the peer (issue #11; outbound only). */
  readonly inDoubt: number;
}

/**
 * The XMPP server-to-server edge: the "XMPP proxy on the Edge server" of
 * Lync's XMPP gateway. It knows nothing of SIP: the gateway core sends and
 * receives XmlElement stanzas.
 */
export function createS2SEdge(deps: S2SEdgeDeps): S2SEdge {
  const localDomains = new Set(deps.domains.map((d) => d.toLowerCase()));
  const log = deps.logger.child({ component: 's2s' });
  const timers = deps.timers ?? systemTimers;
  const session: SessionDeps = {
    localDomains,
    limits: { ...DEFAULT_LIMITS, ...deps.limits },
    policyFor: deps.policyFor,
    tls: deps.tls,
    dialbackSecret: deps.dialbackSecret,
    newStreamId: deps.newStreamId ?? (() => randomBytes(12).toString('base64url')),
    logger: log,
    timers,
    onAuthenticated: deps.onAuthenticated,
  };
  const registry = new ConnectionRegistry(deps.connectionLimit ?? 1000);
  const perIp = new PreAuthIpLimit(deps.preAuthConnectionsPerIp ?? 20);
  const inbound = new Set<StreamSession>();
  let handler: ((el: XmlElement) => void) | undefined;
  let listener: { close(): Promise<void> } | undefined;

  const deliverLocal = (e: XmlElement): void => {
    if (handler) return handler(e);
    // Nobody to deliver to: answer requests rather than dropping them silently.
    log.warn({ stanza: e.name, type: e.attrs.type }, 'no inbound handler registered; refusing the stanza');
    const reply = errorReply(e, 'service-unavailable');
    if (reply && e.attrs.type !== undefined && e.attrs.type !== 'error') router.send(reply);
  };

  const connect: Connector = deps.connect ?? (async (remote, local, policy) => {
    const c = await openS2SConnection(remote, {
      connectTimeoutMs: deps.connectTimeoutMs ?? 10_000,
      ...(policy.proxyFqdn ? { proxyFqdn: policy.proxyFqdn } : {}),
      ...(deps.resolver ? { resolver: deps.resolver } : {}),
      directTlsOptions: () => ({ secureContext: deps.tls.secureContext(local), servername: remote }),
    });
    return { socket: c.socket, secure: c.secure, ip: c.socket.remoteAddress };
  });

  const router = new S2SRouter({
    session, connect, registry, deliverLocal,
    maxRetryDelayMs: deps.maxRetryDelayMs ?? 300_000,
    random: deps.random ?? Math.random,
    now: () => Date.now(),
    logger: log,
    ...(deps.inDoubt ? { inDoubt: deps.inDoubt } : {}),
  });

  const onInboundStanza = (e: XmlElement): void => {
    if (router.takeFenceReply(e)) return; // the answer to an XEP-0199 fence of our outbound stream (issue #11)
    const local = answerLocalIq(e, localDomains, deps.disco);
    if (local === 'pass') return deliverLocal(e);
    if (local === 'consumed') return log.debug({ id: e.attrs.id, type: e.attrs.type }, 'IQ response to the server itself');
    router.send(local.reply); // replies travel on our outbound stream (no XEP-0288 bidi)
  };

  let stopping = false;
  const acceptSocket = (socket: Duplex, ip?: string): InboundSession | undefined => {
    // Counted from accept, before a byte is read, so silent connections
    // (slowloris) are bounded by the global limit too; the establishment
    // timeout bounds how long each may stay.
    const refuse = (e: StreamError): undefined => {
      refuseSocket(socket, e, [...localDomains][0] ?? 'invalid', timers, session.limits.shedGraceMs);
      return undefined;
    };
    // RFC 6120 §4.9.3.20: shutting down, nothing new is accepted.
    if (stopping) return refuse(streamError('system-shutdown'));
    // Per address first: an address over its share is told so (policy-violation), whatever the global count.
    const overIp = ip !== undefined ? perIp.admit(ip) : undefined;
    if (overIp) {
      log.warn({ ip, preAuth: perIp.countFor(ip as string) }, 'refusing an inbound connection: too many unauthenticated connections from this address');
      return refuse(overIp);
    }
    let ipHeld = ip !== undefined;
    const releaseIp = (): void => {
      if (ipHeld) perIp.release(ip as string);
      ipHeld = false;
    };
    const full = registry.admitPending();
    if (full) {
      releaseIp();
      log.warn({ ip, connections: registry.count }, 'refusing an inbound connection: global connection limit reached');
      return refuse(full);
    }
    let chargedTo: string | undefined;
    const s = new InboundSession(socket, {
      ...session,
      verifier: router,
      onStanza: onInboundStanza,
      // Charged to the partner only when its first domain pair authenticates (InboundDeps.admit).
      admit: (_sess, remote) => {
        const refused = registry.promote(remote, deps.policyFor(remote)?.connectionLimit ?? 0);
        if (refused) return refused;
        chargedTo = remote;
        releaseIp(); // authenticated: from now on it counts only against the partner's limit
        return undefined;
      },
    }, ip);
    inbound.add(s);
    s.onClosed(() => {
      inbound.delete(s);
      releaseIp();
      if (chargedTo !== undefined) registry.release(chargedTo);
      else registry.releasePending();
    });
    return s;
  };

  return {
    async start() {
      const l = await createS2SListener({
        host: deps.listen?.host ?? '0.0.0.0',
        port: deps.listen?.port ?? 5269,
        onSocket: (sock) => acceptSocket(sock, sock.remoteAddress),
      });
      listener = l;
      log.info({ host: l.host, port: l.port }, 's2s listener started');
      return { host: l.host, port: l.port };
    },
    async stop() {
      stopping = true;
      // Stop accepting first: a peer answers our system-shutdown by connecting again, and a
      // connection accepted meanwhile would keep net.Server.close() waiting for ever.
      const l = listener;
      listener = undefined;
      const listenerClosed = l?.close();
      const shutdown = streamError('system-shutdown');
      const all: StreamSession[] = [...inbound, ...router.closeAll((s) => s.close(shutdown))];
      for (const s of inbound) s.close(shutdown);
      await Promise.all(all.map((s) => new Promise<void>((r) => s.onClosed(() => r()))));
      // Sessions accepted while the listener was closing: closed the same way (bounded by shedGraceMs).
      for (const s of inbound) s.close(shutdown);
      await Promise.all([...inbound].map((s) => new Promise<void>((r) => s.onClosed(() => r()))));
      await listenerClosed;
    },
    send: (e) => router.send(e),
    sendConfirmed: (e) => new Promise<RouteResult>((resolve) => router.send(e, resolve)),
    onStanza(h) {
      handler = h;
    },
    acceptSocket,
    get connections() {
      return registry.count;
    },
    enforcePolicy() {
      const live: StreamSession[] = [...inbound, ...router.allRoutes().flatMap((r) => (r.session ? [r.session] : []))];
      let closed = 0;
      for (const sess of live) {
        if (sess.isClosing) continue;
        const snap = sess.snapshot;
        const why = nonConformance(snap, deps.policyFor(snap.remote));
        if (why === undefined) continue;
        log.warn({ dir: sess.dir, local: snap.local, remote: snap.remote, auth: snap.auth, why }, 'closing a stream the reloaded partner policy no longer allows');
        sess.close(streamError('policy-violation', why));
        closed += 1;
      }
      return closed;
    },
    streams() {
      const out: StreamStatus[] = [...inbound].map((x) => ({ ...x.snapshot, queued: 0, inDoubt: 0 }));
      for (const r of router.allRoutes()) {
        if (r.session && !r.session.isClosing) out.push({ ...r.session.snapshot, queued: r.queued, inDoubt: r.inDoubt });
      }
      return out;
    },
  };
}

import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { StanzaErrorCondition } from '../../plugin/core/stanza/stanza-error';
import type { XmlElement } from '../../plugin/core/xml/xml-element';
import type { DialbackVerdict, DialbackVerifier, DialbackVerifyRequest } from './auth/dialback-verifier';
import { errorReply } from './bounce';
import type { ConnectionRegistry } from './connection-registry';
import type { InDoubtStanza } from './in-doubt/confirmations';
import { DEFAULT_IN_DOUBT, type InDoubtOptions } from './in-doubt/options';
import { retryDelayMs } from './net/backoff';
import type { PartnerPolicy } from './policy/partner-policy';
import { jidDomain } from './session/addressing';
import { OutboundSession } from './session/outbound-session';
import type { SessionDeps } from './session/session-options';
import type { CloseInfo } from './session/stream-session';

export interface OpenedConnection {
  readonly socket: Duplex;
  /** TLS already up (XEP-0368 direct TLS). */
  readonly secure: boolean;
  readonly ip?: string | undefined;
}

/** Opens a transport to a remote domain; rejects with an object carrying the bounce `condition` when it cannot. */
export type Connector = (remote: string, local: string, policy: PartnerPolicy) => Promise<OpenedConnection>;

export interface RouterDeps {
  readonly session: SessionDeps;
  readonly connect: Connector;
  readonly registry: ConnectionRegistry;
  /** Bounces (error stanzas to our users) go back through the edge's inbound handler. */
  readonly deliverLocal: (e: XmlElement) => void;
  /** Upper bound of the randomized reconnect delay (ejabberd s2s_max_retry_delay). */
  readonly maxRetryDelayMs: number;
  readonly random: () => number;
  readonly now: () => number;
  readonly logger: Logger;
  /** In-doubt tracking and what to do with stanzas a lost stream never confirmed (issue #11). */
  readonly inDoubt?: InDoubtOptions;
}

type FailureCondition = Extract<StanzaErrorCondition, 'remote-server-not-found' | 'remote-server-timeout' | 'resource-constraint'>;

/** What became of one routed stanza: written on an authenticated stream, or why not. */
export type RouteResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly condition: StanzaErrorCondition; readonly text: string };
/**
 * Called exactly once per stanza when the caller wants the verdict itself
 * (the SIP side answers its transaction with it, RFC 7247 §7); the stanza is
 * then not also bounced back through deliverLocal.
 */
export type RouteCallback = (r: RouteResult) => void;

interface Queued {
  readonly e: XmlElement;
  readonly cb?: RouteCallback | undefined;
}

interface Route {
  readonly local: string;
  readonly remote: string;
  readonly policy: PartnerPolicy;
  session: OutboundSession | undefined;
  connecting: boolean;
  queue: Queued[];
  failures: number;
  retryAt: number;
  lastFailure: FailureCondition;
  waiters: Array<(s: OutboundSession | undefined) => void>;
  /** Stanzas a lost stream left in doubt, waiting for the next stream (onStreamLoss 'resend'). */
  resend: InDoubtStanza[];
  /** When they are reported failed if no stream came up (0: nothing waiting). */
  resendDeadline: number;
  resendTimer: unknown;
  retryTimer: unknown;
}

/**
 * Outbound routing (Prosody mod_s2s route/remote, ejabberd_s2s): one
 * outbound stream per (local, remote) domain pair, reused; a bounded queue
 * while it connects; every queued stanza bounced to its sender on failure
 * (never error/result stanzas); a randomized backoff during which new
 * stanzas are bounced at once (ejabberd "bouncing for N seconds"); the next
 * stanza after it reconnects. Also the DialbackVerifier: db:verify goes out
 * on the OUTBOUND stream to the claimed domain (XEP-0220 §2.1.2).
 */
export class S2SRouter implements DialbackVerifier {
  private readonly routes = new Map<string, Route>();
  private readonly inDoubt: InDoubtOptions;
  private stopping = false;

  constructor(private readonly deps: RouterDeps) {
    this.inDoubt = deps.inDoubt ?? DEFAULT_IN_DOUBT;
  }

  send(e: XmlElement, cb?: RouteCallback): void {
    const from = jidDomain(e.attrs.from);
    const to = jidDomain(e.attrs.to);
    const local = this.deps.session.localDomains;
    if (!from || !local.has(from)) {
      this.deps.logger.error({ from: e.attrs.from, stanza: e.name }, 'refusing to route a stanza whose from is not one of our domains');
      cb?.({ ok: false, condition: 'internal-server-error', text: 'sender is not one of our domains' });
      return;
    }
    if (!to) return this.bounce(e, 'jid-malformed', `bad 'to' address`, cb);
    if (local.has(to)) {
      this.deps.deliverLocal(e);
      return cb?.({ ok: true });
    }
    const policy = this.deps.session.policyFor(to);
    if (!policy) return this.bounce(e, 'remote-server-not-found', `${to} is not a federated partner`, cb);
    const route = this.route(from, to, policy);
    const s = route.session;
    if (s?.isEstablished) return this.admit(route, s, { e, cb });
    if (!route.connecting && !s && this.deps.now() < route.retryAt) {
      return this.bounce(e, route.lastFailure, `${to} was unreachable; retrying later`, cb);
    }
    if (route.queue.length >= this.deps.session.limits.sendQueueMax) {
      return this.bounce(e, 'resource-constraint', 'outgoing stanza queue full', cb); // Prosody's wording
    }
    route.queue.push({ e, cb });
    this.ensureConnecting(route);
  }

  /**
   * On an established stream: written at once while fewer than maxPerStream
   * stanzas are in doubt; beyond the cap it waits (in order) in the same
   * bounded queue as during connection, and a full queue is refused with
   * resource-constraint. The queue drains as the peer confirms.
   */
  private admit(r: Route, s: OutboundSession, q: Queued): void {
    if (r.queue.length === 0 && s.inDoubtCount < this.inDoubt.maxPerStream) return this.write(s, q);
    if (r.queue.length >= this.deps.session.limits.sendQueueMax) {
      return this.bounce(q.e, 'resource-constraint', 'too many stanzas awaiting confirmation', q.cb);
    }
    r.queue.push(q);
  }

  private drain(r: Route, s: OutboundSession): void {
    while (r.queue.length > 0 && s.isEstablished && s.inDoubtCount < this.inDoubt.maxPerStream) {
      this.write(s, r.queue.shift() as Queued);
    }
  }

  private write(s: OutboundSession, q: Queued): void {
    if (s.send(q.e)) q.cb?.({ ok: true });
    else this.bounce(q.e, 'resource-constraint', 'outgoing stream is congested', q.cb);
  }

  /**
   * An IQ result/error from a remote domain to one of ours that answers an
   * XEP-0199 fence of our outbound stream to it (issue #11). True when consumed.
   */
  takeFenceReply(e: XmlElement): boolean {
    if (e.name !== 'iq' || (e.attrs.type !== 'result' && e.attrs.type !== 'error')) return false;
    const from = jidDomain(e.attrs.from);
    const to = jidDomain(e.attrs.to);
    if (!from || !to || e.attrs.from !== from || e.attrs.to !== to) return false;
    return this.routes.get(`${to} ${from}`)?.session?.confirmFence(e.attrs.id) ?? false;
  }

  async verify(req: DialbackVerifyRequest): Promise<DialbackVerdict> {
    const policy = this.deps.session.policyFor(req.originating);
    if (!policy) return 'invalid';
    const route = this.route(req.receiving, req.originating, policy);
    let s = route.session && !route.session.isClosing ? route.session : undefined;
    if (!s) {
      // No backoff check here: a partner connecting to us is evidence it is back,
      // and refusing its dialback would lock it out for the whole retry window.
      s = await new Promise<OutboundSession | undefined>((resolve) => {
        route.waiters.push(resolve);
        this.ensureConnecting(route);
      });
    }
    if (!s) return 'error';
    return s.verify({ id: req.streamId, key: req.key, from: req.receiving });
  }

  /** Closes every outbound stream (e.g. system-shutdown) and bounces what is still queued. */
  closeAll(close: (s: OutboundSession) => void): OutboundSession[] {
    const sessions: OutboundSession[] = [];
    this.stopping = true; // from now on, what is in doubt is reported, never kept for a resend
    for (const r of this.routes.values()) {
      this.bounceQueue(r, 'remote-server-timeout');
      this.reportLost(r, r.resend.splice(0), 'the gateway is shutting down');
      this.clearResend(r);
      if (r.session) {
        sessions.push(r.session);
        close(r.session);
      }
    }
    return sessions;
  }

  /** Every route with a stream, its queue and what is in doubt (status and metrics, issue #9). */
  allRoutes(): Array<{ readonly session: OutboundSession | undefined; readonly local: string; readonly remote: string; readonly queued: number; readonly inDoubt: number; readonly failures: number; readonly connecting: boolean }> {
    return [...this.routes.values()].map((r) => ({
      session: r.session, local: r.local, remote: r.remote, queued: r.queue.length, inDoubt: r.session?.inDoubtCount ?? 0, failures: r.failures, connecting: r.connecting,
    }));
  }

  /** For tests and metrics. */
  routeState(local: string, remote: string): { queued: number; connecting: boolean; established: boolean; failures: number; inDoubt: number; awaitingResend: number } | undefined {
    const r = this.routes.get(`${local} ${remote}`);
    return r && {
      queued: r.queue.length, connecting: r.connecting, established: r.session?.isEstablished ?? false, failures: r.failures,
      inDoubt: r.session?.inDoubtCount ?? 0, awaitingResend: r.resend.length,
    };
  }

  private route(local: string, remote: string, policy: PartnerPolicy): Route {
    const key = `${local} ${remote}`;
    let r = this.routes.get(key);
    if (!r) {
      r = {
        local, remote, policy, session: undefined, connecting: false, queue: [], failures: 0, retryAt: 0, lastFailure: 'remote-server-not-found', waiters: [],
        resend: [], resendDeadline: 0, resendTimer: undefined, retryTimer: undefined,
      };
      this.routes.set(key, r);
    }
    return r;
  }

  private ensureConnecting(r: Route): void {
    if (r.session?.isClosing) r.session = undefined;
    if (r.connecting || r.session) {
      if (r.session) for (const w of r.waiters.splice(0)) w(r.session);
      return;
    }
    const refused = this.deps.registry.admit(r.remote, r.policy.connectionLimit);
    if (refused) {
      this.deps.logger.warn({ local: r.local, remote: r.remote, reason: refused.text }, 'not opening an outbound connection');
      return this.fail(r, 'resource-constraint', false);
    }
    r.connecting = true;
    this.deps.connect(r.remote, r.local, r.policy).then(
      (c) => this.connected(r, c),
      (err: unknown) => {
        this.deps.registry.release(r.remote);
        r.connecting = false;
        const condition = (err as { condition?: unknown } | undefined)?.condition === 'remote-server-timeout' ? 'remote-server-timeout' : 'remote-server-not-found';
        this.deps.logger.info({ local: r.local, remote: r.remote, condition, err: (err as Error)?.message }, 'outbound connection failed');
        this.fail(r, condition, true);
      },
    );
  }

  private connected(r: Route, c: OpenedConnection): void {
    const s = new OutboundSession(c.socket, this.deps.session, r.local, r.remote, r.policy, {
      secure: c.secure, inDoubt: this.inDoubt, ...(c.ip ? { ip: c.ip } : {}),
    });
    r.session = s;
    r.connecting = false;
    s.onEstablished(() => {
      r.failures = 0;
      r.retryAt = 0;
      // What the lost stream left in doubt goes first, once more, same id (issue #11).
      this.flushResend(r, s);
      this.drain(r, s);
    });
    s.onConfirmed(() => this.drain(r, s));
    s.onClosed((info) => this.sessionClosed(r, s, info));
    for (const w of r.waiters.splice(0)) w(s);
    s.start();
  }

  private sessionClosed(r: Route, s: OutboundSession, info: CloseInfo): void {
    this.deps.registry.release(r.remote);
    this.lost(r, s.takeInDoubt(), info);
    if (r.session !== s) return;
    r.session = undefined;
    if (!info.wasEstablished) {
      this.fail(r, info.condition === 'connection-timeout' ? 'remote-server-timeout' : 'remote-server-not-found', true);
    } else if (r.queue.length > 0 || r.resend.length > 0) {
      this.ensureConnecting(r); // stanzas arrived while the old stream was closing, or wait for a resend
    }
  }

  /**
   * A stream closed with stanzas it wrote but the peer never confirmed
   * (issue #11). 'report': each is reported failed to its sender now.
   * 'resend': each is written once more on the next stream, unless it already
   * was a resend or no stream comes up within retryWindowMs (then reported).
   */
  private lost(r: Route, doubt: InDoubtStanza[], info: CloseInfo): void {
    if (doubt.length === 0) return;
    const why = `the stream to ${r.remote} closed (${info.condition ?? info.reason}) before ${r.remote} confirmed this stanza`;
    if (this.stopping || this.inDoubt.onStreamLoss === 'report') return this.reportLost(r, doubt, why);
    const twice = doubt.filter((d) => d.resent);
    if (twice.length > 0) this.reportLost(r, twice, `${why}, twice`);
    const once = doubt.filter((d) => !d.resent).map((d) => ({ e: d.e, resent: true }));
    if (once.length === 0) return;
    this.deps.logger.warn({ local: r.local, remote: r.remote, count: once.length, condition: info.condition, reason: info.reason }, 'stream lost with stanzas in doubt; they wait for a new stream');
    r.resend.push(...once);
    if (r.session?.isEstablished) return this.flushResend(r, r.session); // a newer stream is already up
    if (r.resendDeadline === 0) {
      r.resendDeadline = this.deps.now() + this.inDoubt.retryWindowMs;
      r.resendTimer = this.deps.session.timers.setTimeout(() => {
        r.resendTimer = undefined;
        const left = r.resend.splice(0);
        this.clearResend(r);
        this.reportLost(r, left, `no stream to ${r.remote} came up within ${this.inDoubt.retryWindowMs} ms to resend this stanza`);
      }, this.inDoubt.retryWindowMs);
    }
  }

  private flushResend(r: Route, s: OutboundSession): void {
    const again = r.resend.splice(0);
    this.clearResend(r);
    if (again.length === 0) return;
    this.deps.logger.info({ local: r.local, remote: r.remote, count: again.length }, 'resending stanzas a lost stream left unconfirmed');
    for (const it of again) {
      if (!s.send(it.e, true)) this.reportLost(r, [it], `the new stream to ${r.remote} could not take this stanza`);
    }
  }

  private clearResend(r: Route): void {
    if (r.resendTimer !== undefined) this.deps.session.timers.clearTimeout(r.resendTimer);
    if (r.retryTimer !== undefined) this.deps.session.timers.clearTimeout(r.retryTimer);
    r.resendTimer = undefined;
    r.retryTimer = undefined;
    r.resendDeadline = 0;
  }

  /**
   * Reports stanzas lost in doubt to their senders as error stanzas through
   * deliverLocal (the route callback already said "written"): for a message
   * from SIP the core turns it into the SIP failure notice / IMDN failure
   * (xmpp-error-to-sip.ts), exactly like a bounce from the peer.
   */
  private reportLost(r: Route, items: InDoubtStanza[], why: string): void {
    if (items.length === 0) return;
    this.deps.logger.warn({ local: r.local, remote: r.remote, count: items.length, ids: items.slice(0, 20).map((i) => i.e.attrs.id), why }, 'reporting stanzas in doubt as failed');
    for (const it of items) this.bounce(it.e, 'remote-server-timeout', why);
  }

  private fail(r: Route, condition: FailureCondition, backoff: boolean): void {
    this.bounceQueue(r, condition);
    for (const w of r.waiters.splice(0)) w(undefined);
    if (backoff) {
      r.failures++;
      r.lastFailure = condition;
      r.retryAt = this.deps.now() + retryDelayMs(r.failures - 1, this.deps.maxRetryDelayMs, this.deps.random);
    }
    // Stanzas waiting for a resend keep trying within their window (the backoff still spaces the attempts).
    if (r.resend.length > 0 && r.retryTimer === undefined && !this.stopping) {
      const at = Math.min(Math.max(r.retryAt, this.deps.now() + 100), r.resendDeadline);
      r.retryTimer = this.deps.session.timers.setTimeout(() => {
        r.retryTimer = undefined;
        if (r.resend.length > 0) this.ensureConnecting(r);
      }, Math.max(0, at - this.deps.now()));
    }
  }

  private bounceQueue(r: Route, condition: FailureCondition): void {
    for (const q of r.queue.splice(0)) this.bounce(q.e, condition, `${r.remote} could not be reached`, q.cb);
  }

  private bounce(e: XmlElement, condition: StanzaErrorCondition, text: string, cb?: RouteCallback): void {
    if (cb) return cb({ ok: false, condition, text });
    const reply = errorReply(e, condition, { text });
    if (reply) this.deps.deliverLocal(reply);
    else this.deps.logger.info({ stanza: e.name, type: e.attrs.type, condition }, 'dropped an undeliverable error/result stanza (never bounced)');
  }
}

import Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import type { DrachtioConfig } from '../../config/types';
import { DrachtioAuthError, DrachtioUnreachableError } from './link-errors';

export { DrachtioAuthError, DrachtioUnreachableError } from './link-errors';

export interface DrachtioLinkOptions {
  /** startGateway rejects when no authenticated connection exists by then (default 30 s). */
  readonly startTimeoutMs?: number;
  /** Reconnect delay: starts here, doubles per failed attempt, capped at maxDelayMs. */
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  /** A connection that stayed up this long resets the backoff (a flapping link keeps backing off). */
  readonly stableAfterMs?: number;
  /** Jitter source (tests pass a constant). */
  readonly random?: () => number;
}

export type LinkDownReason = 'closed' | 'protocol-error' | 'auth-refused' | 'stopped';

/** The connection to drachtio-server, supervised: srf never reconnects on its own. */
export interface DrachtioLink {
  readonly srf: Srf;
  isUp(): boolean;
  /** Called each time an authenticated connection is lost (requests in flight on it are in doubt). */
  onDown(cb: (reason: LinkDownReason) => void): void;
  onUp(cb: () => void): void;
  /** Stops reconnecting and closes the connection. */
  stop(): Promise<void>;
}

type Emitter = NodeJS.EventEmitter;

/**
 * Connects drachtio-srf to drachtio-server and keeps the link up.
 *
 * srf's own reconnect is switched off (`reconnect.maxAttempts: 1`) because it cannot be
 * trusted with this: its delay resets on every TCP connect, so after a wrong secret it
 * reconnects every ~260 ms forever (quirk Q10), it has no upper bound on the delay, and it
 * cannot be told to stop before the first connection exists. Instead each attempt is a fresh
 * `srf.connect()` (srf builds a new agent and re-registers the routes), with exponential
 * backoff, jitter and a cap, and at most one log line per attempt.
 *
 * Start: resolves on the first authenticated connection; rejects with DrachtioAuthError at
 * once on `NO|incorrect secret`, or with DrachtioUnreachableError after startTimeoutMs, and in
 * both cases stops every timer and socket it started so the process can exit. The rejection
 * is not logged here above debug: the caller logs it once (issue #14).
 * After a good start every loss is retried forever; a protocol error on the link (srf's
 * EFRAMING, see patches/README.md) is one log line, then the same reconnect.
 *
 * Outbound mode (drachtio-server dials us) has nothing to reconnect: srf listens.
 */
export function connectDrachtio(cfg: DrachtioConfig, log: Logger, opts: DrachtioLinkOptions = {}): Promise<DrachtioLink> {
  return cfg.mode === 'inbound' ? connectInbound(cfg, log, opts) : listenOutbound(cfg, log, opts);
}

function connectInbound(cfg: Extract<DrachtioConfig, { mode: 'inbound' }>, log: Logger, o: DrachtioLinkOptions): Promise<DrachtioLink> {
  const l = log.child({ component: 'drachtio' });
  const hostport = `${cfg.host}:${cfg.port}`;
  const startTimeoutMs = o.startTimeoutMs ?? 30_000;
  const initialDelayMs = o.initialDelayMs ?? 500;
  const maxDelayMs = o.maxDelayMs ?? 30_000;
  const stableAfterMs = o.stableAfterMs ?? 10_000;
  const random = o.random ?? Math.random;
  const srf = new Srf();
  const ev = srf as unknown as Emitter;
  const downCbs: ((r: LinkDownReason) => void)[] = [];
  const upCbs: (() => void)[] = [];

  type State = 'connecting' | 'up' | 'waiting' | 'stopped';
  let state: State = 'connecting';
  let started = false;
  let failures = 0; // consecutive failed attempts (drives the delay)
  let upSince = 0;
  let lastError: string | undefined;
  let protocolError = false;
  let authRefused = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let startTimer: NodeJS.Timeout | undefined;
  let settle: { resolve: (l: DrachtioLink) => void; reject: (e: Error) => void } | undefined;

  const link: DrachtioLink = {
    srf,
    isUp: () => state === 'up',
    onDown: (cb) => void downCbs.push(cb),
    onUp: (cb) => void upCbs.push(cb),
    stop: () => {
      const wasUp = state === 'up';
      shutdown();
      if (wasUp) fireDown('stopped');
      return Promise.resolve();
    },
  };

  function closeSocket(): void {
    try {
      srf.disconnect(); // ends the current socket, if any; srf will not retry (maxAttempts 1)
    } catch {
      // no socket yet (TCP connect still pending or already closed)
    }
  }

  function shutdown(): void {
    state = 'stopped';
    clearTimeout(retryTimer);
    clearTimeout(startTimer);
    closeSocket();
  }

  function fireDown(reason: LinkDownReason): void {
    for (const cb of downCbs) {
      try { cb(reason); } catch (e) { l.error({ err: String(e) }, 'drachtio link-down handler failed'); }
    }
  }

  function attempt(): void {
    if (state === 'stopped') return;
    state = 'connecting';
    lastError = undefined;
    protocolError = false;
    authRefused = false;
    srf.connect({ host: cfg.host, port: cfg.port, secret: cfg.secret, reconnect: { maxAttempts: 1 } } as unknown as Parameters<Srf['connect']>[0]);
  }

  /** The current attempt or connection ended; decide what comes next (exactly once per attempt). */
  function ended(): void {
    if (state === 'stopped' || state === 'waiting') return;
    const wasUp = state === 'up';
    if (wasUp && Date.now() - upSince >= stableAfterMs) failures = 0;
    failures += 1;
    const delay = nextDelay(failures);
    state = 'waiting';
    if (!started && authRefused) {
      // A wrong secret does not fix itself: fail the start now (issue #14), once. The rejection
      // carries the message and the caller logs it (the CLI: one fatal line), so only debug here.
      l.debug({ hostport }, 'drachtio-server refused authentication at start; giving up');
      shutdown();
      settle?.reject(new DrachtioAuthError(hostport));
      return;
    }
    const fields = { hostport, attempt: failures, retryInMs: delay, ...(lastError ? { err: lastError } : {}) };
    if (wasUp) {
      l.warn({ ...fields, reason: protocolError ? 'protocol-error' : authRefused ? 'auth-refused' : 'closed' },
        protocolError ? 'drachtio connection dropped after a protocol error; reconnecting' : 'drachtio connection lost; reconnecting');
      fireDown(protocolError ? 'protocol-error' : 'closed');
    } else if (authRefused) {
      l.error(fields, 'drachtio-server refused authentication (check gateway.drachtio.secret / DXG_DRACHTIO_SECRET); retrying');
    } else {
      l.warn(fields, 'drachtio-server connection attempt failed; retrying');
    }
    retryTimer = setTimeout(attempt, delay);
  }

  function nextDelay(n: number): number {
    const window = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(20, n - 1));
    return Math.round(window / 2 + (window / 2) * Math.min(1, Math.max(0, random())));
  }

  ev.on('connect', (err: Error | null, hp?: string, version?: string) => {
    if (state === 'stopped') return;
    if (err) {
      // srf reports `NO|incorrect secret` as 'failed to authenticate to server'; drachtio then
      // closes. Close our side too so a server that does not cannot hold the attempt open.
      authRefused = true;
      lastError = err.message;
      closeSocket();
      ended();
      return;
    }
    state = 'up';
    upSince = Date.now();
    l.info({ hostport, sipHostports: hp, version }, 'connected to drachtio-server');
    if (!started) {
      started = true;
      clearTimeout(startTimer);
      settle?.resolve(link);
      settle = undefined;
    } else {
      for (const cb of upCbs) cb();
    }
  });
  ev.on('error', (err: Error & { code?: string }) => {
    lastError = err.code ? `${err.code}: ${err.message}` : err.message;
    if (err.code === 'EFRAMING') protocolError = true;
  });
  ev.on('close', () => ended());

  return new Promise<DrachtioLink>((resolve, reject) => {
    settle = { resolve, reject };
    startTimer = setTimeout(() => {
      if (started) return;
      // Debug only: the rejection is logged once by the caller (issue #14: say it once).
      l.debug({ hostport, waitedMs: startTimeoutMs, ...(lastError ? { err: lastError } : {}) }, 'drachtio-server not reachable within startTimeout; giving up');
      shutdown();
      settle?.reject(new DrachtioUnreachableError(hostport, startTimeoutMs, lastError));
    }, startTimeoutMs);
    attempt();
  });
}

function listenOutbound(cfg: Extract<DrachtioConfig, { mode: 'outbound' }>, log: Logger, o: DrachtioLinkOptions): Promise<DrachtioLink> {
  const l = log.child({ component: 'drachtio' });
  const srf = new Srf();
  const ev = srf as unknown as Emitter;
  const downCbs: ((r: LinkDownReason) => void)[] = [];
  const upCbs: (() => void)[] = [];
  let up = false;
  let server: { close(cb?: () => void): void } | undefined;
  const startTimeoutMs = o.startTimeoutMs ?? 30_000;
  const link: DrachtioLink = {
    srf,
    isUp: () => up,
    onDown: (cb) => void downCbs.push(cb),
    onUp: (cb) => void upCbs.push(cb),
    stop: () => new Promise<void>((resolve) => {
      up = false;
      if (server) server.close(() => resolve());
      else resolve();
    }),
  };
  return new Promise((resolve, reject) => {
    let started = false;
    const timer = setTimeout(() => {
      if (started) return;
      l.error({ port: cfg.listen.port, waitedMs: startTimeoutMs }, 'drachtio-server did not connect to us; giving up');
      void link.stop();
      reject(new DrachtioUnreachableError(`listen ${cfg.listen.host ?? '0.0.0.0'}:${cfg.listen.port}`, startTimeoutMs, undefined));
    }, startTimeoutMs);
    ev.on('error', (err: Error) => l.warn({ err: err.message }, 'drachtio connection error'));
    ev.on('listening', () => l.info({ port: cfg.listen.port }, 'waiting for drachtio-server to connect'));
    ev.on('close', () => {
      if (!up) return;
      up = false;
      l.warn({}, 'drachtio-server connection closed');
      for (const cb of downCbs) cb('closed');
    });
    ev.on('connect', (err: Error | null) => {
      if (err) {
        l.error({ err: err.message }, 'drachtio-server connection refused authentication (check gateway.drachtio.secret / DXG_DRACHTIO_SECRET)');
        return;
      }
      up = true;
      l.info({}, 'drachtio-server connected');
      if (!started) {
        started = true;
        clearTimeout(timer);
        resolve(link);
      } else for (const cb of upCbs) cb();
    });
    server = (srf as unknown as { listen(o: object): { close(cb?: () => void): void } }).listen({
      port: cfg.listen.port, ...(cfg.listen.host ? { host: cfg.listen.host } : {}), secret: cfg.secret,
    });
  });
}

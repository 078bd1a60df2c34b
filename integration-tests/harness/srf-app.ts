/**
 * Connects a drachtio-srf `Srf` to a drachtio target (real server, test double,
 * or a wiretap in front of either) and takes it down again, every wait bounded.
 *
 * drachtio-srf 5.0.29 facts this relies on (golden traces, PROTOCOL-NOTES):
 * - routes registered BEFORE connect go out right after authentication; one
 *   added later makes srf re-send every route (Q5), so register them here;
 * - srf does not track route acks, so we count the server's 4-token
 *   `response|<id>|OK` frames on the wire-protocol 'msg' event (observation only);
 * - after a failed authentication srf reconnects forever (Q10): `stopReconnecting`.
 * The srf typings declare none of the verb methods (srf.message …) and only
 * a wrong form of srf.request; the narrow casts below are the ONE place we step
 * around them.
 */
import type net from 'node:net';
import type { EventEmitter } from 'node:events';
import Srf from 'drachtio-srf';

export interface AdminAddress {
  readonly adminHost: string;
  readonly adminPort: number;
  readonly secret: string;
}

export type SrfVerb = 'message' | 'subscribe' | 'options' | 'info' | 'notify' | 'publish' | 'register' | 'refer' | 'invite';
export type SrfHandler = (req: Srf.SrfRequest, res: Srf.SrfResponse) => void;

export interface ConnectSrfOptions {
  /** verb → handler, registered before connecting */
  readonly routes?: Partial<Record<SrfVerb, SrfHandler>>;
  /** bound for connect + route acks (default 5000 ms) */
  readonly timeoutMs?: number;
  readonly enablePing?: boolean;
  readonly pingInterval?: number;
}

export interface ConnectedSrf {
  readonly srf: Srf;
  readonly hostport: string;
  readonly serverVersion: string;
  readonly localHostports: string;
  /** 'error' events srf emitted (kept so none is lost, and so srf never throws for lack of a listener) */
  readonly errors: readonly Error[];
  /** srf.disconnect(), then waits for the socket to close (bounded); never reconnects afterwards. */
  disconnect(timeoutMs?: number): Promise<void>;
}

interface WireProtocolInternals extends EventEmitter {
  closing?: boolean;
  socket?: net.Socket;
  reconnectVars?: { retryTimer?: ReturnType<typeof setTimeout> | null };
}
interface AgentInternals {
  wp?: WireProtocolInternals;
  mapServer?: Map<net.Socket, unknown>;
  removeRoute(verb: string): void;
}

export function srfAgent(srf: Srf): AgentInternals | undefined {
  return (srf as unknown as { app: { client?: AgentInternals } }).app.client;
}

/** Registers a route handler (srf.message(h), srf.subscribe(h) …; missing from srf's typings). */
export function addSrfRoute(srf: Srf, verb: SrfVerb, handler: SrfHandler): void {
  (srf as unknown as Record<SrfVerb, (h: SrfHandler) => void>)[verb](handler);
}

/** The sockets srf currently holds to drachtio. */
export function srfSockets(srf: Srf): net.Socket[] {
  const a = srfAgent(srf);
  return [...(a?.mapServer?.keys() ?? []), ...(a?.wp?.socket ? [a.wp.socket] : [])];
}

/** Stops srf's reconnect loop (Q10) and closes whatever socket it has. */
export function stopReconnecting(srf: Srf): void {
  const wp = srfAgent(srf)?.wp;
  if (!wp) return;
  wp.closing = true;
  if (wp.reconnectVars?.retryTimer) clearTimeout(wp.reconnectVars.retryTimer);
  if (wp.reconnectVars) wp.reconnectVars.retryTimer = null;
  for (const s of srfSockets(srf)) s.destroy();
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms); });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Counts the server's plain `response|<id>|OK` frames (route / remove_route acks). */
function countRouteAcks(srf: Srf): () => number {
  let acks = 0;
  srfAgent(srf)?.wp?.on('msg', (_socket: unknown, msg: string) => {
    const t = msg.split('\r\n', 1)[0]?.split('|') ?? [];
    if (t.length === 4 && t[1] === 'response' && t[3] === 'OK') acks++;
  });
  return () => acks;
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() >= deadline) throw new Error(`timed out after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function connectSrf(target: AdminAddress, opts: ConnectSrfOptions = {}): Promise<ConnectedSrf> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const srf = new Srf();
  const errors: Error[] = [];
  srf.on('error', (e) => errors.push(e));
  const routes = Object.entries(opts.routes ?? {}) as [SrfVerb, SrfHandler][];
  for (const [verb, h] of routes) addSrfRoute(srf, verb, h);
  const connected = new Promise<[string, string, string]>((resolve, reject) => {
    (srf as unknown as EventEmitter).once('connect', (err: Error | null, hostport: string, version: string, local: string) => {
      if (err) reject(err); else resolve([hostport, version, local]);
    });
  });
  void srf.connect({
    host: target.adminHost, port: target.adminPort, secret: target.secret,
    ...(opts.enablePing ? { enablePing: true, pingInterval: opts.pingInterval ?? 5000 } : {}),
  } as Srf.SrfConfig);
  const acks = countRouteAcks(srf);
  let info: [string, string, string];
  try {
    info = await withTimeout(connected, timeoutMs, `drachtio connect to ${target.adminHost}:${target.adminPort}`);
    await until(() => acks() >= routes.length, timeoutMs, `acks for routes ${routes.map(([v]) => v).join(',')}`);
  } catch (e) {
    stopReconnecting(srf);
    throw e;
  }
  return {
    srf, errors, hostport: info[0], serverVersion: info[1], localHostports: info[2],
    disconnect: (ms = 2000) => disconnectSrf(srf, ms),
  };
}

/** Clean disconnect: end the socket, wait for 'close' (bounded), and make sure srf stays down. */
export async function disconnectSrf(srf: Srf, timeoutMs = 2000): Promise<void> {
  const sockets = srfSockets(srf).filter((s) => !s.destroyed);
  const closed = Promise.all(sockets.map((s) => new Promise<void>((r) => s.once('close', () => r()))));
  if (sockets.length > 0) {
    try { srf.disconnect(); } catch { /* no default socket: already gone */ }
  }
  try {
    await withTimeout(closed, timeoutMs, 'srf socket close');
  } finally {
    stopReconnecting(srf);
  }
}

/**
 * The operator's HTTP endpoint (issue #9):
 *   GET /metrics  Prometheus text format (prom-client registry)
 *   GET /healthz  200 while the process serves requests at all (liveness)
 *   GET /readyz   200 when every readiness check passes, else 503 with which failed
 *   GET /status   the live state as JSON (the CLI's `status`)
 *   POST /reload  re-read the configuration (the CLI's `partners`), with
 *                 `Authorization: Bearer <gateway.admin.token>`; refused when no
 *                 token is configured, since it changes what the gateway allows
 * It listens on 127.0.0.1 unless gateway.admin.host says otherwise.
 */
import { timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

export interface ReadinessCheck {
  readonly name: string;
  /** true when ready; may be slow (a store round trip), so it is bounded by checkTimeoutMs. */
  check(): boolean | Promise<boolean>;
}

export interface AdminServerOptions {
  readonly host: string;
  readonly port: number;
  readonly registry: Registry;
  readonly checks: readonly ReadinessCheck[];
  readonly logger: Logger;
  readonly checkTimeoutMs?: number;
  /** GET /status. */
  readonly status?: () => unknown;
  /** POST /reload: resolves with a report, rejects with why nothing changed. */
  readonly reload?: () => Promise<unknown>;
  readonly token?: string | undefined;
}

/** Constant-time comparison: the token must not leak through response timing. */
function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '', 'utf8');
  const want = Buffer.from(token, 'utf8');
  return given.length === want.length && timingSafeEqual(given, want);
}

export interface AdminServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

async function bounded(c: ReadinessCheck, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((r) => { timer = setTimeout(() => r(false), ms); });
  try {
    return await Promise.race([Promise.resolve().then(() => c.check()).catch(() => false), late]);
  } finally {
    clearTimeout(timer);
  }
}

export async function startAdminServer(o: AdminServerOptions): Promise<AdminServer> {
  const log = o.logger.child({ component: 'admin' });
  const timeoutMs = o.checkTimeoutMs ?? 2000;
  const send = (res: http.ServerResponse, status: number, type: string, body: string): void => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
  };
  const json = (res: http.ServerResponse, status: number, v: unknown): void => send(res, status, 'application/json', `${JSON.stringify(v)}\n`);

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/reload') {
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST');
        return json(res, 405, { error: 'method not allowed' });
      }
      req.resume(); // no body is read
      if (!o.reload) return json(res, 501, { error: 'this gateway was not started from a configuration file' });
      if (o.token === undefined) return json(res, 403, { error: 'no gateway.admin.token configured: reload over HTTP is off (send SIGHUP instead)' });
      if (!tokenMatches(req.headers.authorization, o.token)) {
        log.warn({ ip: req.socket.remoteAddress }, 'admin reload refused: wrong or missing token');
        return json(res, 401, { error: 'wrong or missing bearer token' });
      }
      void o.reload().then(
        (report) => json(res, 200, { reloaded: true, report }),
        (e: unknown) => json(res, 422, { reloaded: false, error: (e as Error).message }),
      );
      return undefined;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return json(res, 405, { error: 'method not allowed' });
    }
    if (path === '/status' && o.status) return json(res, 200, o.status());
    if (path === '/healthz') return json(res, 200, { alive: true });
    if (path === '/readyz') {
      void Promise.all(o.checks.map(async (c) => [c.name, await bounded(c, timeoutMs)] as const)).then((results) => {
        const checks = Object.fromEntries(results);
        const ready = results.every(([, ok]) => ok);
        json(res, ready ? 200 : 503, { ready, checks });
      });
      return undefined;
    }
    if (path === '/metrics') {
      void o.registry.metrics().then(
        (text) => send(res, 200, o.registry.contentType, text),
        (e: unknown) => {
          log.warn({ err: (e as Error).message }, 'metrics collection failed');
          json(res, 500, { error: 'metrics collection failed' });
        },
      );
      return undefined;
    }
    return json(res, 404, { error: 'not found', endpoints: ['/metrics', '/healthz', '/readyz', '/status', '/reload'] });
  });
  server.headersTimeout = 5000;
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address() as AddressInfo;
  log.info({ host: a.address, port: a.port }, 'admin endpoint listening (/metrics, /healthz, /readyz)');
  return {
    host: a.address,
    port: a.port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

import pino from 'pino';
import { Counter, Registry } from 'prom-client';
import { startAdminServer, type AdminServer, type ReadinessCheck } from './admin-server';

const silent = pino({ level: 'silent' });

async function get(s: AdminServer, path: string, method = 'GET'): Promise<{ status: number; type: string | null; body: string }> {
  const r = await fetch(`http://${s.host}:${s.port}${path}`, { method, signal: AbortSignal.timeout(5000) });
  return { status: r.status, type: r.headers.get('content-type'), body: await r.text() };
}

describe('admin endpoint: /metrics, /healthz, /readyz over HTTP on loopback (issue #9)', () => {
  let server: AdminServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const start = async (checks: ReadinessCheck[], registry = new Registry(), checkTimeoutMs = 2000) => {
    server = await startAdminServer({ host: '127.0.0.1', port: 0, registry, checks, logger: silent, checkTimeoutMs });
    return server;
  };

  it('serves the registry in the Prometheus text format', async () => {
    const registry = new Registry();
    new Counter({ name: 'dxg_test_total', help: 'a test counter', registers: [registry] }).inc(3);
    const r = await get(await start([], registry), '/metrics');
    expect(r.status).toBe(200);
    expect(r.type).toContain('text/plain');
    expect(r.body).toContain('# TYPE dxg_test_total counter\ndxg_test_total 3');
  });

  it('/healthz is 200 whatever the checks say (liveness, not readiness)', async () => {
    const r = await get(await start([{ name: 'drachtio', check: () => false }]), '/healthz');
    expect([r.status, JSON.parse(r.body)]).toEqual([200, { alive: true }]);
  });

  it('/readyz is 200 when every check passes and 503 naming the one that fails', async () => {
    let up = true;
    const s = await start([{ name: 'drachtio', check: () => up }, { name: 'presenceStore', check: async () => true }]);
    expect(JSON.parse((await get(s, '/readyz')).body)).toEqual({ ready: true, checks: { drachtio: true, presenceStore: true } });
    up = false;
    const r = await get(s, '/readyz');
    expect([r.status, JSON.parse(r.body)]).toEqual([503, { ready: false, checks: { drachtio: false, presenceStore: true } }]);
  });

  it('a check that throws or hangs counts as not ready, and the hanging one is cut off at the bound', async () => {
    const s = await start([
      { name: 'throws', check: () => { throw new Error('store gone'); } },
      { name: 'hangs', check: () => new Promise<boolean>(() => undefined) },
    ], new Registry(), 50);
    const r = await get(s, '/readyz');
    expect([r.status, JSON.parse(r.body)]).toEqual([503, { ready: false, checks: { throws: false, hangs: false } }]);
  });

  it('refuses other methods with 405 and unknown paths with 404', async () => {
    const s = await start([]);
    const post = await get(s, '/metrics', 'POST');
    expect(post.status).toBe(405);
    expect((await get(s, '/admin')).status).toBe(404);
  });
});

/**
 * The supervised drachtio link (adapters/drachtio/srf-connection.ts, issue #13) against the
 * drachtio target over loopback: the double, or a real drachtio-server with DRACHTIO=.
 *
 * - a wrong secret fails the start at once with DrachtioAuthError naming the settings;
 * - nothing listening: attempts back off (growing delay, one log line per attempt) and the
 *   start fails with DrachtioUnreachableError, leaving no timer or socket behind;
 * - a connection the server side cuts, or poisons with bytes outside any frame (srf's
 *   EFRAMING, patches/README.md), is one log line, link-down, then a fresh connection.
 * The cut and the poison need the double's hooks and are skipped against a real server.
 */
import net from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { DrachtioConfig } from '../../config/types';
import { connectDrachtio, DrachtioAuthError, DrachtioUnreachableError, type DrachtioLink, type LinkDownReason } from '../../adapters/drachtio/srf-connection';
import { startDrachtioTarget, type DrachtioTarget } from '../harness/drachtio-target';

type Line = Record<string, unknown> & { msg?: string; level?: number };

function memoryLogger(): { logger: pino.Logger; lines: Line[] } {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l) as Line);
      cb();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

const LIMITS = { maxOutstandingRequests: 8, maxQueuedRequests: 8, queueTimeoutMs: 1000, maxInboundRequests: 8, startTimeoutMs: 30_000 };
const inbound = (host: string, port: number, secret: string): DrachtioConfig => ({ mode: 'inbound', host, port, secret, limits: LIMITS });

/** A loopback port with nothing listening (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function until(what: string, cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let target: DrachtioTarget;
beforeAll(async () => { target = await startDrachtioTarget(); }, 30_000);
afterAll(async () => { await target?.stop(); }, 30_000);

describe('start failures name what to fix (issue #13, issue #14)', () => {
  it('a wrong secret rejects at once with DrachtioAuthError naming gateway.drachtio.secret and DXG_DRACHTIO_SECRET, one debug line, no error line (the caller logs it)', async () => {
    const { logger, lines } = memoryLogger();
    const t0 = Date.now();
    const err = await connectDrachtio(inbound(target.adminHost, target.adminPort, `${target.secret}-wrong`), logger, { startTimeoutMs: 20_000 })
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(DrachtioAuthError);
    expect((err as Error).message).toMatch(/gateway\.drachtio\.secret/);
    expect((err as Error).message).toMatch(/DXG_DRACHTIO_SECRET/);
    expect((err as Error).message).toContain(`${target.adminHost}:${target.adminPort}`);
    expect((err as Error).message).not.toContain(target.secret); // no secrets in messages
    expect(Date.now() - t0).toBeLessThan(10_000); // not the start timeout: a wrong secret does not fix itself
    // Said once, by whoever catches the rejection (the CLI's fatal line, issue #14): nothing at error level here, and no retry.
    expect(lines.filter((l) => (l.level ?? 0) >= 50)).toHaveLength(0);
    expect(lines.filter((l) => l.msg === 'drachtio-server refused authentication at start; giving up')).toHaveLength(1);
    expect(JSON.stringify(lines)).not.toContain(target.secret);
  }, 30_000);

  it('nothing listening: the delay between attempts grows (backoff), at most one log line per attempt, then DrachtioUnreachableError', async () => {
    const { logger, lines } = memoryLogger();
    const port = await closedPort();
    const err = await connectDrachtio(inbound('127.0.0.1', port, 'x'), logger, {
      startTimeoutMs: 2500, initialDelayMs: 100, maxDelayMs: 800, random: () => 1,
    }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(DrachtioUnreachableError);
    expect((err as Error).message).toMatch(/gateway\.drachtio\.host and gateway\.drachtio\.port/);
    const attempts = lines.filter((l) => l.msg === 'drachtio-server connection attempt failed; retrying');
    // 100, 200, 400, 800, 800 … ms: within 2.5 s that is 4–6 attempts, each with its own line
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    expect(attempts.length).toBeLessThanOrEqual(7);
    const delays = attempts.map((l) => Number(l.retryInMs));
    expect(delays.slice(0, 4)).toEqual([100, 200, 400, 800]);
    expect(attempts.map((l) => Number(l.attempt))).toEqual(attempts.map((_, i) => i + 1));
    // nothing left running: no further attempt is logged after the rejection
    const n = lines.length;
    await new Promise((r) => setTimeout(r, 1200));
    expect(lines.length).toBe(n);
  }, 30_000);
});

describe('a lost or broken connection is reconnected, not fatal (issue #13)', () => {
  let link: DrachtioLink | undefined;
  afterEach(async () => { await link?.stop(); link = undefined; });

  async function connected(): Promise<{ link: DrachtioLink; lines: Line[]; downs: LinkDownReason[]; ups: () => number }> {
    const { logger, lines } = memoryLogger();
    const l = await connectDrachtio(inbound(target.adminHost, target.adminPort, target.secret), logger, { initialDelayMs: 100, maxDelayMs: 400, random: () => 1 });
    const downs: LinkDownReason[] = [];
    let ups = 0;
    l.onDown((r) => downs.push(r));
    l.onUp(() => { ups += 1; });
    link = l;
    return { link: l, lines, downs, ups: () => ups };
  }

  const hooks = (): NonNullable<DrachtioTarget['hooks']> | undefined => {
    if (!target.hooks) {
      // eslint-disable-next-line no-console
      console.warn('skipped against a real drachtio-server: cutting its admin connection needs the double\'s hooks');
    }
    return target.hooks;
  };

  it('the server side cuts the admin connection: link-down "closed", one warn line, reconnected with the same srf', async () => {
    const h = hooks();
    if (!h) return;
    const c = await connected();
    expect(c.link.isUp()).toBe(true);
    expect(h.dropAppConnections()).toBeGreaterThanOrEqual(1);
    await until('link down', () => c.downs.length === 1, 5000);
    expect(c.downs).toEqual(['closed']);
    await until('reconnect', () => c.ups() === 1 && c.link.isUp(), 5000);
    expect(c.lines.filter((l) => l.msg === 'drachtio connection lost; reconnecting')).toHaveLength(1);
    expect(c.lines.filter((l) => l.msg === 'connected to drachtio-server')).toHaveLength(2);
  }, 30_000);

  it('bytes outside any frame (srf EFRAMING) do not end the process: link-down "protocol-error", one line, reconnected', async () => {
    const h = hooks();
    if (!h) return;
    const c = await connected();
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown): void => void uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      // The buffer srf held in the crash of issue #13: the tail of a 503, then the next frame.
      expect(h.writeRawToApps(Buffer.from('\r\nContent-Length: 0\r\n\r\n411#'))).toBe(1);
      await until('link down', () => c.downs.length === 1, 5000);
      expect(c.downs).toEqual(['protocol-error']);
      await until('reconnect', () => c.ups() === 1 && c.link.isUp(), 5000);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
    const dropped = c.lines.filter((l) => l.msg === 'drachtio connection dropped after a protocol error; reconnecting');
    expect(dropped).toHaveLength(1);
    expect(String(dropped[0]?.err)).toMatch(/EFRAMING/);
  }, 30_000);

  it('a flapping server keeps backing off: successive cuts that never let the link settle get growing delays', async () => {
    const h = hooks();
    if (!h) return;
    const c = await connected();
    for (let i = 1; i <= 3; i++) {
      h.dropAppConnections();
      await until(`reconnect ${i}`, () => c.ups() === i && c.link.isUp(), 5000);
    }
    const delays = c.lines.filter((l) => l.msg === 'drachtio connection lost; reconnecting').map((l) => Number(l.retryInMs));
    expect(delays).toEqual([100, 200, 400]);
  }, 30_000);
});

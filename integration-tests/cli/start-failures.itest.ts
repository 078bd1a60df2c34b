/**
 * Start-up and failure behaviour of the BUILT CLI (issue #14), as systemd, Docker or
 * Kubernetes see it: `node dist/bin/drachtio-xmpp-gateway.js start --config …` as a child
 * process against the drachtio target (the double, or a real drachtio-server with DRACHTIO=).
 *
 * - drachtio-server unreachable: exit 3 after gateway.drachtio.startTimeout, not later;
 * - wrong secret: exit 3 at once (not the start timeout), one line naming
 *   gateway.drachtio.secret / DXG_DRACHTIO_SECRET, no "timeout", no retry storm;
 * - transient loss after a good start: reconnects; with the server gone, a bounded number
 *   of log lines in a 30-s window (backoff), and SIGTERM still stops it with exit 0;
 * - SIGHUP while starting: one log line, ignored; after a good start: a reload of the
 *   configuration file (issue #9), one line per signal, the process keeps running.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDrachtioDouble } from '../drachtio-double';
import { startDrachtioTarget, type DrachtioTarget } from '../harness/drachtio-target';
import { buildCli, closedPort, startCli, writeGatewayConfig, type BuiltCli, type LogLine, type RunningCli } from './built-cli';

const EXIT_RUNTIME = 3;
const FATAL = 60;
const ERROR = 50;

let cli: BuiltCli;
let target: DrachtioTarget;
let dir: string;
let running: RunningCli | undefined;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dxg-cli-itest-'));
  [cli, target] = await Promise.all([buildCli(), startDrachtioTarget()]);
}, 240_000);
afterAll(async () => {
  cli?.cleanup();
  await target?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 30_000);
afterEach(async () => {
  running?.kill();
  if (running) await running.exited;
  running = undefined;
}, 15_000);

const msgs = (lines: readonly LogLine[]) => lines.map((l) => String(l.msg));
const text = (lines: readonly LogLine[]) => JSON.stringify(lines);

describe('a fatal start failure stops everything and exits 3 in bounded time (issue #14)', () => {
  it('drachtio-server unreachable: exit 3 once startTimeout (2 s) has passed and not much later, the fatal line and stderr name host/port, at most one line per attempt', async () => {
    const port = await closedPort();
    const config = await writeGatewayConfig(mkdtempSync(path.join(dir, 'unreach-')), { host: '127.0.0.1', port, secret: 'cymru' }, 2);
    running = startCli(cli, ['start', '--config', config]);
    const r = await running.exited;
    const lines = running.lines;
    expect(r.code).toBe(EXIT_RUNTIME);
    expect(r.ms).toBeGreaterThanOrEqual(2_000); // it did wait startTimeout for drachtio-server
    expect(r.ms).toBeLessThan(2_000 + 8_000); // node start-up plus stop, not minutes; the bin forces exit 5 s after main() at the latest
    const fatal = lines.filter((l) => (l.level ?? 0) >= ERROR);
    expect(fatal).toHaveLength(1); // said once
    expect(fatal[0]!.level).toBe(FATAL);
    expect(fatal[0]!.msg).toBe(`gateway failed to start: drachtio-server at 127.0.0.1:${port} could not be reached within 2 s (last error: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${port}) (check gateway.drachtio.host and gateway.drachtio.port, and that drachtio-server is running)`);
    expect(r.stderr).toBe(`drachtio-xmpp-gateway: cannot start: drachtio-server at 127.0.0.1:${port} could not be reached within 2 s (last error: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${port}) (check gateway.drachtio.host and gateway.drachtio.port, and that drachtio-server is running)\n`);
    // Backoff from 500 ms (jittered to 250–500 ms, doubling): at most 4 attempts fit in 2 s.
    const attempts = lines.filter((l) => l.msg === 'drachtio-server connection attempt failed; retrying');
    expect(attempts.length).toBeGreaterThanOrEqual(1);
    expect(attempts.length).toBeLessThanOrEqual(4);
    expect(attempts.map((l) => Number(l.attempt))).toEqual(attempts.map((_, i) => i + 1));
    expect(lines.length).toBeLessThanOrEqual(attempts.length + 6); // configuration loaded, not reachable, fatal, …
    expect(r.stdout).toBe(''); // nothing but JSON lines on stdout
  }, 30_000);

  it('SIGHUP while it waits for drachtio-server: one log line, no death by signal, still exit 3 after startTimeout', async () => {
    const port = await closedPort();
    const config = await writeGatewayConfig(mkdtempSync(path.join(dir, 'hup-start-')), { host: '127.0.0.1', port, secret: 'cymru' }, 3);
    const run = (running = startCli(cli, ['start', '--config', config]));
    await run.waitForLine((l) => l.msg === 'drachtio-server connection attempt failed; retrying', 10_000, 'the first connection attempt');
    run.child.kill('SIGHUP');
    const r = await run.exited;
    expect([r.code, r.signal]).toEqual([EXIT_RUNTIME, null]);
    expect(run.lines.filter((l) => l.msg === 'reload requested while the gateway is starting; ignored, the gateway keeps starting')).toHaveLength(1);
  }, 30_000);

  it('wrong secret: exit 3 at once although startTimeout is 30 s, one fatal line (and one stderr line) naming gateway.drachtio.secret / DXG_DRACHTIO_SECRET, never "timeout" nor a retry', async () => {
    const hostport = `${target.adminHost}:${target.adminPort}`;
    const config = await writeGatewayConfig(mkdtempSync(path.join(dir, 'secret-')), { host: target.adminHost, port: target.adminPort, secret: `${target.secret}-wrong` }, 30);
    running = startCli(cli, ['start', '--config', config]);
    const r = await running.exited;
    const lines = running.lines;
    expect(r.code).toBe(EXIT_RUNTIME);
    expect(r.ms).toBeLessThan(10_000); // well inside the 30-s window the issue counted 470 lines in
    expect(lines.filter((l) => (l.level ?? 0) >= ERROR).map((l) => l.msg)).toEqual([
      `gateway failed to start: drachtio-server at ${hostport} refused authentication: the secret is wrong (check gateway.drachtio.secret, or DXG_DRACHTIO_SECRET if it is set in the environment)`,
    ]);
    expect(r.stderr).toBe(`drachtio-xmpp-gateway: cannot start: drachtio-server at ${hostport} refused authentication: the secret is wrong (check gateway.drachtio.secret, or DXG_DRACHTIO_SECRET if it is set in the environment)\n`);
    expect(msgs(lines)).not.toContain('drachtio-server connection attempt failed; retrying');
    expect(lines.filter((l) => (l.level ?? 0) >= ERROR).map((l) => l.msg).join('\n') + r.stderr).not.toMatch(/time ?out|in time/i);
    expect(lines.length).toBeLessThanOrEqual(5);
    expect(text(lines) + r.stderr).not.toContain(`"${target.secret}-wrong"`); // the secret itself is never printed
  }, 30_000);

  it('wrong secret from DXG_DRACHTIO_SECRET: the same exit 3 at once (the variable wins over the file)', async () => {
    const config = await writeGatewayConfig(mkdtempSync(path.join(dir, 'envsecret-')), { host: target.adminHost, port: target.adminPort, secret: target.secret }, 30);
    running = startCli(cli, ['start', '--config', config], { env: { DXG_DRACHTIO_SECRET: 'not-the-secret' } });
    const r = await running.exited;
    expect(r.code).toBe(EXIT_RUNTIME);
    expect(r.ms).toBeLessThan(10_000);
    expect(r.stderr).toContain('DXG_DRACHTIO_SECRET');
    expect(r.stderr).not.toContain('not-the-secret');
  }, 30_000);
});

describe('after a good start (issue #14)', () => {
  it('SIGHUP reloads the configuration once per signal (issue #9) and the gateway keeps running; SIGTERM then exits 0', async () => {
    const config = await writeGatewayConfig(mkdtempSync(path.join(dir, 'hup-')), { host: target.adminHost, port: target.adminPort, secret: target.secret }, 10);
    const run = (running = startCli(cli, ['start', '--config', config]));
    await run.waitForLine((l) => l.msg === 'gateway started', 15_000, '"gateway started"');
    const hup = (l: LogLine) => l.msg === 'configuration reloaded';
    run.child.kill('SIGHUP');
    await run.waitForLine(hup, 5_000, 'the SIGHUP line');
    run.child.kill('SIGHUP');
    const deadline = Date.now() + 5_000;
    while (run.lines.filter(hup).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    expect(run.child.exitCode).toBeNull();
    expect(run.child.signalCode).toBeNull();
    expect(run.lines.filter(hup)).toHaveLength(2);
    run.child.kill('SIGTERM');
    const r = await run.exited;
    expect(r.code).toBe(0);
    // SIGTERM (issue #9): new SIP requests refused while in-flight ones finish, then the streams close.
    expect(msgs(run.lines).slice(-4)).toEqual(['stopping', 'shutting down: new SIP requests are answered 503 with Retry-After', 'gateway stopped', 'stopped']);
  }, 40_000);

  it('transient loss: a cut link reconnects; with drachtio-server gone, at most 8 log lines in a 30-s window (backoff 500 ms doubling), then SIGTERM exits 0 within 5 s', async () => {
    if (target.kind === 'real') {
      // eslint-disable-next-line no-console
      console.warn('skipped against a real drachtio-server: the test must cut and then stop the server');
      return;
    }
    // Our own double so that stopping it does not take the shared target away.
    const own = await startDrachtioDouble({ host: '127.0.0.1' });
    let ownStopped = false;
    try {
      const config = await writeGatewayConfig(mkdtempSync(path.join(dir, 'loss-')), { host: own.adminHost, port: own.adminPort, secret: own.secret }, 10);
      const run = (running = startCli(cli, ['start', '--config', config]));
      await run.waitForLine((l) => l.msg === 'gateway started', 15_000, '"gateway started"');
      const connected = () => run.lines.filter((l) => l.msg === 'connected to drachtio-server').length;
      expect(connected()).toBe(1);

      expect(own.hooks.dropAppConnections()).toBe(1);
      await run.waitForLine((l) => l.msg === 'drachtio connection lost; reconnecting', 5_000, 'the link-loss line');
      const deadline = Date.now() + 10_000;
      while (connected() < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(connected()).toBe(2);

      const before = run.lines.length;
      await own.stop();
      ownStopped = true;
      await new Promise((r) => setTimeout(r, 30_000));
      const window = run.lines.slice(before);
      expect(run.child.exitCode).toBeNull(); // a loss after a good start is not fatal
      // Minimum delays 250, 500, 1000, 2000, 4000, 8000, 16000 ms: 6 attempts end inside 30 s.
      expect(window.length).toBeGreaterThanOrEqual(2);
      expect(window.length).toBeLessThanOrEqual(8);
      const retries = window.filter((l) => typeof l.retryInMs === 'number').map((l) => Number(l.retryInMs));
      for (let i = 1; i < retries.length; i++) expect(retries[i]!).toBeGreaterThanOrEqual(retries[i - 1]!); // the delay grows
      expect(retries[retries.length - 1]!).toBeGreaterThan(retries[0]! * 4);

      const t0 = Date.now();
      run.child.kill('SIGTERM');
      const r = await run.exited;
      expect(r.code).toBe(0);
      expect(Date.now() - t0).toBeLessThan(5_000); // no retry timer keeps it alive
    } finally {
      if (!ownStopped) await own.stop();
    }
  }, 90_000);
});

/**
 * Golden traces S0: the admin connection itself (PROTOCOL-NOTES §2, §3.1): authenticate,
 * route ×2, a late route (srf re-sends every route, Q5), remove_route, ping/pong every
 * 5 s, clean close; and a wrong secret (`NO|incorrect secret`, server closes, srf
 * reconnects without end, Q10 — bounded here to AUTH_ATTEMPTS connections).
 */
import { expectTraceShape, startConformanceRun, stopConformanceRun, type ConformanceRun } from './conformance-run';
import { runAuthFailApp } from './apps/auth-fail';
import { runConnectPingApp } from './apps/connect-ping';

const AUTH_ATTEMPTS = 3;

describe('drachtio admin connection (golden traces S0)', () => {
  let run: ConformanceRun | undefined;
  afterEach(async () => { await stopConformanceRun(run); run = undefined; });

  it('s0_connect_routes_ping: routes, a late route, remove_route and two pings match the trace', async () => {
    run = await startConformanceRun();
    const r = await runConnectPingApp(run.admin);
    expect(r.hostport).toBe(`tcp/${run.target.sipHost}:${run.target.sipPort},udp/${run.target.sipHost}:${run.target.sipPort}`);
    expectTraceShape('s0_connect_routes_ping', run);
  }, 30_000);

  it(`s0_auth_failure: a wrong secret is refused and the connection closed, ${AUTH_ATTEMPTS} times in a row`, async () => {
    run = await startConformanceRun();
    const r = await runAuthFailApp(run.admin, AUTH_ATTEMPTS, 10_000);
    expect(r.errors).toEqual(Array.from({ length: AUTH_ATTEMPTS }, () => 'failed to authenticate to server'));
    // the server, not the app, ends each connection (end-from-srv before close in the capture)
    const ends = run.tap.events().filter((e) => e.event === 'end-from-srv').map((e) => e.conn);
    expect(ends.slice(0, AUTH_ATTEMPTS)).toEqual(Array.from({ length: AUTH_ATTEMPTS }, (_, i) => i + 1));
    expectTraceShape('s0_auth_failure', run, { maxConnections: AUTH_ATTEMPTS });
  });
});

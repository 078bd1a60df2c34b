/**
 * Port of app_connect_ping.js (golden trace S0): routes message + subscribe,
 * pings every 5 s (enablePing), adds an OPTIONS route 1 s after connecting
 * (srf re-sends every route, Q5), removes the MESSAGE route at 2 s and
 * disconnects at 11.5 s (two pings seen).
 */
import { connectSrf, addSrfRoute, srfAgent, type AdminAddress } from '../../harness/srf-app';
import { looseRes } from './srf-loose';

export interface ConnectPingRun {
  readonly serverVersion: string;
  readonly hostport: string;
  readonly localHostports: string;
}

const at = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runConnectPingApp(admin: AdminAddress): Promise<ConnectPingRun> {
  const conn = await connectSrf(admin, {
    enablePing: true, pingInterval: 5000,
    routes: { message: (_q, res) => looseRes(res).send(200), subscribe: (_q, res) => looseRes(res).send(489) },
  });
  const t0 = Date.now();
  await at(1000 - (Date.now() - t0));
  addSrfRoute(conn.srf, 'options', (_q, res) => looseRes(res).send(200));
  await at(2000 - (Date.now() - t0));
  srfAgent(conn.srf)?.removeRoute('message');
  await at(11_500 - (Date.now() - t0));
  await conn.disconnect();
  return { serverVersion: conn.serverVersion, hostport: conn.hostport, localHostports: conn.localHostports };
}

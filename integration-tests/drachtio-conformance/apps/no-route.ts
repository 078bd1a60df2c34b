/**
 * Port of app_no_route.js (golden trace S5a): routes only MESSAGE and records
 * any request that reaches the app; OPTIONS and INFO from the network must not
 * (drachtio answers 503 itself, Q12).
 */
import { connectSrf, type AdminAddress, type ConnectedSrf } from '../../harness/srf-app';
import { looseRes } from './srf-loose';

export interface NoRouteApp {
  readonly conn: ConnectedSrf;
  readonly reached: string[];
}

export async function startNoRouteApp(admin: AdminAddress): Promise<NoRouteApp> {
  const reached: string[] = [];
  const conn = await connectSrf(admin, {
    routes: { message: (req, res) => { reached.push(`${req.method} ${req.uri}`); looseRes(res).send(200); } },
  });
  conn.srf.use((req, _res, next) => { reached.push(`${req.method} ${req.uri}`); next(); });
  return { conn, reached };
}

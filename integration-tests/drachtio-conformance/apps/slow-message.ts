/**
 * Port of app_slow_message.js (golden trace S5b): answers an inbound MESSAGE
 * 200 only after `delayMs`; counts how many MESSAGEs reach the app while the
 * UAC retransmits (RFC 3261 §17.1.2.2 Timer E): drachtio absorbs them (Q11).
 */
import { connectSrf, type AdminAddress, type ConnectedSrf } from '../../harness/srf-app';
import { deferred, looseRes } from './srf-loose';

export interface SlowMessageApp {
  readonly conn: ConnectedSrf;
  /** MESSAGE requests seen so far */
  readonly count: () => number;
  /** first line of the echoed 200 */
  readonly echoed: Promise<string>;
}

export async function startSlowMessageApp(admin: AdminAddress, delayMs: number): Promise<SlowMessageApp> {
  let count = 0;
  const echo = deferred<string>();
  const conn = await connectSrf(admin, {
    routes: {
      message: (_req, res) => {
        count++;
        setTimeout(() => looseRes(res).send(200, (err, msg) => {
          if (err) echo.reject(err); else echo.resolve(msg.toString().split('\r\n')[0] ?? '');
        }), delayMs);
      },
    },
  });
  return { conn, count: () => count, echoed: echo.promise };
}

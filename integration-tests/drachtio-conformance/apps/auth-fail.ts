/**
 * Port of app_auth_fail.js (golden trace S0 auth): connects with a wrong secret.
 * drachtio answers `NO|incorrect secret` and closes; srf emits 'connect' with an
 * error and reconnects forever (Q10). The port stops after `attempts` failures.
 */
import type { EventEmitter } from 'node:events';
import Srf from 'drachtio-srf';
import { stopReconnecting, type AdminAddress } from '../../harness/srf-app';

export const WRONG_SECRET = 'not-the-secret';

export interface AuthFailRun {
  readonly errors: string[];
}

export function runAuthFailApp(admin: AdminAddress, attempts: number, timeoutMs: number): Promise<AuthFailRun> {
  const srf = new Srf();
  const errors: string[] = [];
  srf.on('error', () => undefined); // socket errors while reconnecting are expected here
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stopReconnecting(srf);
      reject(new Error(`only ${errors.length} of ${attempts} authentication failures within ${timeoutMs} ms`));
    }, timeoutMs);
    (srf as unknown as EventEmitter).on('connect', (err: Error | null) => {
      errors.push(err ? err.message : 'connected');
      if (errors.length >= attempts) {
        clearTimeout(timer);
        stopReconnecting(srf);
        // the server closes its side anyway; give the last close a moment to be recorded
        setTimeout(() => resolve({ errors }), 100);
      }
    });
    void srf.connect({ host: admin.adminHost, port: admin.adminPort, secret: WRONG_SECRET });
  });
}

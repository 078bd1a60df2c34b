/**
 * Why the drachtio link could not be started. The CLI maps both to exit code 3
 * (start failure); the messages name the setting an operator has to look at.
 */

/** drachtio-server answered `authenticate` with `NO|incorrect secret` (PROTOCOL-NOTES §3.1). */
export class DrachtioAuthError extends Error {
  readonly code = 'EDRACHTIOAUTH';
  constructor(readonly hostport: string) {
    super(
      `drachtio-server at ${hostport} refused authentication: the secret is wrong ` +
        '(check gateway.drachtio.secret, or DXG_DRACHTIO_SECRET if it is set in the environment)',
    );
    this.name = 'DrachtioAuthError';
  }
}

/** No authenticated connection within the start timeout (refused, unreachable or silent). */
export class DrachtioUnreachableError extends Error {
  readonly code = 'EDRACHTIOUNREACHABLE';
  constructor(readonly hostport: string, readonly waitedMs: number, readonly lastError: string | undefined) {
    super(
      `drachtio-server at ${hostport} could not be reached within ${Math.round(waitedMs / 1000)} s` +
        `${lastError ? ` (last error: ${lastError})` : ''} ` +
        '(check gateway.drachtio.host and gateway.drachtio.port, and that drachtio-server is running)',
    );
    this.name = 'DrachtioUnreachableError';
  }
}

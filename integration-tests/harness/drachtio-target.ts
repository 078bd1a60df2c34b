/**
 * The drachtio-server a SIP integration test talks to: a real one when the
 * environment names it (see env.ts), otherwise the in-process test double
 * (issue #4: drachtio-server cannot be installed on CI). Tests must run
 * unchanged against either; `kind` lets a test skip what only the double
 * can be asked to do (e.g. a short Timer F).
 */
import { startDrachtioDouble, type DoubleHooks, type DrachtioDouble, type DrachtioDoubleOptions } from '../drachtio-double';
import { drachtioEnv } from './env';

/** Where SIP tests find drachtio: the same shape as the double, plus which one it is. */
export interface DrachtioTarget extends Omit<DrachtioDouble, 'hooks'> {
  readonly kind: 'real' | 'double';
  /** The double's test hooks; undefined for a real drachtio-server (a test skips what needs them). */
  readonly hooks?: DoubleHooks;
}

/** Double options are ignored when a real server is configured. */
export async function startDrachtioTarget(opts: DrachtioDoubleOptions = {}): Promise<DrachtioTarget> {
  const env = drachtioEnv();
  if (env.kind === 'invalid') throw new Error(env.detail);
  if (env.kind === 'real') {
    return { kind: 'real', ...env.value, stop: () => Promise.resolve() };
  }
  const d = await startDrachtioDouble({ host: '127.0.0.1', ...opts });
  return {
    kind: 'double',
    adminHost: d.adminHost,
    adminPort: d.adminPort,
    secret: d.secret,
    sipHost: d.sipHost,
    sipPort: d.sipPort,
    hooks: d.hooks,
    stop: () => d.stop(),
  };
}

/** `host:port` of the target's SIP side, as SIPp's remote argument. */
export function sipAddress(t: Pick<DrachtioTarget, 'sipHost' | 'sipPort'>): string {
  return `${t.sipHost}:${t.sipPort}`;
}

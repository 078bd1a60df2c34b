/**
 * The ONE place in the drachtio/SIP test harness that reads process.env.
 *   DRACHTIO=host:port:secret   run SIP tests against that real drachtio-server (admin address + secret)
 *   DRACHTIO_SIP=host:port      the SIP address that server listens on (default <host>:5060)
 * Without DRACHTIO the tests start the drachtio-server test double.
 */

export interface RealDrachtioEnv {
  readonly adminHost: string;
  readonly adminPort: number;
  readonly secret: string;
  readonly sipHost: string;
  readonly sipPort: number;
}

export type DrachtioEnvResult =
  | { readonly kind: 'unset' }
  | { readonly kind: 'real'; readonly value: RealDrachtioEnv }
  | { readonly kind: 'invalid'; readonly detail: string };

function hostPort(s: string): { host: string; port: number } | null {
  const m = /^([^:]+):(\d{1,5})$/.exec(s);
  if (!m || m[1] === undefined || m[2] === undefined) return null;
  const port = Number(m[2]);
  return port > 0 && port < 65536 ? { host: m[1], port } : null;
}

/** Parses the variables (pure: pass the environment in; tests default to process.env). */
export function parseDrachtioEnv(env: Readonly<Record<string, string | undefined>>): DrachtioEnvResult {
  const raw = env.DRACHTIO;
  if (raw === undefined || raw === '') return { kind: 'unset' };
  const m = /^([^:]+):(\d{1,5}):(.+)$/.exec(raw); // the secret may itself contain ':'
  const admin = m && m[1] !== undefined && m[2] !== undefined ? hostPort(`${m[1]}:${m[2]}`) : null;
  if (!m || !admin || m[3] === undefined) return { kind: 'invalid', detail: `DRACHTIO must be host:port:secret, got ${JSON.stringify(raw)}` };
  const sipRaw = env.DRACHTIO_SIP;
  const sip = sipRaw === undefined || sipRaw === '' ? { host: admin.host, port: 5060 } : hostPort(sipRaw);
  if (!sip) return { kind: 'invalid', detail: `DRACHTIO_SIP must be host:port, got ${JSON.stringify(sipRaw)}` };
  return { kind: 'real', value: { adminHost: admin.host, adminPort: admin.port, secret: m[3], sipHost: sip.host, sipPort: sip.port } };
}

export function drachtioEnv(): DrachtioEnvResult {
  return parseDrachtioEnv(process.env);
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { err, ok, type Result } from '../plugin/core/result';
import { crossCheck } from './cross-checks';
import { checkFiles } from './file-checks';
import { attributeToEnv, zodIssuesToConfigIssues } from './format-issues';
import { configSchema } from './schema';
import type { ConfigIssue, GatewayConfig } from './types';

/**
 * The ONE module that reads process.env, and only for the config file path
 * and the two secrets (so they can come from a secret store instead of the
 * YAML). Callers and tests pass `env` explicitly.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export const ENV_CONFIG_FILE = 'DXG_CONFIG';
export const ENV_DRACHTIO_SECRET = 'DXG_DRACHTIO_SECRET';
export const ENV_DIALBACK_SECRET = 'DXG_DIALBACK_SECRET';
/** The Redis URL of the presence store may carry a password, so it may come from the environment. */
export const ENV_PRESENCE_REDIS_URL = 'DXG_PRESENCE_REDIS_URL';
/** gateway.admin.token: lets the CLI (partners …) ask a running gateway to reload. */
export const ENV_ADMIN_TOKEN = 'DXG_ADMIN_TOKEN';

export interface LoadOptions {
  /** Environment for the secret overrides; defaults to process.env. */
  readonly env?: Env;
  /** Read certificate, key and CA files and check they are usable PEM (default true). */
  readonly checkFiles?: boolean;
  /** Clock for the certificate-expiry check (default: now). */
  readonly now?: Date;
}

export interface LoadedConfig {
  readonly config: GatewayConfig;
  readonly warnings: readonly ConfigIssue[];
}

export interface ConfigFailure {
  readonly errors: readonly ConfigIssue[];
  readonly warnings: readonly ConfigIssue[];
}

/** The config file to use: the CLI's --config, else $DXG_CONFIG, else none. */
export function resolveConfigPath(cliPath: string | undefined, env: Env = process.env): string | undefined {
  if (cliPath !== undefined && cliPath !== '') return cliPath;
  const fromEnv = env[ENV_CONFIG_FILE];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined;
}

/** Reads, parses and validates a YAML file. Relative file paths inside it are resolved against its directory. */
export function loadConfigFile(file: string, opts: LoadOptions = {}): Result<LoadedConfig, ConfigFailure> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'read error';
    return err({ errors: [{ severity: 'error', path: file, message: `cannot read the configuration file (${code})` }], warnings: [] });
  }
  return parseConfigText(text, { ...opts, baseDir: path.dirname(path.resolve(file)), sourceName: file });
}

/** Parses YAML text (the file's contents) and validates it. */
export function parseConfigText(
  text: string,
  opts: LoadOptions & { readonly baseDir: string; readonly sourceName?: string },
): Result<LoadedConfig, ConfigFailure> {
  // uniqueKeys: a key given twice is an error, not "last one wins" (YAML 1.2 §3.2.1.1).
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const source = opts.sourceName ?? 'config';
  if (doc.errors.length > 0) {
    const errors = doc.errors.map((e): ConfigIssue => {
      const pos = e.linePos?.[0];
      return { severity: 'error', path: pos ? `${source}:${pos.line}:${pos.col}` : source, message: `YAML: ${e.message.split('\n')[0] ?? e.code}` };
    });
    return err({ errors, warnings: [] });
  }
  let raw: unknown;
  try {
    // maxAliasCount bounds alias expansion ("billion laughs").
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return err({ errors: [{ severity: 'error', path: source, message: `YAML: ${(e as Error).message}` }], warnings: [] });
  }
  return validateConfig(raw, opts);
}

/** Validates an already-parsed document (plain data) and returns a deeply frozen GatewayConfig. */
export function validateConfig(raw: unknown, opts: LoadOptions & { readonly baseDir: string }): Result<LoadedConfig, ConfigFailure> {
  const env = opts.env ?? process.env;
  const fromEnv = envSourcedPaths(env);
  // reportInput: an enum error echoes the bad value (format-issues.ts badEnumValue).
  const parsed = configSchema.safeParse(applySecretOverrides(raw, env), { reportInput: true });
  if (!parsed.success) return err({ errors: attributeToEnv(zodIssuesToConfigIssues(parsed.error.issues), fromEnv), warnings: [] });
  const config = resolvePaths(parsed.data, opts.baseDir);
  const issues = attributeToEnv([...crossCheck(config), ...(opts.checkFiles === false ? [] : checkFiles(config, opts.now ?? new Date()))], fromEnv);
  const errors = issues.filter((i) => i.severity === 'error');
  const warnings = issues.filter((i) => i.severity === 'warning');
  if (errors.length > 0) return err({ errors, warnings });
  return ok({ config: deepFreeze(config), warnings });
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Which config paths applySecretOverrides fills from the environment, so an error about one names the variable. */
function envSourcedPaths(env: Env): Record<string, string> {
  const set = (name: string) => env[name] !== undefined && env[name] !== '';
  return {
    ...(set(ENV_DRACHTIO_SECRET) ? { 'gateway.drachtio.secret': ENV_DRACHTIO_SECRET } : {}),
    ...(set(ENV_DIALBACK_SECRET) ? { 'gateway.s2s.dialbackSecret': ENV_DIALBACK_SECRET } : {}),
    ...(set(ENV_PRESENCE_REDIS_URL) ? { 'gateway.presence.store.url': ENV_PRESENCE_REDIS_URL } : {}),
    ...(set(ENV_ADMIN_TOKEN) ? { 'gateway.admin.token': ENV_ADMIN_TOKEN } : {}),
  };
}

/** Secrets from the environment win over the file; nothing else may come from the environment. */
function applySecretOverrides(raw: unknown, env: Env): unknown {
  const drachtioSecret = env[ENV_DRACHTIO_SECRET];
  const dialbackSecret = env[ENV_DIALBACK_SECRET];
  if (!isRecord(raw) || !isRecord(raw.gateway)) return raw;
  const gateway: Record<string, unknown> = { ...raw.gateway };
  if (drachtioSecret !== undefined && drachtioSecret !== '' && isRecord(gateway.drachtio)) {
    gateway.drachtio = { ...gateway.drachtio, secret: drachtioSecret };
  }
  if (dialbackSecret !== undefined && dialbackSecret !== '' && (gateway.s2s === undefined || isRecord(gateway.s2s))) {
    gateway.s2s = { ...(gateway.s2s ?? {}), dialbackSecret };
  }
  const redisUrl = env[ENV_PRESENCE_REDIS_URL];
  if (redisUrl !== undefined && redisUrl !== '') {
    const presence = isRecord(gateway.presence) ? gateway.presence : {};
    const store = isRecord(presence.store) ? presence.store : {};
    gateway.presence = { ...presence, store: { ...store, kind: 'redis', url: redisUrl } };
  }
  const adminToken = env[ENV_ADMIN_TOKEN];
  if (adminToken !== undefined && adminToken !== '' && isRecord(gateway.admin)) {
    gateway.admin = { ...gateway.admin, token: adminToken };
  }
  return { ...raw, gateway };
}

function resolvePaths(config: GatewayConfig, baseDir: string): GatewayConfig {
  const s2s = config.gateway.s2s;
  const presence = config.gateway.presence;
  return {
    ...config,
    gateway: {
      ...config.gateway,
      s2s: {
        ...s2s,
        certificates: s2s.certificates.map((c) => ({ ...c, key: path.resolve(baseDir, c.key), cert: path.resolve(baseDir, c.cert) })),
        caFile: s2s.caFile === undefined ? undefined : path.resolve(baseDir, s2s.caFile),
      },
      presence: { ...presence, store: presence.store.kind === 'sqlite' && presence.store.path !== ':memory:' ? { ...presence.store, path: path.resolve(baseDir, presence.store.path) } : presence.store },
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

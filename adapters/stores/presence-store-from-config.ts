import { statSync } from 'node:fs';
import type { PresenceStoreConfig } from '../../config/types';
import type { Log } from '../../plugin/use-cases/ports';
import type { PresenceStore } from '../../plugin/use-cases/presence-ports';
import { openRedisPresenceStore } from './redis-presence-store';
import { openSqlitePresenceStore } from './sqlite-presence-store';

/**
 * The presence store named by `gateway.presence.store` (issue #8): SQLite
 * (embedded, one node) or Redis (several nodes share it). bin/start-presence.ts
 * calls it once at start; a rejection stops the start with a message that
 * names the setting to fix. The Redis URL's password never appears in a
 * message or a log line (DEVELOPERS.md: no secrets in logs).
 */
export interface OpenPresenceStoreOptions {
  /** Longest wait for Redis to connect and answer (ms, default 5000). */
  readonly connectTimeoutMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

export async function openPresenceStore(cfg: PresenceStoreConfig, log: Log, opts: OpenPresenceStoreOptions = {}): Promise<PresenceStore> {
  if (cfg.kind === 'sqlite') {
    let store: PresenceStore;
    try {
      // Creates the parent directory (0750) and the file (0600) when missing: sqlite-presence-store.ts.
      store = openSqlitePresenceStore({ path: cfg.path });
    } catch (e) {
      throw new Error(`gateway.presence.store.path: cannot open the SQLite presence store at ${cfg.path} (${(e as Error).message})`);
    }
    warnIfReadableByOthers(cfg.path, log);
    log.info({ store: 'sqlite', path: cfg.path }, 'presence store open');
    return store;
  }
  const shown = redactUrl(cfg.url);
  let store: PresenceStore;
  try {
    store = await openRedisPresenceStore({
      url: cfg.url,
      keyPrefix: cfg.keyPrefix,
      log,
      connectTimeoutMs: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    });
  } catch (e) {
    throw new Error(`gateway.presence.store.url (${shown}): ${scrubPassword((e as Error).message, cfg.url)}`);
  }
  log.info({ store: 'redis', url: shown, keyPrefix: cfg.keyPrefix }, 'presence store open');
  return store;
}

/**
 * An existing file keeps the mode the operator gave it (only a new one is
 * created 0600); say so when others may read who watches whom.
 */
function warnIfReadableByOthers(file: string, log: Log): void {
  if (file === ':memory:') return;
  try {
    const mode = statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      log.warn({ path: file, mode: mode.toString(8) }, 'presence store file is accessible to group/others; it names who watches whom (chmod 600)');
    }
  } catch {
    // Opened a moment ago; a stat failure here changes nothing about the store.
  }
}

/** The URL with its password replaced by "***" (redis://user:secret@host → redis://user:***@host). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password === '') return url;
    u.password = '***';
    return u.toString();
  } catch {
    // Not a URL the WHATWG parser takes: cut everything between "//" and "@".
    return url.replace(/^([a-z]+:\/\/)[^/]*@/i, '$1***@');
  }
}

/** `text` with every form of the URL's password (as written and percent-decoded) replaced by "***". */
function scrubPassword(text: string, url: string): string {
  let password = '';
  try {
    password = new URL(url).password;
  } catch {
    return text.split(url).join(redactUrl(url));
  }
  if (password === '') return text;
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    // Keep the raw form only.
  }
  let out = text;
  for (const p of new Set([password, decoded])) out = out.split(p).join('***');
  return out;
}

/**
 * A private Prosody 0.12 instance (Debian package) on a 127.0.30.x address.
 *
 * `prosody --config <private cfg> -F` runs in the foreground as the
 * `prosody` user, spawned as that user directly: the pid we hold is the Lua
 * VM itself. Users are created with
 * `prosodyctl --config <cfg> register` before the first start (it writes the
 * storage files directly), so registration needs no running server.
 *
 * Prosody resolves names with lua-unbound from /etc/hosts, read ONCE at
 * start: map every lab name (hosts.ts) before startProsody().
 *
 * Modes (shared notes table):
 *   dialback: s2s_require_encryption = true, s2s_secure_auth = false (STARTTLS, then XEP-0220)
 *   strict:   s2s_secure_auth = true, ssl.cafile = lab CA (+ extraTrustedCa)
 *   plain:    s2s_require_encryption = false, s2s_allow_encryption = false
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeCaBundle } from './lab-ca';
import {
  START_TIMEOUT_MS, assertPortFree, chownTree, labRunDir, readLogFiles, renderTemplate, requireRoot, runBounded, superviseSpawn,
  systemUser, trackActive, waitForPort, type PeerHandle, type PeerMode, type PeerOptions, type RunResult, type Supervised,
} from './xmpp-peers';

const PROSODY = '/usr/bin/prosody';
const PROSODYCTL = '/usr/bin/prosodyctl';

const MODE_OPTIONS: Record<PeerMode, string> = {
  dialback: 's2s_require_encryption = true\ns2s_secure_auth = false',
  strict: 's2s_require_encryption = true\ns2s_secure_auth = true',
  plain: 's2s_require_encryption = false\ns2s_allow_encryption = false\ns2s_secure_auth = false',
};

export interface ProsodyHandle extends PeerHandle {
  /** Runs `prosodyctl --config <cfg> <args>` as the prosody user (bounded, 30 s). */
  ctl(args: readonly string[]): Promise<RunResult>;
}

export async function startProsody(opts: PeerOptions): Promise<ProsodyHandle> {
  requireRoot('startProsody');
  if (!opts.address.startsWith('127.')) throw new Error(`lab peers bind loopback only; got ${opts.address}`);
  const c2sPort = opts.c2sPort ?? 5223;
  const s2sPort = opts.s2sPort ?? 5269;
  const { uid, gid } = systemUser('prosody');
  const dir = fs.mkdtempSync(path.join(labRunDir(), `prosody-${opts.domain}-`));
  fs.chmodSync(dir, 0o755);
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir);
  fs.mkdirSync(path.join(dir, 'certs'));
  const logFile = path.join(dir, 'prosody.log');
  const consoleFile = path.join(dir, 'console.log');
  const cfgFile = path.join(dir, 'prosody.cfg.lua');
  const leaf = opts.pki.leaf(opts.domain);

  const caFile = opts.mode === 'strict'
    ? writeCaBundle(path.join(dir, 'trusted-ca.pem'), [opts.pki.ca.certFile, ...(opts.extraTrustedCa ? [opts.extraTrustedCa] : [])])
    : undefined;
  fs.writeFileSync(cfgFile, renderTemplate('prosody.cfg.lua.tmpl', {
    MODE: opts.mode,
    DATA_DIR: dataDir,
    CERTS_DIR: path.join(dir, 'certs'),
    ADDRESS: opts.address,
    C2S_PORT: String(c2sPort),
    S2S_PORT: String(s2sPort),
    LOG_LEVEL: process.env.DXG_LAB_DEBUG ? 'debug' : 'info',
    LOG_FILE: logFile,
    MODE_OPTIONS: MODE_OPTIONS[opts.mode],
    CERT_FILE: leaf.certFile,
    KEY_FILE: leaf.keyFile,
    // Without cafile Prosody trusts only the system store, so the lab CA is untrusted (dialback mode).
    SSL_EXTRA: caFile ? `\tcafile = "${caFile}";` : '',
    DOMAIN: opts.domain,
  }));
  chownTree(dir, uid, gid);

  const env = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: dir, LANG: 'C.UTF-8' };
  const ctl = (args: readonly string[]): Promise<RunResult> =>
    runBounded(PROSODYCTL, ['--config', cfgFile, ...args], { uid, gid, env, cwd: dir, timeoutMs: 30_000 });

  for (const u of opts.users) {
    const r = await ctl(['register', u.user, opts.domain, u.password]);
    if (r.code !== 0) throw new Error(`prosodyctl register ${u.user}@${opts.domain} failed (${r.code}): ${r.stdout}${r.stderr}`);
  }

  let proc: Supervised | undefined;
  const readLogs = (): string => readLogFiles(logFile, consoleFile);

  async function start(): Promise<void> {
    await assertPortFree(opts.address, c2sPort);
    await assertPortFree(opts.address, s2sPort);
    const p = superviseSpawn(PROSODY, ['--config', cfgFile, '-F'], { uid, gid, env, cwd: dir, consoleFile, instanceDir: dir });
    proc = p;
    try {
      await waitForPort(opts.address, s2sPort, START_TIMEOUT_MS, p.alive);
      await waitForPort(opts.address, c2sPort, START_TIMEOUT_MS, p.alive);
    } catch (e) {
      await stopWith('SIGKILL');
      throw new Error(`prosody ${opts.domain} did not start: ${(e as Error).message}\n${readLogs().split('\n').slice(-40).join('\n')}`);
    }
  }

  async function stopWith(sig: NodeJS.Signals): Promise<void> {
    const p = proc;
    if (!p) return;
    await p.stop(sig);
    proc = undefined;
  }
  const untrack = trackActive(() => stopWith('SIGTERM'));

  await start();
  return {
    kind: 'prosody', domain: opts.domain, address: opts.address, mode: opts.mode, c2sPort, s2sPort,
    c2sService: `xmpps://${opts.address}:${c2sPort}`, caPem: opts.pki.ca.certPem, instanceDir: dir, logFile,
    stop: async () => { await stopWith('SIGTERM'); untrack(); },
    restart: async () => { await stopWith('SIGTERM'); await start(); },
    kill: () => stopWith('SIGKILL'),
    logs: readLogs,
    ctl,
  };
}

/**
 * A private ejabberd 23.01 instance (Debian package) on a 127.0.30.x address.
 *
 * Everything goes through /usr/sbin/ejabberdctl with this instance's own
 * --config-dir/--logs/--spool and ejabberdctl.cfg (node name, epmd-less
 * distribution port bound to the lab address). ejabberdctl insists on
 * running as the `ejabberd` user; we spawn it as that user directly (no su),
 * so the process we start is the group leader of the BEAM it runs and
 * teardown can signal exactly that group.
 *
 * Modes (shared notes table):
 *   dialback: s2s_use_starttls optional, no ca_file, mod_s2s_dialback (lets an unverifiable cert through)
 *   strict:   s2s_use_starttls required, ca_file = lab CA (+ extraTrustedCa), no mod_s2s_dialback
 *   plain:    s2s_use_starttls false, mod_s2s_dialback
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeCaBundle } from './lab-ca';
import {
  START_TIMEOUT_MS, assertPortFree, chownTree, labRunDir, readLogFiles, recordLabPid, renderTemplate, requireRoot, runBounded,
  superviseSpawn, systemUser, trackActive, waitForPort,
  type PeerHandle, type PeerMode, type PeerOptions, type RunResult, type Supervised,
} from './xmpp-peers';

const EJABBERDCTL = '/usr/sbin/ejabberdctl';

const STARTTLS: Record<PeerMode, string> = { dialback: 'optional', strict: 'required', plain: 'false' };

function octets(address: string): number[] {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts[0] !== 127 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`lab peers bind loopback only; got address ${address}`);
  }
  return parts;
}

export interface EjabberdHandle extends PeerHandle {
  /** Runs `ejabberdctl <args>` against this instance (bounded, 30 s). */
  ctl(args: readonly string[]): Promise<RunResult>;
}

export async function startEjabberd(opts: PeerOptions): Promise<EjabberdHandle> {
  requireRoot('startEjabberd');
  const ip = octets(opts.address);
  const c2sPort = opts.c2sPort ?? 5223;
  const s2sPort = opts.s2sPort ?? 5269;
  const { uid, gid } = systemUser('ejabberd');
  const dir = fs.mkdtempSync(path.join(labRunDir(), `ejabberd-${opts.domain}-`));
  fs.chmodSync(dir, 0o755);
  const etc = path.join(dir, 'etc');
  const spool = path.join(dir, 'spool');
  const logsDir = path.join(dir, 'logs');
  for (const d of [etc, spool, logsDir, path.join(dir, 'contrib', 'conf')]) fs.mkdirSync(d, { recursive: true });
  const logFile = path.join(logsDir, 'ejabberd.log');
  const consoleFile = path.join(logsDir, 'console.log');
  const pidFile = path.join(dir, 'ejabberd.pid');
  const distPort = 26000 + (ip[3] ?? 0);
  const leaf = opts.pki.leaf(opts.domain);

  const caFile = opts.mode === 'strict'
    ? writeCaBundle(path.join(etc, 'trusted-ca.pem'), [opts.pki.ca.certFile, ...(opts.extraTrustedCa ? [opts.extraTrustedCa] : [])])
    : undefined;
  fs.writeFileSync(path.join(etc, 'ejabberd.yml'), renderTemplate('ejabberd.yml.tmpl', {
    MODE: opts.mode,
    DOMAIN: opts.domain,
    ADDRESS: opts.address,
    C2S_PORT: String(c2sPort),
    S2S_PORT: String(s2sPort),
    LOG_LEVEL: process.env.DXG_LAB_DEBUG ? 'debug' : 'info',
    CERT_FILE: leaf.certFile,
    KEY_FILE: leaf.keyFile,
    CA_FILE_LINE: caFile ? `ca_file: "${caFile}"` : '# no ca_file: the lab CA stays untrusted',
    S2S_USE_STARTTLS: STARTTLS[opts.mode],
    EXTRA_MODULES: opts.mode === 'strict' ? '  # no mod_s2s_dialback: PKIX (SASL EXTERNAL) only' : '  mod_s2s_dialback: {}',
  }));
  fs.writeFileSync(path.join(etc, 'ejabberdctl.cfg'), renderTemplate('ejabberdctl.cfg.tmpl', {
    NODE: `lab${ip[3]}@${opts.address}`,
    DIST_PORT: String(distPort),
    DIST_INTERFACE: `{${ip.join(',')}}`,
    PID_FILE: pidFile,
    INSTANCE_DIR: dir,
  }));
  fs.copyFileSync(path.join(__dirname, '..', 'peers', 'inetrc'), path.join(etc, 'inetrc'));
  chownTree(dir, uid, gid);

  const env = {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: dir, // the Erlang cookie lands here, not in /var/lib/ejabberd
    LANG: 'C.UTF-8',
    // Anything that still asks epmd asks a port where none runs (never the host's 4369).
    ERL_EPMD_PORT: String(distPort + 100),
  };
  const ctlPrefix = ['--config-dir', etc, '--logs', logsDir, '--spool', spool];
  const ctl = (args: readonly string[]): Promise<RunResult> =>
    runBounded(EJABBERDCTL, [...ctlPrefix, ...args], { uid, gid, env, cwd: spool, timeoutMs: 30_000 });

  let proc: Supervised | undefined;
  let beamPid: number | undefined;
  const readLogs = (): string => readLogFiles(logFile, consoleFile);

  async function start(): Promise<void> {
    await assertPortFree(opts.address, c2sPort);
    await assertPortFree(opts.address, s2sPort);
    await assertPortFree(opts.address, distPort);
    if (fs.existsSync(pidFile)) fs.rmSync(pidFile);
    const p = superviseSpawn(EJABBERDCTL, [...ctlPrefix, 'foreground'], { uid, gid, env, cwd: spool, consoleFile, instanceDir: dir });
    proc = p;
    try {
      await waitForPort(opts.address, s2sPort, START_TIMEOUT_MS, p.alive);
      await waitForPort(opts.address, c2sPort, START_TIMEOUT_MS, p.alive);
    } catch (e) {
      await stopWith('SIGKILL');
      throw new Error(`ejabberd ${opts.domain} did not start: ${(e as Error).message}\n${tail(readLogs())}`);
    }
    // The BEAM is in the leader's process group; its pid lets stop() wait for the real shutdown
    // (ejabberdctl's shell dies on SIGTERM at once, the BEAM takes ~3 s to stop gracefully).
    beamPid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').trim()) || undefined : undefined;
    if (beamPid) recordLabPid(beamPid, dir);
  }

  async function stopWith(sig: NodeJS.Signals): Promise<void> {
    const p = proc;
    if (!p) return;
    await p.stop(sig, beamPid ? [beamPid] : []);
    proc = undefined;
    beamPid = undefined;
  }
  const untrack = trackActive(() => stopWith('SIGTERM'));
  const kill = (): Promise<void> => stopWith('SIGKILL');

  await start();
  try {
    const results = await Promise.all(opts.users.map((u) => ctl(['register', u.user, opts.domain, u.password])));
    const failed = results.find((r) => r.code !== 0);
    if (failed) throw new Error(`ejabberdctl register failed (${failed.code}): ${failed.stdout}${failed.stderr}`);
  } catch (e) {
    await kill();
    untrack();
    throw e;
  }

  return {
    kind: 'ejabberd', domain: opts.domain, address: opts.address, mode: opts.mode, c2sPort, s2sPort,
    c2sService: `xmpps://${opts.address}:${c2sPort}`, caPem: opts.pki.ca.certPem, instanceDir: dir, logFile,
    stop: async () => { await stopWith('SIGTERM'); untrack(); },
    restart: async () => { await stopWith('SIGTERM'); await start(); },
    kill,
    logs: readLogs,
    ctl,
  };
}

function tail(text: string, lines = 40): string {
  return text.split('\n').slice(-lines).join('\n');
}

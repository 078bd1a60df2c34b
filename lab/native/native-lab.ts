/**
 * The compose lab's topology without Docker (issue #9): drachtio, the gateway,
 * an ejabberd peer and the lab's SIP user agent, all on this machine's
 * loopback.
 *
 *   drachtio   a real drachtio-server when DRACHTIO=host:port:secret (and
 *              DRACHTIO_SIP=host:port) name one, else the test double
 *              (integration-tests/drachtio-double); the lab says which.
 *   gateway    bin/start-gateway.ts with lab/gateway.yaml (lab-gateway-config.ts
 *              points its network keys at loopback).
 *   ejabberd   the Debian package (scripts/install-test-deps.sh), domain
 *              xmpp.lab on 127.0.40.2, users romeo and juliet (password
 *              "secret", as in docker-compose.yml), dialback posture like the
 *              compose lab's ejabberd.
 *   sip-ua     sipp with lab/sipp/uas-message.xml, the gateway's SIP proxy:
 *              answers each MESSAGE 200 and hands it to `onSipMessage`.
 *
 * Names resolve through tagged /etc/hosts lines (sip.lab, xmpp.lab), removed
 * on stop. Needs root (ejabberd runs as its own user; /etc/hosts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import pino from 'pino';
import { main } from '../../bin/cli';
import { startGateway, type RunningGateway } from '../../bin/start-gateway';
import { startDrachtioTarget, type DrachtioTarget } from '../../integration-tests/harness/drachtio-target';
import { startEjabberd } from '../../integration-tests/harness/ejabberd';
import { mapHosts, type HostsMapping } from '../../integration-tests/harness/hosts';
import { labPki } from '../../integration-tests/harness/lab-ca';
import { allocatePort } from '../../integration-tests/harness/local-ports';
import { startSippUas, type SippUas } from '../../integration-tests/harness/sipp';
import { tracedMessages, type TracedSip } from '../../integration-tests/im-e2e/sip-side';
import { connectClient, type LabClient } from '../../integration-tests/harness/xmpp-client';
import { labRunDir, requireRoot, stopAllPeers, waitForPort, type PeerHandle } from '../../integration-tests/harness/xmpp-peers';
import { LAB_DIR, NATIVE, nativeGatewayYaml } from './lab-gateway-config';

export const LAB_USERS = [{ user: 'romeo', password: 'secret' }, { user: 'juliet', password: 'secret' }] as const;
/** The lab's sipp UAS: at most this many MESSAGEs and this long, then a fresh one. */
const SIP_UA_CALLS = 100_000;
const SIP_UA_LIFETIME_MS = 8 * 3600_000;
const POLL_MS = 25;

export interface NativeLab {
  readonly drachtio: DrachtioTarget;
  readonly gateway: RunningGateway;
  readonly ejabberd: PeerHandle;
  /** The configuration the gateway runs with (lab/gateway.yaml, loopback keys rewritten). */
  readonly configFile: string;
  readonly sipUaPort: number;
  /** The lab CA that signed ejabberd's certificate (for an XMPP client to trust). */
  readonly caFile: string;
  /** The gateway's admin endpoint, e.g. http://127.0.40.1:9464 (/metrics, /healthz, /readyz). */
  readonly adminUrl: string;
  /** What SIGHUP does to the running gateway: reload its configuration file. */
  sighup(): void;
  /** The next request the lab's SIP UA received (from its -trace_msg log), bounded. */
  nextSipMessage(timeoutMs: number): Promise<TracedSip>;
  stop(): Promise<void>;
}

export interface NativeLabOptions {
  /** Where the gateway's JSON log goes; default stdout. */
  readonly logFile?: string;
  /** gateway.admin port; default 9464, as in the compose lab. */
  readonly adminPort?: number;
  /** gateway.admin.token (POST /reload); default none. */
  readonly adminToken?: string;
}

/**
 * The lab's SIP UA: one sipp UAS answering up to SIP_UA_CALLS MESSAGEs, started again if it
 * exits before the lab stops. `next` reads its live -trace_msg log for the next request.
 */
function sipUserAgent(port: number): { next(timeoutMs: number): Promise<TracedSip>; stop(): Promise<void> } {
  let stopped = false;
  let consumed = 0;
  let current: Promise<SippUas>;
  const start = (): Promise<SippUas> => {
    consumed = 0;
    const p = startSippUas({
      scenario: path.join(LAB_DIR, 'sipp', 'uas-message.xml'), localPort: port, timeoutMs: SIP_UA_LIFETIME_MS,
      extraArgs: ['-m', String(SIP_UA_CALLS)], // after the harness's own -m 1: SIPp takes the last one
    });
    void p.then((u) => u.done.then(() => { if (!stopped) current = start(); }), () => undefined);
    return p;
  };
  current = start();
  return {
    async next(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (let i = 0; i < Math.ceil(timeoutMs / POLL_MS) + 1; i++) {
        const requests = tracedMessages((await current).traceSoFar()).filter((m) => m.direction === 'received' && !m.startLine.startsWith('SIP/2.0'));
        const r = requests[consumed];
        if (r) {
          consumed += 1;
          return r;
        }
        if (Date.now() >= deadline) break;
        await new Promise((res) => setTimeout(res, POLL_MS));
      }
      throw new Error(`the lab SIP UA received no new request in ${timeoutMs} ms`);
    },
    async stop() {
      stopped = true;
      const uas = await current.catch(() => undefined);
      await uas?.stop();
    },
  };
}

/**
 * The gateway as an operator runs it: the CLI's `start` (bin/cli.ts main) on the
 * configuration file, in this process, so SIGHUP-style reloads and the admin
 * endpoint behave as in production. Resolves once it serves, with its handle.
 */
async function startViaCli(configFile: string, logFile: string | undefined): Promise<{ gateway: RunningGateway; sighup(): void; stop(): Promise<void> }> {
  let hup: (() => void) | undefined;
  let shutdown: ((reason: string) => void) | undefined;
  const stopped = new Promise<string>((r) => { shutdown = r; });
  let started: ((g: RunningGateway) => void) | undefined;
  const up = new Promise<RunningGateway>((r) => { started = r; });
  let stderr = '';
  const exit = main(['start', '--config', configFile], {
    stdout: process.stdout,
    stderr: { write: (s: string) => { stderr += s; return true; } },
    env: {},
    ...(logFile ? { logDestination: pino.destination({ dest: logFile, sync: true, mkdir: true }) } : {}),
    startGateway: async (c, l, opts) => {
      const g = await startGateway(c, l, opts);
      started?.(g);
      return g;
    },
    waitForShutdown: () => stopped,
    onReloadRequest: (cb) => { hup = cb; return () => { hup = undefined; }; },
  });
  const gateway = await Promise.race([up, exit.then((code) => { throw new Error(`the gateway exited ${code} at start: ${stderr.trim()}`); })]);
  return {
    gateway,
    sighup: () => hup?.(),
    async stop() {
      shutdown?.('lab stopped');
      await exit;
    },
  };
}

export async function startNativeLab(o: NativeLabOptions): Promise<NativeLab> {
  requireRoot('the native lab');
  const hosts: HostsMapping = mapHosts([
    { name: NATIVE.gateway.domain, address: NATIVE.gateway.address },
    { name: NATIVE.ejabberd.domain, address: NATIVE.ejabberd.address },
  ]);
  let drachtio: DrachtioTarget | undefined;
  let gw: Awaited<ReturnType<typeof startViaCli>> | undefined;
  let ua: ReturnType<typeof sipUserAgent> | undefined;
  const stop = async (): Promise<void> => {
    await gw?.stop().catch(() => undefined);
    await ua?.stop().catch(() => undefined);
    await stopAllPeers();
    await drachtio?.stop();
    hosts.remove();
  };
  try {
    drachtio = await startDrachtioTarget();
    const runDir = fs.mkdtempSync(path.join(labRunDir(), 'native-lab-'));
    const pki = labPki([NATIVE.gateway.domain, NATIVE.ejabberd.domain]);
    const ejabberd = await startEjabberd({ domain: NATIVE.ejabberd.domain, address: NATIVE.ejabberd.address, mode: 'dialback', pki, users: LAB_USERS });
    const sipUaPort = await allocatePort({ from: 15070, to: 15599 }, ['udp']);
    ua = sipUserAgent(sipUaPort);
    const yaml = nativeGatewayYaml({
      drachtio: { host: drachtio.adminHost, port: drachtio.adminPort, secret: drachtio.secret },
      sipUaPort,
      presencePath: path.join(runDir, 'presence.sqlite'),
      adminPort: o.adminPort ?? 9464,
      ...(o.adminToken ? { adminToken: o.adminToken } : {}),
    });
    const configFile = path.join(runDir, 'gateway.yaml');
    fs.writeFileSync(configFile, yaml);
    gw = await startViaCli(configFile, o.logFile);
    await waitForPort(NATIVE.gateway.address, 5269, 5000);
    const g = gw;
    const d = drachtio;
    const u = ua;
    return {
      drachtio: d, gateway: g.gateway, ejabberd, configFile, sipUaPort, caFile: pki.ca.certFile,
      adminUrl: `http://${g.gateway.admin?.host}:${g.gateway.admin?.port}`, nextSipMessage: (ms) => u.next(ms), sighup: g.sighup, stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

export function describeDrachtio(d: DrachtioTarget): string {
  return d.kind === 'real'
    ? `a real drachtio-server at ${d.adminHost}:${d.adminPort} (DRACHTIO=), SIP at ${d.sipHost}:${d.sipPort}`
    : `the drachtio-server test double (no DRACHTIO= given; integration-tests/drachtio-double), admin ${d.adminHost}:${d.adminPort}, SIP at ${d.sipHost}:${d.sipPort}`;
}

/** A lab account logged in to ejabberd as an XMPP client would be: roster fetched, available (RFC 6121 §2.1.3, §4.2). */
export async function connectLabUser(lab: Pick<NativeLab, 'ejabberd'>, user: (typeof LAB_USERS)[number]['user'] = 'romeo'): Promise<LabClient> {
  const account = LAB_USERS.find((u) => u.user === user) ?? LAB_USERS[0];
  const c = await connectClient({ service: lab.ejabberd.c2sService, caPem: lab.ejabberd.caPem, domain: NATIVE.ejabberd.domain, username: account.user, password: account.password });
  await c.fetchRoster();
  await c.sendPresence();
  return c;
}

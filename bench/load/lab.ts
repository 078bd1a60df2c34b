/**
 * The load lab of issue #12, one process per component so each one's CPU is its own:
 *
 *   sipp UAC ─UDP→ drachtio (the double in its own process, bench/drachtio-double-process.ts,
 *   or a real drachtio-server named by DRACHTIO=host:port:secret + DRACHTIO_SIP) ─admin→
 *   app process (the gateway, `bin/drachtio-xmpp-gateway.ts start`, or the no-op srf app)
 *   ─S2S→ real ejabberd 23.01 (shapers none) ─c2s→ the arrival counter in the bench process
 *
 * Names and addresses are this lab's own (127.0.35.0/24, sip-load.test, xmpp-load.test).
 * Run as root (it edits /etc/hosts and starts ejabberd), under /tmp/dxg-itest.lock.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { drachtioEnv } from '../../integration-tests/harness/env';
import { startEjabberd, type EjabberdHandle } from '../../integration-tests/harness/ejabberd';
import { mapHosts } from '../../integration-tests/harness/hosts';
import { labPki, type LabPki } from '../../integration-tests/harness/lab-ca';
import { allocatePort } from '../../integration-tests/harness/local-ports';
import { labRunDir, stopAllPeers, waitForPort } from '../../integration-tests/harness/xmpp-peers';
import { connectArrivals, type Arrivals } from './arrivals';
import { findPid, spawnTsx, type Child } from './processes';

export const LOAD = {
  gateway: { domain: 'sip-load.test', address: '127.0.35.1' },
  ejabberd: { domain: 'xmpp-load.test', address: '127.0.35.2' },
  double: { address: '127.0.35.10' },
  user: { user: 'romeo', password: 'romeo-pw' },
} as const;

const ROOT = path.join(__dirname, '..', '..');

export interface DrachtioUnderTest {
  /** 'double' = the test double in its own process; 'real' = a drachtio-server named by DRACHTIO=. */
  readonly kind: 'double' | 'real';
  readonly adminHost: string;
  readonly adminPort: number;
  readonly secret: string;
  readonly sip: string;
  /** The double's pid (CPU measured); undefined for a real server (not ours to find). */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

async function startDrachtio(): Promise<DrachtioUnderTest> {
  const env = drachtioEnv();
  if (env.kind === 'invalid') throw new Error(env.detail);
  if (env.kind === 'real') {
    const v = env.value;
    return { kind: 'real', adminHost: v.adminHost, adminPort: v.adminPort, secret: v.secret, sip: `${v.sipHost}:${v.sipPort}`, pid: undefined, stop: () => Promise.resolve() };
  }
  const { child, ready } = await spawnTsx<{ adminHost: string; adminPort: number; secret: string; sipHost: string; sipPort: number }>(
    path.join(ROOT, 'bench', 'drachtio-double-process.ts'), [LOAD.double.address], 'DOUBLE', 20_000);
  const r = ready!;
  return { kind: 'double', adminHost: r.adminHost, adminPort: r.adminPort, secret: r.secret, sip: `${r.sipHost}:${r.sipPort}`, pid: child.pid, stop: () => child.stop() };
}

function gatewayYaml(d: DrachtioUnderTest, pki: LabPki, proxyPort: number, dir: string): string {
  const leaf = pki.leaf(LOAD.gateway.domain);
  return `
gateway:
  domains: [${LOAD.gateway.domain}]
  drachtio: { host: ${d.adminHost}, port: ${d.adminPort}, secret: ${JSON.stringify(d.secret)} }
  sipProxy:
    uri: sip:127.0.0.1:${proxyPort};transport=udp
    supportsTcp: false
    trustedSources: [127.0.0.1]
  s2s:
    listen: { host: ${LOAD.gateway.address}, port: 5269 }
    certificates:
      - { domain: ${LOAD.gateway.domain}, key: ${JSON.stringify(leaf.keyFile)}, cert: ${JSON.stringify(leaf.certFile)} }
    caFile: ${JSON.stringify(pki.ca.certFile)}
    dialbackSecret: load-lab-dialback-secret
    connectTimeout: 3
    maxRetryDelay: 2
  presence:
    store: { kind: sqlite, path: ${JSON.stringify(path.join(dir, 'presence.sqlite'))} }
partners:
  - domain: ${LOAD.ejabberd.domain}
    description: load lab ejabberd, dialback posture
    tls: Optional
    sasl: Optional
    dialback: true
    proxyFqdn: ${LOAD.ejabberd.address}:5269
policy:
  default: false
  domains:
    ${LOAD.gateway.domain}: true
`;
}

export type AppKind = 'gateway' | 'noop' | 'relay';

export interface RunningApp {
  readonly kind: AppKind;
  readonly pid: number;
  readonly logFile: string;
  stop(): Promise<void>;
}

export interface LoadLab {
  readonly drachtio: DrachtioUnderTest;
  readonly arrivals: Arrivals;
  readonly ejabberdPid: number | undefined;
  readonly runDir: string;
  /** The gateway's SIP proxy (gateway.sipProxy): XMPP→SIP runs a sipp UAS here. */
  readonly proxyPort: number;
  /** Starts the gateway or the no-op app in its own process; only one at a time (drachtio would share MESSAGEs between them). */
  startApp(kind: AppKind, nodeArgs?: readonly string[]): Promise<RunningApp>;
  stop(): Promise<void>;
}

export async function startLoadLab(): Promise<LoadLab> {
  const hosts = mapHosts([LOAD.gateway, LOAD.ejabberd].map((h) => ({ name: h.domain, address: h.address })));
  const runDir = fs.mkdtempSync(path.join(labRunDir(), 'load-'));
  let drachtio: DrachtioUnderTest | undefined;
  let ej: EjabberdHandle | undefined;
  let arrivals: Arrivals | undefined;
  const apps = new Set<Child>();
  const stop = async (): Promise<void> => {
    await Promise.allSettled([...apps].map((a) => a.stop()));
    await arrivals?.stop();
    await stopAllPeers();
    await drachtio?.stop();
    hosts.remove();
  };
  try {
    const pki = labPki([LOAD.gateway.domain, LOAD.ejabberd.domain]);
    drachtio = await startDrachtio();
    ej = await startEjabberd({ domain: LOAD.ejabberd.domain, address: LOAD.ejabberd.address, mode: 'dialback', pki, users: [LOAD.user] });
    arrivals = await connectArrivals({ service: ej.c2sService, caPem: ej.caPem, domain: LOAD.ejabberd.domain, username: LOAD.user.user, password: LOAD.user.password });
    const proxyPort = await allocatePort({ from: 15070, to: 15599 }, ['udp', 'tcp']);
    const yamlFile = path.join(runDir, 'gateway.yaml');
    fs.writeFileSync(yamlFile, gatewayYaml(drachtio, pki, proxyPort, runDir));
    const d = drachtio;
    const lab: LoadLab = {
      drachtio: d, arrivals, runDir, proxyPort, ejabberdPid: findPid(ej.instanceDir),
      async startApp(kind, nodeArgs = []) {
        const logFile = path.join(runDir, `${kind}-${Date.now()}.log`);
        const { child } = kind !== 'gateway'
          ? await spawnTsx(path.join(__dirname, 'noop-app.ts'), [d.adminHost, String(d.adminPort), d.secret, ...(kind === 'relay' ? [`sip:alice@127.0.0.1:${proxyPort}`] : [])], 'NOOP', 20_000, logFile)
          : await spawnTsx(path.join(ROOT, 'bin', 'drachtio-xmpp-gateway.ts'), ['start', '-c', yamlFile, '--log-level', 'warn'], null, 0, logFile, nodeArgs);
        apps.add(child);
        if (kind === 'gateway') {
          try {
            await waitForPort(LOAD.gateway.address, 5269, 30_000, () => child.proc.exitCode === null);
          } catch (e) {
            await child.stop();
            throw new Error(`gateway did not listen: ${(e as Error).message}\n${child.output().slice(-3000)}`);
          }
          // drachtio routes: the gateway connects to drachtio before it listens on S2S (bin/start-gateway.ts).
        }
        // The gateway drains for up to 5 s on SIGTERM; --cpu-prof writes its file at exit.
        return { kind, pid: child.pid, logFile, stop: async () => { await child.stop(15_000); apps.delete(child); } };
      },
      stop,
    };
    return lab;
  } catch (e) {
    await stop();
    throw e;
  }
}

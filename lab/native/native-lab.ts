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
import type pino from 'pino';
import { startGateway, type RunningGateway } from '../../bin/start-gateway';
import { parseConfigText } from '../../config/load';
import { startDrachtioTarget, type DrachtioTarget } from '../../integration-tests/harness/drachtio-target';
import { startEjabberd } from '../../integration-tests/harness/ejabberd';
import { mapHosts, type HostsMapping } from '../../integration-tests/harness/hosts';
import { labPki } from '../../integration-tests/harness/lab-ca';
import { allocatePort } from '../../integration-tests/harness/local-ports';
import { startSippUas, type SippUas } from '../../integration-tests/harness/sipp';
import { labRunDir, requireRoot, stopAllPeers, waitForPort, type PeerHandle } from '../../integration-tests/harness/xmpp-peers';
import { LAB_DIR, NATIVE, nativeGatewayYaml } from './lab-gateway-config';

export const LAB_USERS = [{ user: 'romeo', password: 'secret' }, { user: 'juliet', password: 'secret' }] as const;
/** How long the lab's sipp UAS waits for one MESSAGE before it is restarted. */
const SIP_UA_WAIT_MS = 10 * 60_000;

export interface NativeLab {
  readonly drachtio: DrachtioTarget;
  readonly gateway: RunningGateway;
  readonly ejabberd: PeerHandle;
  /** The configuration the gateway runs with (lab/gateway.yaml, loopback keys rewritten). */
  readonly configFile: string;
  readonly sipUaPort: number;
  /** The lab CA that signed ejabberd's certificate (for an XMPP client to trust). */
  readonly caFile: string;
  /** Resolves with the next MESSAGE the lab's SIP UA received (its -trace_msg text), bounded. */
  nextSipMessage(timeoutMs: number): Promise<string>;
  stop(): Promise<void>;
}

export interface NativeLabOptions {
  readonly logger: pino.Logger;
}

/** One sipp UAS per MESSAGE (the scenario handles one call and exits); restarted until stop. */
function sipUserAgent(port: number): { next(timeoutMs: number): Promise<string>; stop(): Promise<void> } {
  let stopped = false;
  let current: Promise<SippUas> | undefined;
  const start = (): Promise<SippUas> => startSippUas({ scenario: path.join(LAB_DIR, 'sipp', 'uas-message.xml'), localPort: port, timeoutMs: SIP_UA_WAIT_MS });
  current = start();
  return {
    async next(timeoutMs) {
      const uas = await (current ?? start());
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_r, reject) => { timer = setTimeout(() => reject(new Error(`the lab SIP UA received no MESSAGE in ${timeoutMs} ms`)), timeoutMs); });
      try {
        const r = await Promise.race([uas.done, timeout]);
        return r.messages;
      } finally {
        clearTimeout(timer);
        if (!stopped) current = start();
      }
    },
    async stop() {
      stopped = true;
      const uas = await current?.catch(() => undefined);
      await uas?.stop();
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
  let gateway: RunningGateway | undefined;
  let ua: ReturnType<typeof sipUserAgent> | undefined;
  const stop = async (): Promise<void> => {
    await gateway?.stop().catch(() => undefined);
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
    });
    const configFile = path.join(runDir, 'gateway.yaml');
    fs.writeFileSync(configFile, yaml);
    // Relative certificate paths stay relative to lab/, as in the compose lab.
    const parsed = parseConfigText(yaml, { baseDir: LAB_DIR, checkFiles: true, env: {}, sourceName: configFile });
    if (!parsed.ok) throw new Error(`lab/gateway.yaml refused: ${JSON.stringify(parsed.error.errors)}`);
    gateway = await startGateway(parsed.value.config, o.logger);
    await waitForPort(NATIVE.gateway.address, 5269, 5000);
    const g = gateway;
    const d = drachtio;
    const u = ua;
    return { drachtio: d, gateway: g, ejabberd, configFile, sipUaPort, caFile: pki.ca.certFile, nextSipMessage: (ms) => u.next(ms), stop };
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

/**
 * The lab for the operator commands `diagnose` and `test-im` (issue #9):
 * real ejabberd (strict: STARTTLS required, lab-CA PKIX, SASL EXTERNAL, no
 * dialback) and real Prosody (dialback: STARTTLS required, certificate not
 * verifiable by it, XEP-0220) on 127.0.32.0/24 — a range no other suite
 * uses — with /etc/hosts names, one logged-in client each, configuration
 * files written per test, and the CLI's main() run in-process with captured
 * output. `startGateway()` runs the real S2S edge of our domain from the
 * same configuration (listener on 127.0.32.1:5269): the "running gateway"
 * that answers the peers' dialback verifications.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import pino from 'pino';
import { stringify } from 'yaml';
import { loadConfigFile } from '../../config/load';
import { createS2SEdge, type S2SEdge } from '../../adapters/xmpp-s2s/edge';
import { edgeDepsFromConfig } from '../../adapters/xmpp-s2s/edge-config';
import { main } from '../../bin/cli';
import { startEjabberd } from '../harness/ejabberd';
import { mapHosts, type HostEntry, type HostsMapping } from '../harness/hosts';
import { labPki, type LabPki } from '../harness/lab-ca';
import { startProsody } from '../harness/prosody';
import { connectClient, type LabClient } from '../harness/xmpp-client';
import '../harness/xmpp-client-utf8';
import { labRunDir, stopAllPeers, waitForPort, type PeerHandle } from '../harness/xmpp-peers';

export const OPS = {
  gateway: { domain: 'gw.ops.test', address: '127.0.32.1' },
  ejabberd: { domain: 'ejabberd.ops.test', address: '127.0.32.2', user: 'romeo', password: 'romeo-pw' },
  /** Prosody also listens for XEP-0368 direct TLS S2S on directTlsPort (the harness leaves it off; patched in here). */
  prosody: { domain: 'prosody.ops.test', address: '127.0.32.3', user: 'juliet', password: 'juliet-pw', directTlsPort: 5270 },
  /** Nothing listens here (no-route cases). */
  closed: { domain: 'closed.ops.test', address: '127.0.32.9' },
} as const;

const HOSTS: readonly HostEntry[] = [OPS.gateway, OPS.ejabberd, OPS.prosody, OPS.closed].map((h) => ({ name: h.domain, address: h.address }));
export const HOOK_MS = 120_000;
export const TEST_MS = 60_000;
const DIALBACK_SECRET = 'dxg-ops-lab-dialback-secret-0123456789';

export interface CliRun { readonly code: number; readonly out: string; readonly err: string }

export interface OpsLab {
  readonly pki: LabPki;
  readonly ejabberd: PeerHandle;
  readonly prosody: PeerHandle;
  readonly romeo: LabClient;
  readonly juliet: LabClient;
  /** Writes a configuration file: our domain gw.ops.test with the lab leaf; `edit` changes the raw document. */
  config(label: string, edit?: (raw: RawConfig) => void): string;
  cli(argv: readonly string[]): Promise<CliRun>;
  /** The running gateway's S2S edge for gw.ops.test, from `file` (listener on 127.0.32.1:5269). */
  startGateway(file: string): Promise<S2SEdge>;
  stopGateway(): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RawConfig = Record<string, any>;

/** The partners entries the lab's configuration starts with (static routes: no DNS in the lab). */
export const PARTNERS = {
  ejabberd: { domain: OPS.ejabberd.domain, partnerType: 'Federated', tls: 'Required', sasl: 'Required', dialback: false, proxyFqdn: `${OPS.ejabberd.address}:5269` },
  prosody: { domain: OPS.prosody.domain, partnerType: 'Federated', tls: 'Required', sasl: 'Optional', dialback: true, proxyFqdn: `${OPS.prosody.address}:5269` },
};

/**
 * Prosody 0.12 serves XEP-0368 direct TLS S2S on `s2s_direct_tls_ports`; the shared
 * template renders that list empty, so this lab's instance gets the port and a restart.
 */
async function enableDirectTls(h: PeerHandle, port: number): Promise<void> {
  const cfg = path.join(h.instanceDir, 'prosody.cfg.lua');
  const text = fs.readFileSync(cfg, 'utf8');
  const patched = text.replace('s2s_direct_tls_ports = { }', `s2s_direct_tls_ports = { ${port} }`);
  if (patched === text) throw new Error(`${cfg}: no empty s2s_direct_tls_ports line to patch`);
  fs.writeFileSync(cfg, patched);
  await h.restart();
  await waitForPort(h.address, port, 15_000);
}

export function useOpsLab(): OpsLab {
  let hosts: HostsMapping | undefined;
  let pki: LabPki | undefined;
  let ejabberd: PeerHandle | undefined;
  let prosody: PeerHandle | undefined;
  let romeo: LabClient | undefined;
  let juliet: LabClient | undefined;
  let gateway: S2SEdge | undefined;
  const dir = fs.mkdtempSync(path.join(labRunDir(), 'ops-'));
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`ops lab not ready: ${what}`);
    return v;
  };

  beforeAll(async () => {
    hosts = mapHosts(HOSTS); // before Prosody starts: it reads /etc/hosts once
    pki = labPki(HOSTS.map((h) => h.name));
    const [e, p] = await Promise.allSettled([
      startEjabberd({ domain: OPS.ejabberd.domain, address: OPS.ejabberd.address, mode: 'strict', pki, users: [{ user: OPS.ejabberd.user, password: OPS.ejabberd.password }] }),
      startProsody({ domain: OPS.prosody.domain, address: OPS.prosody.address, mode: 'dialback', pki, users: [{ user: OPS.prosody.user, password: OPS.prosody.password }] }),
    ]);
    if (e.status === 'rejected') throw e.reason;
    if (p.status === 'rejected') throw p.reason;
    ejabberd = e.value;
    prosody = p.value;
    await enableDirectTls(prosody, OPS.prosody.directTlsPort);
    const login = async (h: PeerHandle, user: string, password: string) => {
      const c = await connectClient({ service: h.c2sService, caPem: h.caPem, domain: h.domain, username: user, password });
      await c.fetchRoster();
      await c.sendPresence();
      return c;
    };
    romeo = await login(ejabberd, OPS.ejabberd.user, OPS.ejabberd.password);
    juliet = await login(prosody, OPS.prosody.user, OPS.prosody.password);
  }, HOOK_MS);

  afterAll(async () => {
    await gateway?.stop();
    await Promise.allSettled([romeo?.stop(), juliet?.stop()]);
    await stopAllPeers();
    hosts?.remove();
  }, HOOK_MS);

  let n = 0;
  return {
    get pki() { return need(pki, 'pki'); },
    get ejabberd() { return need(ejabberd, 'ejabberd'); },
    get prosody() { return need(prosody, 'prosody'); },
    get romeo() { return need(romeo, 'romeo'); },
    get juliet() { return need(juliet, 'juliet'); },
    config(label, edit) {
      const leaf = need(pki, 'pki').leaf(OPS.gateway.domain);
      const raw: RawConfig = {
        gateway: {
          domains: [OPS.gateway.domain],
          drachtio: { host: '127.0.0.1', secret: 'unused-by-these-commands' },
          sipProxy: { uri: 'sip:127.0.0.1;transport=tcp', trustedSources: ['127.0.0.1'] },
          s2s: {
            listen: { host: OPS.gateway.address, port: 5269 },
            certificates: [{ domain: OPS.gateway.domain, key: leaf.keyFile, cert: leaf.certFile }],
            caFile: need(pki, 'pki').ca.certFile,
            dialbackSecret: DIALBACK_SECRET,
            connectTimeout: 3,
          },
          presence: { enabled: false },
        },
        partners: [{ ...PARTNERS.ejabberd }, { ...PARTNERS.prosody }],
        policy: { default: true },
      };
      edit?.(raw);
      const file = path.join(dir, `${++n}-${label.replace(/[^a-z0-9-]/gi, '_')}.yaml`);
      fs.writeFileSync(file, stringify(raw));
      return file;
    },
    async cli(argv) {
      let out = '';
      let err = '';
      const code = await main(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, env: {} });
      // Visible in the jest output: the real output is what the README quotes.
      console.log(`$ drachtio-xmpp-gateway ${argv.join(' ')}\n${out}${err}(exit ${code})`);
      return { code, out, err };
    },
    async startGateway(file) {
      const loaded = loadConfigFile(file, { env: {}, checkFiles: true });
      if (!loaded.ok) throw new Error(`lab config invalid: ${JSON.stringify(loaded.error.errors)}`);
      const logFile = path.join(dir, 'running-gateway.log');
      const edge = createS2SEdge(edgeDepsFromConfig(loaded.value.config, pino({ level: 'debug' }, pino.destination({ dest: logFile, sync: true }))));
      // The gateway core is not needed here: stanzas to our users are logged and dropped by the test.
      edge.onStanza(() => undefined);
      await edge.start();
      gateway = edge;
      return edge;
    },
    async stopGateway() {
      const g = gateway;
      gateway = undefined;
      await g?.stop();
    },
  };
}

/** The CLI entry point as a child process (tsx), bounded; SIGKILLed if it outlives `timeoutMs`. */
export function runProcess(argv: readonly string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const root = path.join(__dirname, '..', '..');
  return new Promise((resolve) => {
    const child = spawn(path.join(root, 'node_modules', '.bin', 'tsx'), [path.join(root, 'bin', 'drachtio-xmpp-gateway.ts'), ...argv], { cwd: root, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString('utf8'); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

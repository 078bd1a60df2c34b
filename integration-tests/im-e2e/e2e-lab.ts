/**
 * The end-to-end lab of issue #5: the REAL composition root (bin/start-gateway.ts)
 * serving sip.test on 127.0.31.1:5269, the drachtio target (double, or a real
 * drachtio-server via DRACHTIO=), a real ejabberd (xmpp-e.test, 127.0.31.2)
 * and a real Prosody (xmpp-p.test, 127.0.31.3), each with logged-in clients.
 *
 * Addresses and names are this suite's own (127.0.31.0/24), so it can run
 * next to the S2S interop suite (127.0.30.0/24). The gateway's SIP proxy is
 * a fixed loopback port where a sipp UAS is started whenever a test expects
 * the gateway to send SIP; with no UAS listening, a MESSAGE to it fails.
 *
 * Nothing here depends on the double: double-only options (a short Timer F)
 * are passed through startDrachtioTarget, which ignores them for a real server,
 * and `timerFMs()` says how long a test must really wait.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { startGateway, type RunningGateway } from '../../bin/start-gateway';
import { parseConfigText } from '../../config/load';
import type { DrachtioDoubleOptions } from '../drachtio-double';
import { startDrachtioTarget, type DrachtioTarget } from '../harness/drachtio-target';
import { startEjabberd } from '../harness/ejabberd';
import { mapHosts, type HostsMapping } from '../harness/hosts';
import { labPki, type LabPki } from '../harness/lab-ca';
import { allocatePort } from '../harness/local-ports';
import { startProsody } from '../harness/prosody';
import { connectClient, type LabClient } from '../harness/xmpp-client';
import { labRunDir, stopAllPeers, waitForPort, type PeerHandle, type PeerMode } from '../harness/xmpp-peers';

export const E2E = {
  gateway: { domain: 'sip.test', address: '127.0.31.1' },
  ejabberd: { domain: 'xmpp-e.test', address: '127.0.31.2' },
  prosody: { domain: 'xmpp-p.test', address: '127.0.31.3' },
  /** An allowed partner whose server is down: nothing listens at its proxyFqdn. */
  down: { domain: 'down.test', address: '127.0.31.9' },
} as const;

export type PeerKind = 'ejabberd' | 'prosody';
export const PEER_KINDS: readonly PeerKind[] = ['ejabberd', 'prosody'];

/**
 * ejabberd runs its example-config posture (STARTTLS optional, untrusted cert,
 * XEP-0220 dialback); Prosody its shipped posture (encryption required,
 * s2s_secure_auth: lab-CA PKIX + SASL EXTERNAL). Both are what issue #3 supports.
 */
export const PEER_MODE: Record<PeerKind, PeerMode> = { ejabberd: 'dialback', prosody: 'strict' };

/** Accounts on every peer. `o\27malley` and `m\26m` are the XEP-0106 forms of o'malley and m&m. */
export const PEER_USERS = [
  { user: 'romeo', password: 'romeo-pw' },
  { user: 'o\\27malley', password: 'omalley-pw' },
  { user: 'm\\26m', password: 'mm-pw' },
] as const;

/** Our SIP users (policy: sip.test may federate, mallory may not). */
export const SIP_USERS = { alice: 'sip:alice@sip.test', mallory: 'sip:mallory@sip.test' } as const;

export const START_MS = 120_000;
export const STOP_MS = 60_000;

export interface GatewayLog {
  readonly lines: ReadonlyArray<Record<string, unknown>>;
  readonly file: string;
  /** Compact text of the last lines, for failure messages. */
  tail(n?: number): string;
}

/** A debug-level pino logger whose JSON lines are kept in memory (parsed) and in a file of the lab's run directory. */
export function memoryLog(label: string, o: { readonly prefix?: string; readonly service?: string } = {}): { logger: pino.Logger; log: GatewayLog } {
  const file = path.join(labRunDir(), `${o.prefix ?? 'im-e2e'}-${label}-${Date.now()}.log`);
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      const text = chunk.toString('utf8');
      fs.appendFileSync(file, text);
      for (const l of text.split('\n')) {
        if (!l) continue;
        try { lines.push(JSON.parse(l) as Record<string, unknown>); } catch { /* not JSON: kept in the file only */ }
      }
      cb();
    },
  });
  const logger = pino({ level: 'debug', base: { service: o.service ?? 'gw-e2e' } }, sink);
  return {
    logger,
    log: {
      lines, file,
      tail: (n = 30) => lines.slice(-n).map((l) => `${String(l.msg)} ${JSON.stringify({ ...l, msg: undefined, time: undefined, pid: undefined, hostname: undefined, service: undefined })}`).join('\n'),
    },
  };
}

export interface GatewayConfigOptions {
  readonly target: Pick<DrachtioTarget, 'adminHost' | 'adminPort' | 'secret'>;
  readonly proxyPort: number;
  readonly pki: LabPki;
  /**
   * The `gateway.presence.store` mapping (YAML flow style). Default: a fresh SQLite file in
   * the lab's run directory, so a test never writes into the work tree.
   */
  readonly presenceStore?: string;
  /** gateway.drachtio load bounds (issue #13), e.g. { maxOutstandingRequests: 16 }; default: the schema's. */
  readonly drachtioLimits?: Readonly<Record<string, number>>;
  /** partners[].partnerType per peer (Lync; the schema's default is PublicUnverified). */
  readonly partnerTypes?: Partial<Record<PeerKind, 'Federated' | 'PublicVerified' | 'PublicUnverified'>>;
  /** More gateway.presence keys (nodeId, sweepInterval, liveness, maxWatchersPerContact …). */
  readonly presence?: Readonly<Record<string, string | number | boolean>>;
  /** gateway.s2s.listen.host; default E2E.gateway.address (what sip.test resolves to). */
  readonly listenHost?: string;
}

let storeSeq = 0;
/** A new SQLite presence store path in the lab's temp run directory. */
export function labSqliteStore(): string {
  storeSeq += 1;
  return `{ kind: sqlite, path: ${JSON.stringify(path.join(labRunDir(), `presence-${Date.now()}-${storeSeq}.sqlite`))} }`;
}

/** The YAML an operator would write for this lab (config/example.yaml documents every key). */
export function gatewayYaml(o: GatewayConfigOptions): string {
  const leaf = o.pki.leaf(E2E.gateway.domain);
  return `
gateway:
  domains: [${E2E.gateway.domain}]
  drachtio:
    host: ${o.target.adminHost}
    port: ${o.target.adminPort}
    secret: ${JSON.stringify(o.target.secret)}${Object.entries(o.drachtioLimits ?? {}).map(([k, v]) => `\n    ${k}: ${v}`).join('')}
  sipProxy:
    uri: sip:127.0.0.1:${o.proxyPort};transport=udp
    supportsTcp: false
    trustedSources: [127.0.0.1]
  s2s:
    listen: { host: ${o.listenHost ?? E2E.gateway.address}, port: 5269 }
    certificates:
      - { domain: ${E2E.gateway.domain}, key: ${JSON.stringify(leaf.keyFile)}, cert: ${JSON.stringify(leaf.certFile)} }
    caFile: ${JSON.stringify(o.pki.ca.certFile)}
    dialbackSecret: im-e2e-lab-dialback-secret
    connectTimeout: 3
    maxRetryDelay: 2
  presence:
    store: ${o.presenceStore ?? labSqliteStore()}${Object.entries(o.presence ?? {}).map(([k, v]) => `\n    ${k}: ${JSON.stringify(v)}`).join('')}
partners:
  - domain: ${E2E.ejabberd.domain}
    description: lab ejabberd, dialback posture
    tls: Optional
    sasl: Optional
    dialback: true
    proxyFqdn: ${E2E.ejabberd.address}:5269${o.partnerTypes?.ejabberd ? `\n    partnerType: ${o.partnerTypes.ejabberd}` : ''}
  - domain: ${E2E.prosody.domain}
    description: lab Prosody, s2s_secure_auth posture
    tls: Required
    sasl: Required
    dialback: false
    proxyFqdn: ${E2E.prosody.address}:5269${o.partnerTypes?.prosody ? `\n    partnerType: ${o.partnerTypes.prosody}` : ''}
  - domain: ${E2E.down.domain}
    description: allowed partner whose server is down
    tls: Optional
    sasl: Optional
    dialback: true
    proxyFqdn: ${E2E.down.address}:5269
policy:
  default: false
  domains:
    ${E2E.gateway.domain}: true
  users:
    mallory@${E2E.gateway.domain}: false
`;
}

export interface LabPeer {
  readonly kind: PeerKind;
  readonly domain: string;
  readonly handle: PeerHandle;
  /** Logged-in clients by account (romeo, o\27malley, m\26m); replaced by relogin(). */
  readonly clients: Map<string, LabClient>;
  client(user?: string): LabClient;
  /** Logs every account in again (after a peer restart). */
  relogin(): Promise<void>;
}

export interface E2ELab {
  readonly target: DrachtioTarget;
  readonly gateway: RunningGateway;
  readonly log: GatewayLog;
  readonly pki: LabPki;
  /** Where the gateway sends SIP (its configured proxy): start a sipp UAS on this port. */
  readonly proxyPort: number;
  readonly peers: Partial<Record<PeerKind, LabPeer>>;
  peer(kind: PeerKind): LabPeer;
  /** How long the drachtio target takes to give up on an unanswered request (Timer F). */
  readonly timerFMs: number;
  /**
   * Stops the gateway (as an operator's restart would: S2S streams closed, drachtio link
   * closed) and starts it again from the same configuration and store; `gateway` is the
   * new one afterwards. The peers and their clients stay up.
   */
  restartGateway(): Promise<void>;
  /** Stops the gateway for good (as a node going down); `gateway` throws afterwards. */
  stopGateway(): Promise<void>;
  /**
   * Starts another gateway node from this lab's configuration with other gateway.presence
   * keys (its own nodeId) and its own S2S listen address, on the same drachtio target and
   * presence store. Nothing resolves sip.test to that address: XMPP peers cannot dial it,
   * but it dials them (see presence-e2e/presence-two-nodes.itest.ts). lab.stop() stops it.
   */
  startNode(o: { readonly label: string; readonly listenHost: string; readonly presence: Readonly<Record<string, string | number | boolean>> }): Promise<LabNode>;
  stop(): Promise<void>;
}

export interface LabNode {
  readonly gateway: RunningGateway;
  readonly log: GatewayLog;
  stop(): Promise<void>;
}

export interface E2ELabOptions {
  readonly label: string;
  readonly peers: readonly PeerKind[];
  /** Timer F for the double; a real drachtio-server keeps RFC 3261's 32 s. */
  readonly timerFMs?: number;
  /** More double-only options (overloadAt, framing …; issue #13); ignored for a real drachtio-server. */
  readonly double?: DrachtioDoubleOptions;
  /** See GatewayConfigOptions.drachtioLimits. */
  readonly drachtioLimits?: Readonly<Record<string, number>>;
  /** See GatewayConfigOptions (presence store YAML, partner types, more presence keys). */
  readonly presenceStore?: string;
  readonly partnerTypes?: GatewayConfigOptions['partnerTypes'];
  readonly presence?: GatewayConfigOptions['presence'];
}

const ALL_HOSTS = [E2E.gateway, E2E.ejabberd, E2E.prosody].map((h) => ({ name: h.domain, address: h.address }));

async function startPeer(kind: PeerKind, pki: LabPki): Promise<LabPeer> {
  const { domain, address } = E2E[kind];
  const opts = { domain, address, mode: PEER_MODE[kind], pki, users: PEER_USERS };
  const handle: PeerHandle = kind === 'ejabberd' ? await startEjabberd(opts) : await startProsody(opts);
  const clients = new Map<string, LabClient>();
  const login = async (): Promise<void> => {
    for (const u of PEER_USERS) {
      await clients.get(u.user)?.stop();
      const c = await connectClient({ service: handle.c2sService, caPem: handle.caPem, domain, username: u.user, password: u.password });
      // Prosody routes a bare-JID message only to available resources; the roster fetch makes the session interested.
      await c.fetchRoster();
      await c.sendPresence();
      clients.set(u.user, c);
    }
  };
  await login();
  return {
    kind, domain, handle, clients,
    client(user = 'romeo') {
      const c = clients.get(user);
      if (!c) throw new Error(`no client ${user}@${domain}`);
      return c;
    },
    relogin: login,
  };
}

export async function startE2ELab(o: E2ELabOptions): Promise<E2ELab> {
  const hosts: HostsMapping = mapHosts(ALL_HOSTS); // before Prosody starts: it reads /etc/hosts once
  const pki = labPki([...ALL_HOSTS.map((h) => h.name), E2E.down.domain]);
  let target: DrachtioTarget | undefined;
  let gateway: RunningGateway | undefined;
  const peers: Partial<Record<PeerKind, LabPeer>> = {};
  const nodes: LabNode[] = [];
  const stop = async (): Promise<void> => {
    await Promise.allSettled(Object.values(peers).flatMap((p) => [...(p?.clients.values() ?? [])].map((c) => c.stop())));
    await gateway?.stop().catch(() => undefined);
    await Promise.allSettled(nodes.map((n) => n.stop()));
    await stopAllPeers();
    await target?.stop();
    hosts.remove();
  };
  try {
    target = await startDrachtioTarget({ ...o.double, timerFMs: o.timerFMs ?? 32_000 });
    const proxyPort = await allocatePort({ from: 15070, to: 15599 }, ['udp', 'tcp']);
    const store = o.presenceStore ?? labSqliteStore();
    const configFor = (extra: Pick<GatewayConfigOptions, 'presence' | 'listenHost'>) => {
      const yaml = gatewayYaml({
        target: target!, proxyPort, pki, presenceStore: store,
        ...(o.drachtioLimits ? { drachtioLimits: o.drachtioLimits } : {}),
        ...(o.partnerTypes ? { partnerTypes: o.partnerTypes } : {}),
        ...extra,
      });
      const parsed = parseConfigText(yaml, { baseDir: __dirname, checkFiles: true, env: {} });
      if (!parsed.ok) throw new Error(`lab gateway config refused: ${JSON.stringify(parsed.error.errors)}`);
      return parsed.value.config;
    };
    const config = configFor(o.presence ? { presence: o.presence } : {});
    const { logger, log } = memoryLog(o.label);
    gateway = await startGateway(config, logger);
    await waitForPort(E2E.gateway.address, 5269, 5000);
    const started = await Promise.allSettled(o.peers.map((k) => startPeer(k, pki)));
    started.forEach((r, i) => { if (r.status === 'fulfilled') peers[o.peers[i]!] = r.value; });
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const t = target;
    const lab: E2ELab = {
      target: t, get gateway(): RunningGateway {
        if (!gateway) throw new Error('gateway not running');
        return gateway;
      },
      log, pki, proxyPort, peers,
      peer(kind) {
        const p = peers[kind];
        if (!p) throw new Error(`${kind} not started in this lab`);
        return p;
      },
      timerFMs: t.kind === 'double' ? (o.timerFMs ?? 32_000) : 32_000,
      async restartGateway() {
        const old = gateway;
        gateway = undefined;
        await old?.stop();
        gateway = await startGateway(config, logger);
        await waitForPort(E2E.gateway.address, 5269, 5000);
      },
      async stopGateway() {
        const old = gateway;
        gateway = undefined;
        await old?.stop();
      },
      async startNode(n) {
        const m = memoryLog(n.label);
        const g = await startGateway(configFor({ presence: n.presence, listenHost: n.listenHost }), m.logger);
        let stopped = false;
        const node: LabNode = {
          gateway: g, log: m.log,
          async stop() {
            if (stopped) return;
            stopped = true;
            await g.stop().catch(() => undefined);
          },
        };
        nodes.push(node);
        await waitForPort(n.listenHost, 5269, 5000);
        return node;
      },
      stop,
    };
    return lab;
  } catch (e) {
    await stop();
    throw e;
  }
}

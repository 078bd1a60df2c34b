/**
 * Our S2S edge (gw.test) listening on a real loopback TCP port, and, when a
 * test needs a legitimate partner, a second edge (peer.test) on another
 * loopback address that federates with it by real XEP-0220 dialback over
 * TCP both ways (it is gw.test's authoritative server for peer.test's keys,
 * and gw.test is peer.test's). Nothing is mocked between them: DNS is
 * replaced by a fixed domain → address map in `connect`, nothing else.
 *
 * Addresses: 127.0.40.0/24 (the lab uses .30/.31). gw.test listens on
 * 127.0.40.1, peer.test on 127.0.40.2 and connects from it; hostile peers
 * pick their own source address in the range.
 */
import net from 'node:net';
import { el, type XmlElement } from '../../plugin/core/xml/xml-element';
import { createS2SEdge, type S2SEdge } from '../../adapters/xmpp-s2s/edge';
import type { PartnerPolicy } from '../../adapters/xmpp-s2s/policy/partner-policy';
import type { S2SLimits } from '../../adapters/xmpp-s2s/session/session-options';
import { createEdgeLog, type EdgeLog } from '../s2s-interop/edge-log';

export const GW_ADDRESS = '127.0.40.1';
export const PEER_ADDRESS = '127.0.40.2';
/** Source addresses of hostile connections (one "attacker"), and of a second, unrelated client. */
export const ATTACKER_ADDRESS = '127.0.40.10';
export const OTHER_ADDRESS = '127.0.40.11';

const PLAIN: PartnerPolicy = { tls: 'NotSupported', sasl: 'NotSupported', dialback: true, keepAlive: false, connectionLimit: 20 };

export interface RunningEdge {
  readonly edge: S2SEdge;
  readonly port: number;
  readonly log: EdgeLog;
  readonly inbox: XmlElement[];
}

export interface EdgeOptions {
  readonly connectionLimit?: number;
  readonly preAuthConnectionsPerIp?: number;
  readonly limits?: Partial<S2SLimits>;
  /** More federated partners of gw.test: domain → port of a listener on HOSTILE_SERVER_ADDRESS (outbound tests). */
  readonly targets?: Readonly<Record<string, number>>;
}

/** Where a hostile receiving server listens for gw.test's outbound streams. */
export const HOSTILE_SERVER_ADDRESS = '127.0.40.3';

function connectTo(ports: () => Record<string, number | undefined>, localAddress: string) {
  return (remote: string) => new Promise<{ socket: net.Socket; secure: boolean }>((resolve, reject) => {
    const port = ports()[remote];
    if (port === undefined) return reject(new Error(`${remote}: no such loopback edge`));
    const host = remote === 'gw.test' ? GW_ADDRESS : remote === 'peer.test' ? PEER_ADDRESS : HOSTILE_SERVER_ADDRESS;
    const s = net.connect({ host, port, localAddress });
    s.once('error', reject);
    s.once('connect', () => { s.removeListener('error', reject); s.setNoDelay(true); resolve({ socket: s, secure: false }); });
  });
}

async function startEdge(domain: 'gw.test' | 'peer.test', partner: string, o: EdgeOptions, ports: () => Record<string, number | undefined>): Promise<RunningEdge> {
  const log = createEdgeLog();
  const inbox: XmlElement[] = [];
  const address = domain === 'gw.test' ? GW_ADDRESS : PEER_ADDRESS;
  const edge = createS2SEdge({
    domains: [domain],
    policyFor: (d) => (d === partner || o.targets?.[d] !== undefined ? PLAIN : undefined),
    tls: { secureContext: () => undefined },
    dialbackSecret: `${domain}-dialback-secret-0123456789`,
    logger: log.logger,
    listen: { host: address, port: 0 },
    ...(o.connectionLimit !== undefined ? { connectionLimit: o.connectionLimit } : {}),
    ...(o.preAuthConnectionsPerIp !== undefined ? { preAuthConnectionsPerIp: o.preAuthConnectionsPerIp } : {}),
    ...(o.limits ? { limits: o.limits } : {}),
    connect: connectTo(ports, address),
    maxRetryDelayMs: 1000,
  });
  edge.onStanza((e) => inbox.push(e));
  const { port } = await edge.start();
  return { edge, port, log, inbox };
}

/** gw.test alone (hostile peers only). */
export async function startGateway(o: EdgeOptions = {}): Promise<RunningEdge> {
  let port: number | undefined;
  const gw = await startEdge('gw.test', 'peer.test', o, () => ({ ...o.targets, 'gw.test': port }));
  port = gw.port;
  return gw;
}

/** gw.test (with `o`) and a legitimate peer.test (defaults) that federate by dialback over loopback TCP. */
export async function startFederation(o: EdgeOptions = {}): Promise<{ gw: RunningEdge; peer: RunningEdge; stop(): Promise<void> }> {
  const ports: Record<string, number | undefined> = {};
  const gw = await startEdge('gw.test', 'peer.test', o, () => ports);
  const peer = await startEdge('peer.test', 'gw.test', {}, () => ports);
  ports['gw.test'] = gw.port;
  ports['peer.test'] = peer.port;
  return { gw, peer, stop: async () => { await Promise.all([gw.edge.stop(), peer.edge.stop()]); } };
}

/**
 * peer.test sends one chat message to gw.test and resolves with how it went:
 * 'delivered' once gw.test's handler has it, or the condition peer.test was
 * given (its outbound stream was refused, e.g. resource-constraint → the
 * route fails). Never silent: bounded by `ms`.
 */
export async function partnerMessage(fed: { gw: RunningEdge; peer: RunningEdge }, id: string, ms = 5000): Promise<string> {
  const msg = el('message', { from: 'alice@peer.test/r', to: 'bob@gw.test', type: 'chat', id }, el('body', {}, id));
  const delivered = new Promise<string>((resolve) => {
    const t0 = Date.now();
    const poll = (): void => {
      if (fed.gw.inbox.some((e) => e.attrs.id === id)) return resolve('delivered');
      if (Date.now() - t0 > ms) return resolve('not delivered in time');
      setTimeout(poll, 10);
    };
    poll();
  });
  const sent = fed.peer.edge.sendConfirmed(msg).then((r) => (r.ok ? delivered : `refused: ${r.condition}`));
  return sent;
}

/**
 * The fault lab (issue #10, "faults, counted exactly"): the whole gateway
 * (bin/start-gateway.ts, from YAML as an operator writes it) behind the
 * drachtio target, with one partner per fault, and the servers that make
 * each fault real on loopback 127.0.34.0/24:
 *
 *   nx.test, servfail.test, hang.test   no proxyFqdn: found by SRV, asked of a loopback DNS server
 *                                       (dns-packet) that answers NXDOMAIN, SERVFAIL, or never;
 *                                       the RFC 6120 §3.2.2 fallback names resolve (tagged /etc/hosts
 *                                       lines) to 127.0.34.9, where nothing listens, so no lookup
 *                                       leaves loopback;
 *   stall.test                           a TCP server that offers STARTTLS, says <proceed/>, and
 *                                       never answers the ClientHello (127.0.34.2);
 *   deaf.test                            a server that completes dialback and then never reads its
 *                                       socket again (127.0.34.3).
 *
 * The SIP side is sipp: a burst UAC (no-silent-loss/uac_burst.xml, negative-delivery IMDN asked)
 * and the gateway's SIP proxy (no-silent-loss/uas_notices.xml), so every message's fate is read
 * from real SIP traffic: a final failure status, or 202 and then an IMDN "failed".
 */
import dgram from 'node:dgram';
import { promises as dnsPromises } from 'node:dns';
import net from 'node:net';
import * as path from 'node:path';
import * as dnsPacket from 'dns-packet';
import pino from 'pino';
import { startGateway, type RunningGateway } from '../../bin/start-gateway';
import { parseConfigText } from '../../config/load';
import { startDrachtioTarget, type DrachtioTarget } from '../harness/drachtio-target';
import { mapHosts, type HostsMapping } from '../harness/hosts';
import { labPki } from '../harness/lab-ca';
import { allocatePort } from '../harness/local-ports';
import { labRunDir } from '../harness/xmpp-peers';
import { memoryLog } from '../im-e2e/e2e-lab';

export const FAULT = {
  gateway: { domain: 'sip.test', address: '127.0.34.1' },
  stall: { domain: 'stall.test', address: '127.0.34.2' },
  deaf: { domain: 'deaf.test', address: '127.0.34.3' },
  dns: { address: '127.0.34.4' },
  /** Where the SRV fallback names point: nothing listens there. */
  nowhere: '127.0.34.9',
} as const;

export type DnsFault = 'nxdomain' | 'servfail' | 'silent';
export const DNS_DOMAINS: Record<DnsFault, string> = { nxdomain: 'nx.test', servfail: 'servfail.test', silent: 'hang.test' };

/** The gateway's limits in this lab: small, so each bound is reached with a few hundred messages. */
export const LIMITS = {
  connectTimeoutSec: 2,
  streamEstablishmentTimeoutSec: 3,
  sendQueueMax: 50,
  inDoubt: { maxPerStream: 20, ackTimeoutSec: 3, retryWindowSec: 3 },
} as const;

/** A loopback DNS server: SRV questions for the fault domains get the fault; nothing else is answered. */
async function faultDns(): Promise<{ resolver: dnsPromises.Resolver; queries: string[]; stop(): Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  const queries: string[] = [];
  const faultOf = (name: string): DnsFault | undefined =>
    (Object.entries(DNS_DOMAINS) as Array<[DnsFault, string]>).find(([, d]) => name.toLowerCase().endsWith(`.${d}`) || name.toLowerCase() === d)?.[0];
  socket.on('message', (msg, rinfo) => {
    let q: dnsPacket.Packet;
    try { q = dnsPacket.decode(msg); } catch { return; }
    const question = q.questions?.[0];
    if (!question) return;
    queries.push(`${question.type} ${question.name}`);
    const fault = faultOf(question.name);
    if (fault === 'silent' || fault === undefined) return; // never answers
    const rcode = fault === 'nxdomain' ? 3 : 2; // RFC 1035 §4.1.1: 3 NXDOMAIN, 2 SERVFAIL
    socket.send(dnsPacket.encode({ type: 'response', id: q.id, flags: rcode, questions: q.questions, answers: [] }), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, FAULT.dns.address, () => r()));
  const resolver = new dnsPromises.Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([`${FAULT.dns.address}:${socket.address().port}`]);
  return { resolver, queries, stop: () => new Promise<void>((r) => socket.close(() => r())) };
}

export interface RawServer {
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: () => number;
  /** Bytes received per connection (a deaf server reads none after dialback). */
  readonly bytesIn: () => number[];
  close(): Promise<void>;
}

const responseHeader = (from: string, id: string) =>
  `<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' ` +
  `xmlns:db='jabber:server:dialback' from='${from}' to='${FAULT.gateway.domain}' id='${id}' version='1.0'>`;

/**
 * A receiving server scripted by `onText(all text so far, socket)`; every socket is destroyed on close.
 */
async function rawServer(address: string, onText: (text: string, s: net.Socket, n: number) => void): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  const bytes: number[] = [];
  const server = net.createServer((s) => {
    sockets.add(s);
    const n = bytes.length;
    bytes.push(0);
    let text = '';
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    s.on('data', (d: Buffer) => {
      bytes[n] = (bytes[n] ?? 0) + d.length;
      text += d.toString('latin1');
      onText(text, s, n);
    });
  });
  await new Promise<void>((r) => server.listen(0, address, () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    accepted: () => bytes.length,
    bytesIn: () => [...bytes],
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

/** Offers STARTTLS (required), answers <proceed/>, then reads the ClientHello and never answers it. */
function stallServer(): Promise<RawServer> {
  const state = new Map<number, 'header' | 'features' | 'tls'>();
  return rawServer(FAULT.stall.address, (text, s, n) => {
    const st = state.get(n) ?? 'header';
    if (st === 'header' && text.includes('<stream:stream')) {
      state.set(n, 'features');
      s.write(`${responseHeader(FAULT.stall.domain, `stall${n}`)}<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>`);
    } else if (st === 'features' && text.includes('<starttls')) {
      state.set(n, 'tls');
      s.write(`<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`);
    } // 'tls': the ClientHello arrives and is never answered
  });
}

/** Plain stream, dialback feature; answers our db:result "valid" (it is the receiving server), then stops reading. */
function deafServer(): Promise<RawServer> {
  const done = new Set<number>();
  const headered = new Set<number>();
  return rawServer(FAULT.deaf.address, (text, s, n) => {
    if (done.has(n)) return;
    if (!headered.has(n) && text.includes('<stream:stream')) {
      headered.add(n);
      s.write(`${responseHeader(FAULT.deaf.domain, `deaf${n}`)}<stream:features><dialback xmlns='urn:xmpp:features:dialback'/></stream:features>`);
    }
    if (/<db:result[^>]*>[^<]*<\/db:result>/.test(text)) {
      done.add(n);
      s.write(`<db:result from='${FAULT.deaf.domain}' to='${FAULT.gateway.domain}' type='valid'/>`);
      s.pause(); // never reads again: the kernel buffers fill, the gateway's writes back up
    }
  });
}

export interface LogLines {
  readonly lines: ReadonlyArray<Record<string, unknown>>;
  readonly file: string;
}

const fileLog = (label: string): { logger: pino.Logger; log: LogLines } => memoryLog(label, { prefix: 'faults', service: 'gw-faults' });

export interface FaultLab {
  readonly target: DrachtioTarget;
  readonly gateway: RunningGateway;
  readonly proxyPort: number;
  readonly log: LogLines;
  readonly stall: RawServer;
  readonly deaf: RawServer;
  readonly dnsQueries: readonly string[];
  stop(): Promise<void>;
}

function yaml(o: { target: DrachtioTarget; proxyPort: number; stallPort: number; deafPort: number; key: string; cert: string; ca: string; store: string }): string {
  const dnsPartner = (d: string) => `  - { domain: ${d}, tls: Optional, sasl: Optional, dialback: true }`;
  return `
gateway:
  domains: [${FAULT.gateway.domain}]
  drachtio: { host: ${o.target.adminHost}, port: ${o.target.adminPort}, secret: ${JSON.stringify(o.target.secret)} }
  sipProxy:
    uri: sip:127.0.0.1:${o.proxyPort};transport=udp
    supportsTcp: false
    trustedSources: [127.0.0.1]
  s2s:
    listen: { host: ${FAULT.gateway.address}, port: 5269 }
    certificates:
      - { domain: ${FAULT.gateway.domain}, key: ${JSON.stringify(o.key)}, cert: ${JSON.stringify(o.cert)} }
    caFile: ${JSON.stringify(o.ca)}
    dialbackSecret: faults-lab-dialback-secret
    connectTimeout: ${LIMITS.connectTimeoutSec}
    streamEstablishmentTimeout: ${LIMITS.streamEstablishmentTimeoutSec}
    maxRetryDelay: 1
    sendQueueMax: ${LIMITS.sendQueueMax}
    inDoubt: { maxPerStream: ${LIMITS.inDoubt.maxPerStream}, ackTimeout: ${LIMITS.inDoubt.ackTimeoutSec}, retryWindow: ${LIMITS.inDoubt.retryWindowSec} }
  presence:
    store: { kind: sqlite, path: ${JSON.stringify(o.store)} }
partners:
${Object.values(DNS_DOMAINS).map(dnsPartner).join('\n')}
  - { domain: ${FAULT.stall.domain}, tls: Required, sasl: Optional, dialback: true, proxyFqdn: "${FAULT.stall.address}:${o.stallPort}" }
  - { domain: ${FAULT.deaf.domain}, tls: Optional, sasl: Optional, dialback: true, proxyFqdn: "${FAULT.deaf.address}:${o.deafPort}" }
policy:
  default: false
  domains:
    ${FAULT.gateway.domain}: true
`;
}

export async function startFaultLab(label: string): Promise<FaultLab> {
  const hosts: HostsMapping = mapHosts(Object.values(DNS_DOMAINS).map((name) => ({ name, address: FAULT.nowhere })));
  let target: DrachtioTarget | undefined;
  let gateway: RunningGateway | undefined;
  let dns: Awaited<ReturnType<typeof faultDns>> | undefined;
  const servers: RawServer[] = [];
  const stop = async (): Promise<void> => {
    await gateway?.stop().catch(() => undefined);
    await Promise.allSettled(servers.map((s) => s.close()));
    await dns?.stop();
    await target?.stop();
    hosts.remove();
  };
  try {
    dns = await faultDns();
    const stall = await stallServer();
    servers.push(stall);
    const deaf = await deafServer();
    servers.push(deaf);
    target = await startDrachtioTarget({ timerFMs: 32_000 });
    const proxyPort = await allocatePort({ from: 15070, to: 15599 }, ['udp', 'tcp']);
    const pki = labPki([FAULT.gateway.domain]);
    const leaf = pki.leaf(FAULT.gateway.domain);
    const text = yaml({
      target, proxyPort, stallPort: stall.port, deafPort: deaf.port, key: leaf.keyFile, cert: leaf.certFile, ca: pki.ca.certFile,
      store: path.join(labRunDir(), `faults-presence-${Date.now()}.sqlite`),
    });
    const parsed = parseConfigText(text, { baseDir: __dirname, checkFiles: true, env: {} });
    if (!parsed.ok) throw new Error(`fault lab config refused: ${JSON.stringify(parsed.error.errors)}`);
    const { logger, log } = fileLog(label);
    gateway = await startGateway(parsed.value.config, logger, { resolver: dns.resolver });
    const t = target;
    const g = gateway;
    const d = dns;
    return { target: t, gateway: g, proxyPort, log, stall, deaf, dnsQueries: d.queries, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** State shared by the two halves of the double, and the network-side helpers they share. */
import dns from 'node:dns/promises';
import net from 'node:net';
import type { AdminConnection } from './admin-connection';
import type { DialogStore } from './dialogs';
import { parseSipUri } from './sip-syntax';
import type { TcpTransport } from './sip-transport-tcp';
import type { UdpTransport } from './sip-transport-udp';
import type { ClientTxnStore, Peer, ServerTxnStore } from './transactions';

export interface DoubleContext {
  readonly host: string;
  readonly sipPort: number;
  readonly timerFMs: number;
  readonly coalesceWindowMs: number;
  readonly log: (line: string) => void;
  readonly udp: UdpTransport;
  readonly tcp: TcpTransport;
  readonly conns: Set<AdminConnection>;
  readonly serverTxns: ServerTxnStore;
  readonly clientTxns: ClientTxnStore;
  readonly dialogs: DialogStore;
  /** See DrachtioDoubleOptions.overloadAt / overloadRetryAfter. */
  readonly overloadAt: number | undefined;
  readonly overloadRetryAfter: number | undefined;
  /**
   * Test hook counters (DoubleHooks.counters); `sending`: app requests between the overload check
   * and their transaction; `answeredForGoneApp`: see uas-side.ts answerRequestsOfGoneApp.
   */
  readonly counters: { sentToNetwork: number; overload503: number; sending: number; answeredForGoneApp: number };
}

export function sendToPeer(ctx: DoubleContext, peer: Peer, buf: Buffer): Promise<void> {
  if (peer.proto === 'tcp') return ctx.tcp.send(buf, peer.addr, peer.port);
  ctx.udp.send(buf, peer.addr, peer.port);
  return Promise.resolve();
}

/**
 * Where a request for `uri` goes (RFC 3263 reduced to what the tests need): the URI's host
 * and port (default 5060), TCP when `;transport=tcp`. A host name gets an A lookup; there is
 * no NAPTR/SRV step.
 */
export async function peerForUri(uri: string): Promise<Peer | undefined> {
  const u = parseSipUri(uri);
  if (!u) return undefined;
  const proto = (u.params.get('transport') ?? 'udp').toLowerCase() === 'tcp' ? 'tcp' : 'udp';
  const host = u.host.replace(/^\[|\]$/g, '');
  let addr = host;
  if (net.isIP(host) === 0) {
    try { addr = (await dns.lookup(host, { family: 4 })).address; } catch { return undefined; }
  }
  return { proto, addr, port: u.port ?? 5060 };
}

/** `<sip:HOST:PORT>` as on drachtio's 2xx to SUBSCRIBE and its SUBSCRIBEs (S3 #7, S4 #4). */
export function localContact(ctx: DoubleContext, proto: 'udp' | 'tcp'): string {
  return `<sip:${ctx.host}:${ctx.sipPort}${proto === 'tcp' ? ';transport=tcp' : ''}>`;
}

/**
 * Our Via: `SIP/2.0/UDP 127.0.0.1;rport;branch=…` over UDP and `SIP/2.0/TCP 127.0.0.1;branch=…`
 * over TCP (S2 #4, S2 tcp #4). sofia leaves out the port when it is the default 5060.
 */
export function localVia(ctx: DoubleContext, proto: 'udp' | 'tcp', branch: string): string {
  const hostport = ctx.sipPort === 5060 ? ctx.host : `${ctx.host}:${ctx.sipPort}`;
  return proto === 'udp' ? `SIP/2.0/UDP ${hostport};rport;branch=${branch}` : `SIP/2.0/TCP ${hostport};branch=${branch}`;
}

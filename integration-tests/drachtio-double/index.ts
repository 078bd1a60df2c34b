/**
 * A test double of drachtio-server v0.9.10 for integration tests (issue #4): it speaks
 * drachtio's admin protocol to drachtio-srf on one side and is a SIP endpoint on loopback
 * UDP and TCP on the other, reproducing the behaviour captured in the golden traces
 * (see PROTOCOL-NOTES.md; copied facts are cited by quirk number in the modules).
 * Test-only code, never shipped.
 */
import net from 'node:net';
import { AdminConnection, type AdminFraming } from './admin-connection';
import type { DoubleContext } from './double-context';
import { DialogStore } from './dialogs';
import { nokFrame, type AppFrame } from './frames';
import { parseSipMessage } from './sip-message';
import { TcpTransport } from './sip-transport-tcp';
import { UdpTransport, type InboundSip } from './sip-transport-udp';
import { ClientTxnStore, ServerTxnStore } from './transactions';
import { handleAppRequest, handleNetworkResponse } from './uac-side';
import { answerRequestsOfGoneApp, handleAppResponse, handleNetworkRequest } from './uas-side';

export type { AdminFraming } from './admin-connection';

export interface DrachtioDoubleOptions {
  secret?: string;
  host?: string;
  adminPort?: number;
  sipPort?: number;
  timerFMs?: number;
  coalesceWindowMs?: number;
  serverVersion?: string;
  log?: (line: string) => void;
  /**
   * Overload like drachtio-server at ~3,000 req/s (issue #13): while this many of the app's
   * requests are unanswered, a new one is not sent; the app gets the echo and at once the
   * stack's own `503 Service Unavailable` (bytes 0, no address), as in the crash evidence.
   * Default off.
   */
  overloadAt?: number;
  /** Retry-After seconds on those 503s (drachtio's own carry none; a proxy's may). */
  overloadRetryAfter?: number;
  /** Adversarial framing of server → app frames; default off. See AdminFraming. */
  framing?: AdminFraming;
}

export interface DrachtioDouble {
  readonly adminHost: string;
  readonly adminPort: number;
  readonly secret: string;
  readonly sipHost: string;
  readonly sipPort: number;
  /** What only the double can be made to do (a real drachtio-server has no such handles). */
  readonly hooks: DoubleHooks;
  stop(): Promise<void>;
}

/** Test hooks of issue #13: break the admin link the way a crash, a cut or a framing bug would. */
export interface DoubleHooks {
  /** Destroys every app connection on the admin port (TCP RST/FIN from the server side); returns how many. */
  dropAppConnections(): number;
  /** Writes bytes outside any frame to every authenticated app (a framing error); returns how many. */
  writeRawToApps(bytes: Buffer): number;
  /**
   * App requests sent to the network, and answered by the double's own overload 503 (overloadAt);
   * network requests answered 503 because the app they were passed to disconnected first.
   */
  counters(): { readonly sentToNetwork: number; readonly overload503: number; readonly answeredForGoneApp: number };
}

/** TCP and UDP on the SAME port number; with port 0 retry a few ephemeral ports. */
async function bindSip(host: string, port: number, onSip: (p: InboundSip) => void): Promise<{ tcp: TcpTransport; udp: UdpTransport }> {
  for (let attempt = 0; ; attempt++) {
    const tcp = await TcpTransport.listen(host, port, onSip);
    try {
      return { tcp, udp: await UdpTransport.bind(host, tcp.port, onSip) };
    } catch (e) {
      await tcp.close();
      if (port !== 0 || attempt >= 9) throw e;
    }
  }
}

export async function startDrachtioDouble(opts: DrachtioDoubleOptions = {}): Promise<DrachtioDouble> {
  const host = opts.host ?? '127.0.0.1';
  const secret = opts.secret ?? 'cymru';
  const log = opts.log ?? ((): void => undefined);
  let ctx: DoubleContext | undefined;
  const onSip = (p: InboundSip): void => { if (ctx) onNetwork(ctx, p); };
  const { tcp, udp } = await bindSip(host, opts.sipPort ?? 0, onSip);
  const c: DoubleContext = {
    host, sipPort: tcp.port, timerFMs: opts.timerFMs ?? 32000, coalesceWindowMs: opts.coalesceWindowMs ?? 50, log,
    udp, tcp, conns: new Set(), serverTxns: new ServerTxnStore(), clientTxns: new ClientTxnStore(), dialogs: new DialogStore(),
    overloadAt: opts.overloadAt, overloadRetryAfter: opts.overloadRetryAfter,
    counters: { sentToNetwork: 0, overload503: 0, sending: 0, answeredForGoneApp: 0 },
  };
  ctx = c;
  const hostports = `tcp/${host}:${c.sipPort},udp/${host}:${c.sipPort}`;
  const admin = net.createServer((socket) => {
    const conn = new AdminConnection(socket, { secret, hostports, serverVersion: opts.serverVersion ?? 'v0.9.10-1-g9c2dd4cb6a', log, framing: opts.framing }, {
      onSipFrame: (cn, f) => onAppSip(c, cn, f),
      onClose: (cn) => {
        c.conns.delete(cn);
        c.counters.answeredForGoneApp += answerRequestsOfGoneApp(c, cn);
      },
    });
    c.conns.add(conn);
  });
  await new Promise<void>((resolve, reject) => {
    admin.once('error', reject);
    admin.listen(opts.adminPort ?? 0, host, () => { admin.off('error', reject); resolve(); });
  });
  const adminPort = (admin.address() as net.AddressInfo).port;
  log(`drachtio double: admin ${host}:${adminPort}, sip udp+tcp ${host}:${c.sipPort}`);
  const hooks: DoubleHooks = {
    dropAppConnections() {
      const n = c.conns.size;
      for (const conn of [...c.conns]) conn.close();
      return n;
    },
    writeRawToApps(bytes) {
      const live = [...c.conns].filter((conn) => conn.authenticated && !conn.closed);
      for (const conn of live) conn.writeRaw(bytes);
      return live.length;
    },
    counters: () => ({ sentToNetwork: c.counters.sentToNetwork, overload503: c.counters.overload503, answeredForGoneApp: c.counters.answeredForGoneApp }),
  };
  return {
    adminHost: host, adminPort, secret, sipHost: host, sipPort: c.sipPort, hooks,
    async stop(): Promise<void> {
      c.serverTxns.clear();
      c.clientTxns.clear();
      c.dialogs.clear();
      for (const conn of c.conns) conn.close();
      c.conns.clear();
      await Promise.all([
        new Promise<void>((resolve) => admin.close(() => resolve())),
        udp.close(),
        tcp.close(),
      ]);
    },
  };
}

function onNetwork(ctx: DoubleContext, p: InboundSip): void {
  const m = parseSipMessage(p.raw);
  if (!m.ok) {
    ctx.log(`network: unparsable message from ${p.proto}/${p.srcAddr}:${p.srcPort}: ${m.error}`);
    return;
  }
  if (m.value.kind === 'request') handleNetworkRequest(ctx, p, m.value);
  else handleNetworkResponse(ctx, p, m.value);
}

/** `sip|…` from the app: a response answers a network request, a request goes out. */
function onAppSip(ctx: DoubleContext, conn: AdminConnection, f: AppFrame): void {
  const m = f.sip ? parseSipMessage(f.sip, 'rest') : undefined;
  if (!m || !m.ok) {
    conn.send(nokFrame(f.msgId, `invalid SIP message${m && !m.ok ? `: ${m.error}` : ''}`));
    return;
  }
  const msg = m.value;
  if (msg.kind === 'response') handleAppResponse(ctx, conn, f, msg.status, msg.reason, msg.headers, msg.body);
  else void handleAppRequest(ctx, conn, f, msg).catch((e: unknown) => ctx.log(`app request failed: ${String(e)}`));
}

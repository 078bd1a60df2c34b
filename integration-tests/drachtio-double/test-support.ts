/**
 * Helpers for the drachtio double's integration tests: a connected drachtio-srf app, raw
 * SIP peers on loopback (UDP and TCP), a raw admin client, and bounded waits.
 * Test-only; every wait has a timeout.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import Srf from 'drachtio-srf';
import { encodeFrame, FrameDecoder } from './framing';
import { startDrachtioDouble, type DrachtioDouble, type DrachtioDoubleOptions } from './index';

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms); });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Starts a double whose log lets tests wait for `route` frames to be processed. */
export async function startLoggedDouble(opts: DrachtioDoubleOptions = {}): Promise<{ double: DrachtioDouble; lines: string[] }> {
  const lines: string[] = [];
  const double = await startDrachtioDouble({ ...opts, log: (l) => lines.push(l) });
  return { double, lines };
}

/** A drachtio-srf app connected to the double; resolves after `connect`. */
export async function connectSrf(d: DrachtioDouble, setup: (srf: Srf) => void = () => undefined): Promise<Srf> {
  const srf = new Srf();
  setup(srf);
  const connected = new Promise<void>((resolve, reject) => {
    srf.on('connect', (err: Error | null) => (err ? reject(err) : resolve()));
  });
  srf.on('error', () => undefined);
  srf.connect({ host: d.adminHost, port: d.adminPort, secret: d.secret });
  await withTimeout(connected, 3000, 'srf connect');
  // srf writes its route frames just before emitting connect; a ping-less round trip through
  // the admin socket is not available, so give the double one loop turn per route.
  await sleep(50);
  return srf;
}

/** One parsed SIP datagram/segment received by a raw peer. */
export interface Received { readonly text: string; readonly from: { addr: string; port: number } }

export const header = (text: string, name: string): string | undefined =>
  new RegExp(`^${name}[ \\t]*:[ \\t]*(.*)$`, 'im').exec(text.split('\r\n\r\n')[0] ?? '')?.[1]?.trim();

export const statusOf = (text: string): number => Number(/^SIP\/2\.0 (\d{3})/.exec(text)?.[1] ?? 0);

/** A raw SIP peer on loopback over UDP or TCP, with a queue of received messages. */
export class RawSipPeer {
  readonly received: Received[] = [];
  private waiters: (() => void)[] = [];
  private udp?: dgram.Socket;
  private tcpServer?: net.Server;
  private tcpConns: net.Socket[] = [];
  port = 0;

  private constructor(readonly proto: 'udp' | 'tcp') {}

  static async open(proto: 'udp' | 'tcp'): Promise<RawSipPeer> {
    const p = new RawSipPeer(proto);
    if (proto === 'udp') {
      const s = dgram.createSocket('udp4');
      p.udp = s;
      s.on('message', (m, r) => p.push({ text: m.toString('utf8'), from: { addr: r.address, port: r.port } }));
      await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
      p.port = s.address().port;
    } else {
      const srv = net.createServer((c) => p.adoptTcp(c));
      p.tcpServer = srv;
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
      p.port = (srv.address() as net.AddressInfo).port;
    }
    return p;
  }

  private adoptTcp(c: net.Socket): void {
    this.tcpConns.push(c);
    let buf = Buffer.alloc(0);
    c.on('error', () => undefined);
    c.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end === -1) return;
        const len = Number(/content-length:\s*(\d+)/i.exec(buf.toString('latin1', 0, end))?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        this.push({ text: buf.toString('utf8', 0, end + 4 + len), from: { addr: c.remoteAddress ?? '', port: c.remotePort ?? 0 } });
        buf = buf.subarray(end + 4 + len);
      }
    });
  }

  private push(r: Received): void {
    this.received.push(r);
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Sends raw text to the double (TCP: over one connection this peer opened or accepted). */
  async send(text: string, port: number): Promise<void> {
    const buf = Buffer.from(text, 'utf8');
    if (this.udp) { this.udp.send(buf, port, '127.0.0.1'); return; }
    let c = this.tcpConns.find((s) => !s.destroyed);
    if (!c) {
      const s = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.1' });
      await new Promise<void>((r, j) => { s.once('connect', () => r()); s.once('error', j); });
      this.adoptTcp(s);
      c = s;
    }
    c.write(buf);
  }

  /** Waits for the n-th (1-based) message matching `pred`. */
  async waitFor(pred: (r: Received) => boolean, ms = 3000, what = 'SIP message'): Promise<Received> {
    const deadline = Date.now() + ms;
    for (let i = 0; i < 1000; i++) {
      const hit = this.received.find(pred);
      if (hit) { this.received.splice(this.received.indexOf(hit), 1); return hit; }
      const left = deadline - Date.now();
      if (left <= 0) break;
      await withTimeout(new Promise<void>((r) => this.waiters.push(r)), left, what).catch(() => undefined);
    }
    throw new Error(`timed out after ${ms} ms waiting for ${what}`);
  }

  async close(): Promise<void> {
    for (const c of this.tcpConns) c.destroy();
    if (this.udp) await new Promise<void>((r) => this.udp?.close(() => r()));
    if (this.tcpServer) await new Promise<void>((r) => this.tcpServer?.close(() => r()));
  }
}

/** A raw admin-protocol client, to check exact frame layouts. */
export class RawAdminClient {
  readonly frames: string[] = [];
  private readonly decoder = new FrameDecoder(12);
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (c) => {
      const r = this.decoder.push(c);
      this.frames.push(...r.frames);
      const w = this.waiters; this.waiters = []; for (const f of w) f();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => { this.closed = true; const w = this.waiters; this.waiters = []; for (const f of w) f(); });
  }

  static async connect(d: DrachtioDouble): Promise<RawAdminClient> {
    const s = net.connect({ host: d.adminHost, port: d.adminPort });
    await withTimeout(new Promise<void>((r, j) => { s.once('connect', () => r()); s.once('error', j); }), 3000, 'admin connect');
    return new RawAdminClient(s);
  }

  write(payload: string): void {
    this.socket.write(encodeFrame(payload));
  }

  async next(ms = 3000, what = 'admin frame'): Promise<string> {
    const deadline = Date.now() + ms;
    for (let i = 0; i < 1000 && this.frames.length === 0; i++) {
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) break;
      await withTimeout(new Promise<void>((r) => this.waiters.push(r)), left, what).catch(() => undefined);
    }
    const f = this.frames.shift();
    if (f === undefined) throw new Error(`no ${what} within ${ms} ms`);
    return f;
  }

  async waitClosed(ms = 3000): Promise<void> {
    const deadline = Date.now() + ms;
    for (let i = 0; i < 100 && !this.closed; i++) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      await withTimeout(new Promise<void>((r) => this.waiters.push(r)), left, 'close').catch(() => undefined);
    }
    if (!this.closed) throw new Error('admin connection still open');
  }

  close(): void {
    this.socket.destroy();
  }
}

export const tokensOf = (frame: string): string[] => (frame.split('\r\n')[0] ?? '').split('|');
export const sipOf = (frame: string): string => frame.slice(frame.indexOf('\r\n') + 2);

/**
 * Recording TCP proxy between a drachtio-srf app and a drachtio target (real
 * server or test double). TS port of the capture kit's tools/wiretap-proxy.js:
 * every 'data' event on either side is recorded as ONE chunk (so TCP read
 * boundaries, i.e. frame coalescing, stay visible) and forwarded unchanged with
 * one write. Loopback only; nothing is written to disk.
 */
import net from 'node:net';
import { splitFrames, type SplitResult, type WireChunk, type WireDirection } from './split-frames';

export { splitFrames, framePayload, type TraceFrame, type WireChunk, type SplitResult } from './split-frames';

export interface WireEvent {
  readonly seq: number;
  readonly t: string;
  readonly ms: number;
  readonly conn: number;
  readonly event: 'open' | 'upstream-connected' | 'end-from-app' | 'end-from-srv' | 'close-app' | 'close-srv'
    | 'error-app' | 'error-srv';
  readonly detail?: string;
}

export interface WiretapOptions {
  readonly targetHost: string;
  readonly targetPort: number;
  readonly listenHost?: string;
  /** 0 (default): an ephemeral port */
  readonly listenPort?: number;
}

export interface Wiretap {
  readonly host: string;
  readonly port: number;
  /** Data chunks in arrival order (the wire.jsonl data lines). */
  chunks(): readonly WireChunk[];
  events(): readonly WireEvent[];
  /** Frames of everything recorded so far. */
  split(): SplitResult;
  /** Resolves once `pred` holds for the recorded frames; rejects after timeoutMs. */
  waitFor(pred: (r: SplitResult) => boolean, timeoutMs: number, what: string): Promise<void>;
  /** Closes the listener and every proxied connection. */
  stop(): Promise<void>;
}

const POLL_MS = 20;

export async function startWiretap(opts: WiretapOptions): Promise<Wiretap> {
  const listenHost = opts.listenHost ?? '127.0.0.1';
  const t0 = process.hrtime.bigint();
  const chunks: WireChunk[] = [];
  const events: WireEvent[] = [];
  const sockets = new Set<net.Socket>();
  let seq = 0;
  let connCount = 0;
  const stamp = () => ({
    seq: ++seq,
    t: new Date().toISOString(),
    ms: Math.round(Number(process.hrtime.bigint() - t0) / 1e3) / 1e3,
  });
  const ev = (conn: number, event: WireEvent['event'], detail?: string) =>
    events.push({ ...stamp(), conn, event, ...(detail === undefined ? {} : { detail }) });
  const data = (conn: number, dir: WireDirection, buf: Buffer) =>
    chunks.push({ ...stamp(), conn, dir, data: Buffer.from(buf) });

  const server = net.createServer((appSock) => {
    const conn = ++connCount;
    sockets.add(appSock);
    appSock.setNoDelay(true);
    ev(conn, 'open', `${appSock.remoteAddress}:${appSock.remotePort}`);
    const srvSock = net.connect({ host: opts.targetHost, port: opts.targetPort });
    sockets.add(srvSock);
    srvSock.setNoDelay(true);
    let srvConnected = false;
    const pending: Buffer[] = [];
    srvSock.on('connect', () => {
      srvConnected = true;
      ev(conn, 'upstream-connected', `${srvSock.localAddress}:${srvSock.localPort}`);
      for (const b of pending) srvSock.write(b);
      pending.length = 0;
    });
    appSock.on('data', (buf) => {
      data(conn, 'app->srv', buf);
      if (srvConnected) srvSock.write(buf);
      else pending.push(buf);
    });
    srvSock.on('data', (buf) => {
      data(conn, 'srv->app', buf);
      appSock.write(buf);
    });
    appSock.on('end', () => { ev(conn, 'end-from-app'); srvSock.end(); });
    srvSock.on('end', () => { ev(conn, 'end-from-srv'); appSock.end(); });
    appSock.on('close', () => { ev(conn, 'close-app'); sockets.delete(appSock); srvSock.destroy(); });
    srvSock.on('close', () => { ev(conn, 'close-srv'); sockets.delete(srvSock); appSock.destroy(); });
    appSock.on('error', (e) => ev(conn, 'error-app', e.message));
    srvSock.on('error', (e) => ev(conn, 'error-srv', e.message));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.listenPort ?? 0, listenHost, () => { server.off('error', reject); resolve(); });
  });
  const addr = server.address() as net.AddressInfo;

  const split = () => splitFrames(chunks);
  return {
    host: listenHost,
    port: addr.port,
    chunks: () => chunks,
    events: () => events,
    split,
    waitFor: (pred, timeoutMs, what) => new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + timeoutMs;
      const tick = () => {
        if (pred(split())) { resolve(); return; }
        if (Date.now() >= deadline) {
          reject(new Error(`wiretap: timed out after ${timeoutMs} ms waiting for ${what}`));
          return;
        }
        setTimeout(tick, POLL_MS);
      };
      tick();
    }),
    stop: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/**
 * SIP over TCP (RFC 3261 §18.3): messages are delimited by Content-Length. Connections are
 * keyed by remote `addr:port` and reused in both directions (§18.2.2: a response goes back
 * on the connection the request came in on; §18.1.1: reuse an open connection to the
 * destination before opening a new one).
 */
import net from 'node:net';
import { headEnd } from './sip-message';
import type { InboundSip } from './sip-transport-udp';

const MAX_HEAD = 64 * 1024;

export class TcpTransport {
  private readonly conns = new Map<string, net.Socket>();

  private constructor(private readonly server: net.Server, private readonly onMessage: (m: InboundSip) => void) {}

  static listen(host: string, port: number, onMessage: (m: InboundSip) => void): Promise<TcpTransport> {
    return new Promise((resolve, reject) => {
      const server = net.createServer();
      const t = new TcpTransport(server, onMessage);
      server.on('connection', (s) => t.adopt(s));
      server.once('error', reject);
      server.listen(port, host, () => { server.off('error', reject); resolve(t); });
    });
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  private adopt(s: net.Socket): string {
    const key = `${s.remoteAddress}:${s.remotePort}`;
    this.conns.set(key, s);
    let buf = Buffer.alloc(0);
    s.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        while (buf.length >= 2 && buf[0] === 0x0d && buf[1] === 0x0a) buf = buf.subarray(2); // keep-alive CRLFs
        const end = headEnd(buf);
        if (end === -1) { if (buf.length > MAX_HEAD) s.destroy(); return; }
        const m = /\r\n(?:content-length|l)[ \t]*:[ \t]*([0-9]+)/i.exec(buf.toString('latin1', 0, end));
        const total = end + 4 + (m ? Number(m[1]) : 0);
        if (buf.length < total) return;
        this.onMessage({ raw: buf.subarray(0, total), proto: 'tcp', srcAddr: s.remoteAddress ?? '', srcPort: s.remotePort ?? 0 });
        buf = buf.subarray(total);
      }
    });
    s.on('error', () => undefined);
    s.on('close', () => { if (this.conns.get(key) === s) this.conns.delete(key); });
    return key;
  }

  /** Sends on an open connection to addr:port, or opens one. Rejects if it cannot connect. */
  send(buf: Buffer, addr: string, port: number): Promise<void> {
    const open = this.conns.get(`${addr}:${port}`);
    if (open && !open.destroyed) { open.write(buf); return Promise.resolve(); }
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: addr, port });
      s.once('error', reject);
      s.once('connect', () => {
        s.off('error', reject);
        this.adopt(s);
        s.write(buf);
        resolve();
      });
    });
  }

  close(): Promise<void> {
    for (const s of this.conns.values()) s.destroy();
    this.conns.clear();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

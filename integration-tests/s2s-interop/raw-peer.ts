/**
 * A raw-socket "server" speaking just enough XMPP S2S to our listener to
 * attempt things a real server never would (a forged dialback key, a domain
 * that is not a partner). Bytes are written as literal text so the test shows
 * exactly what goes on the wire.
 */
import net from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import tls from 'node:tls';

export const STREAM_HEADER = (from: string, to: string): string =>
  `<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' ` +
  `xmlns:db='jabber:server:dialback' from='${from}' to='${to}' version='1.0'>`;

export class RawPeer {
  /** Everything received since connect (or since the TLS upgrade). */
  text = '';
  closed = false;
  private socket: net.Socket | tls.TLSSocket;
  private readonly waiters = new Set<() => void>();

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.listen(socket);
  }

  static connect(host: string, port: number, ms = 5000): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host, port });
      const t = setTimeout(() => { s.destroy(); reject(new Error(`raw peer: connect ${host}:${port} timed out`)); }, ms);
      s.once('error', (e) => { clearTimeout(t); reject(e); });
      s.once('connect', () => { clearTimeout(t); s.removeAllListeners('error'); resolve(new RawPeer(s)); });
    });
  }

  private listen(s: net.Socket | tls.TLSSocket): void {
    const decoder = new StringDecoder('utf8');
    const wake = (): void => { for (const w of [...this.waiters]) w(); };
    s.on('data', (d: Buffer) => { this.text += decoder.write(d); wake(); });
    s.on('close', () => { this.closed = true; wake(); });
    s.on('end', () => { this.closed = true; wake(); });
    s.on('error', () => undefined);
  }

  send(xml: string): void {
    if (!this.closed) this.socket.write(xml);
  }

  /** Resolves with the match once `re` matches the received text; rejects after `ms`. */
  waitFor(re: RegExp, ms = 10_000): Promise<RegExpExecArray> {
    return this.until(() => re.exec(this.text) ?? undefined, ms, `${re}`);
  }

  waitClosed(ms = 10_000): Promise<true> {
    return this.until(() => (this.closed ? true : undefined), ms, 'the socket to close');
  }

  private until<T>(probe: () => T | undefined, ms: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const v = probe();
        if (v !== undefined) { done(); resolve(v); }
      };
      const timer = setTimeout(() => { done(); reject(new Error(`raw peer: waited ${ms} ms for ${what}; received: ${this.text.slice(-1500)}`)); }, ms);
      const done = (): void => { clearTimeout(timer); this.waiters.delete(check); };
      this.waiters.add(check);
      check();
    });
  }

  /** RFC 6120 §5.4.3: after <proceed/>, TLS over the same TCP connection (no client certificate). */
  async startTls(servername: string, ms = 5000): Promise<void> {
    const raw = this.socket as net.Socket;
    raw.removeAllListeners('data');
    raw.removeAllListeners('close');
    raw.removeAllListeners('end');
    const s = tls.connect({ socket: raw, servername, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('raw peer: TLS handshake timed out')), ms);
      s.once('secureConnect', () => { clearTimeout(t); resolve(); });
      s.once('error', (e) => { clearTimeout(t); reject(e); });
    });
    this.socket = s;
    this.text = '';
    this.listen(s);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

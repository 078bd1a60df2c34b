/**
 * A hostile S2S peer on a real loopback TCP socket: it connects from a
 * chosen 127.x address, writes literal bytes, and never closes its side on
 * its own (allowHalfOpen: a peer that does not answer our FIN), so every
 * close it sees is the edge's doing. It timestamps what it observes, so a
 * test can measure the time from the offending byte to the TCP close.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';

export const HEADER = (from = 'peer.test', to = 'gw.test', extra = '') =>
  `<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' ` +
  `xmlns:db='jabber:server:dialback' from='${from}' to='${to}' version='1.0'${extra}>`;

/** The condition of the first <stream:error/> in `text` (RFC 6120 §4.9.2). */
export const conditionIn = (text: string): string | undefined => /<stream:error><([a-z-]+) /.exec(text)?.[1];

export class HostilePeer {
  text = '';
  /** performance.now() when the edge's FIN arrived ('end'), and when the socket was gone ('close'). */
  finAt: number | undefined;
  closedAt: number | undefined;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: net.Socket) {
    const decoder = new StringDecoder('utf8');
    const wake = (): void => { for (const w of [...this.waiters]) w(); };
    socket.on('data', (d: Buffer) => { this.text += decoder.write(d); wake(); });
    socket.on('end', () => { this.finAt ??= performance.now(); wake(); });
    socket.on('close', () => { this.finAt ??= performance.now(); this.closedAt = performance.now(); wake(); });
    socket.on('error', () => undefined); // the edge's RST after it closed is expected
  }

  static connect(port: number, opts: { host?: string; localAddress?: string; ms?: number } = {}): Promise<HostilePeer> {
    const { host = '127.0.0.1', localAddress, ms = 3000 } = opts;
    return new Promise((resolve, reject) => {
      const s = net.connect({ host, port, allowHalfOpen: true, ...(localAddress ? { localAddress } : {}) });
      s.setNoDelay(true);
      const t = setTimeout(() => { s.destroy(); reject(new Error(`hostile peer: connect ${host}:${port} timed out`)); }, ms);
      s.once('error', (e) => { clearTimeout(t); reject(e); });
      // The peer is built before 'connect': a refusal written at accept may arrive with it.
      const p = new HostilePeer(s);
      s.once('connect', () => { clearTimeout(t); s.removeAllListeners('error'); s.on('error', () => undefined); resolve(p); });
    });
  }

  /** Writes and returns performance.now() just before the bytes left. */
  send(data: string | Buffer): number {
    const t = performance.now();
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(data);
    return t;
  }

  waitFor(re: RegExp, ms = 2000): Promise<string> {
    return this.until(() => (re.test(this.text) ? this.text : undefined), ms, `${re}`);
  }

  /** Resolves with the time the edge's FIN arrived. */
  waitFin(ms = 2000): Promise<number> {
    return this.until(() => this.finAt, ms, 'the edge to end the connection');
  }

  /**
   * Proves the edge has let go of the connection entirely, not just
   * half-closed it: keeps writing one byte every `everyMs` (bounded by `ms`)
   * until the edge's kernel answers with a RST (its socket is gone), and
   * resolves with the time the socket was reported closed.
   */
  async waitGone(ms = 2000, everyMs = 20): Promise<number> {
    const deadline = performance.now() + ms;
    while (this.closedAt === undefined && performance.now() < deadline) {
      this.send(' ');
      await new Promise((r) => setTimeout(r, everyMs));
    }
    if (this.closedAt === undefined) throw new Error(`hostile peer: the edge still holds the connection after ${ms} ms; received: ${this.text.slice(-500)}`);
    return this.closedAt;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private until<T>(probe: () => T | undefined, ms: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const v = probe();
        if (v !== undefined) { done(); resolve(v); }
      };
      const timer = setTimeout(() => { done(); reject(new Error(`hostile peer: waited ${ms} ms for ${what}; received: ${this.text.slice(-500)}`)); }, ms);
      const done = (): void => { clearTimeout(timer); this.waiters.delete(check); };
      this.waiters.add(check);
      check();
    });
  }
}

/**
 * A TCP relay on loopback that a test can switch off (connections refused,
 * open ones cut) and on again: a partner that becomes unreachable and comes
 * back, without restarting the real server behind it.
 */
import net from 'node:net';

export interface TcpSwitch {
  /** host:port to use as the partner's static route. */
  readonly address: string;
  on(): Promise<void>;
  off(): Promise<void>;
  close(): Promise<void>;
}

export async function tcpSwitch(listen: { host: string; port: number }, target: { host: string; port: number }): Promise<TcpSwitch> {
  const open = new Set<net.Socket>();
  let server: net.Server | undefined;
  const on = (): Promise<void> => new Promise((resolve, reject) => {
    if (server) return resolve();
    const s = net.createServer((inbound) => {
      const outbound = net.connect(target);
      for (const sock of [inbound, outbound]) {
        open.add(sock);
        sock.on('close', () => open.delete(sock));
        sock.on('error', () => { inbound.destroy(); outbound.destroy(); });
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    s.once('error', reject);
    s.listen(listen.port, listen.host, () => { server = s; resolve(); });
  });
  const off = (): Promise<void> => new Promise((resolve) => {
    const s = server;
    server = undefined;
    for (const sock of open) sock.destroy();
    if (!s) return resolve();
    s.close(() => resolve());
  });
  return { address: `${listen.host}:${listen.port}`, on, off, close: off };
}

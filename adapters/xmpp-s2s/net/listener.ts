import net from 'node:net';

export interface S2SListener {
  readonly host: string;
  readonly port: number;
  /** Stops accepting; with force, also destroys sockets still open. */
  close(opts?: { force?: boolean }): Promise<void>;
}

/**
 * The inbound TCP listener (RFC 6120 §3, port 5269). It only accepts sockets
 * and hands them on: stream handling takes a Duplex, so it never sees a port.
 */
export function createS2SListener(opts: {
  host: string;
  port: number;
  onSocket: (s: net.Socket) => void;
}): Promise<S2SListener> {
  const open = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    socket.setNoDelay(true); // notes/xmpp-peers.md "Speed": Nagle adds ~40 ms stalls
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    opts.onSocket(socket);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.removeListener('error', reject);
      const addr = server.address() as net.AddressInfo;
      resolve({
        host: addr.address,
        port: addr.port,
        close: ({ force = false } = {}) =>
          new Promise<void>((res) => {
            if (force) for (const s of open) s.destroy();
            server.close(() => res());
          }),
      });
    });
  });
}

/** SIP over UDP (RFC 3261 §18): one message per datagram. */
import dgram from 'node:dgram';

export interface InboundSip {
  readonly raw: Buffer;
  readonly proto: 'udp' | 'tcp';
  readonly srcAddr: string;
  readonly srcPort: number;
}

export class UdpTransport {
  private constructor(private readonly socket: dgram.Socket) {}

  static bind(host: string, port: number, onPacket: (p: InboundSip) => void): Promise<UdpTransport> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket({ type: 'udp4' });
      const onError = (e: Error): void => { socket.close(); reject(e); };
      socket.once('error', onError);
      socket.bind(port, host, () => {
        socket.off('error', onError);
        socket.on('error', () => undefined); // ICMP errors on send must not crash the double
        socket.on('message', (raw, rinfo) => onPacket({ raw, proto: 'udp', srcAddr: rinfo.address, srcPort: rinfo.port }));
        resolve(new UdpTransport(socket));
      });
    });
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(buf: Buffer, addr: string, port: number): void {
    this.socket.send(buf, port, addr);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

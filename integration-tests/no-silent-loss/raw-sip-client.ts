/**
 * A SIP client that sends one MESSAGE with a body given as BYTES, over UDP or
 * TCP, and returns the final status. SIPp cannot do this: its scenario text
 * (and our harness, which fills vars into it as UTF-8) cannot carry a C3 28
 * or a NUL byte. Loopback only; every wait is bounded.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { randomBytes } from 'node:crypto';

export interface RawMessage {
  readonly ruri: string;
  readonly contentType: string;
  readonly body: Buffer;
}

function request(m: RawMessage, transport: 'UDP' | 'TCP', localPort: number): Buffer {
  const branch = `z9hG4bK-${randomBytes(6).toString('hex')}`;
  const head = [
    `MESSAGE ${m.ruri} SIP/2.0`,
    `Via: SIP/2.0/${transport} 127.0.0.1:${localPort};branch=${branch};rport`,
    `From: <sip:alice@sip.test>;tag=${randomBytes(4).toString('hex')}`,
    `To: <${m.ruri}>`,
    `Call-ID: raw-${randomBytes(8).toString('hex')}@127.0.0.1`,
    'CSeq: 1 MESSAGE',
    'Max-Forwards: 70',
    `Contact: <sip:alice@127.0.0.1:${localPort};transport=${transport.toLowerCase()}>`,
    `Content-Type: ${m.contentType}`,
    `Content-Length: ${m.body.length}`,
    '', '',
  ].join('\r\n');
  return Buffer.concat([Buffer.from(head, 'latin1'), m.body]);
}

const finalStatus = (text: string): number | undefined => {
  for (const m of text.matchAll(/^SIP\/2\.0 (\d{3}) /gm)) {
    const s = Number(m[1]);
    if (s >= 200) return s;
  }
  return undefined;
};

/** Sends the MESSAGE to host:port and resolves with the first final status (undefined after timeoutMs). */
export async function sendRawMessage(host: string, port: number, transport: 'udp' | 'tcp', m: RawMessage, timeoutMs = 5000): Promise<number | undefined> {
  if (transport === 'udp') {
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    try {
      return await new Promise<number | undefined>((resolve) => {
        const t = setTimeout(() => resolve(undefined), timeoutMs);
        sock.on('message', (b) => {
          const s = finalStatus(b.toString('latin1'));
          if (s !== undefined) { clearTimeout(t); resolve(s); }
        });
        sock.send(request(m, 'UDP', sock.address().port), port, host);
      });
    } finally {
      sock.close();
    }
  }
  const sock = net.connect({ host, port, localAddress: '127.0.0.1' });
  await new Promise<void>((r, j) => { sock.once('connect', () => r()); sock.once('error', j); });
  try {
    return await new Promise<number | undefined>((resolve) => {
      let text = '';
      const t = setTimeout(() => resolve(undefined), timeoutMs);
      sock.on('data', (b: Buffer) => {
        text += b.toString('latin1');
        const s = finalStatus(text);
        if (s !== undefined) { clearTimeout(t); resolve(s); }
      });
      sock.on('error', () => undefined);
      sock.write(request(m, 'TCP', sock.localPort ?? 0));
    });
  } finally {
    sock.destroy();
  }
}

/**
 * One SIP request over TCP from the test itself, for what sipp cannot send: a NOTIFY with
 * a 1 MB body (sipp builds each message in a fixed buffer far smaller; UDP carries at most
 * 64 KB). The request goes to the drachtio target like any SIP UA's, in a dialog the
 * gateway owns (drachtio matches dialogs by Call-ID and tags, not by transport).
 * Loopback only; the wait for the final response is bounded.
 */
import { randomUUID } from 'node:crypto';
import * as net from 'node:net';

export interface SipResponseSeen {
  readonly status: number;
  readonly reason: string;
  /** Every response received on the connection (1xx included), start lines only. */
  readonly startLines: readonly string[];
}

export interface TcpNotify {
  readonly requestUri: string;
  readonly from: string;
  readonly to: string;
  readonly callId: string;
  readonly cseq: number;
  readonly contact: string;
  readonly subscriptionState: string;
  readonly body: Buffer;
}

function notifyBytes(n: TcpNotify, local: { address: string; port: number }): Buffer {
  const head = [
    `NOTIFY ${n.requestUri} SIP/2.0`,
    `Via: SIP/2.0/TCP ${local.address}:${local.port};branch=z9hG4bK-${randomUUID()}`,
    `From: ${n.from}`,
    `To: ${n.to}`,
    `Call-ID: ${n.callId}`,
    `CSeq: ${n.cseq} NOTIFY`,
    `Contact: ${n.contact}`,
    'Max-Forwards: 70',
    'Event: presence',
    `Subscription-State: ${n.subscriptionState}`,
    'Content-Type: application/pidf+xml',
    `Content-Length: ${n.body.length}`,
    '', '',
  ].join('\r\n');
  return Buffer.concat([Buffer.from(head, 'utf8'), n.body]);
}

/** Sends the NOTIFY and resolves with its final response; rejects after `timeoutMs`. */
export function notifyOverTcp(host: string, port: number, n: TcpNotify, timeoutMs: number): Promise<SipResponseSeen> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port });
    const startLines: string[] = [];
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`no final response to NOTIFY CSeq ${n.cseq} within ${timeoutMs} ms; saw ${JSON.stringify(startLines)}`)); }, timeoutMs);
    s.on('connect', () => { s.write(notifyBytes(n, { address: s.localAddress ?? '127.0.0.1', port: s.localPort ?? 0 })); });
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      // Bounded: one loop turn per complete response in the buffer.
      for (let i = 0; i < 100; i++) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('utf8');
        const len = Number(/^content-length\s*:\s*(\d+)/im.exec(head)?.[1] ?? '0');
        if (buf.length < end + 4 + len) return;
        buf = buf.subarray(end + 4 + len);
        const first = head.split('\r\n')[0] ?? '';
        startLines.push(first);
        const m = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(first);
        if (m && Number(m[1]) >= 200) {
          clearTimeout(timer);
          s.destroy();
          resolve({ status: Number(m[1]), reason: m[2] ?? '', startLines });
          return;
        }
      }
    });
    s.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

/**
 * Loopback port helpers for the SIPp runner: find a free port in a fixed range
 * (SIPp needs explicit ports, and several helpers share this machine), and wait
 * until a process has bound a port (Linux /proc/net tables; SIPp prints nothing
 * reliable when it is ready).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { readFileSync } from 'node:fs';

export type PortProto = 'udp' | 'tcp';

function udpFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => { s.close(); resolve(false); });
    s.bind(port, host, () => s.close(() => resolve(true)));
  });
}

function tcpFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

/** The local ports bound in /proc/net/<proto>, for TCP only listening sockets. */
function boundPorts(proto: PortProto): Set<number> {
  const out = new Set<number>();
  for (const file of [`/proc/net/${proto}`, `/proc/net/${proto}6`]) {
    let text = '';
    try { text = readFileSync(file, 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      const state = cols[3];
      if (!local || (proto === 'tcp' && state !== '0A')) continue;
      out.add(parseInt(local.split(':')[1] ?? '', 16));
    }
  }
  return out;
}

const claimed = new Set<number>();

export interface PortRange { readonly from: number; readonly to: number; readonly step?: number }

/**
 * A port in [from, to] that is free now for every listed protocol on 0.0.0.0 and
 * `host`, never handed out twice by this process. `span` extra ports (e.g. SIPp's
 * media port + 2) must be free as well.
 */
export async function allocatePort(range: PortRange, protos: readonly PortProto[], span = 0, host = '127.0.0.1'): Promise<number> {
  for (let p = range.from; p + span <= range.to; p += range.step ?? 1) {
    const ports = Array.from({ length: span + 1 }, (_, i) => p + i);
    if (ports.some((x) => claimed.has(x))) continue;
    let ok = true;
    for (const x of ports) {
      for (const proto of protos) {
        const free = proto === 'udp' ? (await udpFree(x, '0.0.0.0')) && (await udpFree(x, host)) : await tcpFree(x, host);
        if (!free) { ok = false; break; }
      }
      if (!ok) break;
    }
    if (ok) {
      ports.forEach((x) => claimed.add(x));
      return p;
    }
  }
  throw new Error(`no free ${protos.join('+')} port in ${range.from}-${range.to}`);
}

export function releasePort(port: number, span = 0): void {
  for (let i = 0; i <= span; i++) claimed.delete(port + i);
}

/** Resolves once some process has bound `port`; rejects after timeoutMs or when `abort()` says so. */
export function waitForBoundPort(port: number, proto: PortProto, timeoutMs: number, abort: () => string | null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (boundPorts(proto).has(port)) { resolve(); return; }
      const why = abort();
      if (why !== null) { reject(new Error(why)); return; }
      if (Date.now() >= deadline) { reject(new Error(`port ${proto}/${port} not bound within ${timeoutMs} ms`)); return; }
      setTimeout(tick, 25);
    };
    tick();
  });
}

import net from 'node:net';
import { streamError, type StreamError } from './stream/stream-error';

/**
 * The address an inbound connection is counted under: IPv4 as is (an
 * IPv4-mapped IPv6 address, as a dual-stack listener reports it, counts as
 * its IPv4 address), IPv6 by its /64 prefix: one site is normally given a
 * whole /64 (RFC 6177), so counting single IPv6 addresses would not cap an
 * attacker at all.
 */
export function ipKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1] as string;
  if (!net.isIPv6(ip)) return ip;
  return `${ipv6Groups(ip).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (RFC 4291 §2.2 text forms), in canonical hex. */
function ipv6Groups(ip: string): string[] {
  let s = ip.toLowerCase().split('%')[0] as string; // drop a zone index
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    s = `${s.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = s.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  return [...h, ...Array<string>(Math.max(0, fill)).fill('0'), ...t].map((g) => Number.parseInt(g, 16).toString(16));
}

/**
 * Caps inbound connections per source address BEFORE authentication, so one
 * address cannot take the global connectionLimit (slowloris, or a flood of
 * garbage connections). Once its first domain pair authenticates a
 * connection leaves this count (`release`) and counts only against its
 * partner's limit (ConnectionRegistry.promote).
 *
 * Past the cap the refusal is policy-violation (RFC 6120 §4.9.3.14: the
 * peer "has violated some local service policy"), not resource-constraint
 * (§4.9.3.17: the server "lacks the system resources"): the server is not
 * short of anything, this one address is over its share, and the condition
 * tells the peer so instead of inviting it to retry as if we were busy.
 */
export class PreAuthIpLimit {
  private readonly perIp = new Map<string, number>();

  constructor(private readonly cap: number) {}

  /** Counts a new unauthenticated connection from `ip`, or says why it is refused. */
  admit(ip: string): StreamError | undefined {
    const k = ipKey(ip);
    const n = this.perIp.get(k) ?? 0;
    if (n >= this.cap) return streamError('policy-violation', `too many unauthenticated connections from ${k}`);
    this.perIp.set(k, n + 1);
    return undefined;
  }

  /** The connection authenticated or closed. */
  release(ip: string): void {
    const k = ipKey(ip);
    const n = this.perIp.get(k) ?? 0;
    if (n <= 1) this.perIp.delete(k);
    else this.perIp.set(k, n - 1);
  }

  countFor(ip: string): number {
    return this.perIp.get(ipKey(ip)) ?? 0;
  }
}

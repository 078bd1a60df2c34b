import { promises as dnsPromises } from 'node:dns';

/** One place to try when opening an S2S connection. */
export interface S2STarget {
  readonly host: string;
  readonly port: number;
  /** XEP-0368: TLS from the first byte (from an `_xmpps-server` record). */
  readonly directTls: boolean;
}

export type SrvResolver = Pick<dnsPromises.Resolver, 'resolveSrv'>;

export const DEFAULT_S2S_PORT = 5269; // RFC 6120 §3.2.2, IANA

interface Candidate extends S2STarget {
  readonly priority: number;
  readonly weight: number;
}

/**
 * Where to connect for a remote XMPP domain.
 *
 * - A partner's `proxyFqdn` (Lync's ProxyFqdn; a static host[:port]) wins
 *   outright: no DNS at all.
 * - Otherwise `_xmpps-server._tcp` (XEP-0368 direct TLS) and `_xmpp-server._tcp`
 *   (RFC 6120 §3.2.1) are looked up together and merged in RFC 2782 order:
 *   priority ascending, direct TLS first within a priority (XEP-0368 §3), then a
 *   weighted random pick within what is left.
 * - A single `.` target means "service decidedly not available" (RFC 2782) and
 *   gives no targets for that service.
 * - With no usable SRV record at all, fall back to the domain itself on 5269
 *   (RFC 6120 §3.2.2), unless `_xmpp-server` said `.`.
 */
export async function resolveS2STargets(
  domain: string,
  opts: { proxyFqdn?: string; resolver?: SrvResolver; random?: () => number } = {},
): Promise<S2STarget[]> {
  if (opts.proxyFqdn) return [parseHostPort(opts.proxyFqdn)];
  const resolver = opts.resolver ?? new dnsPromises.Resolver({ timeout: 5000, tries: 2 });
  const random = opts.random ?? Math.random;
  const [tlsRecords, tcpRecords] = await Promise.all([
    lookup(resolver, `_xmpps-server._tcp.${domain}`),
    lookup(resolver, `_xmpp-server._tcp.${domain}`),
  ]);
  const candidates: Candidate[] = [];
  for (const r of usable(tlsRecords)) candidates.push({ host: stripDot(r.name), port: r.port, directTls: true, priority: r.priority, weight: r.weight });
  for (const r of usable(tcpRecords)) candidates.push({ host: stripDot(r.name), port: r.port, directTls: false, priority: r.priority, weight: r.weight });
  if (candidates.length === 0) {
    return isDecidedlyUnavailable(tcpRecords) ? [] : [{ host: domain, port: DEFAULT_S2S_PORT, directTls: false }];
  }
  return orderCandidates(candidates, random).map(({ host, port, directTls }) => ({ host, port, directTls }));
}

/** RFC 2782 ordering: by priority, direct TLS first (XEP-0368), then weighted random selection. */
export function orderCandidates(candidates: Candidate[], random: () => number): Candidate[] {
  const byKey = new Map<string, Candidate[]>();
  for (const c of candidates) {
    const key = `${c.priority}:${c.directTls ? 0 : 1}`;
    byKey.set(key, [...(byKey.get(key) ?? []), c]);
  }
  const keys = [...byKey.keys()].sort((a, b) => {
    const [pa, ta] = a.split(':').map(Number) as [number, number];
    const [pb, tb] = b.split(':').map(Number) as [number, number];
    return pa - pb || ta - tb;
  });
  const out: Candidate[] = [];
  for (const k of keys) out.push(...weightedOrder(byKey.get(k) ?? [], random));
  return out;
}

function weightedOrder(group: Candidate[], random: () => number): Candidate[] {
  // RFC 2782: zero-weight records first so they get a small chance, then
  // repeatedly pick by running sum against a uniform random number.
  const pool = [...group].sort((a, b) => a.weight - b.weight);
  const out: Candidate[] = [];
  while (pool.length > 0) {
    const total = pool.reduce((s, c) => s + c.weight, 0);
    const pick = random() * (total + 1);
    let sum = 0;
    let idx = pool.length - 1;
    for (let i = 0; i < pool.length; i++) {
      sum += pool[i]!.weight;
      if (sum >= pick) {
        idx = i;
        break;
      }
    }
    out.push(...pool.splice(idx, 1));
  }
  return out;
}

type SrvRecord = { name: string; port: number; priority: number; weight: number };

async function lookup(resolver: SrvResolver, name: string): Promise<SrvRecord[]> {
  try {
    return await resolver.resolveSrv(name);
  } catch {
    // NXDOMAIN, NODATA, timeouts: RFC 6120 §3.2.1 falls back to A/AAAA.
    return [];
  }
}

const isDecidedlyUnavailable = (rs: SrvRecord[]) => rs.length === 1 && (rs[0]!.name === '.' || rs[0]!.name === '');
const usable = (rs: SrvRecord[]) => (isDecidedlyUnavailable(rs) ? [] : rs.filter((r) => r.name !== '.' && r.name !== ''));
const stripDot = (h: string) => (h.endsWith('.') ? h.slice(0, -1) : h);

/** "host", "host:port", "[v6]" or "[v6]:port" → a plain TCP target. */
export function parseHostPort(s: string): S2STarget {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(s) ?? /^([^:]+)(?::(\d+))?$/.exec(s);
  if (!m) return { host: s, port: DEFAULT_S2S_PORT, directTls: false };
  const port = m[2] ? Number(m[2]) : DEFAULT_S2S_PORT;
  return { host: m[1]!, port, directTls: false };
}

/**
 * Raw DNS answers for `diagnose` (issue #9): what a domain publishes, record
 * by record, so an operator sees why resolve-targets.ts picked what it picked.
 * The connection itself always goes through resolveS2STargets (one rule set).
 */
import { promises as dns } from 'node:dns';

export interface SrvAnswer {
  /** e.g. `_xmpp-server._tcp.example.net` (RFC 6120 §3.2.1) or `_xmpps-server._tcp…` (XEP-0368). */
  readonly name: string;
  readonly records: ReadonlyArray<{ readonly target: string; readonly port: number; readonly priority: number; readonly weight: number }>;
  /** The resolver's code when there is no answer (ENOTFOUND, ENODATA, ETIMEOUT…). */
  readonly error?: string;
}

export interface AddressAnswer {
  readonly host: string;
  readonly addresses: readonly string[];
  readonly error?: string;
}

export type SrvQuery = (name: string) => Promise<Array<{ name: string; port: number; priority: number; weight: number }>>;

const codeOf = (e: unknown): string => (e as { code?: string })?.code ?? (e instanceof Error ? e.message : String(e));

function bounded<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_r, reject) => { timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'ETIMEOUT' })), ms); });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** A resolver whose every query is bounded by timeoutMs (one try). */
export function boundedResolver(timeoutMs: number): { resolveSrv: SrvQuery } {
  const r = new dns.Resolver({ timeout: Math.max(100, Math.min(timeoutMs, 5000)), tries: 1 });
  return { resolveSrv: (name) => bounded(r.resolveSrv(name), timeoutMs) };
}

export async function lookupSrv(name: string, query: SrvQuery, timeoutMs: number): Promise<SrvAnswer> {
  try {
    const rs = await bounded(query(name), timeoutMs);
    return { name, records: rs.map((r) => ({ target: r.name, port: r.port, priority: r.priority, weight: r.weight })) };
  } catch (e) {
    return { name, records: [], error: codeOf(e) };
  }
}

/** A/AAAA the way net.connect finds them (getaddrinfo: /etc/hosts, then DNS). */
export async function lookupAddresses(host: string, timeoutMs: number): Promise<AddressAnswer> {
  try {
    const as = await bounded(dns.lookup(host, { all: true }), timeoutMs);
    return { host, addresses: as.map((a) => a.address) };
  } catch (e) {
    return { host, addresses: [], error: codeOf(e) };
  }
}

/** RFC 2782: a single `.` target means "decidedly not available". */
export const saysUnavailable = (a: SrvAnswer): boolean => a.records.length === 1 && (a.records[0]?.target === '.' || a.records[0]?.target === '');

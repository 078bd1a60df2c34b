import net from 'node:net';
import { z } from 'zod';

/**
 * Value shapes shared by the configuration schema. Each returns a clear
 * message that the loader prefixes with the offending key path.
 */

/** Lower case, one trailing dot removed (RFC 7622 §3.2, RFC 4343: DNS names compare case-insensitively). */
export function normalizeDnsName(s: string): string {
  const lower = s.trim().toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A host name in LDH form (RFC 1123 §2.1); IDNs must be given as A-labels (xn--…). */
export function isDnsName(s: string): boolean {
  if (s.length === 0 || s.length > 253) return false;
  return s.split('.').every((l) => LABEL.test(l));
}

export const dnsName = z
  .string()
  .transform(normalizeDnsName)
  .refine(isDnsName, { message: 'expected a DNS name (letters, digits, hyphens; A-label form for IDNs)' });

/** Whole seconds, as Lync's gateway settings are given (Set-CsXmppGatewayConfiguration, UInt32 seconds). */
export const seconds = (def: number) => z.int().min(1).max(4_294_967).default(def);

export const positiveInt = (def: number) => z.int().min(1).max(4_294_967_295).default(def);

export const port = z.int().min(1).max(65535);

export interface HostPort {
  readonly host: string;
  readonly port?: number | undefined;
}

/** "host", "host:port", "[v6]" or "[v6]:port"; host is a DNS name or an IP literal. */
export function parseHostPort(s: string): HostPort | undefined {
  const m = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(s) ?? /^([^:[\]]+)(?::(\d{1,5}))?$/.exec(s);
  if (!m) return undefined;
  const rawHost = m[1] ?? '';
  const bracketed = s.startsWith('[');
  if (bracketed && net.isIPv6(rawHost) === false) return undefined;
  const host = bracketed ? rawHost.toLowerCase() : normalizeDnsName(rawHost);
  if (!bracketed && net.isIPv4(host) === false && !isDnsName(host)) return undefined;
  const p = m[2] === undefined ? undefined : Number(m[2]);
  if (p !== undefined && (p < 1 || p > 65535)) return undefined;
  return { host, port: p };
}

export const hostPort = z.string().refine((s) => parseHostPort(s.trim()) !== undefined, {
  message: 'expected host[:port] with a DNS name or IP address (IPv6 in brackets, e.g. [2001:db8::1]:5269)',
}).transform((s) => s.trim());

/** An IP address, a CIDR block (v4 or v6), or a host name resolved at run time. */
export function isAddressOrCidr(s: string): boolean {
  if (net.isIP(s) !== 0) return true;
  const slash = s.lastIndexOf('/');
  if (slash > 0) {
    const ip = s.slice(0, slash);
    const bits = s.slice(slash + 1);
    const family = net.isIP(ip);
    if (family === 0 || !/^\d{1,3}$/.test(bits)) return false;
    return Number(bits) <= (family === 4 ? 32 : 128);
  }
  return isDnsName(normalizeDnsName(s));
}

export const addressOrCidr = z
  .string()
  .transform((s) => s.trim())
  .refine(isAddressOrCidr, { message: 'expected an IP address, a CIDR block (e.g. 10.0.0.0/8) or a host name' });

export interface SipUriParts {
  readonly scheme: 'sip' | 'sips';
  readonly host: string;
  readonly port?: number | undefined;
  /** Lower-case value of the transport parameter, if any (RFC 3261 §19.1.1). */
  readonly transport?: string | undefined;
}

/** A SIP or SIPS URI naming a host (RFC 3261 §19.1): sip:[user@]host[:port][;params]. */
export function parseSipUri(s: string): SipUriParts | undefined {
  const m = /^(sips?):(?:[^@;?]+@)?(\[[^\]]+\]|[^:;?[\]]+)(?::(\d{1,5}))?((?:;[^?]*)?)(?:\?.*)?$/i.exec(s.trim());
  if (!m) return undefined;
  const hp = parseHostPort(m[3] === undefined ? (m[2] ?? '') : `${m[2] ?? ''}:${m[3]}`);
  if (!hp) return undefined;
  const params = (m[4] ?? '').split(';').filter((p) => p !== '');
  const transport = params.map((p) => p.split('=')).find(([k]) => k?.toLowerCase() === 'transport')?.[1]?.toLowerCase();
  return { scheme: (m[1] ?? 'sip').toLowerCase() as 'sip' | 'sips', host: hp.host, port: hp.port, transport };
}

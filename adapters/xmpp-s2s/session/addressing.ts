import { normalizeDomainpart } from '../../../plugin/core/address/jid';

/** Normalised domain of a bare domain attribute (dialback from/to); undefined when it is not a domain. */
export function domainAttr(v: string | undefined): string | undefined {
  if (v === undefined || v.includes('@') || v.includes('/')) return undefined;
  const d = normalizeDomainpart(v);
  return d.ok ? d.value : undefined;
}

/** Normalised domainpart of a JID string (RFC 7622 §3.1); undefined when absent or malformed. */
export function jidDomain(jid: string | undefined): string | undefined {
  if (jid === undefined || jid === '') return undefined;
  const slash = jid.indexOf('/');
  const bare = slash >= 0 ? jid.slice(0, slash) : jid;
  const at = bare.indexOf('@');
  const d = normalizeDomainpart(at >= 0 ? bare.slice(at + 1) : bare);
  return d.ok ? d.value : undefined;
}

/** True when the JID is the bare domain itself (no localpart, no resource). */
export function isBareDomainJid(jid: string | undefined): boolean {
  return jid !== undefined && !jid.includes('@') && !jid.includes('/');
}

export const pairKey = (remote: string, local: string): string => `${remote} ${local}`;

import { z } from 'zod';
import { NEGOTIATION_VALUES, PARTNER_TYPES } from '../plugin/core/policy/federation-vocabulary';
import { gatewaySchema } from './schema-gateway';
import { dnsName, hostPort, isDnsName, normalizeDnsName } from './schema-primitives';
import type { GatewayConfig } from './types';

const negotiation = z.enum(NEGOTIATION_VALUES);
const partnerType = z.enum(PARTNER_TYPES);

/** One New-CsXmppAllowedPartner (anchors.md §1.2); defaults are the cmdlet's documented ones. */
const partnerSchema = z.strictObject({
  domain: dnsName,
  additionalDomains: z.array(dnsName).default([]), // Lync AdditionalDomains: none
  partnerType: partnerType.default('PublicUnverified'), // Lync PartnerType default PublicUnverified
  tls: negotiation.default('Required'), // Lync TlsNegotiation default Required
  sasl: negotiation.default('Required'), // Lync SaslNegotiation default Required
  dialback: z.boolean().default(true), // Lync SupportDialbackNegotiation default True
  keepAlive: z.boolean().default(true), // Lync EnableKeepAlive default True
  proxyFqdn: hostPort.optional(), // Lync ProxyFqdn: none (SRV is used)
  connectionLimit: z.int().min(1).optional(), // default: gateway.s2s.partnerConnectionLimit (Lync §1.3)
  description: z.string().optional(),
});

/**
 * Settings for domains that are not listed. Lync has no such switch (only the
 * allowed-partner list); off by default so we keep Lync's closed model.
 * When on, TLS Required / SASL Optional / dialback True is Lync's "OK
 * (common)" row and what default ejabberd and Prosody peers accept
 * (anchors.md §4.2: both require encryption and fall back to dialback).
 */
const openFederationSchema = z.strictObject({
  enabled: z.boolean().default(false),
  partnerType: partnerType.default('PublicUnverified'), // unknown peers: invite-first, as Lync treats public services
  tls: negotiation.default('Required'),
  sasl: negotiation.default('Optional'),
  dialback: z.boolean().default(true),
  keepAlive: z.boolean().default(true), // as Lync EnableKeepAlive
  connectionLimit: z.int().min(1).optional(), // default: gateway.s2s.partnerConnectionLimit
});

/** Keys are normalised (domains lower case) and checked; a bad key is reported at its own path. */
function domainKeyedBooleans(kind: 'domain' | 'user') {
  return z.record(z.string(), z.boolean()).transform((rec, ctx) => {
    const out: Record<string, boolean> = {};
    for (const [key, value] of Object.entries(rec)) {
      const at = key.lastIndexOf('@');
      const user = kind === 'user' ? key.slice(0, at) : '';
      const domain = normalizeDnsName(kind === 'user' ? key.slice(at + 1) : key);
      if ((kind === 'user' && (at <= 0 || /[\s:;]/.test(user))) || !isDnsName(domain)) {
        ctx.issues.push({
          code: 'custom',
          path: [key],
          input: key,
          message: kind === 'user' ? 'expected a key of the form user@domain' : 'expected a DNS domain name as key',
        });
        continue;
      }
      out[kind === 'user' ? `${user}@${domain}` : domain] = value;
    }
    return out;
  });
}

/** Lync CsExternalAccessPolicy -EnableXmppAccess (anchors.md §1.4). */
const policySchema = z.strictObject({
  default: z.boolean().default(false), // Lync EnableXmppAccess default False
  domains: domainKeyedBooleans('domain').default({}),
  users: domainKeyedBooleans('user').default({}),
});

/** The whole file. Unknown keys are errors everywhere (strict objects), so typos never pass silently. */
export const configSchema = z
  .strictObject({
    gateway: gatewaySchema,
    partners: z.array(partnerSchema).default([]),
    openFederation: openFederationSchema.prefault({}),
    policy: policySchema.prefault({}),
  })
  .transform((v): GatewayConfig => {
    const perPartner = v.gateway.s2s.partnerConnectionLimit;
    return {
      gateway: { ...v.gateway, admin: v.gateway.admin },
      partners: v.partners.map((p) => ({ ...p, connectionLimit: p.connectionLimit ?? perPartner })),
      openFederation: { ...v.openFederation, connectionLimit: v.openFederation.connectionLimit ?? perPartner },
      policy: v.policy,
    };
  });

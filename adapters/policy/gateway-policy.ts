import net from 'node:net';
import { promises as dns } from 'node:dns';
import type { GatewayConfig } from '../../config/types';
import { findPartner } from '../../plugin/core/policy/find-partner';
import { mayFederate, normalizeDomain } from '../../plugin/core/policy/xmpp-access';
import type { GatewayPolicy } from '../../plugin/use-cases/ports';

type Lookup = (host: string) => Promise<string[]>;
const systemLookup: Lookup = async (host) => (await dns.lookup(host, { all: true })).map((a) => a.address);

/**
 * Builds the use-cases' GatewayPolicy view from the validated configuration.
 * Trusted SIP sources are IPs, CIDRs or host names; host names are resolved
 * once at start-up (a SIP proxy that moves needs a restart, as with Lync's
 * static routes). A name that does not resolve is an error: refusing to start
 * beats silently trusting nobody, or anybody.
 */
export async function buildGatewayPolicy(config: GatewayConfig, lookup: Lookup = systemLookup): Promise<GatewayPolicy> {
  const trusted = new net.BlockList();
  for (const entry of config.gateway.sipProxy.trustedSources) await addSource(trusted, entry, lookup);
  const ourDomains = new Set(config.gateway.domains.map(normalizeDomain));
  return {
    ourDomains,
    trustedSources: (ip) => {
      const clean = ip.startsWith('::ffff:') && net.isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
      const family = net.isIPv4(clean) ? 'ipv4' : net.isIPv6(clean) ? 'ipv6' : undefined;
      return family !== undefined && trusted.check(clean, family);
    },
    mayFederate: (user, domain) => mayFederate(config.policy, { user, domain }),
    // Our own domains are never a federation partner, even with open federation on.
    partnerFor: (domain) => (ourDomains.has(normalizeDomain(domain)) ? 'not-allowed' : findPartner(config.partners, config.openFederation, domain)),
    proxyIsTcpCapable: config.gateway.sipProxy.supportsTcp,
    logMessageBodies: config.gateway.s2s.logMessageBodies,
  };
}

async function addSource(list: net.BlockList, entry: string, lookup: Lookup): Promise<void> {
  const slash = entry.indexOf('/');
  if (slash > 0) {
    const addr = entry.slice(0, slash);
    const prefix = Number(entry.slice(slash + 1));
    list.addSubnet(addr, prefix, net.isIPv6(addr) ? 'ipv6' : 'ipv4');
    return;
  }
  if (net.isIP(entry)) {
    list.addAddress(entry, net.isIPv6(entry) ? 'ipv6' : 'ipv4');
    return;
  }
  const addrs = await lookup(entry);
  if (addrs.length === 0) throw new Error(`trusted SIP source ${entry} does not resolve`);
  for (const a of addrs) list.addAddress(a, net.isIPv6(a) ? 'ipv6' : 'ipv4');
}

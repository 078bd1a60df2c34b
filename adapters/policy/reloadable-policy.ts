/**
 * The use-cases' GatewayPolicy behind one indirection, so a reload (SIGHUP,
 * issue #9) swaps partners and EnableXmppAccess rules for every later
 * decision without rebuilding the use-cases or touching established streams.
 */
import type { EffectivePartner } from '../../plugin/core/policy/find-partner';
import type { GatewayPolicy } from '../../plugin/use-cases/ports';

export class ReloadablePolicy implements GatewayPolicy {
  constructor(private current: GatewayPolicy) {}

  replace(next: GatewayPolicy): void {
    this.current = next;
  }

  get ourDomains(): ReadonlySet<string> {
    return this.current.ourDomains;
  }

  trustedSources(ip: string): boolean {
    return this.current.trustedSources(ip);
  }

  mayFederate(user: string, domain: string): boolean {
    return this.current.mayFederate(user, domain);
  }

  partnerFor(domain: string): EffectivePartner | 'not-allowed' {
    return this.current.partnerFor(domain);
  }

  get proxyIsTcpCapable(): boolean {
    return this.current.proxyIsTcpCapable;
  }

  get logMessageBodies(): boolean {
    return this.current.logMessageBodies;
  }
}

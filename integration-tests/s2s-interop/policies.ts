/**
 * Partner policies (Lync XmppAllowedPartner settings, anchors.md §1.2) for
 * the lab modes, and the static routes (Lync ProxyFqdn) to each lab peer.
 */
import type { PartnerPolicy } from '../../adapters/xmpp-s2s/policy/partner-policy';
import { LAB_ADDRESSES, LAB_DOMAINS } from '../harness/xmpp-peers';

/** TLS required, no SASL, dialback allowed: "TLS dialback" in Lync's matrix (peers' certs stay out of it). */
export const DIALBACK: Omit<PartnerPolicy, 'proxyFqdn'> = { tls: 'Required', sasl: 'NotSupported', dialback: true, keepAlive: false, connectionLimit: 10 };
/** TLS and SASL required, no dialback: SASL EXTERNAL over TLS only (XEP-0178), certificates checked against the lab CA. */
export const STRICT: Omit<PartnerPolicy, 'proxyFqdn'> = { tls: 'Required', sasl: 'Required', dialback: false, keepAlive: false, connectionLimit: 10 };

/** Static route (proxyFqdn) to a lab peer's S2S listener. */
export function route(domain: string, port = 5269): string {
  const address = domain === LAB_DOMAINS.ejabberd ? LAB_ADDRESSES.ejabberd : LAB_ADDRESSES.prosody;
  return `${address}:${port}`;
}

/**
 * Which SIP users may talk to XMPP federated users: Lync's
 * CsExternalAccessPolicy -EnableXmppAccess (anchors.md §1.4), default False,
 * scoped global → site → user. Our scopes are global (`default`), per SIP
 * domain and per user; the most specific setting wins.
 */
export interface XmppAccessPolicy {
  /** Global scope. */
  readonly default: boolean;
  /** Per SIP domain (keys lower case). */
  readonly domains: Readonly<Record<string, boolean>>;
  /** Per user, keyed "user@domain" (domain lower case, user as configured). */
  readonly users: Readonly<Record<string, boolean>>;
}

export interface SipUserRef {
  readonly user: string;
  readonly domain: string;
}

/**
 * True when the SIP user may federate over XMPP: user entry, else domain
 * entry, else the global default. The user part is compared exactly (SIP
 * userinfo is case-sensitive, RFC 3261 §19.1.4); the domain case-insensitively.
 */
export function mayFederate(policy: XmppAccessPolicy, sipUser: SipUserRef): boolean {
  const domain = normalizeDomain(sipUser.domain);
  const userKey = `${sipUser.user}@${domain}`;
  // Object.hasOwn: keys come from configuration, never from the prototype chain.
  if (Object.hasOwn(policy.users, userKey)) return policy.users[userKey] === true;
  if (Object.hasOwn(policy.domains, domain)) return policy.domains[domain] === true;
  return policy.default;
}

/** Lower case, one trailing dot removed (RFC 7622 §3.2: a trailing dot is not significant). */
export function normalizeDomain(domain: string): string {
  const lower = domain.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/**
 * The admission checks for a SIP MESSAGE bound for XMPP (issue #5), in the
 * order the issue fixes, each with its own response:
 *  1. source trust            → 403 (only the configured proxy / trusted addresses)
 *  2. Max-Forwards            → 483 at 0 (RFC 5393 §4.1; RFC 7247 §8: the gateway is a
 *                               B2BUA and SHOULD do loop detection); a missing header is
 *                               tolerated, a malformed one is 400
 *  3. URI scheme              → 416 for sips: in the Request-URI or To (RFC 7247 §8 MUST NOT
 *                               translate), and for schemes we cannot map (tel:, http:…)
 *  4. sender policy           → 403 unless the From is one of our users allowed to federate
 *                               (Lync EnableXmppAccess); 400 for an unparsable From
 *  5. destination             → 400 malformed / 484 no user part, 404 when the destination is
 *                               one of OUR domains (not an XMPP destination), 403 when the
 *                               domain is not an allowed partner
 *
 * Why 416 and not 403 for sips: RFC 3261 §8.2.2.1 says a UAS SHOULD answer a Request-URI
 * scheme it does not support with 416, and the gateway does not support sips for XMPP
 * destinations (it cannot guarantee TLS on the XMPP hops, RFC 5630 §3.1.3). 416 tells the UAC
 * exactly what was refused, so it can retry with sip: if its own policy allows, and keeps
 * 403 meaning "policy" (checks 1, 4, 5) for operators reading traces.
 */
import { parseJid, formatJid, type Jid } from '../core/address/jid';
import { parseNameAddr, type NameAddr } from '../core/address/name-addr';
import { getUriParam, parseSipUri, type SipUri } from '../core/address/sip-uri';
import { sipUriToJid } from '../core/address/address-mapping';
import { unescapeLocalpart } from '../core/address/xep0106';
import type { EffectivePartner } from '../core/policy/find-partner';
import { err, ok, type Result } from '../core/result';
import type { GatewayPolicy } from './ports';
import { answer, type InboundSipMessage, type SipAnswer } from './sip-request';

export interface AdmittedSipMessage {
  /** The parsed From header: the SIP sender notices and IMDNs go back to. */
  readonly sender: NameAddr;
  /** XMPP address of the sender: full JID with the GRUU as resource when known (RFC 7572 §5). */
  readonly xmppFrom: Jid;
  /** XMPP address of the destination (RFC 7247 §6.4 from the Request-URI). */
  readonly xmppTo: Jid;
  readonly partner: EffectivePartner;
}

const MAX_FORWARDS = /^\d{1,10}$/;
const MAPPABLE_SCHEMES = new Set(['sip', 'im', 'pres']);
const schemeOf = (uri: string): string | undefined => /^\s*<?\s*([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase();
/** The scheme of the address in a To value, with or without a display name. */
const toScheme = (to: string): string | undefined => schemeOf(to.includes('<') ? to.slice(to.indexOf('<')) : to);

/** What the checks read: a MESSAGE and a SUBSCRIBE (RFC 8048 §5.3, same admission) both have it. */
export type SipAdmissionInput = Pick<InboundSipMessage, 'source' | 'maxForwards' | 'requestUri' | 'from' | 'to' | 'contact'>;

export function admitSipMessage(req: SipAdmissionInput, policy: GatewayPolicy): Result<AdmittedSipMessage, SipAnswer> {
  // 1. Source trust.
  if (!policy.trustedSources(req.source.address)) return err(answer(403, 'Source Not Trusted'));

  // 2. Loop protection (RFC 5393 §4.1, RFC 3261 §16.6 step 3 applied to a B2BUA).
  if (req.maxForwards !== undefined) {
    const mf = req.maxForwards.trim();
    if (!MAX_FORWARDS.test(mf)) return err(answer(400, 'Invalid Max-Forwards'));
    if (Number(mf) === 0) return err(answer(483));
  }

  // 3. sips: (RFC 7247 §8) and schemes that have no XMPP mapping (RFC 3261 §8.2.2.1).
  const rScheme = schemeOf(req.requestUri);
  if (rScheme === 'sips' || toScheme(req.to) === 'sips') return err(answer(416, 'SIPS Not Gatewayed To XMPP'));
  if (rScheme !== undefined && !MAPPABLE_SCHEMES.has(rScheme)) return err(answer(416));

  // 4. Sender policy.
  const sender = parseNameAddr(req.from);
  if (!sender.ok) return err(answer(400, 'Invalid From'));
  const xmppFrom = senderJid(sender.value.uri, req.contact);
  if (!xmppFrom) return err(answer(400, 'Invalid From'));
  if (xmppFrom.local === undefined || !policy.ourDomains.has(xmppFrom.domain)) return err(answer(403, 'Sender Not One Of Our Users'));
  if (!policy.mayFederate(unescapeLocalpart(xmppFrom.local), xmppFrom.domain)) return err(answer(403, 'Sender Not Allowed To Federate'));

  // 5. Destination.
  const rUri = parseSipUri(req.requestUri.trim());
  if (!rUri.ok) return err(answer(400, 'Invalid Request-URI'));
  if (rUri.value.user === undefined) return err(answer(484));
  const xmppTo = sipUriToJid(rUri.value);
  if (!xmppTo.ok) return err(answer(400, 'Unmappable Request-URI'));
  if (policy.ourDomains.has(xmppTo.value.domain)) return err(answer(404, 'Not An XMPP Destination'));
  const partner = policy.partnerFor(xmppTo.value.domain);
  if (partner === 'not-allowed') return err(answer(403, 'Domain Not An Allowed Partner'));

  return ok({ sender: sender.value, xmppFrom, xmppTo: xmppTo.value, partner });
}

/**
 * RFC 7572 §5: From → full JID with the GRUU as resource "if known". The GRUU is
 * From's own `gr` parameter, else the `gr` of a Contact for the same AOR
 * (RFC 5627 §4.2). A sips: From names the same user, so it is mapped as sip:.
 */
function senderJid(from: SipUri, contact: string | undefined): Jid | undefined {
  const uri: SipUri = from.scheme === 'sips' ? { ...from, scheme: 'sip' } : from;
  const bare = sipUriToJid({ ...uri, params: uri.params.filter((p) => p.name.toLowerCase() !== 'gr') });
  if (!bare.ok) return undefined;
  const withGr = getUriParam(uri, 'gr')?.value !== undefined ? uri : contactGruu(contact, uri);
  if (withGr === undefined) return bare.value;
  const full = sipUriToJid({ ...withGr, scheme: 'sip' });
  // A malformed GRUU must not cost the message: fall back to the bare JID.
  if (!full.ok) return bare.value;
  const again = parseJid(formatJid({ ...bare.value, ...(full.value.resource !== undefined ? { resource: full.value.resource } : {}) }));
  return again.ok ? again.value : bare.value;
}

function contactGruu(contact: string | undefined, from: SipUri): SipUri | undefined {
  if (contact === undefined) return undefined;
  const c = parseNameAddr(contact);
  if (!c.ok || getUriParam(c.value.uri, 'gr')?.value === undefined) return undefined;
  const sameAor = c.value.uri.user === from.user && c.value.uri.host.toLowerCase() === from.host.toLowerCase();
  return sameAor ? c.value.uri : undefined;
}

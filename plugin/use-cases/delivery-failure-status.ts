/**
 * The SIP answer to a MESSAGE whose stanza the S2S edge could not put on an
 * authenticated stream (issue #5: "the SIP error mapped from the failure").
 *
 * RFC 7247 §7.1 Table 2 via xmppErrorToSipStatus, with two deliberate
 * departures for failures that happen BETWEEN SERVERS, not at the user:
 * - not-authorized → 403, not 401: a 401 MUST carry a WWW-Authenticate
 *   challenge (RFC 3261 §21.4.2) and invites the UAC to retry with
 *   credentials, but it was the gateway's dialback/SASL that failed; the SIP
 *   user cannot fix that by authenticating.
 * - registration-required → 403, not 407, for the same reason (a 407 MUST
 *   carry Proxy-Authenticate, RFC 3261 §21.4.8).
 * remote-server-not-found is 404 unless the edge reports it could not
 * resolve/reach the domain (408), as Table 2 allows.
 */
import { xmppErrorToSipStatus } from '../core/errors/error-mapping';
import { standardReasonPhrase } from '../core/errors/sip-reason-phrases';
import type { StanzaError } from '../core/stanza/stanza-error';
import type { SipAnswer } from './sip-request';

const SERVER_TO_SERVER_AUTH = new Set(['not-authorized', 'registration-required']);

export function deliveryFailureAnswer(
  error: StanzaError,
  addressedTo: 'full' | 'bare',
  remoteServerCause?: 'does-not-exist' | 'cannot-resolve',
): SipAnswer {
  if (SERVER_TO_SERVER_AUTH.has(error.condition)) return { status: 403, reason: standardReasonPhrase(403) };
  const s = xmppErrorToSipStatus(error, { addressedTo, ...(remoteServerCause ? { remoteServerCause } : {}) });
  return s.contact === undefined ? { status: s.status, reason: s.reason } : { status: s.status, reason: s.reason, headers: { Contact: `<${s.contact}>` } };
}

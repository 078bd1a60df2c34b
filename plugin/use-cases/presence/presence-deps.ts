/**
 * What the presence use-cases (RFC 8048, issue #8) need: the messaging
 * context (XMPP edge, clock, ids, log, policy) plus the presence ports.
 */
import type { Clock, GatewayPolicy, IdGenerator, Log, XmppOut } from '../ports';
import type { ContactPresenceCache, PresenceStore, RateLimiter, SipPresenceOut } from '../presence-ports';

export interface PresenceOptions {
  /** This gateway node's id in the shared store (records carry their owner). */
  readonly nodeId: string;
  /** Longest SIP subscription granted and longest unrefreshed one (Lync SubscriptionRefreshInterval, default 8 h). */
  readonly refreshCapSeconds: number;
  /** At most this many watchers are notified for one presence stanza (a bound on one stanza's cost). */
  readonly fanoutLimit: number;
  /** At most this many records are handled per sweep (expiries, refreshes). */
  readonly sweepLimit: number;
  /** How long a heartbeat keeps this node's records its own; another node adopts them after that. */
  readonly livenessMs: number;
  /** RFC 8048 §7: how long a SIP poll (Expires: 0) waits for the answer to its probe. */
  readonly fetchTimeoutMs: number;
}

export const DEFAULT_PRESENCE_OPTIONS: Omit<PresenceOptions, 'nodeId'> = {
  refreshCapSeconds: 8 * 3600,
  fanoutLimit: 5000,
  sweepLimit: 500,
  livenessMs: 30_000,
  fetchTimeoutMs: 5_000,
};

export interface PresenceDeps {
  readonly store: PresenceStore;
  readonly sip: SipPresenceOut;
  readonly xmpp: XmppOut;
  readonly cache: ContactPresenceCache;
  readonly limiter: RateLimiter;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly log: Log;
  readonly policy: GatewayPolicy;
  readonly options: PresenceOptions;
}

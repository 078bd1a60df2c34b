/**
 * The ports the presence use-cases (RFC 8048, issue #8) talk through.
 * Interfaces only; adapters implement them:
 * - PresenceStore: adapters/stores/sqlite-presence-store.ts (embedded default)
 *   and adapters/stores/redis-presence-store.ts (several gateway nodes);
 * - SipPresenceOut: adapters/drachtio/sip-presence-out.ts (SUBSCRIBE/NOTIFY
 *   through drachtio-srf at the stack-dialog level, see that file for why);
 * - the inbound SUBSCRIBE/NOTIFY types are filled by plugin/middleware.
 *
 * Addresses in records are stored normalised: bare JIDs in RFC 7622 string
 * form (lower-case domain, XEP-0106-escaped localpart), SIP URIs as received.
 * Times are epoch milliseconds from the Clock port.
 */
import type { SipSubscriptionState } from '../core/presence/sip-contact-subscription';
import type { SipWatcherState } from '../core/presence/sip-watcher-subscription';

// ------------------------------------------------------------------ records

/**
 * A SIP user watching an XMPP contact: the gateway is the NOTIFIER of a UAS
 * SUBSCRIBE dialog (RFC 8048 §5.3). Keyed by the drachtio stack dialog id,
 * which stays valid for as long as drachtio-server keeps the dialog, so a
 * restarted gateway (or another node on the same drachtio-server) can still
 * NOTIFY in it.
 */
export interface WatcherRecord {
  /** drachtio's dialog id, `<Call-ID>;from-tag=<watcher's tag>` (PROTOCOL-NOTES §3.3). */
  readonly dialogId: string;
  /** The SIP watcher's address of record (From URI of the SUBSCRIBE, without parameters). */
  readonly watcherUri: string;
  /** The SIP watcher as a bare JID (our domain), the `from` of stanzas we send for it. */
  readonly watcherJid: string;
  /** The XMPP contact being watched, bare JID (the `to` of the subscribe). */
  readonly contactJid: string;
  /** pres:/sip: URI of the contact as the SIP side addresses it (PIDF entity, RFC 7247 §6.5). */
  readonly entity: string;
  readonly state: SipWatcherState;
  /** When the SIP subscription expires unless refreshed (RFC 6665 §4.2.1.1). */
  readonly expiresAt: number;
  /** Node that owns the record (sends its NOTIFYs); see PresenceStore.adoptOrphans. */
  readonly owner: string;
}

/**
 * An XMPP user watching a SIP contact: the gateway is the SUBSCRIBER of a
 * UAC SUBSCRIBE dialog (RFC 8048 §5.2), and owns its refreshes (§5.2.2).
 * Keyed by (xmppUser, sipContact): one long-lived authorisation per pair,
 * whatever dialog currently carries it.
 */
export interface SubscriptionRecord {
  /** The XMPP user, bare JID (remote domain). */
  readonly xmppUser: string;
  /** The SIP contact, bare JID (our domain). */
  readonly sipContact: string;
  /** The SIP contact's AOR, the Request-URI and To of our SUBSCRIBE. */
  readonly sipUri: string;
  /** The dialog that currently carries the subscription, once drachtio has named it. */
  readonly dialogId?: string;
  readonly state: SipSubscriptionState;
  /** When the current SIP subscription expires (Expires granted in 200 / NOTIFY). */
  readonly expiresAt: number;
  /** When the gateway must next (re-)SUBSCRIBE; undefined: nothing scheduled. */
  readonly refreshAt?: number;
  readonly owner: string;
}

/**
 * That a local (SIP) user reached out to a remote (XMPP) contact first: it
 * subscribed to the contact's presence or sent it a message. Lync's
 * PublicUnverified partners may ask for a local user's presence only after
 * that (anchors.md §1.2.1).
 */
export interface InterestRecord {
  readonly localUser: string;
  readonly remoteContact: string;
  readonly kind: 'subscribed' | 'messaged';
  readonly at: number;
}

// -------------------------------------------------------------------- store

/**
 * Persistent presence state behind one port. Every method is atomic on its
 * own; the use-cases serialise the read-modify-write of one key themselves
 * (a node processes one key at a time), and records carry their owner so two
 * nodes never both refresh or notify the same subscription.
 *
 * Implementations must survive a process restart (nothing only in memory)
 * and must bound what one query returns (`limit`).
 */
export interface PresenceStore {
  putWatcher(r: WatcherRecord): Promise<void>;
  getWatcher(dialogId: string): Promise<WatcherRecord | undefined>;
  deleteWatcher(dialogId: string): Promise<void>;
  /** Every watcher of one XMPP contact (fan-out of one presence change), at most `limit`. */
  watchersOf(contactJid: string, limit: number): Promise<WatcherRecord[]>;
  /**
   * Every dialog of one (SIP watcher, XMPP contact) pair, longest-lived first, at most `limit`:
   * where a presence stanza addressed to that watcher goes (RFC 8048 §8.2: only to the
   * addressed subscriber; several of its devices may each hold a dialog). Cost: the pair's
   * dialogs only, not all of the contact's watchers.
   */
  watchersFor(watcherJid: string, contactJid: string, limit: number): Promise<WatcherRecord[]>;
  /** The watcher record of one (SIP watcher, XMPP contact) pair, if any (a watcher re-subscribing in a new dialog). */
  watcherFor(watcherJid: string, contactJid: string): Promise<WatcherRecord | undefined>;
  /** Watchers owned by `owner` whose expiresAt <= now, at most `limit`. */
  expiredWatchers(owner: string, now: number, limit: number): Promise<WatcherRecord[]>;

  putSubscription(r: SubscriptionRecord): Promise<void>;
  getSubscription(xmppUser: string, sipContact: string): Promise<SubscriptionRecord | undefined>;
  subscriptionByDialog(dialogId: string): Promise<SubscriptionRecord | undefined>;
  deleteSubscription(xmppUser: string, sipContact: string): Promise<void>;
  /** Subscriptions owned by `owner` whose refreshAt <= now, at most `limit`, earliest first. */
  dueSubscriptions(owner: string, now: number, limit: number): Promise<SubscriptionRecord[]>;
  /** Every subscription of one SIP contact (fan-out of one NOTIFY is per dialog; this serves admin and limits). */
  subscriptionsOf(sipContact: string, limit: number): Promise<SubscriptionRecord[]>;

  recordInterest(r: InterestRecord): Promise<void>;
  hasInterest(localUser: string, remoteContact: string): Promise<boolean>;

  /**
   * Node liveness for several gateway nodes sharing the store: `heartbeat`
   * says `node` is alive until `aliveUntil`; `adoptOrphans` atomically makes
   * `node` the owner of every record whose owner's liveness has lapsed (or
   * that names no live node) and returns how many of each it took. A single
   * node calls both too: after a restart its own old records are adopted.
   */
  heartbeat(node: string, aliveUntil: number): Promise<void>;
  adoptOrphans(node: string, now: number): Promise<{ readonly watchers: number; readonly subscriptions: number }>;
  /** Records owned by `node` (restart recovery), paged by `offset`, at most `limit`. */
  ownedWatchers(node: string, offset: number, limit: number): Promise<WatcherRecord[]>;
  ownedSubscriptions(node: string, offset: number, limit: number): Promise<SubscriptionRecord[]>;

  /** Reachability for /readyz and start-up. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------- SIP side

/** A SUBSCRIBE the gateway sends for an XMPP user (RFC 8048 §5.2.1, §7). */
export interface OutboundSubscribe {
  /** Present: refresh or end the subscription in this dialog (`sip||<dialogId>`); absent: a new dialog. */
  readonly dialogId?: string;
  /** Request-URI and To of a new dialog: the SIP contact's AOR. */
  readonly uri: string;
  /** From of a new dialog: the XMPP user as a SIP URI (RFC 7247 §6.1), with GRUU Contact when known. */
  readonly from: string;
  readonly contact?: string;
  readonly expires: number;
}

/** Final response to an OutboundSubscribe (no answer → 408, drachtio refusal → 503). */
export interface SubscribeOutcome {
  readonly status: number;
  readonly reason: string;
  readonly expires?: number;
  readonly minExpires?: number;
  readonly retryAfter?: number;
}

/** A NOTIFY the gateway sends to a SIP watcher, inside the watcher's dialog (RFC 6665 §4.2.2). */
export interface OutboundNotify {
  readonly dialogId: string;
  /** Full Subscription-State header value, e.g. "active;expires=3599" or "terminated;reason=timeout". */
  readonly subscriptionState: string;
  readonly body?: string;
  readonly contentType?: string;
  readonly contentLanguage?: string;
}

export interface SipPresenceOut {
  /**
   * Sends a SUBSCRIBE through the configured proxy. `onDialog` is called with
   * drachtio's dialog id as soon as it is known (for a new dialog: from the
   * echo of the request, `<Call-ID>;from-tag=<our tag>`), synchronously and
   * before any NOTIFY of that dialog can reach the inbound handler, so a NOTIFY
   * that overtakes the 200 (RFC 6665 §4.1.2.4) is never orphaned. Never rejects.
   */
  subscribe(s: OutboundSubscribe, onDialog: (dialogId: string) => void): Promise<SubscribeOutcome>;
  /** Never rejects: 481 when drachtio no longer knows the dialog, 408 on no answer, 503 when drachtio refuses. */
  notify(n: OutboundNotify): Promise<{ readonly status: number; readonly reason: string }>;
}

/** An incoming SUBSCRIBE (new or in-dialog), as plain data. */
export interface InboundSipSubscribe {
  readonly source: { readonly address: string; readonly port?: number; readonly protocol?: string };
  /** Set for a SUBSCRIBE inside an existing dialog (a refresh or Expires: 0). */
  readonly dialogId?: string;
  readonly maxForwards?: string;
  readonly requestUri: string;
  readonly from: string;
  readonly to: string;
  readonly contact?: string;
  readonly callId: string;
  /** Raw Event header value (RFC 6665 §8.2.1). */
  readonly event?: string;
  /** Raw Expires value; absent means the package default (RFC 3856 §6.4: 3600). */
  readonly expires?: string;
  /** Raw Accept value. */
  readonly accept?: string;
}

/** The answer to a SUBSCRIBE; after a 2xx the adapter reports the dialog id to `accepted`. */
export interface SubscribeAnswer {
  readonly status: number;
  readonly reason: string;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Called once the 2xx is on the wire with drachtio's dialog id; the first
   * NOTIFY (RFC 6665 §4.2.1.2: sent at once) goes from here.
   */
  readonly accepted?: (dialogId: string) => Promise<void>;
}

/** An incoming NOTIFY, always inside a dialog the gateway created (RFC 6665 §4.1.3). */
export interface InboundSipNotify {
  readonly dialogId?: string;
  readonly callId: string;
  readonly from: string;
  readonly to: string;
  readonly event?: string;
  readonly subscriptionState?: string;
  readonly contentType?: string;
  readonly contentLanguage?: string;
  readonly body: string;
}

// ------------------------------------------------------------------- caches

/**
 * The current presence of every resource of XMPP contacts (hot state,
 * bounded lru-cache in the adapter). A lost entry only means the next
 * refresh NOTIFY is empty until the contact speaks again (§5.3.2 allows it).
 */
export interface ContactPresenceCache {
  get(contactJid: string): ReadonlyMap<string, import('../core/stanza/stanza').PresenceStanza> | undefined;
  set(contactJid: string, resources: ReadonlyMap<string, import('../core/stanza/stanza').PresenceStanza>): void;
  delete(contactJid: string): void;
}

/**
 * Rate caps against amplification (RFC 8048 §8.1): `allow(key)` is false once
 * `key` (e.g. "probe:<from>" or "refresh:<watcher>") has used its budget in
 * the current window. Adapter: lru-cache with TTL.
 */
export interface RateLimiter {
  allow(key: string): boolean;
}

// ------------------------------------------------------- what srf calls into

/**
 * What the thin srf middleware (plugin/middleware/subscribe-route.ts,
 * notify-route.ts) calls: one function per inbound SIP request kind. Both
 * never reject by contract; a rejection is answered 500 by the middleware.
 */
export interface SipPresenceHandlers {
  onSubscribe(s: InboundSipSubscribe): Promise<SubscribeAnswer>;
  onNotify(n: InboundSipNotify): Promise<import('./sip-request').SipAnswer>;
}

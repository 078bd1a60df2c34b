/**
 * The ports the messaging use-cases (issue #5) talk through. Interfaces only:
 * the adapters (drachtio middleware, S2S edge, lru-cache window, pino) are
 * written on top of them and wired in the composition root. Use-cases never
 * touch sockets, timers, process.env or Date.now(): time comes from Clock and
 * ids from IdGenerator, so every decision is reproducible in a unit test.
 */
import type { SipNameAddr } from '../core/message/sip-message';
import type { EffectivePartner } from '../core/policy/find-partner';
import type { Stanza } from '../core/stanza/stanza';
import type { StanzaError } from '../core/stanza/stanza-error';

// ---------------------------------------------------------------- XMPP side

/**
 * Outcome of handing a stanza to the S2S edge. `ok` means the stanza was
 * written on an AUTHENTICATED S2S stream to the destination domain (RFC 6120
 * §13.7 / XEP-0220); it says nothing about delivery to the user (that comes
 * later as an error stanza or a XEP-0184 receipt, if at all).
 */
export type XmppDelivery =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /**
       * Why no authenticated stream could carry the stanza: remote-server-not-found
       * (no such domain / unreachable), remote-server-timeout, not-authorized
       * (dialback or SASL failed), policy-violation (partner refused us),
       * resource-constraint (send queue full), internal-server-error…
       */
      readonly error: StanzaError;
      /**
       * RFC 7247 §7.1 Table 2 maps remote-server-not-found to 404 when the domain does not
       * exist and to 408 when it could not be resolved/reached. Absent → 404.
       */
      readonly remoteServerCause?: 'does-not-exist' | 'cannot-resolve';
    };

export interface XmppOut {
  /** Never rejects by contract; a rejection is treated as internal-server-error. */
  sendStanza(s: Stanza): Promise<XmppDelivery>;
}

// ----------------------------------------------------------------- SIP side

/** A MESSAGE (RFC 3428) the gateway originates. The adapter adds Via, Max-Forwards, CSeq, the From tag, Content-Length. */
export interface OutboundSipMessage {
  readonly requestUri: string;
  readonly from: SipNameAddr;
  readonly to: SipNameAddr;
  readonly contentType: string;
  /** Further headers: Subject, Content-Language, Call-ID (adapter generates a Call-ID when absent). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The FINAL response to an OutboundSipMessage. No answer at all is reported as 408 (RFC 3261 §17.1.2.2 Timer F). */
export interface SipOutcome {
  readonly status: number;
  readonly reason: string;
  /** Contact of a 3xx response (RFC 3261 §21.3), for RFC 7247 §7.2 gone/redirect. */
  readonly contact?: string;
  /**
   * Set when the gateway itself held the request back because its SIP capacity is used up
   * (issue #13): the sender gets this condition (RFC 6120 §8.3.3.18, type wait), not a
   * mapping of `status`.
   */
  readonly gatewayCondition?: 'resource-constraint';
}

export interface SipOut {
  /**
   * Sends through the configured SIP proxy with a drachtio call form that cannot
   * lose the response (adapters/drachtio/send-request.ts). Never rejects by
   * contract; a rejection is treated as a 500.
   */
  sendMessage(m: OutboundSipMessage): Promise<SipOutcome>;
}

// -------------------------------------------------------------- correlation

/** An IMDN request carried by a SIP-originated message (RFC 5438 §6). */
export interface ImdnRequestInfo {
  /** imdn.Message-ID of the SIP message. */
  readonly messageId: string;
  /** CPIM DateTime of the SIP message (RFC 5438 §7.2.1.1 copies it into the notification). */
  readonly dateTime: string;
  readonly positiveDelivery: boolean;
  readonly negativeDelivery: boolean;
}

/**
 * A SIP MESSAGE we turned into a stanza, kept under the STANZA ID until an
 * error stanza (RFC 6120 §8.3) or a XEP-0184 <received/> comes back for it.
 */
export interface SentToXmpp {
  readonly stanzaId: string;
  /** What the stanza carried: errors for chat states are logged, not turned into notices. */
  readonly content: 'message' | 'chat-state';
  /** The stanza's from (our SIP user as a JID, with the GRUU resource when known). */
  readonly xmppFrom: string;
  /** The stanza's to (the remote XMPP address). */
  readonly xmppTo: string;
  /** The SIP sender to notify: its From URI and display name. */
  readonly sipSender: SipNameAddr;
  readonly imdn?: ImdnRequestInfo;
}

/**
 * A stanza we turned into a SIP MESSAGE that asked for an IMDN (XEP-0184
 * <request/>), kept under the IMDN MESSAGE-ID we generated until the SIP
 * user's delivery notification comes back.
 */
export interface SentToSip {
  readonly imdnMessageId: string;
  /** id of the original stanza, echoed in <received id=…/> (XEP-0184 §4). */
  readonly stanzaId: string;
  /** The XMPP sender (full JID) the receipt goes to. */
  readonly xmppSender: string;
  /** Our user's JID as the sender addressed it; the receipt comes from it. */
  readonly xmppRecipient: string;
  /** Request-URI of the MESSAGE (the SIP user), to check who acknowledges. */
  readonly sipRecipientUri: string;
}

/**
 * A bounded window (lru-cache in the adapter) of messages awaiting a later
 * answer. `take` removes and returns the entry. An entry that falls out of the
 * window is simply forgotten: a late error stanza is then logged and dropped.
 */
export interface Correlations {
  rememberSentToXmpp(stanzaId: string, entry: SentToXmpp): void;
  takeSentToXmpp(stanzaId: string): SentToXmpp | undefined;
  rememberSentToSip(imdnMessageId: string, entry: SentToSip): void;
  takeSentToSip(imdnMessageId: string): SentToSip | undefined;
}

// ------------------------------------------------------------------ context

export interface Clock {
  now(): Date;
}

/** Unique, unguessable ids (stanza ids, IMDN Message-IDs): a guessable id would let any partner forge errors or receipts. */
export interface IdGenerator {
  next(): string;
}

/** A structured logger (pino's shape). Bodies go in a `body` field, and only when GatewayPolicy.logMessageBodies is true. */
export interface Log {
  debug(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

/** The configuration the use-cases consult (built by the lead from GatewayConfig). */
export interface GatewayPolicy {
  /** Our SIP domains, which are also our XMPP domains (lower case). */
  readonly ourDomains: ReadonlySet<string>;
  /** Source IP of a SIP request: the configured proxy or a trusted address/CIDR. */
  trustedSources(ip: string): boolean;
  /** Lync EnableXmppAccess for a SIP user (user part unescaped, domain lower case). */
  mayFederate(user: string, domain: string): boolean;
  /** The allowed partner for a remote XMPP domain (findPartner), or 'not-allowed'. */
  partnerFor(domain: string): EffectivePartner | 'not-allowed';
  /** RFC 7572 §6: a TCP-capable proxy lifts the RFC 3428 1300-byte pager-mode limit. */
  readonly proxyIsTcpCapable: boolean;
  /** Lync EnableLoggingAllMessageBodies (default false). */
  readonly logMessageBodies: boolean;
}

/** What every messaging use-case needs. */
export interface MessagingDeps {
  readonly xmpp: XmppOut;
  readonly sip: SipOut;
  readonly correlations: Correlations;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly log: Log;
  readonly policy: GatewayPolicy;
}

import type { StreamSnapshot } from './stream-session';
import type { SecureContext } from 'node:tls';
import type { Logger } from 'pino';
import type { XmlGuardLimits } from '../../../plugin/core/xml/xml-guard';
import type { PolicyLookup } from '../policy/partner-policy';
import type { Timers } from '../stream/timers';

/**
 * Limits and timeouts of the S2S edge (config/types.ts S2SConfig, with the
 * defaults and their sources in style.md §8.4).
 */
export interface S2SLimits {
  /** ejabberd pre_auth_max_stanza_size 8192. */
  readonly maxStanzaBytesPreAuth: number;
  /** ejabberd pre_auth_max_stanza_elements 32. */
  readonly maxElementsPreAuth: number;
  /** After authentication (RFC 6120 §13.12: at least 10 000). */
  readonly maxStanzaBytes: number;
  readonly maxDepth: number;
  /** Lync StreamEstablishmentTimeout (Prosody s2s_timeout 90 s). */
  readonly streamEstablishmentTimeoutMs: number;
  /** Lync StreamInactivityTimeout. */
  readonly streamInactivityTimeoutMs: number;
  /** Lync KeepAliveInterval; used when the partner has keepAlive. */
  readonly keepAliveIntervalMs: number;
  /** Prosody s2s_close_timeout 5 s: how long we wait for the peer's </stream:stream>. */
  readonly closeTimeoutMs: number;
  /**
   * After a stream error WE send: how long the error and </stream:stream>
   * may take to flush before the connection is destroyed (RFC 6120
   * §4.9.1.1; XmlTransport.shed). Short, so a hostile peer holds nothing.
   */
  readonly shedGraceMs: number;
  /** Bounded write queue per stream while the socket is not draining, and per pair while connecting. */
  readonly sendQueueMax: number;
}

export const DEFAULT_LIMITS: S2SLimits = {
  maxStanzaBytesPreAuth: 8192,
  maxElementsPreAuth: 32,
  maxStanzaBytes: 262144,
  maxDepth: 64,
  streamEstablishmentTimeoutMs: 60_000,
  streamInactivityTimeoutMs: 600_000,
  keepAliveIntervalMs: 300_000,
  closeTimeoutMs: 5_000,
  shedGraceMs: 100,
  sendQueueMax: 1000,
};

export function preAuthLimits(l: S2SLimits): XmlGuardLimits {
  return { maxStanzaBytes: l.maxStanzaBytesPreAuth, maxElements: l.maxElementsPreAuth, maxDepth: Math.min(l.maxDepth, l.maxElementsPreAuth) };
}

export function postAuthLimits(l: S2SLimits): XmlGuardLimits {
  return { maxStanzaBytes: l.maxStanzaBytes, maxElements: Infinity, maxDepth: l.maxDepth };
}

/** Our certificates and trust anchors. */
export interface TlsProvider {
  /**
   * The secure context (our key + certificate chain for `domain`, plus the
   * trust anchors used to verify the peer) or undefined when we hold no
   * certificate for that domain. Used as the server context chosen by SNI
   * and as the client context for STARTTLS/EXTERNAL.
   */
  secureContext(domain: string): SecureContext | undefined;
}

/** Everything both session directions need. */
export interface SessionDeps {
  readonly localDomains: ReadonlySet<string>;
  readonly limits: S2SLimits;
  readonly policyFor: PolicyLookup;
  readonly tls: TlsProvider;
  /** XEP-0185 secret; without it we neither send nor verify dialback keys. */
  readonly dialbackSecret?: string | undefined;
  readonly newStreamId: () => string;
  readonly logger: Logger;
  readonly timers: Timers;
  /** Told once per stream when its first domain pair authenticates (metrics, issue #9). */
  readonly onAuthenticated?: ((s: StreamSnapshot) => void) | undefined;
}

import type { OpenFederationSettings, PartnerSettings } from '../plugin/core/policy/federation-vocabulary';
import type { XmppAccessPolicy } from '../plugin/core/policy/xmpp-access';

/**
 * The validated, frozen configuration other modules receive. The YAML file
 * gives durations in whole seconds (as Lync's Set-CsXmppGatewayConfiguration
 * does); here every duration is in milliseconds and its name ends in `Ms`.
 * File paths are absolute (relative paths in the YAML are resolved against
 * the directory of the YAML file).
 */
export interface GatewayConfig {
  readonly gateway: GatewaySettings;
  readonly partners: readonly PartnerConfig[];
  readonly openFederation: OpenFederationConfig;
  readonly policy: PolicyConfig;
}

export interface GatewaySettings {
  /** SIP domains we serve; they are also our XMPP domains (lower case, at least one). */
  readonly domains: readonly string[];
  readonly drachtio: DrachtioConfig;
  readonly sipProxy: SipProxyConfig;
  readonly s2s: S2SConfig;
  readonly presence: PresenceConfig;
  /** The operator's HTTP endpoint (issue #9); undefined: not started. */
  readonly admin: AdminConfig | undefined;
}

/** gateway.admin: /metrics (Prometheus), /healthz and /readyz. */
export interface AdminConfig {
  readonly host: string;
  readonly port: number;
  /** Bearer token for the endpoints that change something (POST /reload); none: they are refused. */
  readonly token: string | undefined;
}

/** gateway.presence (issue #8). Durations in ms; a relative SQLite path is resolved against the config file. */
export interface PresenceConfig {
  readonly enabled: boolean;
  /** undefined: the host name. */
  readonly nodeId: string | undefined;
  readonly store: PresenceStoreConfig;
  readonly sweepIntervalMs: number;
  readonly livenessMs: number;
  readonly maxWatchersPerContact: number;
  /** Presence stanzas per second accepted from one partner domain (RFC 8048 §8.1); more are refused resource-constraint. */
  readonly maxPresencePerPartner: number;
}

export type PresenceStoreConfig =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'redis'; readonly url: string; readonly keyPrefix: string };

/** drachtio-srf `srf.connect({host, port, secret})` (inbound) or `srf.listen({port, host, secret})` (outbound). */
export type DrachtioConfig = (
  | { readonly mode: 'inbound'; readonly host: string; readonly port: number; readonly secret: string }
  | { readonly mode: 'outbound'; readonly listen: { readonly port: number; readonly host?: string | undefined }; readonly secret: string }
) & { readonly limits: DrachtioLimits };

/** How much the gateway asks of drachtio-server at once (issue #13). */
export interface DrachtioLimits {
  readonly maxOutstandingRequests: number;
  readonly maxQueuedRequests: number;
  readonly queueTimeoutMs: number;
  readonly maxInboundRequests: number;
  readonly startTimeoutMs: number;
}

export interface SipProxyConfig {
  /** The SIP proxy/registrar we send requests to, as written in the YAML. */
  readonly uri: string;
  readonly host: string;
  readonly port?: number | undefined;
  /** Lower-case `transport` URI parameter, if any. */
  readonly transport?: string | undefined;
  /** The path to SIP users is congestion-controlled (TCP/TLS), so the RFC 3428 / RFC 7572 §6 1300-byte limit does not apply. */
  readonly supportsTcp: boolean;
  /** Addresses, CIDR blocks or host names allowed to send us SIP requests. */
  readonly trustedSources: readonly string[];
}

export interface CertificateConfig {
  readonly domain: string;
  /** Absolute path of the PEM private key. */
  readonly key: string;
  /** Absolute path of the PEM certificate chain (leaf first). */
  readonly cert: string;
}

export interface S2SConfig {
  readonly listen: { readonly host: string; readonly port: number };
  readonly certificates: readonly CertificateConfig[];
  /** Absolute path of extra PEM trust anchors (in addition to Node's bundled CAs). */
  readonly caFile?: string | undefined;
  /** Secret for XEP-0185 dialback keys; present whenever some partner may use dialback. */
  readonly dialbackSecret?: string | undefined;
  readonly connectionLimit: number;
  readonly partnerConnectionLimit: number;
  /** Inbound connections per source address (IPv6: per /64) not yet authenticated (issue #10). */
  readonly preAuthConnectionsPerIp: number;
  readonly keepAliveIntervalMs: number;
  readonly streamEstablishmentTimeoutMs: number;
  readonly streamInactivityTimeoutMs: number;
  readonly subscriptionRefreshIntervalMs: number;
  readonly logMessageBodies: boolean;
  readonly maxStanzaBytes: number;
  readonly maxStanzaBytesPreAuth: number;
  readonly maxElementsPreAuth: number;
  readonly sendQueueMax: number;
  readonly connectTimeoutMs: number;
  readonly maxRetryDelayMs: number;
  /** Issue #11: in-doubt tracking on outbound streams (adapters/xmpp-s2s/in-doubt/options.ts). */
  readonly inDoubt: {
    readonly onStreamLoss: 'resend' | 'report';
    readonly retryWindowMs: number;
    readonly maxPerStream: number;
    readonly fenceEvery: number;
    readonly fenceAfterMs: number;
    readonly ackTimeoutMs: number;
  };
}

/** One allowed XMPP partner; `connectionLimit` is filled from `s2s.partnerConnectionLimit` when absent. */
export type PartnerConfig = PartnerSettings;
export type OpenFederationConfig = OpenFederationSettings;
export type PolicyConfig = XmppAccessPolicy;

/** A problem found in the configuration; `path` names the key, e.g. `partners[1].tls`. */
export interface ConfigIssue {
  readonly severity: 'error' | 'warning';
  readonly path: string;
  readonly message: string;
}

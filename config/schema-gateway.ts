import net from 'node:net';
import { z } from 'zod';
import { addressOrCidr, dnsName, isDnsName, parseSipUri, port, positiveInt, seconds } from './schema-primitives';
import type { DrachtioConfig, PresenceConfig, S2SConfig, SipProxyConfig } from './types';

const nonEmpty = z.string().trim().min(1);

const listenHost = z
  .string()
  .trim()
  .refine((s) => net.isIP(s) !== 0 || isDnsName(s.toLowerCase()), { message: 'expected an IP address or host name' });

/**
 * drachtio-srf either connects to drachtio-server's admin port ("inbound"
 * connections, `srf.connect`) or listens for drachtio-server to connect to it
 * ("outbound" connections, `srf.listen`); style.md §2.
 */
export const drachtioSchema = z
  .strictObject({
    host: nonEmpty.optional(),
    // 9022: drachtio-server's default admin port (<admin port="9022">, style.md §2b).
    port: port.optional(),
    listen: z.strictObject({ port, host: listenHost.optional() }).optional(),
    secret: z.string().min(1),
    // Load bounds (issue #13). Defaults: bench/drachtio-load.ts (labelled double) and the
    // real drachtio-server figures in issue #13 (clean at 2,000 XMPP→SIP and 4,000 SIP→XMPP msg/s).
    maxOutstandingRequests: positiveInt(256), // SIP requests sent and not finally answered
    maxQueuedRequests: positiveInt(2000), // waiting behind them; past it: resource-constraint
    queueTimeout: seconds(10), // longest wait for a slot (or for the link to come back)
    maxInboundRequests: positiveInt(1000), // SIP requests handled at once; past it: 503 + Retry-After
    startTimeout: seconds(30), // no authenticated connection by then: start fails (exit 3)
  })
  .superRefine((v, ctx) => {
    if ((v.host === undefined) === (v.listen === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give either host (connect to drachtio-server) or listen (drachtio-server connects to us), exactly one' });
    }
    if (v.listen !== undefined && v.port !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['port'], message: 'port belongs with host; in outbound mode use listen.port' });
    }
  })
  .transform((v): DrachtioConfig => {
    const limits = {
      maxOutstandingRequests: v.maxOutstandingRequests,
      maxQueuedRequests: v.maxQueuedRequests,
      queueTimeoutMs: v.queueTimeout * 1000,
      maxInboundRequests: v.maxInboundRequests,
      startTimeoutMs: v.startTimeout * 1000,
    };
    return v.listen !== undefined
      ? { mode: 'outbound', listen: { port: v.listen.port, host: v.listen.host }, secret: v.secret, limits }
      : { mode: 'inbound', host: v.host ?? '', port: v.port ?? 9022, secret: v.secret, limits };
  });

/** Transports that are congestion-controlled (RFC 3428 §6: a MESSAGE over 1300 bytes needs one). */
const CONGESTION_CONTROLLED = new Set(['tcp', 'tls', 'sctp', 'ws', 'wss']);

export const sipProxySchema = z
  .strictObject({
    uri: z.string().refine((s) => parseSipUri(s) !== undefined, {
      message: 'expected a SIP URI naming the proxy, e.g. sip:proxy.example.com:5060;transport=tcp',
    }),
    // Default: derived from the URI (sips: or transport=tcp/tls/…); RFC 7572 §6 / RFC 3428 §6.
    supportsTcp: z.boolean().optional(),
    // Default: only the proxy host itself may send us SIP.
    trustedSources: z.array(addressOrCidr).min(1).optional(),
  })
  .transform((v): SipProxyConfig => {
    const parts = parseSipUri(v.uri) ?? { scheme: 'sip', host: '' };
    const derivedTcp = parts.scheme === 'sips' || (parts.transport !== undefined && CONGESTION_CONTROLLED.has(parts.transport));
    return {
      uri: v.uri.trim(),
      host: parts.host,
      port: parts.port,
      transport: parts.transport,
      supportsTcp: v.supportsTcp ?? derivedTcp,
      trustedSources: v.trustedSources ?? [parts.host],
    };
  });

const certificateSchema = z.strictObject({ domain: dnsName, key: nonEmpty, cert: nonEmpty });

/** Gateway-wide S2S settings: Lync's CsXmppGatewayConfiguration (anchors.md §1.3) plus listener, TLS and limits. */
export const s2sSchema = z
  .strictObject({
    listen: z
      .strictObject({
        host: listenHost.default('0.0.0.0'), // all IPv4 interfaces, as Lync's Edge external IP listens
        port: port.default(5269), // RFC 6120 §14.7 IANA xmpp-server port; Lync port summary JJ618373
      })
      .prefault({}),
    certificates: z.array(certificateSchema).default([]),
    caFile: nonEmpty.optional(),
    // Lync DialbackPassphrase; min 16 so keys are not guessable (XEP-0185 §3 recommends a strong secret).
    dialbackSecret: z.string().min(16).optional(),
    connectionLimit: positiveInt(1000), // Lync ConnectionLimit default 1000
    partnerConnectionLimit: positiveInt(20), // Lync PartnerConnectionLimit default 20
    // Issue #10: inbound connections per source address (IPv6: per /64) before they authenticate,
    // so one address cannot take connectionLimit; like Lync's per-partner default 20.
    preAuthConnectionsPerIp: positiveInt(20),
    keepAliveInterval: seconds(300), // Lync KeepAliveInterval 300 s
    streamEstablishmentTimeout: seconds(60), // Lync StreamEstablishmentTimeout 60 s
    streamInactivityTimeout: seconds(600), // Lync StreamInactivityTimeout 600 s
    subscriptionRefreshInterval: seconds(28800), // Lync SubscriptionRefreshInterval 28800 s (8 h)
    logMessageBodies: z.boolean().default(false), // Lync EnableLoggingAllMessageBodies False
    // 256 KiB (style.md §8.4); RFC 6120 §13.12 requires accepting at least 10 000 bytes.
    maxStanzaBytes: z.int().min(10000).max(16 * 1024 * 1024).default(262144),
    maxStanzaBytesPreAuth: z.int().min(1024).max(16 * 1024 * 1024).default(8192), // ejabberd pre_auth_max_stanza_size 8192
    maxElementsPreAuth: positiveInt(32), // ejabberd pre_auth_max_stanza_elements 32
    sendQueueMax: positiveInt(1000), // per remote domain; style.md §8.4 (smaller than ejabberd's 10 000 on purpose)
    connectTimeout: seconds(10), // ejabberd outgoing_s2s_timeout 10 s
    maxRetryDelay: seconds(300), // ejabberd s2s_max_retry_delay 300 s
    // Issue #11: stanzas written but not yet confirmed (XEP-0198 ack / XEP-0199 fence).
    inDoubt: z
      .strictObject({
        onStreamLoss: z.enum(['resend', 'report']).default('resend'), // resend once, same id; report if no stream in retryWindow
        retryWindow: seconds(30),
        maxPerStream: positiveInt(500), // beyond it: the bounded sendQueueMax queue, then resource-constraint
        fenceEvery: positiveInt(100), // stanzas per <r/> or ping at most
        fenceAfter: z.int().min(1).max(60_000).default(200), // ms after a burst
        ackTimeout: seconds(30), // unanswered request → stream closed
      })
      .prefault({}),
  })
  .transform(
    (v): S2SConfig => ({
      listen: v.listen,
      certificates: v.certificates,
      caFile: v.caFile,
      dialbackSecret: v.dialbackSecret,
      connectionLimit: v.connectionLimit,
      partnerConnectionLimit: v.partnerConnectionLimit,
      preAuthConnectionsPerIp: v.preAuthConnectionsPerIp,
      keepAliveIntervalMs: v.keepAliveInterval * 1000,
      streamEstablishmentTimeoutMs: v.streamEstablishmentTimeout * 1000,
      streamInactivityTimeoutMs: v.streamInactivityTimeout * 1000,
      subscriptionRefreshIntervalMs: v.subscriptionRefreshInterval * 1000,
      logMessageBodies: v.logMessageBodies,
      maxStanzaBytes: v.maxStanzaBytes,
      maxStanzaBytesPreAuth: v.maxStanzaBytesPreAuth,
      maxElementsPreAuth: v.maxElementsPreAuth,
      sendQueueMax: v.sendQueueMax,
      connectTimeoutMs: v.connectTimeout * 1000,
      maxRetryDelayMs: v.maxRetryDelay * 1000,
      inDoubt: {
        onStreamLoss: v.inDoubt.onStreamLoss,
        retryWindowMs: v.inDoubt.retryWindow * 1000,
        maxPerStream: v.inDoubt.maxPerStream,
        fenceEvery: v.inDoubt.fenceEvery,
        fenceAfterMs: v.inDoubt.fenceAfter,
        ackTimeoutMs: v.inDoubt.ackTimeout * 1000,
      },
    }),
  );

/**
 * Presence federation (RFC 8048, issue #8). The store holds who watches whom and every SIP
 * subscription the gateway owns, so both survive a restart: SQLite (embedded, one node) or
 * Redis (several nodes share it; a node's records are adopted by another once its heartbeat
 * is older than `liveness`).
 */
const presenceStoreSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('sqlite'), path: nonEmpty.default('presence.sqlite') }),
  z.strictObject({
    kind: z.literal('redis'),
    url: nonEmpty.refine((u) => /^rediss?:\/\//.test(u), { message: 'expected redis://host:port[/db] or rediss://…' }),
    keyPrefix: nonEmpty.default('dxg:'),
  }),
]);

export const presenceSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    // Node id in a shared store; default: the host name (two nodes must never share one).
    nodeId: nonEmpty.regex(/^[A-Za-z0-9._-]{1,64}$/, { message: 'letters, digits, . _ - (at most 64)' }).optional(),
    store: presenceStoreSchema.prefault({ kind: 'sqlite' }),
    sweepInterval: seconds(5), // refreshes and expiries are looked for this often
    liveness: seconds(30), // a node silent this long loses its records to another node
    maxWatchersPerContact: positiveInt(5000), // RFC 8048 §8: bound on one presence stanza's fan-out
    // RFC 8048 §8.1: presence stanzas per second from one partner domain; past it: resource-constraint
    maxPresencePerPartner: positiveInt(2000),
  })
  .transform((v): PresenceConfig => ({
    enabled: v.enabled,
    nodeId: v.nodeId,
    store: v.store,
    sweepIntervalMs: v.sweepInterval * 1000,
    livenessMs: v.liveness * 1000,
    maxWatchersPerContact: v.maxWatchersPerContact,
    maxPresencePerPartner: v.maxPresencePerPartner,
  }));

/**
 * gateway.admin (issue #9): Prometheus /metrics, /healthz and /readyz over HTTP.
 * Started only when a port is given; loopback unless the operator says otherwise,
 * since the endpoints name partners and counts (nothing here changes state).
 */
const adminSchema = z.strictObject({
  host: listenHost.default('127.0.0.1'),
  port,
  // POST /reload needs it (Authorization: Bearer …); without one, nothing can be changed over HTTP.
  token: z.string().min(16, { message: 'must be at least 16 characters' }).optional(),
}).transform((v) => ({ host: v.host, port: v.port, token: v.token }));

export const gatewaySchema = z.strictObject({
  domains: z.array(dnsName).min(1),
  drachtio: drachtioSchema,
  sipProxy: sipProxySchema,
  s2s: s2sSchema.prefault({}),
  presence: presenceSchema.prefault({}),
  admin: adminSchema.optional(),
});

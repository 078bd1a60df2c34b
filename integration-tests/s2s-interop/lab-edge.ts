/**
 * Our S2S edge (adapters/xmpp-s2s/edge.ts) as the lab's gw.test: listening on
 * 127.0.30.1:5269 with a lab PKI identity, the partner policies a test asks
 * for, and the echo handler (echo.ts) standing in for the gateway core.
 *
 * Only one edge can hold 127.0.30.1:5269 at a time, so a test that needs a
 * different configuration (another identity, another partner list, a DNS
 * resolver) replaces the running edge through `EdgeSlot.use()`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import tls from 'node:tls';
import { createS2SEdge, type S2SEdge } from '../../adapters/xmpp-s2s/edge';
import type { SrvResolver } from '../../adapters/xmpp-s2s/net/resolve-targets';
import type { PartnerPolicy } from '../../adapters/xmpp-s2s/policy/partner-policy';
import type { S2SLimits } from '../../adapters/xmpp-s2s/session/session-options';
import type { XmlElement } from '../../plugin/core/xml/xml-element';
import type { LabPki, PemPair } from '../harness/lab-ca';
import { LAB_ADDRESSES, LAB_DOMAINS, labRunDir } from '../harness/xmpp-peers';
import { echoReplies } from './echo';
import { createEdgeLog, type EdgeLog } from './edge-log';
import { Inbox } from './inbox';

export interface LabEdgeOptions {
  readonly pki: LabPki;
  /** Partner list: remote domain → policy; any other domain is refused. */
  readonly partners: Readonly<Record<string, PartnerPolicy>>;
  /** Certificate and key we present for gw.test (default: the lab leaf for gw.test). */
  readonly identity?: PemPair;
  /** DNS resolver for SRV lookups (partners without proxyFqdn). */
  readonly resolver?: SrvResolver;
  /** Label for the log file name. */
  readonly label: string;
  /** Overrides of the edge's limits (e.g. a smaller stanza size). */
  readonly limits?: Partial<S2SLimits>;
  /** Reconnect backoff (default: ≤ 2 s window, Math.random). */
  readonly retry?: { readonly maxDelayMs: number; readonly random: () => number };
}

export interface LabEdge {
  readonly edge: S2SEdge;
  readonly log: EdgeLog;
  readonly inbox: Inbox;
  /** Sends a stanza from one of our users (us → peer). */
  send(e: XmlElement): void;
  stop(): Promise<void>;
}

export const EDGE_STOP_MS = 15_000;
let edges = 0;

export async function startLabEdge(o: LabEdgeOptions): Promise<LabEdge> {
  const identity = o.identity ?? o.pki.leaf(LAB_DOMAINS.gateway);
  // Our trust anchors are the lab CA only (RFC 6125 checks happen in the edge).
  const ctx = tls.createSecureContext({ key: identity.keyPem, cert: identity.certPem, ca: o.pki.ca.certPem });
  const logFile = path.join(labRunDir(), `edge-${++edges}-${o.label.replace(/[^a-z0-9-]/gi, '_')}.log`);
  const log = createEdgeLog(logFile);
  const inbox = new Inbox();
  const edge = createS2SEdge({
    domains: [LAB_DOMAINS.gateway],
    policyFor: (d) => o.partners[d.toLowerCase()],
    tls: { secureContext: (d) => (d === LAB_DOMAINS.gateway ? ctx : undefined) },
    dialbackSecret: 'dxg-lab-dialback-secret',
    logger: log.logger,
    listen: { host: LAB_ADDRESSES.gateway, port: 5269 },
    connectTimeoutMs: 3000,
    // Short reconnect window so the kill/restart test does not wait minutes (ejabberd's lab uses 2 s too).
    maxRetryDelayMs: o.retry?.maxDelayMs ?? 2000,
    ...(o.retry ? { random: o.retry.random } : {}),
    limits: { closeTimeoutMs: 1000, streamEstablishmentTimeoutMs: 15_000, ...o.limits },
    ...(o.resolver ? { resolver: o.resolver } : {}),
  });
  edge.onStanza((e) => {
    inbox.push(e);
    for (const reply of echoReplies(e)) edge.send(reply);
  });
  await edge.start(); // resolves once listening: no probe connection needed
  let stopped = false;
  return {
    edge, log, inbox,
    send: (e) => edge.send(e),
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.race([edge.stop(), new Promise((r) => setTimeout(r, EDGE_STOP_MS - 1000).unref())]);
      fs.appendFileSync(logFile, '# edge stopped\n');
    },
  };
}

/** The one edge a describe block runs at a time; `use` stops the current one first. */
export class EdgeSlot {
  private current: LabEdge | undefined;

  get edge(): LabEdge {
    if (!this.current) throw new Error('no edge running');
    return this.current;
  }

  async use(o: LabEdgeOptions): Promise<LabEdge> {
    await this.stop();
    this.current = await startLabEdge(o);
    return this.current;
  }

  async stop(): Promise<void> {
    const c = this.current;
    this.current = undefined;
    await c?.stop();
  }
}

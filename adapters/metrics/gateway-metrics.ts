/**
 * The gateway's Prometheus metrics (issue #9), on a registry of its own (two
 * gateways in one process, as the tests run them, never share counters).
 * Counters are fed by the instrumenting wrappers (instrument-*.ts); gauges
 * are read from the live objects at scrape time, so they cannot drift.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { XmlElement } from '../../plugin/core/xml/xml-element';
import type { StreamStatus } from '../xmpp-s2s/edge';
import { errorCondition, stanzaKind, stanzaType } from './stanza-labels';

export interface MetricsSources {
  readonly streams: () => readonly StreamStatus[];
  readonly drachtioConnected: () => boolean;
  readonly gate: () => { readonly outstanding: number; readonly queued: number };
}

export type Direction = 'in' | 'out';

export interface GatewayMetrics {
  readonly registry: Registry;
  /** A stanza received on an authenticated stream ('in') or handed to the edge ('out'). */
  stanza(direction: Direction, e: XmlElement): void;
  /** A SIP request received ('in', with the final status we sent) or sent ('out', with the outcome). */
  sipRequest(direction: Direction, method: string, outcome: number | string): void;
  /** From handing a stanza to the edge until it is written on an authenticated stream. */
  onWire(seconds: number): void;
  /** TCP connect/accept to authentication of one S2S stream. */
  negotiated(s: Pick<StreamStatus, 'direction' | 'remote' | 'auth'>, seconds: number): void;
  /** Failures since start, for the CLI's status: error stanzas by direction and condition, SIP requests that did not succeed. */
  failures(): { readonly stanzaErrors: Record<string, number>; readonly sipFailures: Record<string, number> };
}

const partnerOf = (s: Pick<StreamStatus, 'remote'>): string => s.remote || 'unknown';

export function createGatewayMetrics(src: MetricsSources): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'dxg_' });
  const r = [registry];

  new Gauge({
    name: 'dxg_s2s_streams', help: 'Live S2S streams by partner domain, direction and authentication (none before it)',
    labelNames: ['partner', 'direction', 'auth'], registers: r,
    collect() {
      this.reset();
      for (const s of src.streams()) this.inc({ partner: partnerOf(s), direction: s.direction, auth: s.auth });
    },
  });
  new Gauge({
    name: 'dxg_s2s_queued_stanzas', help: 'Stanzas waiting for an outbound stream, by partner', labelNames: ['partner'], registers: r,
    collect() {
      this.reset();
      for (const s of src.streams()) if (s.direction === 'outbound') this.inc({ partner: partnerOf(s) }, s.queued);
    },
  });
  new Gauge({
    name: 'dxg_s2s_in_doubt_stanzas', help: 'Stanzas written but not yet confirmed by the peer (XEP-0198 / XEP-0199 fence), by partner',
    labelNames: ['partner'], registers: r,
    collect() {
      this.reset();
      for (const s of src.streams()) if (s.direction === 'outbound') this.inc({ partner: partnerOf(s) }, s.inDoubt);
    },
  });
  new Gauge({
    name: 'dxg_drachtio_connected', help: '1 while the drachtio-server admin connection is authenticated', registers: r,
    collect() { this.set(src.drachtioConnected() ? 1 : 0); },
  });
  new Gauge({
    name: 'dxg_sip_outstanding_requests', help: 'SIP requests sent through drachtio and not yet finally answered', registers: r,
    collect() { this.set(src.gate().outstanding); },
  });
  new Gauge({
    name: 'dxg_sip_queued_requests', help: 'SIP requests waiting for a slot (gateway.drachtio.maxOutstandingRequests)', registers: r,
    collect() { this.set(src.gate().queued); },
  });

  const stanzas = new Counter({ name: 'dxg_stanzas_total', help: 'Stanzas by direction, kind and type', labelNames: ['direction', 'kind', 'type'], registers: r });
  const errors = new Counter({
    name: 'dxg_stanza_errors_total', help: 'Error stanzas (bounces included) by direction and RFC 6120 §8.3.3 condition',
    labelNames: ['direction', 'condition'], registers: r,
  });
  const sip = new Counter({
    name: 'dxg_sip_requests_total', help: 'SIP requests by direction, method and final status (or the reason none came: overloaded, link-down, timeout, refused)',
    labelNames: ['direction', 'method', 'status'], registers: r,
  });
  const wire = new Histogram({
    name: 'dxg_stanza_on_wire_seconds', help: 'From handing a stanza to the S2S edge until it is written on an authenticated stream',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: r,
  });
  const negotiation = new Histogram({
    name: 'dxg_s2s_negotiation_seconds', help: 'From TCP connect/accept to authentication of an S2S stream, by partner, direction and mechanism',
    labelNames: ['partner', 'direction', 'auth'], buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: r,
  });

  const stanzaErrors: Record<string, number> = {};
  const sipFailures: Record<string, number> = {};
  const bump = (m: Record<string, number>, k: string): void => { m[k] = (m[k] ?? 0) + 1; };
  return {
    registry,
    stanza(direction, e) {
      stanzas.inc({ direction, kind: stanzaKind(e), type: stanzaType(e) });
      const condition = errorCondition(e);
      if (condition === undefined) return;
      errors.inc({ direction, condition });
      bump(stanzaErrors, `${direction} ${condition}`);
    },
    sipRequest(direction, method, outcome) {
      const m = /^[A-Z]{2,16}$/.test(method) ? method : 'other';
      sip.inc({ direction, method: m, status: String(outcome) });
      if (typeof outcome !== 'number' || outcome >= 300) bump(sipFailures, `${direction} ${m} ${outcome}`);
    },
    failures: () => ({ stanzaErrors: { ...stanzaErrors }, sipFailures: { ...sipFailures } }),
    onWire: (s) => wire.observe(s),
    negotiated: (s, seconds) => negotiation.observe({ partner: partnerOf(s), direction: s.direction, auth: s.auth }, seconds),
  };
}

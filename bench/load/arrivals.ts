/**
 * The receiving end of SIP→XMPP load (issue #12): one @xmpp/client session on the real
 * ejabberd that stamps each <message/> on arrival with the wall clock and keeps only
 * (n, latency) per tagged body: 140,000 messages must not be 140,000 retained Elements.
 */
import type { Element } from '@xmpp/xml';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import xml from '@xmpp/xml';
import '../../integration-tests/harness/xmpp-client-utf8';
import { parseLoadBody } from './sipp-load';

interface Entity {
  on(ev: 'stanza', h: (el: Element) => void): void;
  on(ev: 'error', h: (e: Error) => void): void;
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
  send(el: Element): Promise<void>;
  reconnect: { stop(): void };
  socketParameters: (service: string) => Record<string, unknown> | undefined;
}
const { client: createClient } = require('@xmpp/client') as { client: (o: Record<string, unknown>) => Entity };

export interface Arrivals {
  /** Starts counting messages whose body starts with `tag `; earlier tags are dropped. */
  expect(tag: string): void;
  /** n → latency ms (first arrival), and how many arrived more than once, for the current tag. */
  readonly latencies: ReadonlyMap<number, number>;
  duplicates(): number;
  /** Send stamps (ms) of the first and last arrival, by sipp's clock: the achieved send window. */
  sendWindow(): { first: number; last: number } | undefined;
  /** Error stanzas and other message types seen for the tag. */
  other(): number;
  /** XMPP→SIP: sends a chat message with this id (ids `<tag>-<n>` are matched by errorIds). */
  send(to: string, body: string, id: string): Promise<void>;
  /** Ids of <message type='error'/> whose id starts with the current tag. */
  readonly errorIds: ReadonlySet<string>;
  stop(): Promise<void>;
}

const wallNow = (): number => performance.timeOrigin + performance.now();

export async function connectArrivals(o: { service: string; domain: string; username: string; password: string; caPem: string }): Promise<Arrivals> {
  const e = createClient({ service: o.service, domain: o.domain, username: o.username, password: o.password, resource: `load-${randomUUID().slice(0, 6)}`, timeout: 5000 });
  e.reconnect.stop();
  const base = e.socketParameters.bind(e);
  e.socketParameters = (s: string) => {
    const p = base(s);
    return p && { ...p, ca: o.caPem, servername: o.domain };
  };
  let tag = '\u0000';
  let lat = new Map<number, number>();
  let dup = 0;
  let other = 0;
  let errIds = new Set<string>();
  let first = Infinity;
  let last = -Infinity;
  e.on('error', () => undefined);
  e.on('stanza', (el) => {
    if (!el.is('message')) return;
    const at = wallNow();
    if (el.attrs.type === 'error' && String(el.attrs.id ?? '').startsWith(`${tag}-`)) { errIds.add(String(el.attrs.id)); return; }
    const body = el.getChildText('body');
    const p = body === null ? undefined : parseLoadBody(body, tag);
    if (!p) return;
    if (el.attrs.type === 'error') { other += 1; return; }
    if (lat.has(p.n)) { dup += 1; return; }
    lat.set(p.n, at - p.sentMs);
    first = Math.min(first, p.sentMs);
    last = Math.max(last, p.sentMs);
  });
  const started = e.start();
  await Promise.race([started, new Promise((_, rej) => setTimeout(() => rej(new Error('arrival client: connect timed out')), 15_000))]);
  await e.send(xml('presence', {}));
  return {
    expect(t) { tag = t; errIds = new Set(); lat = new Map(); dup = 0; other = 0; first = Infinity; last = -Infinity; },
    get latencies() { return lat; },
    duplicates: () => dup,
    other: () => other,
    send: (to, body, id) => e.send(xml('message', { to, type: 'chat', id }, xml('body', {}, body))),
    get errorIds() { return errIds; },
    sendWindow: () => (lat.size > 0 ? { first, last } : undefined),
    async stop() {
      await Promise.race([e.stop().catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
    },
  };
}

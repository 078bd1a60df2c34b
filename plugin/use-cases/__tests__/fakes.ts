/**
 * In-memory fakes of OUR OWN ports (ports.ts) for the use-case unit tests.
 * The real peers (S2S edge, drachtio, lru-cache) are exercised in integration-tests.
 */
import type { EffectivePartner } from '../../core/policy/find-partner';
import type { Stanza } from '../../core/stanza/stanza';
import type {
  Clock, Correlations, GatewayPolicy, IdGenerator, Log, MessagingDeps, OutboundSipMessage, SentToSip, SentToXmpp,
  SipOutcome, SipOut, XmppDelivery, XmppOut,
} from '../ports';

export class FakeXmppOut implements XmppOut {
  readonly sent: Stanza[] = [];
  next: XmppDelivery = { ok: true };
  async sendStanza(s: Stanza): Promise<XmppDelivery> {
    this.sent.push(s);
    return this.next;
  }
}

export class FakeSipOut implements SipOut {
  readonly sent: OutboundSipMessage[] = [];
  next: SipOutcome = { status: 200, reason: 'OK' };
  async sendMessage(m: OutboundSipMessage): Promise<SipOutcome> {
    this.sent.push(m);
    return this.next;
  }
}

export class MapCorrelations implements Correlations {
  readonly toXmpp = new Map<string, SentToXmpp>();
  readonly toSip = new Map<string, SentToSip>();
  rememberSentToXmpp(id: string, e: SentToXmpp): void {
    this.toXmpp.set(id, e);
  }
  takeSentToXmpp(id: string): SentToXmpp | undefined {
    const e = this.toXmpp.get(id);
    this.toXmpp.delete(id);
    return e;
  }
  rememberSentToSip(id: string, e: SentToSip): void {
    this.toSip.set(id, e);
  }
  takeSentToSip(id: string): SentToSip | undefined {
    const e = this.toSip.get(id);
    this.toSip.delete(id);
    return e;
  }
}

export class ManualClock implements Clock {
  constructor(public ms = Date.UTC(2025, 0, 2, 3, 4, 5)) {}
  now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export class SequenceIds implements IdGenerator {
  private n = 0;
  next(): string {
    this.n += 1;
    return `id-${this.n}`;
  }
}

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly obj: Record<string, unknown>;
  readonly msg: string;
}
export class MemoryLog implements Log {
  readonly lines: LogLine[] = [];
  debug(obj: Record<string, unknown>, msg: string): void {
    this.lines.push({ level: 'debug', obj, msg });
  }
  info(obj: Record<string, unknown>, msg: string): void {
    this.lines.push({ level: 'info', obj, msg });
  }
  warn(obj: Record<string, unknown>, msg: string): void {
    this.lines.push({ level: 'warn', obj, msg });
  }
  error(obj: Record<string, unknown>, msg: string): void {
    this.lines.push({ level: 'error', obj, msg });
  }
}

export const TRUSTED_PROXY = '10.0.0.1';
const PARTNERS = new Set(['xmpp.example', 'prosody.example']);

function partner(domain: string): EffectivePartner {
  return {
    domain, additionalDomains: [], partnerType: 'Federated', tls: 'Required', sasl: 'Optional', dialback: true,
    keepAlive: true, connectionLimit: 10, source: 'listed', remoteDomain: domain,
  };
}

/** Our domain sip.example; everyone but "mallory" may federate; partners xmpp.example and prosody.example. */
export function testPolicy(over: Partial<GatewayPolicy> = {}): GatewayPolicy {
  return {
    ourDomains: new Set(['sip.example']),
    trustedSources: (ip) => ip === TRUSTED_PROXY,
    mayFederate: (user, domain) => domain === 'sip.example' && user !== 'mallory',
    partnerFor: (d) => (PARTNERS.has(d) ? partner(d) : 'not-allowed'),
    proxyIsTcpCapable: false,
    logMessageBodies: false,
    ...over,
  };
}

export interface TestDeps extends MessagingDeps {
  readonly xmpp: FakeXmppOut;
  readonly sip: FakeSipOut;
  readonly correlations: MapCorrelations;
  readonly clock: ManualClock;
  readonly log: MemoryLog;
}

export function testDeps(policy: Partial<GatewayPolicy> = {}): TestDeps {
  return {
    xmpp: new FakeXmppOut(), sip: new FakeSipOut(), correlations: new MapCorrelations(), clock: new ManualClock(),
    ids: new SequenceIds(), log: new MemoryLog(), policy: testPolicy(policy),
  };
}

import { el, type XmlElement } from '../../../plugin/core/xml/xml-element';
import { NS_PING, NS_SERVER } from '../stream/namespaces';
import { OneShot, type Timers } from '../stream/timers';
import { ackedThrough, InDoubtLog } from './in-doubt-log';
import type { InDoubtOptions } from './options';

export const NS_SM3 = 'urn:xmpp:sm:3';

/** One stanza in doubt: what to resend or report, and whether it already is a resend. */
export interface InDoubtStanza {
  readonly e: XmlElement;
  readonly resent: boolean;
}

export interface ConfirmationIo {
  /** Writes an element on the stream (a nonza or the fence IQ); false when the stream cannot take it. */
  write(e: XmlElement): boolean;
  /** No proof came within ackTimeoutMs: the stream is presumed dead and must be closed. */
  timedOut(): void;
  /** The log shrank (room for queued stanzas under the cap). */
  confirmed(count: number): void;
  readonly timers: Timers;
  newId(): string;
  readonly local: string;
  readonly remote: string;
}

export type ConfirmationMode = 'sm' | 'fence';

/**
 * Proves that the peer processed what we wrote on one outbound stream
 * (issue #11), with one of two mechanisms:
 * - 'sm': XEP-0198 (§4 enable; §5 `<r/>` → `<a h/>`), when the peer offers
 *   urn:xmpp:sm:3 in its features. On `<failed/>` it falls back to fences.
 * - 'fence': an XEP-0199 ping to the peer's domain. The answer (result OR
 *   error: both are the peer's processing of the IQ) comes back on the peer's
 *   own stream to us, and since a server processes the stanzas of one stream
 *   in order (RFC 6120 §10.1), it proves every stanza written before the ping.
 * A request goes out every fenceEvery stanzas and fenceAfterMs after a write
 * not yet covered by one (the end of a burst), never while nothing is in doubt.
 */
export class Confirmations {
  readonly log = new InDoubtLog<InDoubtStanza>();
  private requested = 0;
  private readonly outstanding: number[] = [];
  private readonly fences = new Map<string, number>();
  private readonly burst: OneShot;
  private readonly ackTimer: OneShot;
  private stopped = false;

  constructor(public mode: ConfirmationMode, private readonly opts: InDoubtOptions, private readonly io: ConfirmationIo) {
    this.burst = new OneShot(io.timers, opts.fenceAfterMs, () => this.requestIfDue(true));
    this.ackTimer = new OneShot(io.timers, opts.ackTimeoutMs, () => { if (!this.stopped) io.timedOut(); });
  }

  /** XEP-0198 §4: sent right after authentication, before any stanza, so h counts exactly what follows. */
  enableElement(): XmlElement {
    return el('enable', { xmlns: NS_SM3 });
  }

  get size(): number {
    return this.log.size;
  }

  /** Records a stanza just written and asks for a proof when one is due. */
  written(s: InDoubtStanza): void {
    this.log.add(s);
    this.requestIfDue(false);
  }

  private requestIfDue(burstEnded: boolean): void {
    if (this.stopped || this.log.size === 0) return;
    const uncovered = this.log.count - this.requested;
    if (uncovered <= 0) return;
    if (uncovered >= this.opts.fenceEvery || burstEnded) return this.request();
    if (!this.burst.armed) this.burst.arm();
  }

  private request(): void {
    this.burst.stop();
    const covers = this.log.count;
    const before = this.requested;
    // State first, write second: the answer may come back before write() returns
    // (in-process transports deliver synchronously).
    this.requested = covers;
    if (this.outstanding.length === 0) this.ackTimer.arm();
    this.outstanding.push(covers);
    let sent: boolean;
    if (this.mode === 'sm') {
      sent = this.io.write(el('r', { xmlns: NS_SM3 }));
    } else {
      const id = `fence-${this.io.newId()}`;
      this.fences.set(id, covers);
      sent = this.io.write({ ...el('iq', { type: 'get', from: this.io.local, to: this.io.remote, id }, el('ping', { xmlns: NS_PING })), ns: NS_SERVER });
      if (!sent) this.fences.delete(id);
    }
    if (sent) return;
    // The stream is closing or congested: its close handles what is in doubt.
    this.requested = before;
    const i = this.outstanding.lastIndexOf(covers);
    if (i >= 0) this.outstanding.splice(i, 1);
    if (this.outstanding.length === 0) this.ackTimer.stop();
  }

  /** XEP-0198 §5 `<a h/>` from the peer. Returns false for an h that is not a counter or exceeds what we sent (§5: undefined-condition). */
  onAck(h: string | undefined): boolean {
    const through = ackedThrough(h, this.log.count);
    if (through === undefined || through < 0) return false;
    this.confirmThrough(through);
    return true;
  }

  /** XEP-0198 `<failed/>` to our `<enable/>`: nothing we wrote is counted, so fences take over for all of it. */
  onEnableFailed(): void {
    this.mode = 'fence';
    this.requested = 0;
    this.outstanding.splice(0);
    this.ackTimer.stop();
    this.requestIfDue(true);
  }

  /** An IQ result/error with this id came back from the peer's domain; true if it was one of our fences. */
  onFenceReply(id: string | undefined): boolean {
    if (id === undefined) return false;
    const covers = this.fences.get(id);
    if (covers === undefined) return false;
    for (const [k, v] of this.fences) if (v <= covers) this.fences.delete(k);
    this.confirmThrough(covers);
    return true;
  }

  private confirmThrough(seq: number): void {
    const n = this.log.confirmThrough(seq);
    while (this.outstanding.length > 0 && (this.outstanding[0] as number) <= seq) this.outstanding.shift();
    if (this.outstanding.length === 0) this.ackTimer.stop();
    else this.ackTimer.arm();
    if (this.log.size === 0) this.burst.stop();
    if (n > 0) this.io.confirmed(n);
  }

  /** The stream is gone: timers off, what is still in doubt goes to the owner. */
  stop(): InDoubtStanza[] {
    this.stopped = true;
    this.burst.stop();
    this.ackTimer.stop();
    this.fences.clear();
    return this.log.takeAll();
  }
}

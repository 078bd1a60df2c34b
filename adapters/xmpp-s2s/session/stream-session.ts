import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { serializeXml } from '../../../plugin/core/xml/serialize-xml';
import { localName, namespaceOf, type XmlElement } from '../../../plugin/core/xml/xml-element';
import { STREAM_CLOSE, streamHeader } from '../stream/header';
import { NS_STREAMS } from '../stream/namespaces';
import { parseStreamError, STREAM_CONDITION_SEVERITY, streamError, streamErrorElement, type StreamError } from '../stream/stream-error';
import { OneShot, StreamTimers } from '../stream/timers';
import { XmlTransport } from '../stream/xml-transport';
import { postAuthLimits, preAuthLimits, type SessionDeps } from './session-options';

export type Direction = 'in' | 'out';

/** How a stream ended, for the owner (router/edge) and the log. */
export interface CloseInfo {
  /** The condition we sent, or the one the peer sent (`byPeer`). */
  readonly condition?: StreamError['condition'] | undefined;
  readonly text?: string | undefined;
  readonly byPeer: boolean;
  /** True if the stream had authenticated at least once. */
  readonly wasEstablished: boolean;
  readonly reason: string;
}

/**
 * What both directions share: the transport, the three timers, the log
 * fields, and the close sequences:
 * - with a stream error (RFC 6120 §4.9.1.1): our header if not sent yet
 *   (§4.9.1.2) → <stream:error/> → </stream:stream> → read and parse
 *   nothing more → TCP close as soon as that is flushed, at most
 *   shedGraceMs later (XmlTransport.shed). The stream is void; waiting for
 *   an answer would let a hostile peer hold the connection (and a slot of
 *   connectionLimit) for closeTimeoutMs per garbage connection;
 * - graceful, without an error (RFC 6120 §4.4, Prosody session_close):
 *   </stream:stream> → stop writing, keep reading → wait for the peer's
 *   </stream:stream> or closeTimeoutMs → destroy.
 */
export interface StreamSnapshot {
  readonly direction: 'inbound' | 'outbound';
  /** Our domain and the peer's ('' on an inbound stream before its header names them). */
  readonly local: string;
  readonly remote: string;
  readonly ip: string | undefined;
  /** 'EXTERNAL' (RFC 6120 §6, XEP-0178), 'dialback' (XEP-0220) or 'none' before authentication. */
  readonly auth: string;
  readonly secure: boolean;
  readonly established: boolean;
  readonly openedAt: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export abstract class StreamSession {
  protected readonly transport: XmlTransport;
  protected readonly timers: StreamTimers;
  protected log: Logger;
  protected headerSent = false;
  protected secure = false;
  protected everEstablished = false;
  private closing = false;
  private finished = false;
  /** How the stream's first domain pair authenticated (EXTERNAL or dialback); for status and metrics. */
  private mechanism: string | undefined;
  /** When the session was created (ms since the epoch; status shows the age). */
  readonly openedAt = Date.now();
  private readonly closeTimer: OneShot;
  private closeInfo: CloseInfo | undefined;
  private readonly closedCallbacks: Array<(info: CloseInfo) => void> = [];

  protected constructor(
    socket: Duplex,
    protected readonly deps: SessionDeps,
    readonly dir: Direction,
    public local: string,
    public remote: string,
    readonly ip: string | undefined,
  ) {
    this.log = deps.logger;
    this.transport = new XmlTransport(socket, preAuthLimits(deps.limits), {
      start: (name, attrs) => this.safely(() => this.onStreamStart(name, attrs)),
      stanza: (e) => this.safely(() => this.onElement(e)),
      end: () => this.onPeerClose(),
      error: (e) => this.close(e),
      read: () => this.timers.read(),
      closed: (err) => this.onSocketGone(err),
    }, deps.limits.sendQueueMax);
    this.timers = new StreamTimers(deps.timers, {
      establishment: deps.limits.streamEstablishmentTimeoutMs,
      inactivity: deps.limits.streamInactivityTimeoutMs,
      keepAlive: deps.limits.keepAliveIntervalMs,
    }, {
      establishmentTimeout: () => this.close(streamError('connection-timeout', 'stream not established in time')),
      inactivityTimeout: () => this.close(streamError('connection-timeout', 'idle stream')),
      keepAlive: () => this.transport.write(' '), // RFC 6120 §4.6.1 whitespace ping
    });
    this.closeTimer = new OneShot(deps.timers, deps.limits.closeTimeoutMs, () => this.finish('close timeout'));
  }

  /** Our stream id (inbound) or the peer's (outbound). */
  abstract get streamId(): string | undefined;
  protected abstract onStreamStart(name: string, attrs: Readonly<Record<string, string>>): void;
  protected abstract onStanzaElement(e: XmlElement): void;

  /** Fields of every log line (style.md §8.5). */
  protected bindLog(): void {
    this.log = this.deps.logger.child({ s2s: this.streamId, dir: this.dir, local: this.local, remote: this.remote, ip: this.ip });
  }

  onClosed(cb: (info: CloseInfo) => void): void {
    if (this.closeInfo) cb(this.closeInfo);
    else this.closedCallbacks.push(cb);
  }

  get isClosing(): boolean {
    return this.closing || this.finished;
  }

  /** What an operator's `status` shows of this stream (issue #9). */
  get snapshot(): StreamSnapshot {
    return {
      direction: this.dir === 'in' ? 'inbound' : 'outbound',
      local: this.local, remote: this.remote, ip: this.ip,
      auth: this.mechanism ?? 'none', secure: this.secure, established: this.everEstablished && !this.isClosing,
      openedAt: this.openedAt, bytesIn: this.transport.bytesIn, bytesOut: this.transport.bytesOut,
    };
  }

  get bytes(): { in: number; out: number } {
    return { in: this.transport.bytesIn, out: this.transport.bytesOut };
  }

  protected writeElement(e: XmlElement): boolean {
    if (this.closing) return false;
    const okWrite = this.transport.write(serializeXml(e));
    if (okWrite) this.timers.wrote();
    return okWrite;
  }

  protected writeRaw(text: string): boolean {
    if (this.closing) return false;
    return this.transport.write(text);
  }

  protected sendHeader(h: { from: string; to?: string | undefined; id?: string | undefined }): void {
    this.headerSent = true;
    this.writeRaw(streamHeader(h));
  }

  /**
   * Continues over TLS on `socket` (STARTTLS). RFC 6120 §5.4.3.3: a new
   * stream starts, so our header is due again, and what was read in clear
   * text but not yet parsed is discarded (XmlTransport.upgrade).
   */
  protected upgradeTransport(socket: Duplex): void {
    this.secure = true;
    this.headerSent = false;
    this.transport.upgrade(socket);
  }

  /** The header to send when we must close before having sent one (RFC 6120 §4.9.1.2). */
  protected abstract fallbackHeader(): { from: string; to?: string | undefined; id?: string | undefined };

  protected markEstablished(mechanism: string, keepAlive: boolean): void {
    this.mechanism ??= mechanism;
    if (!this.everEstablished) {
      this.transport.setLimits(postAuthLimits(this.deps.limits));
      this.timers.established(keepAlive);
    }
    const first = !this.everEstablished;
    this.everEstablished = true;
    this.log.info({ mechanism, secure: this.secure }, 'authenticated');
    if (first) this.deps.onAuthenticated?.(this.snapshot);
  }

  private onElement(e: XmlElement): void {
    if (localName(e) === 'error' && namespaceOf(e) === NS_STREAMS) {
      const se = parseStreamError(e);
      this.peerError = se;
      return; // the peer closes next; we answer its </stream:stream>
    }
    this.onStanzaElement(e);
  }

  private peerError: StreamError | undefined;

  /** The peer sent </stream:stream>: answer with ours (RFC 6120 §4.4) and end. */
  private onPeerClose(): void {
    if (!this.closing) {
      this.writeRaw(STREAM_CLOSE);
      this.closing = true;
      this.transport.stopWriting();
    }
    const pe = this.peerError;
    this.finish(pe ? `peer stream error ${pe.condition}` : 'closed by peer', pe ? { condition: pe.condition, text: pe.text, byPeer: true } : undefined);
  }

  /**
   * Closes the stream, with an error when given. Idempotent. With an error
   * the connection is shed at once (RFC 6120 §4.9.1.1: stream errors are
   * unrecoverable); without one the socket is destroyed when the peer
   * closes too or after closeTimeoutMs (§4.4).
   */
  close(e?: StreamError): void {
    if (this.closing || this.finished) return;
    if (!this.headerSent) this.sendHeader(this.fallbackHeader());
    if (e) this.writeRaw(serializeXml(streamErrorElement(e)));
    this.writeRaw(STREAM_CLOSE);
    this.closing = true;
    this.transport.stopWriting();
    this.timers.stopAll();
    this.pendingInfo = { condition: e?.condition, text: e?.text, byPeer: false };
    if (e) {
      const level = STREAM_CONDITION_SEVERITY[e.condition];
      this.log[level]({ condition: e.condition, text: e.text }, 'closing stream with error');
      // §4.9.1.1: the stream is void once the error is out; the session
      // finishes when the socket is gone (onSocketGone), within shedGraceMs.
      this.shedding = true;
      this.transport.shed(this.deps.limits.shedGraceMs, this.deps.timers);
      return;
    }
    this.closeTimer.arm(); // §4.4: a graceful close waits for the peer's </stream:stream>
  }

  private shedding = false;

  private pendingInfo: Pick<CloseInfo, 'condition' | 'text' | 'byPeer'> | undefined;

  private onSocketGone(err?: Error): void {
    if (this.shedding) return this.finish('connection shed after our stream error');
    this.finish(err ? `socket error: ${err.message}` : 'connection closed');
  }

  private finish(reason: string, info?: Pick<CloseInfo, 'condition' | 'text' | 'byPeer'>): void {
    if (this.finished) return;
    this.finished = true;
    this.closing = true;
    this.timers.stopAll();
    this.closeTimer.stop();
    if (!this.shedding) {
      this.transport.end();
      // A peer that stops reading must not pin the socket: hard stop after another closeTimeout.
      new OneShot(this.deps.timers, this.deps.limits.closeTimeoutMs, () => this.transport.destroyNow()).arm();
    }
    const i = info ?? this.pendingInfo ?? { byPeer: false };
    this.closeInfo = { ...i, wasEstablished: this.everEstablished, reason };
    const level = i.condition ? STREAM_CONDITION_SEVERITY[i.condition] : 'info';
    this.log[level]({ condition: i.condition, byPeer: i.byPeer, reason, bytesIn: this.transport.bytesIn, bytesOut: this.transport.bytesOut }, 'stream closed');
    this.onFinished();
    for (const cb of this.closedCallbacks.splice(0)) cb(this.closeInfo);
  }

  /** Subclass cleanup (pending promises) when the stream is gone. */
  protected onFinished(): void {}

  /** A handler bug must never crash the process: it becomes internal-server-error on this stream. */
  private safely(f: () => void): void {
    try {
      f();
    } catch (err) {
      this.log.error({ err }, 'unexpected error in stream handler');
      this.close(streamError('internal-server-error'));
    }
  }
}

import type { Duplex } from 'node:stream';
import type { XmlGuardLimits } from '../../../plugin/core/xml/xml-guard';
import { StreamParser, type StreamParserHandler } from '../xml/stream-parser';
import type { Timers } from './timers';

/**
 * The byte level of one S2S connection: reads through the StreamParser,
 * writes with backpressure, and swaps the underlying Duplex for TLS.
 *
 * Backpressure: when socket.write() returns false, later writes wait in a
 * bounded queue until 'drain' (never an unbounded in-memory pile-up);
 * `write` returns false when the queue is full, so callers can bounce.
 */
export class XmlTransport {
  private socket: Duplex;
  private readonly parser: StreamParser;
  private readonly pending: string[] = [];
  private waitingForDrain = false;
  private writable = true;
  private detached = false;
  bytesIn = 0;
  bytesOut = 0;

  constructor(
    socket: Duplex,
    limits: XmlGuardLimits,
    private readonly handler: StreamParserHandler & { read(): void; closed(err?: Error): void },
    private readonly maxPendingWrites: number,
  ) {
    this.socket = socket;
    this.parser = new StreamParser(limits, handler);
    this.attach(socket);
  }

  get current(): Duplex {
    return this.socket;
  }

  private parsing = false;
  private readonly backlog: Array<Buffer | string> = [];

  /**
   * Reads are parsed one at a time: a handler that writes can make an
   * in-process peer answer synchronously, and ltx's parser is not re-entrant.
   */
  private readonly onData = (chunk: Buffer | string) => {
    this.bytesIn += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    if (this.shedding) return; // counted, never parsed (see shed)
    this.handler.read();
    this.backlog.push(chunk);
    if (this.parsing) return;
    this.parsing = true;
    try {
      for (let c = this.backlog.shift(); c !== undefined; c = this.backlog.shift()) this.parser.write(c);
    } finally {
      this.parsing = false;
    }
  };
  private readonly onDrain = () => this.flush();
  private readonly onEnd = () => this.handler.closed();
  private readonly onClose = () => this.handler.closed();
  private readonly onError = (e: Error) => this.handler.closed(e);

  private attach(s: Duplex): void {
    this.socket = s;
    s.on('data', this.onData);
    s.on('drain', this.onDrain);
    s.on('end', this.onEnd);
    s.on('close', this.onClose);
    s.on('error', this.onError);
  }

  /** Stops reading from the current socket, e.g. before tls.TLSSocket takes it over. */
  detach(): Duplex {
    const s = this.socket;
    s.removeListener('data', this.onData);
    s.removeListener('drain', this.onDrain);
    s.removeListener('end', this.onEnd);
    s.removeListener('close', this.onClose);
    // Keep an error listener: an error on the raw socket after the swap must not crash the process.
    s.removeListener('error', this.onError);
    s.on('error', () => undefined);
    this.detached = true;
    return s;
  }

  /**
   * Continues on a new socket (the TLS layer) with a fresh parser (RFC 6120
   * §5.4.3.3 restart). What was read from the old socket and not yet parsed
   * (the rest of the current read, and reads queued behind it) was clear
   * text: it is discarded, never parsed as if it had come over TLS.
   */
  upgrade(s: Duplex): void {
    this.parser.resetTransport();
    const cleartext = this.backlog.splice(0);
    this.detached = false;
    this.waitingForDrain = false;
    this.attach(s);
    this.flush();
    for (const c of cleartext) this.parser.discardCleartext(c);
  }

  restartParser(): void {
    this.parser.reset();
  }

  setLimits(limits: XmlGuardLimits): void {
    this.parser.setLimits(limits);
  }

  get queuedWrites(): number {
    return this.pending.length;
  }

  /** Queues text for the peer; false when the stream no longer writes or the queue is full. */
  write(text: string): boolean {
    if (!this.writable) return false;
    if (this.waitingForDrain || this.detached) {
      if (this.pending.length >= this.maxPendingWrites) return false;
      this.pending.push(text);
      return true;
    }
    this.send(text);
    return true;
  }

  private send(text: string): void {
    this.bytesOut += Buffer.byteLength(text);
    if (this.socket.destroyed) return;
    if (!this.socket.write(text)) this.waitingForDrain = true;
  }

  private flush(): void {
    this.waitingForDrain = false;
    while (this.pending.length > 0 && !this.waitingForDrain && !this.detached) {
      this.send(this.pending.shift() as string);
    }
    if (this.endAfterFlush && this.pending.length === 0 && !this.waitingForDrain && !this.detached) this.end();
  }

  private shedding = false;
  private endAfterFlush = false;
  private ending = false;

  /**
   * Sheds the connection once we have sent a stream error (RFC 6120
   * §4.9.1.1: stream errors are unrecoverable, the stream is void; ejabberd
   * and Prosody drop such peers within milliseconds):
   * - nothing more is parsed, not even the rest of the current read; what
   *   still arrives is counted and dropped. Reading on (rather than pausing)
   *   keeps the kernel's receive buffer empty, so the close is a FIN, not a
   *   RST that could make the peer's stack discard our error unread;
   * - the connection is half-closed as soon as what we wrote (the error and
   *   </stream:stream>, possibly behind a write queue waiting for 'drain')
   *   is flushed, and destroyed then (end());
   * - in any case it is destroyed after `graceMs`: a peer that does not
   *   read cannot hold the socket (and its connection slot) any longer.
   * The RFC 6120 §4.4 wait for the peer's </stream:stream> is kept for our
   * graceful closes only (StreamSession.close without an error).
   */
  shed(graceMs: number, timers: Timers): void {
    this.writable = false;
    this.shedding = true;
    this.parser.halt();
    this.backlog.length = 0;
    const s = this.socket;
    if (s.destroyed) return;
    const hard = timers.setTimeout(() => this.destroyNow(), graceMs);
    s.once('close', () => timers.clearTimeout(hard));
    if (this.pending.length > 0 || this.waitingForDrain || this.detached) this.endAfterFlush = true;
    else this.end();
  }

  /** No more writes after this (RFC 6120 §4.4: after </stream:stream> nothing may be sent). */
  stopWriting(): void {
    this.writable = false;
  }

  /**
   * Ends the connection: half-closes after what is already written, and
   * destroys once that is flushed (destroying at once could drop our
   * </stream:stream>). `destroyNow` is the caller's hard stop.
   */
  end(): void {
    this.writable = false;
    const s = this.socket;
    if (s.destroyed || this.ending) return;
    this.ending = true;
    s.once('finish', () => s.destroy());
    s.end();
  }

  destroyNow(): void {
    this.writable = false;
    if (!this.socket.destroyed) this.socket.destroy();
  }
}

import { Parser, type Element } from '@xmpp/xml';
import { fromLtx } from '../../../plugin/core/xml/ltx-convert';
import type { XmlElement } from '../../../plugin/core/xml/xml-element';
import { XmlGuard, type XmlGuardError, type XmlGuardLimits } from '../../../plugin/core/xml/xml-guard';
import { stanzaTooBig, streamError, type StreamError } from '../stream/stream-error';
import { scanUtf8 } from './utf8-prefix';

/** One decoder for every read: a non-streaming decode keeps no state between calls, and scanUtf8 has already checked the bytes. */
const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** XML whitespace (XML 1.0 §2.3 S), not JavaScript's wider \s. */
const LEADING_WS = /^[ \t\r\n]+/;
const isBlank = (data: string | Uint8Array): boolean =>
  typeof data === 'string' ? /^[ \t\r\n]*$/.test(data) : data.every((b) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d);

/** What a parsed stream delivers. Exactly one of end/error ends a parse generation. */
export interface StreamParserHandler {
  /** The peer's stream header, RFC 6120 §4.7 (attributes exactly as written, prefixes included). */
  start(name: string, attrs: Readonly<Record<string, string>>): void;
  /** One first-level child of the stream (a stanza, feature, dialback or SASL element). */
  stanza(e: XmlElement): void;
  /** The peer's </stream:stream>. */
  end(): void;
  /** A violation; the caller closes the stream with it (RFC 6120 §4.9). */
  error(e: StreamError): void;
}

/** RFC 6120 §4.9.3 condition for each guard verdict. */
export function guardErrorToStreamError(e: XmlGuardError): StreamError {
  switch (e.code) {
    case 'restricted-xml':
      return streamError('restricted-xml', e.detail); // §4.9.3.18 / §11.1
    case 'not-well-formed':
      return streamError('not-well-formed', e.detail); // §4.9.3.13
    case 'stanza-too-big':
      return stanzaTooBig(e.detail); // §13.12 + Prosody's urn:xmpp:errors condition
    case 'too-deep':
    case 'too-many-elements':
      return streamError('policy-violation', e.detail); // ejabberd max_stanza_elements
  }
}

/**
 * The incremental XML stream parser: bytes → UTF-8 text (a streaming fatal
 * TextDecoder, so a character split across reads is joined and invalid UTF-8
 * is refused with unsupported-encoding, RFC 6120 §11.6) → XmlGuard (restricted
 * XML and size/depth limits while scanning, §11.1, §13.12) → ltx. Text is fed
 * in pieces ending at '>', so every complete stanza before a violation is
 * delivered whatever the read boundaries were.
 */
export class StreamParser {
  /** Bytes of a UTF-8 sequence the last read cut (at most 3). */
  private carry: Uint8Array = new Uint8Array(0);
  /** A byte-order mark is dropped only at the very start of a transport's byte stream. */
  private bomPending = true;
  private guard: XmlGuard;
  private ltx!: Parser;
  private generation = 0;
  private done = false;
  private declPending = true;
  private preamble = '';
  /** Set by resetTransport() during a read: the rest of that read is clear text. */
  private transportReset = false;

  constructor(private limits: XmlGuardLimits, private readonly handler: StreamParserHandler) {
    this.guard = new XmlGuard(limits, 'stream');
    this.newLtx();
  }

  setLimits(limits: XmlGuardLimits): void {
    this.limits = limits;
    this.guard.setLimits(limits);
  }

  /**
   * Starts a new stream (RFC 6120 §4.3.3 restart after SASL, or after TLS).
   * Safe to call from inside a handler callback: the rest of the current
   * read goes to the new parser.
   */
  reset(): void {
    this.generation++;
    this.guard.reset();
    this.declPending = true;
    this.preamble = '';
    this.newLtx();
    this.done = this.halted; // a halted parser stays halted, whatever restart a handler asks for
  }

  /**
   * Used when the transport changes (STARTTLS): also forgets bytes of an
   * incomplete UTF-8 sequence, and abandons the rest of the current read,
   * which arrived in clear text (see discardCleartext).
   */
  resetTransport(): void {
    this.carry = new Uint8Array(0);
    this.bomPending = true;
    this.reset();
    this.transportReset = true;
  }

  /**
   * Bytes that were read in clear text after <starttls/> (inbound) or
   * <proceed/> (outbound) but not parsed when TLS took over. They are never
   * parsed: RFC 6120 §5.4.3.3 has both sides discard what they learnt before
   * TLS took effect, and parsing them as if they came over TLS is the
   * CVE-2011-0411 "STARTTLS command injection". Only the TLS handshake may
   * follow (§5.4.2.3: negotiation begins right after <proceed/>), so
   * anything but whitespace closes the stream.
   */
  discardCleartext(data: string | Uint8Array): void {
    if (!isBlank(data)) this.fail(streamError('policy-violation', 'data pipelined in clear text after STARTTLS (RFC 6120 §5.4.3.3)'));
  }

  /**
   * Stops for good: nothing more is parsed or delivered, not even the rest of
   * the read being parsed now. Used once we have sent a stream error: the
   * stream is void (RFC 6120 §4.9.1.1), so what the peer sends after the
   * offending byte must not reach the session (a db:result there would
   * still start a dialback verification).
   */
  halt(): void {
    this.halted = true;
    this.done = true;
    this.generation++;
  }

  private halted = false;

  write(chunk: Buffer | Uint8Array | string): void {
    if (this.done) return;
    this.transportReset = false;
    if (typeof chunk === 'string') return this.parseText(chunk);
    const bytes = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const scan = scanUtf8(bytes);
    // The text before a bad byte is parsed first: whichever violation comes first in the
    // byte stream decides the condition, however the reads were cut (RFC 6120 §11.6, §4.9.3.13).
    let text = UTF8.decode(bytes.subarray(0, scan.valid));
    if (this.bomPending && text !== '') {
      this.bomPending = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.carry = scan.invalid ? new Uint8Array(0) : Uint8Array.from(bytes.subarray(scan.valid));
    this.parseText(text);
    if (!scan.invalid) return;
    // After STARTTLS in this read the rest is clear text (discarded, see discardCleartext).
    if (this.transportReset) this.discardCleartext(bytes.subarray(scan.valid));
    else this.fail(streamError('unsupported-encoding', 'invalid UTF-8 (RFC 6120 §11.6)'));
  }

  private parseText(text: string): void {
    if (this.done) return;
    let from = 0;
    while (from < text.length && !this.done) {
      const gt = text.indexOf('>', from);
      const to = gt < 0 ? text.length : gt + 1;
      // Asked before feeding: a piece may start inside a tag whose '>' is still to come.
      const atStreamLevel = this.guard.betweenStanzas || this.guard.beforeRoot;
      const piece = text.slice(from, to);
      from = to;
      const e = this.guard.feed(piece);
      if (e) return this.fail(guardErrorToStreamError(e));
      // Whitespace between stanzas (RFC 6120 §4.6.1 keepalives) or before the
      // header never reaches ltx, which would keep it as text and re-copy it
      // on every read; the guard has already refused anything else there.
      const forLtx = this.skipDeclaration(atStreamLevel ? piece.replace(LEADING_WS, '') : piece);
      if (forLtx !== '') this.ltx.write(forLtx);
      if (this.transportReset) return this.discardCleartext(text.slice(from));
    }
  }

  /**
   * ltx mis-parses an XML declaration split across writes, so the (already
   * guard-checked, RFC 6120 §11.5) declaration is dropped here instead. The
   * preamble never holds leading whitespace, and markup in it is counted by
   * the guard, so it stays bounded.
   */
  private skipDeclaration(piece: string): string {
    if (!this.declPending || piece === '') return piece;
    const t = (this.preamble + piece).replace(LEADING_WS, '');
    this.preamble = t;
    if (t.length < 2) return '';
    if (t.startsWith('<?')) {
      const end = t.indexOf('?>');
      if (end < 0) return '';
      this.declPending = false;
      this.preamble = '';
      return t.slice(end + 2);
    }
    this.declPending = false;
    this.preamble = '';
    return t;
  }

  private fail(e: StreamError): void {
    if (this.done) return;
    this.done = true;
    this.handler.error(e);
  }

  private newLtx(): void {
    const gen = this.generation;
    const p = new Parser();
    const live = () => gen === this.generation && !this.done;
    p.on('start', (root: Element) => {
      if (!live()) return;
      const attrs: Record<string, string> = {};
      for (const [k, v] of Object.entries(root.attrs as Record<string, unknown>)) if (v != null) attrs[k] = String(v);
      this.handler.start(root.name, attrs);
    });
    p.on('element', (e: Element) => {
      if (live()) this.handler.stanza(fromLtx(e));
    });
    p.on('end', () => {
      if (!live()) return;
      this.done = true;
      this.handler.end();
    });
    p.on('error', (err: Error) => {
      if (live()) this.fail(streamError('not-well-formed', err.message));
    });
    this.ltx = p;
  }
}

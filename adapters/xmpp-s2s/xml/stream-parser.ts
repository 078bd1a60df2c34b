import { Parser, type Element } from '@xmpp/xml';
import { fromLtx } from '../../../plugin/core/xml/ltx-convert';
import type { XmlElement } from '../../../plugin/core/xml/xml-element';
import { XmlGuard, type XmlGuardError, type XmlGuardLimits } from '../../../plugin/core/xml/xml-guard';
import { stanzaTooBig, streamError, type StreamError } from '../stream/stream-error';

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
  private decoder = new TextDecoder('utf-8', { fatal: true });
  private guard: XmlGuard;
  private ltx!: Parser;
  private generation = 0;
  private done = false;
  private declPending = true;
  private preamble = '';

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
    this.done = false;
  }

  /** Also forgets bytes of an incomplete UTF-8 sequence (used when the transport changes, e.g. TLS). */
  resetTransport(): void {
    this.decoder = new TextDecoder('utf-8', { fatal: true });
    this.reset();
  }

  write(chunk: Buffer | Uint8Array | string): void {
    if (this.done) return;
    let text: string;
    if (typeof chunk === 'string') text = chunk;
    else {
      try {
        text = this.decoder.decode(chunk, { stream: true });
      } catch {
        return this.fail(streamError('unsupported-encoding', 'invalid UTF-8 (RFC 6120 §11.6)'));
      }
    }
    let from = 0;
    while (from < text.length && !this.done) {
      const gt = text.indexOf('>', from);
      const to = gt < 0 ? text.length : gt + 1;
      const piece = text.slice(from, to);
      from = to;
      const e = this.guard.feed(piece);
      if (e) return this.fail(guardErrorToStreamError(e));
      const forLtx = this.skipDeclaration(piece);
      if (forLtx === '') continue;
      const ltx = this.ltx;
      ltx.write(forLtx);
      // Whitespace between stanzas (keepalives) would otherwise pile up as text children of the root.
      if (ltx.root && ltx.cursor === ltx.root) ltx.root.children.length = 0;
    }
  }

  /**
   * ltx mis-parses an XML declaration split across writes, so the (already
   * guard-checked, RFC 6120 §11.5) declaration is dropped here instead.
   */
  private skipDeclaration(piece: string): string {
    if (!this.declPending) return piece;
    this.preamble += piece;
    const t = this.preamble.trimStart();
    if (t.length < 2) return '';
    if (t.startsWith('<?')) {
      const end = t.indexOf('?>');
      if (end < 0) return '';
      this.declPending = false;
      this.preamble = '';
      return t.slice(end + 2);
    }
    this.declPending = false;
    const all = this.preamble;
    this.preamble = '';
    return all;
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

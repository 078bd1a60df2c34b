/**
 * An incremental lexical guard that runs over XML text before (and alongside)
 * the ltx SAX parser. ltx is lenient: it silently skips comments, processing
 * instructions and DOCTYPEs, accepts unquoted attributes and places no limit on
 * size or depth. The guard closes those gaps so that limits hold *while*
 * parsing, not after a stanza has been buffered:
 *
 * - RFC 6120 §11.1 restricted XML: comments, processing instructions, DTDs and
 *   entity references other than the five predefined ones (and character
 *   references) are refused with `restricted-xml`. An XML declaration is
 *   allowed only at the very start (§11.5).
 * - Size: the UTF-8 byte count of the current stanza (for a stream: each child
 *   of the stream root; for a document: the whole document) is checked on every
 *   character, so an oversized stanza is refused as soon as it crosses the limit
 *   (RFC 6120 §13.12; Prosody's `stanza-too-big`, ejabberd's pre-auth limits).
 * - Depth and element count per stanza (ejabberd `max_stanza_elements`).
 * - Basic well-formedness that ltx does not check: attribute syntax, `<` inside
 *   attribute values, bare `&`, illegal control characters, text outside an
 *   element (`not-well-formed`).
 *
 * Input is text; callers must decode bytes with a StringDecoder so that UTF-8
 * split across reads is handled (never Buffer#toString per chunk).
 */

export type XmlGuardErrorCode =
  | 'restricted-xml'
  | 'not-well-formed'
  | 'stanza-too-big'
  | 'too-deep'
  | 'too-many-elements';

export interface XmlGuardError {
  readonly code: XmlGuardErrorCode;
  readonly detail: string;
}

export interface XmlGuardLimits {
  /** Maximum UTF-8 bytes of one stanza (stream mode) or of the document. */
  readonly maxStanzaBytes: number;
  /** Maximum element nesting depth inside one stanza (the stanza itself is depth 1). */
  readonly maxDepth: number;
  /** Maximum number of elements inside one stanza (Infinity for no limit). */
  readonly maxElements: number;
}

export type XmlGuardMode = 'stream' | 'document';

const enum S {
  Text,
  Lt, // just read '<'
  TagName,
  InTag, // inside a start tag, between attributes
  AttrName,
  AttrEq, // after the attribute name, expecting '='
  AttrQuote, // after '=', expecting a quote
  AttrValue,
  SelfClose, // read '/' in a start tag, expecting '>'
  EndTagName,
  EndTagTail, // after the end-tag name, expecting '>'
  DeclTarget, // after the leading "<?", expecting "xml" and whitespace
  Decl, // inside the leading <?xml ... ?>
  Entity, // after '&' in text or an attribute value
  Closed, // document root (or stream) closed
}

const PREDEFINED = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);
const MAX_ENTITY_LEN = 12;

const isWs = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isNameChar = (c: number) =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) ||
  c === 0x2d || c === 0x2e || c === 0x5f || c === 0x3a || c >= 0x80;
const isNameStart = (c: number) =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a || c >= 0x80;
/** XML 1.0 Char production: no C0 controls except TAB, LF, CR; no U+FFFE/U+FFFF. */
const isIllegalChar = (c: number) => (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0xfffe || c === 0xffff;

export class XmlGuard {
  private state = S.Text;
  private depth = 0;
  private stanzaBytes = 0;
  private stanzaElements = 0;
  private seenContent = false;
  private selfClosing = false;
  private quote = 0;
  private entity = '';
  private entityReturn = S.Text;
  private declPrev = 0;
  private declTarget = '';
  /** Attribute names of the start tag being scanned (XML 1.0 §3.1 Unique Att Spec). */
  private attrNames = new Set<string>();
  private attrName = '';
  private failed: XmlGuardError | undefined;
  private limits: XmlGuardLimits;

  constructor(limits: XmlGuardLimits, private readonly mode: XmlGuardMode) {
    this.limits = limits;
  }

  /** Tightens or relaxes the limits, e.g. after the peer has authenticated. */
  setLimits(limits: XmlGuardLimits): void {
    this.limits = limits;
  }

  /** Starts over, as on an XMPP stream restart (RFC 6120 §4.3.3). */
  reset(): void {
    this.state = S.Text;
    this.depth = 0;
    this.stanzaBytes = 0;
    this.stanzaElements = 0;
    this.seenContent = false;
    this.failed = undefined;
  }

  /** True once the document root (or the stream) has been closed. */
  get closed(): boolean {
    return this.state === S.Closed;
  }

  /** Depth of the last element that was opened and not yet closed (0 = outside the root). */
  get currentDepth(): number {
    return this.depth;
  }

  /**
   * True between two stanzas of a stream: directly inside the stream root and
   * outside any markup, where only whitespace (RFC 6120 §4.6.1 keepalives) may
   * come before the next '<'. That whitespace is not counted, so the caller
   * must drop it rather than keep it.
   */
  get betweenStanzas(): boolean {
    return this.mode === 'stream' && this.depth === 1 && this.state === S.Text;
  }

  /** True before the root element (or stream header) opens, outside any markup (XML 1.0 §2.8 Misc). */
  get beforeRoot(): boolean {
    return this.depth === 0 && this.state === S.Text;
  }

  /**
   * Scans the next piece of text. Returns the first violation; after a
   * violation the guard stays failed and returns the same error.
   */
  feed(text: string): XmlGuardError | undefined {
    if (this.failed) return this.failed;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      const e = this.step(c);
      if (e) return (this.failed = e);
    }
    return undefined;
  }

  /** The depth at which a stanza starts: children of the stream root, or the document root. */
  private get stanzaDepth(): number {
    return this.mode === 'stream' ? 2 : 1;
  }

  /**
   * Bytes are counted inside a stanza and inside any markup at a shallower
   * level (a stream header or stream close), so no construct is unbounded.
   * Only whitespace between stanzas is free.
   */
  private inStanza(): boolean {
    return this.depth >= this.stanzaDepth || (this.state !== S.Text && this.state !== S.Closed);
  }

  private fail(code: XmlGuardErrorCode, detail: string): XmlGuardError {
    return { code, detail };
  }

  private countByte(c: number): XmlGuardError | undefined {
    // UTF-8 length of one UTF-16 code unit: surrogate halves count 2 each (4 per pair).
    this.stanzaBytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdfff ? 2 : 3;
    if (this.stanzaBytes > this.limits.maxStanzaBytes) {
      return this.fail('stanza-too-big', `stanza exceeds ${this.limits.maxStanzaBytes} bytes`);
    }
    return undefined;
  }

  private step(c: number): XmlGuardError | undefined {
    if (isIllegalChar(c)) return this.fail('not-well-formed', `illegal character U+${c.toString(16).padStart(4, '0')}`);
    if (this.inStanza()) {
      const e = this.countByte(c);
      if (e) return e;
    }
    switch (this.state) {
      case S.Text:
        if (c === 0x3c /* < */) {
          this.state = S.Lt;
          if (this.depth === this.stanzaDepth - 1) {
            // A new stanza (or the document root) starts with this '<'.
            this.stanzaBytes = 0;
            this.stanzaElements = 0;
            return this.countByte(c);
          }
          return undefined;
        }
        // A reference is text too: none is allowed outside the root or between stanzas.
        if (!isWs(c) && this.depth === 0) return this.fail('not-well-formed', 'text outside the root element');
        if (!isWs(c) && this.mode === 'stream' && this.depth === 1) {
          return this.fail('not-well-formed', 'text directly inside the stream');
        }
        if (c === 0x26 /* & */) return this.startEntity(S.Text);
        return undefined;
      case S.Lt:
        if (c === 0x21 /* ! */) return this.fail('restricted-xml', 'comments, CDATA sections and DTDs are not allowed (RFC 6120 §11.1)');
        if (c === 0x3f /* ? */) {
          if (!this.seenContent && this.depth === 0) {
            this.state = S.DeclTarget;
            this.declTarget = '';
            return undefined;
          }
          return this.fail('restricted-xml', 'processing instructions are not allowed (RFC 6120 §11.1)');
        }
        if (c === 0x2f /* / */) {
          if (this.depth === 0) return this.fail('not-well-formed', 'end tag without a start tag');
          this.state = S.EndTagName;
          return undefined;
        }
        if (!isNameStart(c)) return this.fail('not-well-formed', 'invalid element name');
        this.seenContent = true;
        this.state = S.TagName;
        this.attrNames.clear();
        return undefined;
      case S.TagName:
        if (isNameChar(c)) return undefined;
        return this.afterStartTagToken(c);
      case S.InTag:
        if (isWs(c)) return undefined;
        if (isNameStart(c)) {
          this.state = S.AttrName;
          this.attrName = String.fromCharCode(c);
          return undefined;
        }
        return this.afterStartTagToken(c);
      case S.AttrName:
        if (isNameChar(c)) {
          this.attrName += String.fromCharCode(c);
          return undefined;
        }
        if (isWs(c) || c === 0x3d /* = */) {
          // XML 1.0 §3.1 WFC Unique Att Spec: two parsers must never disagree on a value.
          if (this.attrNames.has(this.attrName)) return this.fail('not-well-formed', `duplicate attribute ${this.attrName}`);
          this.attrNames.add(this.attrName);
          this.state = c === 0x3d ? S.AttrQuote : S.AttrEq;
          return undefined;
        }
        return this.fail('not-well-formed', 'attribute without a value');
      case S.AttrEq:
        if (isWs(c)) return undefined;
        if (c === 0x3d) {
          this.state = S.AttrQuote;
          return undefined;
        }
        return this.fail('not-well-formed', 'attribute without a value');
      case S.AttrQuote:
        if (isWs(c)) return undefined;
        if (c === 0x22 || c === 0x27) {
          this.quote = c;
          this.state = S.AttrValue;
          return undefined;
        }
        return this.fail('not-well-formed', 'unquoted attribute value');
      case S.AttrValue:
        if (c === this.quote) {
          this.state = S.InTag;
          return undefined;
        }
        if (c === 0x3c) return this.fail('not-well-formed', "'<' in an attribute value");
        if (c === 0x26) return this.startEntity(S.AttrValue);
        return undefined;
      case S.SelfClose:
        if (c !== 0x3e) return this.fail('not-well-formed', "expected '>' after '/'");
        this.selfClosing = true;
        return this.openElement();
      case S.EndTagName:
        if (isNameChar(c)) return undefined;
        if (isWs(c)) {
          this.state = S.EndTagTail;
          return undefined;
        }
        if (c === 0x3e) return this.closeElement();
        return this.fail('not-well-formed', 'invalid end tag');
      case S.EndTagTail:
        if (isWs(c)) return undefined;
        if (c === 0x3e) return this.closeElement();
        return this.fail('not-well-formed', 'invalid end tag');
      case S.DeclTarget:
        // Only "<?xml" + whitespace is the declaration (XML 1.0 §2.8); any other
        // target, including "xml-stylesheet", is a processing instruction.
        if (this.declTarget === 'xml' && isWs(c)) {
          this.state = S.Decl;
          this.declPrev = 0;
          return undefined;
        }
        this.declTarget += String.fromCharCode(c);
        if (!'xml'.startsWith(this.declTarget)) return this.fail('restricted-xml', 'processing instructions are not allowed (RFC 6120 §11.1)');
        return undefined;
      case S.Decl:
        // <?xml version='1.0'?> — only the declaration, never another PI.
        if (c === 0x3e && this.declPrev === 0x3f) {
          this.state = S.Text;
          this.seenContent = true;
        }
        this.declPrev = c;
        return undefined;
      case S.Entity:
        return this.stepEntity(c);
      case S.Closed:
        if (isWs(c)) return undefined;
        return this.fail('not-well-formed', 'content after the root element');
    }
    return undefined;
  }

  private afterStartTagToken(c: number): XmlGuardError | undefined {
    if (isWs(c)) {
      this.state = S.InTag;
      return undefined;
    }
    if (c === 0x2f) {
      this.state = S.SelfClose;
      return undefined;
    }
    if (c === 0x3e) {
      this.selfClosing = false;
      return this.openElement();
    }
    return this.fail('not-well-formed', 'invalid character in a start tag');
  }

  private openElement(): XmlGuardError | undefined {
    this.state = S.Text;
    if (this.depth >= this.stanzaDepth - 1) {
      this.stanzaElements++;
      if (this.stanzaElements > this.limits.maxElements) {
        return this.fail('too-many-elements', `stanza has more than ${this.limits.maxElements} elements`);
      }
      const depthInStanza = this.depth - this.stanzaDepth + 2;
      if (depthInStanza > this.limits.maxDepth) {
        return this.fail('too-deep', `elements nested deeper than ${this.limits.maxDepth}`);
      }
    }
    if (!this.selfClosing) this.depth++;
    else if (this.depth === 0) this.state = S.Closed;
    this.selfClosing = false;
    return undefined;
  }

  private closeElement(): XmlGuardError | undefined {
    this.depth--;
    this.state = this.depth === 0 ? S.Closed : S.Text;
    return undefined;
  }

  private startEntity(ret: S): XmlGuardError | undefined {
    this.entity = '';
    this.entityReturn = ret;
    this.state = S.Entity;
    return undefined;
  }

  private stepEntity(c: number): XmlGuardError | undefined {
    if (c !== 0x3b /* ; */) {
      if (this.entity.length >= MAX_ENTITY_LEN || !(isNameChar(c) || c === 0x23 /* # */)) {
        return this.fail('not-well-formed', "'&' that does not start a reference");
      }
      this.entity += String.fromCharCode(c);
      return undefined;
    }
    const name = this.entity;
    this.state = this.entityReturn;
    if (PREDEFINED.has(name)) return undefined;
    const m = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(name);
    if (m) {
      const cp = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2] ?? '', 10);
      const legal = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
        (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
      return legal ? undefined : this.fail('not-well-formed', `illegal character reference &${name};`);
    }
    return this.fail('restricted-xml', `entity reference &${name}; is not allowed (RFC 6120 §11.1)`);
  }
}

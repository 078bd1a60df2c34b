/**
 * The SIP MESSAGE side of RFC 7572 as plain data (no drachtio types), so the
 * mapping can be tested with literals. The drachtio adapter fills
 * SipMessageRequest from the incoming request and sends SipMessageOut.
 */

/** A name-addr (RFC 3261 §20.10/§20.20/§20.39). */
export interface SipNameAddr {
  readonly uri: string;
  readonly displayName?: string;
  /** From/To tag (RFC 3261 §19.3). */
  readonly tag?: string;
}

/** An incoming MESSAGE (RFC 3428) as the S2X mapping needs it (RFC 7572 §5 Table 2). */
export interface SipMessageRequest {
  /** Request-URI → XMPP `to` (Table 2). */
  readonly requestUri: string;
  /** From → XMPP `from` (full JID with the GRUU as resource, mapped by the caller). */
  readonly from: SipNameAddr;
  readonly to: SipNameAddr;
  /** Call-ID → <thread/> (Table 2). */
  readonly callId: string;
  /** CSeq: no XMPP mapping (Table 2); kept for logging and duplicate detection. */
  readonly cseq?: number;
  /** Full Content-Type value, parameters included (e.g. "text/plain;charset=UTF-8"). */
  readonly contentType?: string;
  /** Content-Language → xml:lang (Table 2, §8). */
  readonly contentLanguage?: string;
  /** Subject → <subject/> (Table 2). */
  readonly subject?: string;
  /** The body as text (the adapter decodes it as UTF-8; see text-plain.ts decodeUtf8 for strict decoding). */
  readonly body: string;
  /** Any other headers, lower-case names (e.g. "accept", "user-agent"), first value only. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Header names the X2S mapping sets (RFC 7572 §4 Table 1). */
export type SipOutHeader = 'Content-Type' | 'Subject' | 'Content-Language' | 'Call-ID';

/**
 * An outgoing MESSAGE produced from a stanza (RFC 7572 §4). The sending
 * layer adds Via, Max-Forwards, CSeq, the From tag and Content-Length, and
 * generates a Call-ID when the mapping gives none.
 */
export interface SipMessageOut {
  readonly requestUri: string;
  /** From URI with the sender's resource as GRUU (`;gr=`), Table 1. */
  readonly from: SipNameAddr;
  readonly to: SipNameAddr;
  readonly headers: Readonly<Partial<Record<SipOutHeader, string>>>;
  readonly body: string;
  /**
   * The stanza id (Table 1: id → transaction identifier). The sender keeps it
   * with the client transaction so a final response can be turned into a
   * reply or error for that stanza (RFC 7247 §7).
   */
  readonly stanzaId?: string;
}

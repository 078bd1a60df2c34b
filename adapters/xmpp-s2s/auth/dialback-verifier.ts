/**
 * XEP-0220 §2.1.2 / §2.2: the receiving server checks an originating
 * server's key by asking that domain's authoritative server with
 * <db:verify/> over an OUTBOUND connection (the router), never on the
 * inbound stream the key arrived on (the xmpp.js/node-xmpp #365 bug).
 */
export interface DialbackVerifyRequest {
  /** Our domain (the db:result 'to'). */
  readonly receiving: string;
  /** The peer's claimed domain (the db:result 'from'). */
  readonly originating: string;
  /** The id WE gave the inbound stream the key arrived on. */
  readonly streamId: string;
  readonly key: string;
}

/** 'error': the authoritative server could not be reached (XEP-0220 §2.4, type='error'). */
export type DialbackVerdict = 'valid' | 'invalid' | 'error';

export interface DialbackVerifier {
  verify(req: DialbackVerifyRequest): Promise<DialbackVerdict>;
}

import type Srf from 'drachtio-srf';

/** What the gateway asks drachtio to send (a request outside any dialog). */
export interface OutgoingSipRequest {
  readonly method: 'MESSAGE' | 'SUBSCRIBE' | 'NOTIFY' | 'OPTIONS';
  readonly uri: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Outbound proxy (Lync: the Front End pool); drachtio routes the request through it. */
  readonly proxy?: string;
  /**
   * Set: a request INSIDE this drachtio dialog (frame `sip||<dialogId>`, PROTOCOL-NOTES §2):
   * drachtio fills Request-URI (remote target), From/To tags, Call-ID and CSeq itself, and
   * `uri` may be '' (srf then needs a placeholder Request-URI, which drachtio replaces).
   */
  readonly stackDialogId?: string;
  /**
   * Called synchronously with the request as drachtio sent it (its echo), before any
   * response or in-dialog request that follows in the same TCP read can be handled.
   */
  readonly onSent?: (sent: SentSipRequest) => void;
}

/** The echo of a request: the headers drachtio added (Call-ID, From tag, CSeq …) are readable. */
export interface SentSipRequest {
  readonly get: (header: string) => string | undefined;
}

export interface SipFinalResponse {
  readonly status: number;
  readonly reason: string;
  readonly get: (header: string) => string | undefined;
  /**
   * The response came from drachtio's own SIP stack, not over the network: its meta has no
   * source address (bytes 0, port 0: Timer F's 408, the overload 503 of issue #13's evidence).
   */
  readonly fromStack?: boolean;
}

type SrfRequestLike = {
  get?(header: string): string | undefined;
  on(event: 'response', cb: (res: { status: number; reason: string; source_address?: string; get(h: string): string | undefined }) => void): void;
};
type RequestCallback = (err: Error | null, req?: SrfRequestLike) => void;
type SrfWithCallbackRequest = {
  request(uri: string, opts: Record<string, unknown>, cb: RequestCallback): unknown;
};

/**
 * Sends a request and resolves with its FINAL response.
 *
 * It uses drachtio-srf's callback form on purpose. drachtio-server often writes
 * the echo of our request and the network's final response in one TCP chunk;
 * srf handles every frame of a chunk synchronously, so with the promise form
 * (`await srf.request()` then `req.on('response')`) the listener is attached a
 * microtask too late and the response is dropped silently (golden traces
 * s2_outbound_message_200_udp_promise_lost, PROTOCOL-NOTES Q1). The callback
 * runs synchronously inside the echo's frame handler, before the next frame.
 *
 * A request drachtio could not send rejects; a transaction that times out
 * resolves with the stack's 408 (RFC 3261 Timer F), like any other final.
 */
export function sendSipRequest(srf: Srf, r: OutgoingSipRequest): Promise<SipFinalResponse> {
  return new Promise((resolve, reject) => {
    const opts: Record<string, unknown> = { method: r.method, headers: { ...r.headers } };
    if (r.body !== undefined) opts.body = r.body;
    if (r.proxy !== undefined) opts.proxy = r.proxy;
    if (r.stackDialogId !== undefined) opts.stackDialogId = r.stackDialogId;
    // srf 5.0.29 throws on a missing Request-URI even in a dialog (agent _normalizeParams).
    const uri = r.uri === '' && r.stackDialogId !== undefined ? 'sip:placeholder' : r.uri;
    (srf as unknown as SrfWithCallbackRequest).request(uri, opts, (err, req) => {
      if (err || !req) {
        reject(err ?? new Error('drachtio did not send the request'));
        return;
      }
      req.on('response', (res) => {
        if (res.status < 200) return; // provisional: keep waiting (RFC 3261 §17.1.2)
        resolve({ status: res.status, reason: res.reason, get: (h) => res.get(h), fromStack: !res.source_address });
      });
      // Still inside the echo's frame handler: later frames of the same read come after this.
      r.onSent?.({ get: (h) => req.get?.(h) });
    });
  });
}

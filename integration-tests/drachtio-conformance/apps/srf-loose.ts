/**
 * The drachtio-srf 5.0.29 call forms the captured apps use, typed. The
 * package's own typings miss the callback forms (res.send(status, cb),
 * srf.request(uri, opts, cb), createUAC(uri, opts, {}, cb)) and the
 * subscription Dialog events; these views are applied with one cast each.
 */
import type Srf from 'drachtio-srf';

export type SendCallback = (err: Error | null, msg: { toString(): string }) => void;

export interface LooseResponse {
  send(status: number, cb: SendCallback): void;
  send(status: number, opts: { headers?: Record<string, string> }, cb: SendCallback): void;
  send(status: number, reason: string, opts: object, cb: SendCallback): void;
  send(status: number, opts?: { headers?: Record<string, string> }): void;
}

export interface SipMessageView {
  readonly status: number;
  readonly reason: string;
  readonly body: string;
  get(name: string): string | undefined;
  readonly stackTxnId?: string;
}

export interface SentRequest {
  readonly stackTxnId: string;
  on(event: 'response', cb: (res: SipMessageView) => void): void;
}

export interface RequestOpts {
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

export interface LooseDialog {
  readonly id: string;
  readonly connected: boolean;
  on(event: 'notify' | 'subscribe', cb: (req: Srf.SrfRequest, res: Srf.SrfResponse) => void): this;
  on(event: 'unsubscribe', cb: (req: Srf.SrfRequest, reason: string) => void): this;
  on(event: 'destroy', cb: () => void): this;
  request(opts: RequestOpts, cb: (err: Error | null, res: SipMessageView) => void): void;
}

export interface LooseSrf {
  request(uri: string, opts: RequestOpts, cb: (err: Error | null, req: SentRequest) => void): void;
  request(uri: string, opts: RequestOpts): Promise<SentRequest>;
  createUAS(req: Srf.SrfRequest, res: Srf.SrfResponse, opts: { headers: Record<string, string> }): Promise<LooseDialog>;
  createUAC(uri: string, opts: RequestOpts, progress: { cbRequest?: (err: Error | null, req: SentRequest) => void },
    cb: (err: (Error & { status?: number }) | null, dialog: LooseDialog) => void): void;
  createUAC(uri: string, opts: RequestOpts): Promise<LooseDialog>;
}

export const loose = (srf: Srf): LooseSrf => srf as unknown as LooseSrf;
export const looseRes = (res: Srf.SrfResponse): LooseResponse => res as unknown as LooseResponse;

/** The captured apps' PIDF document (apps/common.js PIDF()). */
export const PIDF = (entity: string, basic: string, note: string): string =>
  '<?xml version="1.0" encoding="UTF-8"?>\r\n' +
  `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${entity}">\r\n` +
  `  <tuple id="t1"><status><basic>${basic}</basic></status><note>${note}</note></tuple>\r\n` +
  '</presence>\r\n';

/** A promise with its settle functions, for events the test awaits. */
export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void } {
  let resolve: (v: T) => void = () => undefined;
  let reject: (e: Error) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  promise.catch(() => undefined); // a rejection nobody awaited is still reported by the awaiting test
  return { promise, resolve, reject };
}

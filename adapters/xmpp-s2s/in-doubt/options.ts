/**
 * How the edge tracks and treats stanzas in doubt (issue #11; config key
 * `gateway.s2s.inDoubt`, documented in config/example.yaml).
 */
export interface InDoubtOptions {
  /**
   * What happens to stanzas still in doubt when their stream closes or fails:
   * 'resend' writes them once more, same id, on the next stream to that
   * domain (a receiver that deduplicates by id can, RFC 6120 §8.1.3), and
   * reports them failed only if no stream is up within retryWindowMs;
   * 'report' reports them failed at once (never a duplicate, but a message
   * the old stream did deliver may be reported as failed).
   */
  readonly onStreamLoss: 'resend' | 'report';
  readonly retryWindowMs: number;
  /** Cap per stream; beyond it stanzas wait in the bounded per-domain queue (sendQueueMax). */
  readonly maxPerStream: number;
  /** Ask for a proof (XEP-0198 <r/> or XEP-0199 ping) at least every this many stanzas… */
  readonly fenceEvery: number;
  /** …and this long after a write that is not yet covered by a request (the end of a burst). */
  readonly fenceAfterMs: number;
  /** A request not answered within this time means the stream is dead: it is closed (XEP-0199 §8, XEP-0198 §5). */
  readonly ackTimeoutMs: number;
}

export const DEFAULT_IN_DOUBT: InDoubtOptions = {
  onStreamLoss: 'resend',
  retryWindowMs: 30_000,
  maxPerStream: 500,
  fenceEvery: 100,
  fenceAfterMs: 200,
  ackTimeoutMs: 30_000,
};

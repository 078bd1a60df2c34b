import type { Log } from '../../plugin/use-cases/ports';

export interface InboundSheddingOptions {
  /** SIP requests being handled at once (config gateway.drachtio.maxInboundInFlight). */
  readonly maxInFlight: number;
  /** Retry-After seconds on the 503 (RFC 3261 §20.33). */
  readonly retryAfterSeconds: number;
  /** A request the app never answers stops counting after this (a non-INVITE transaction lasts at most Timer F, 32 s). */
  readonly forgetAfterMs?: number;
}

interface ReqLike { readonly method?: string }
interface ResLike {
  once(ev: 'finish', cb: () => void): unknown;
  send(status: number, reason: string, opts: { headers: Record<string, string> }): void;
}

export interface InboundShedding {
  /** srf middleware: `srf.use(shedding.middleware)` before the gateway's routes. */
  readonly middleware: (req: ReqLike, res: ResLike, next: () => void) => void;
  inFlight(): number;
  /**
   * Shutdown (SIGTERM, issue #9): from now on every new request is answered 503 with
   * Retry-After at once (RFC 3261 §21.5.4: another node, or this one restarted, takes it),
   * while those already accepted finish.
   */
  drain(): void;
}

/**
 * Past the knee (issue #13: through a real drachtio-server the gateway is clean at 4,000
 * SIP→XMPP msg/s and not at 6,000) more concurrent work only makes every transaction slower
 * until the SIP side retransmits and times out. So a request beyond the cap is answered at
 * once with 503 and a Retry-After (RFC 3261 §21.5.4: the sender may retry after it), and the
 * ones already accepted finish in time. One log line per shedding episode, not per request.
 */
export function createInboundShedding(log: Log, o: InboundSheddingOptions): InboundShedding {
  let inFlight = 0;
  let shedding = false;
  let shed = 0;
  let draining = false;
  const forgetAfterMs = o.forgetAfterMs ?? 32_000;
  return {
    inFlight: () => inFlight,
    drain() {
      if (!draining) log.info({ inFlight }, 'shutting down: new SIP requests are answered 503 with Retry-After');
      draining = true;
    },
    middleware(req, res, next) {
      if (draining) {
        res.send(503, 'Service Unavailable', { headers: { 'Retry-After': String(o.retryAfterSeconds) } });
        return;
      }
      if (inFlight >= o.maxInFlight) {
        shed += 1;
        if (!shedding) {
          shedding = true;
          log.warn({ maxInFlight: o.maxInFlight, retryAfter: o.retryAfterSeconds }, 'SIP requests over the in-flight cap: answering 503 with Retry-After');
        }
        res.send(503, 'Service Unavailable', { headers: { 'Retry-After': String(o.retryAfterSeconds) } });
        return;
      }
      if (shedding) {
        shedding = false;
        log.info({ shed, method: req.method }, 'SIP load back under the in-flight cap');
        shed = 0;
      }
      inFlight += 1;
      let counted = true;
      const release = (): void => {
        if (!counted) return;
        counted = false;
        inFlight -= 1;
        clearTimeout(timer);
      };
      const timer = setTimeout(release, forgetAfterMs);
      timer.unref?.();
      res.once('finish', release);
      next();
    },
  };
}

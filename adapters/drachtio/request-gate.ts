import type Srf from 'drachtio-srf';
import type { Log } from '../../plugin/use-cases/ports';
import { sendSipRequest, type OutgoingSipRequest, type SipFinalResponse } from './send-request';
import type { DrachtioLink } from './srf-connection';

export interface RequestGateLimits {
  /** Requests sent to drachtio and not yet finally answered (config gateway.drachtio.maxOutstandingRequests). */
  readonly maxOutstanding: number;
  /** Requests waiting for a slot (config gateway.drachtio.maxQueuedRequests); past it: resource-constraint. */
  readonly maxQueued: number;
  /** Longest a request waits for a slot, or for the link to come back (config gateway.drachtio.queueTimeout). */
  readonly maxQueueWaitMs: number;
  /** A 503 is retried (after its Retry-After) at most this often per request. */
  readonly max503Retries?: number;
  /** Pause after a 503 without Retry-After (drachtio's own overload 503 carries none). */
  readonly default503PauseMs?: number;
  /** Upper bound on any pause taken from a Retry-After header. */
  readonly maxPauseMs?: number;
  /** Upper bound on waiting for a final response once sent (drachtio answers 408 itself after Timer F, 32 s). */
  readonly finalResponseTimeoutMs?: number;
}

/**
 * What became of a request. `sent: false` means it never reached drachtio (nothing to
 * doubt); `sent: true` and no response means it was in flight when the link dropped.
 */
export type GateOutcome =
  | { readonly kind: 'final'; readonly response: SipFinalResponse }
  | { readonly kind: 'overloaded' } // queue full or waited too long for a slot: never sent
  | { readonly kind: 'link-down'; readonly sent: boolean } // in doubt (sent) or could not be sent
  | { readonly kind: 'refused'; readonly error: string } // drachtio NOK'd the request
  | { readonly kind: 'timeout' };

export interface GateStats {
  readonly outstanding: number;
  readonly queued: number;
  readonly window: number;
  readonly pausedForMs: number;
}

export interface RequestGate {
  send(r: OutgoingSipRequest): Promise<GateOutcome>;
  stats(): GateStats;
  /** Fails everything queued and in flight (gateway stop). */
  close(): void;
}

interface Waiter {
  readonly r: OutgoingSipRequest;
  readonly enqueuedAt: number;
  readonly done: (o: GateOutcome) => void;
  retries503: number;
}

interface InFlight {
  readonly w: Waiter;
  settled: boolean;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Bounds what the gateway asks of drachtio-server (issue #13): at most `window` requests in
 * flight, a bounded FIFO of waiters behind them, and drachtio's 503 (+ Retry-After, RFC 3261
 * §21.5.4 / §20.33) taken as backpressure: the window halves and sending pauses, then grows
 * back by one per clean final response (additive increase, multiplicative decrease). A
 * request that got drachtio's own 503 goes back to the head of the queue and is retried after
 * the pause (it never left the stack, so a retry cannot duplicate it).
 *
 * Every request ends exactly once: a final response, `overloaded` (never sent), `link-down`
 * (in doubt when the drachtio connection dropped: its answer can no longer arrive), `refused`
 * or `timeout`. Nothing is lost silently.
 */
export function createRequestGate(srf: Srf, link: Pick<DrachtioLink, 'isUp' | 'onDown' | 'onUp'>, log: Log, lim: RequestGateLimits): RequestGate {
  const max503Retries = lim.max503Retries ?? 2;
  const default503PauseMs = lim.default503PauseMs ?? 200;
  const maxPauseMs = lim.maxPauseMs ?? 10_000;
  const finalTimeoutMs = lim.finalResponseTimeoutMs ?? 40_000;
  const queue: Waiter[] = [];
  const inFlight = new Set<InFlight>();
  let window = lim.maxOutstanding;
  let credit = 0; // fractional additive increase
  let pausedUntil = 0;
  let pumpTimer: NodeJS.Timeout | undefined;
  let expiryTimer: NodeJS.Timeout | undefined;
  let closed = false;

  link.onDown(() => {
    // RFC 7247 §7: a request in flight on the lost connection is in doubt; its final
    // response can never reach us, so its sender hears of it now, not after a timeout.
    const lost = [...inFlight];
    if (lost.length > 0) log.warn({ inDoubt: lost.length, queued: queue.length }, 'drachtio link lost: failing the SIP requests in flight back to their senders');
    for (const f of lost) settle(f, { kind: 'link-down', sent: true });
    armExpiry();
  });
  link.onUp(() => pump());

  function settle(f: InFlight, o: GateOutcome): void {
    if (f.settled) return;
    f.settled = true;
    clearTimeout(f.timer);
    inFlight.delete(f);
    f.w.done(o);
    pump();
  }

  function pause(ms: number): void {
    pausedUntil = Math.max(pausedUntil, Date.now() + Math.min(maxPauseMs, Math.max(0, ms)));
  }

  function on503(f: InFlight, res: SipFinalResponse): void {
    const retryAfterS = Number.parseInt(res.get('Retry-After') ?? '', 10);
    const pauseMs = Number.isFinite(retryAfterS) && retryAfterS >= 0 ? retryAfterS * 1000 : default503PauseMs;
    const before = window;
    window = Math.max(1, Math.floor(window / 2));
    credit = 0;
    pause(pauseMs);
    if (before !== window) log.warn({ window, was: before, pauseMs: Math.min(maxPauseMs, pauseMs) }, 'SIP 503: drachtio or the proxy is overloaded; sending less');
    // Only drachtio's own 503 is retried: the request never left the stack, so a retry cannot
    // duplicate it. A 503 from the proxy or the UA is its answer (RFC 7247 §7.2: 503 →
    // internal-server-error) and goes back to the sender; it still slows sending down.
    if (res.fromStack === true && f.w.retries503 < max503Retries && Date.now() + pauseMs - f.w.enqueuedAt < lim.maxQueueWaitMs) {
      f.w.retries503 += 1;
      f.settled = true;
      clearTimeout(f.timer);
      inFlight.delete(f);
      queue.unshift(f.w);
      schedulePump();
      return;
    }
    settle(f, { kind: 'final', response: res });
  }

  function onClean(): void {
    if (window >= lim.maxOutstanding) return;
    credit += 1;
    if (credit >= window) {
      credit = 0;
      window += 1;
    }
  }

  function dispatch(w: Waiter): void {
    const f: InFlight = { w, settled: false, timer: undefined };
    inFlight.add(f);
    f.timer = setTimeout(() => settle(f, { kind: 'timeout' }), finalTimeoutMs);
    f.timer.unref?.();
    sendSipRequest(srf, w.r).then(
      (res) => {
        if (f.settled) return; // the link dropped first: already reported as in doubt
        if (res.status === 503) return on503(f, res);
        onClean();
        settle(f, { kind: 'final', response: res });
      },
      (e: unknown) => {
        if (f.settled) return;
        settle(f, link.isUp() ? { kind: 'refused', error: e instanceof Error ? e.message : String(e) } : { kind: 'link-down', sent: false });
      },
    );
  }

  function schedulePump(): void {
    if (pumpTimer || closed) return;
    const wait = Math.max(0, pausedUntil - Date.now());
    pumpTimer = setTimeout(() => {
      pumpTimer = undefined;
      pump();
    }, wait);
  }

  function pump(): void {
    if (closed) return;
    expireOld();
    if (!link.isUp()) return;
    if (Date.now() < pausedUntil) return schedulePump();
    while (queue.length > 0 && inFlight.size < window) dispatch(queue.shift()!);
    armExpiry();
  }

  /** Waiters past maxQueueWaitMs are answered now (link down: in doubt never arose, not sent). */
  function expireOld(): void {
    const now = Date.now();
    while (queue.length > 0 && now - queue[0]!.enqueuedAt >= lim.maxQueueWaitMs) {
      const w = queue.shift()!;
      w.done(link.isUp() ? { kind: 'overloaded' } : { kind: 'link-down', sent: false });
    }
  }

  function armExpiry(): void {
    clearTimeout(expiryTimer);
    expiryTimer = undefined;
    const head = queue[0];
    if (!head || closed) return;
    expiryTimer = setTimeout(() => pump(), Math.max(1, head.enqueuedAt + lim.maxQueueWaitMs - Date.now()));
    expiryTimer.unref?.();
  }

  return {
    send(r) {
      return new Promise<GateOutcome>((resolve) => {
        if (closed) return resolve({ kind: 'link-down', sent: false });
        if (queue.length >= lim.maxQueued) return resolve({ kind: 'overloaded' });
        queue.push({ r, enqueuedAt: Date.now(), done: resolve, retries503: 0 });
        pump();
      });
    },
    stats: () => ({ outstanding: inFlight.size, queued: queue.length, window, pausedForMs: Math.max(0, pausedUntil - Date.now()) }),
    close() {
      closed = true;
      clearTimeout(pumpTimer);
      clearTimeout(expiryTimer);
      for (const w of queue.splice(0)) w.done({ kind: 'link-down', sent: false });
      for (const f of [...inFlight]) settle(f, { kind: 'link-down', sent: true });
    },
  };
}

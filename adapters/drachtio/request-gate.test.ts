import { EventEmitter } from 'node:events';
import type Srf from 'drachtio-srf';
import type { Log } from '../../plugin/use-cases/ports';
import { createRequestGate, type GateOutcome, type RequestGate, type RequestGateLimits } from './request-gate';
import type { OutgoingSipRequest } from './send-request';
import type { LinkDownReason } from './srf-connection';

/**
 * The request gate against a fake srf with drachtio-srf's callback form of `request(uri, opts, cb)`
 * (what send-request.ts calls) and a fake link. Each test drives the responses by hand, so the
 * timing is exact under jest's fake timers (Date.now() included).
 */

interface SentCall {
  readonly uri: string;
  readonly opts: Record<string, unknown>;
  /** A network final (source_address set) unless fromStack. */
  respond(status: number, o?: { fromStack?: boolean; headers?: Record<string, string> }): void;
}

class FakeSrf {
  readonly calls: SentCall[] = [];
  /** Set: the next request is NOK'd by "drachtio" with this error. */
  refuseNext: string | undefined;
  request(uri: string, opts: Record<string, unknown>, cb: (err: Error | null, req?: unknown) => void): void {
    if (this.refuseNext !== undefined) {
      const msg = this.refuseNext;
      this.refuseNext = undefined;
      queueMicrotask(() => cb(new Error(msg)));
      return;
    }
    const req = new EventEmitter();
    this.calls.push({
      uri, opts,
      respond: (status, o = {}) => {
        const headers = Object.fromEntries(Object.entries(o.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
        req.emit('response', {
          status, reason: status === 200 ? 'OK' : 'Service Unavailable',
          ...(o.fromStack ? {} : { source_address: '127.0.0.1' }),
          get: (h: string) => headers[h.toLowerCase()],
        });
      },
    });
    cb(null, Object.assign(req, { get: () => undefined }));
  }
  uris(): string[] {
    return this.calls.map((c) => c.uri);
  }
}

class FakeLink {
  up = true;
  private readonly downCbs: Array<(r: LinkDownReason) => void> = [];
  private readonly upCbs: Array<() => void> = [];
  isUp = (): boolean => this.up;
  onDown = (cb: (r: LinkDownReason) => void): void => void this.downCbs.push(cb);
  onUp = (cb: () => void): void => void this.upCbs.push(cb);
  drop(): void {
    this.up = false;
    for (const cb of this.downCbs) cb('closed');
  }
  restore(): void {
    this.up = true;
    for (const cb of this.upCbs) cb();
  }
}

const log: Log & { warns: string[] } = {
  warns: [],
  debug: () => undefined,
  info: () => undefined,
  warn(_o, msg) { this.warns.push(msg); },
  error: () => undefined,
};

const req = (n: number): OutgoingSipRequest => ({ method: 'MESSAGE', uri: `sip:u${n}@sip.test`, headers: {}, body: `m${n}` });

/** One gate with its fakes, and every send's outcome as it settles. */
function harness(lim: Partial<RequestGateLimits> = {}) {
  const srf = new FakeSrf();
  const link = new FakeLink();
  const gate: RequestGate = createRequestGate(srf as unknown as Srf, link, log, {
    maxOutstanding: 4, maxQueued: 100, maxQueueWaitMs: 10_000, ...lim,
  });
  const outcomes = new Map<number, GateOutcome>();
  const send = (n: number): Promise<GateOutcome> => {
    const p = gate.send(req(n));
    void p.then((o) => void outcomes.set(n, o));
    return p;
  };
  return { srf, link, gate, outcomes, send };
}

/** Runs timers due within ms and every promise callback they release. */
const advance = (ms: number): Promise<void> => jest.advanceTimersByTimeAsync(ms);

beforeEach(() => {
  jest.useFakeTimers();
  log.warns.length = 0;
});
afterEach(() => {
  jest.useRealTimers();
});

describe('outstanding cap and FIFO queue (issue #13: bound what the gateway asks of drachtio)', () => {
  it.each([1, 4, 16])('never has more than maxOutstanding=%i requests at drachtio; each final answer lets the next one go', async (cap) => {
    const h = harness({ maxOutstanding: cap });
    for (let i = 0; i < cap * 3; i++) void h.send(i);
    await advance(0);
    expect(h.srf.calls).toHaveLength(cap);
    expect(h.gate.stats()).toMatchObject({ outstanding: cap, queued: cap * 2 });
    h.srf.calls[0]!.respond(200);
    await advance(0);
    expect(h.srf.calls).toHaveLength(cap + 1);
    expect(h.gate.stats().outstanding).toBe(cap);
  });

  it('sends queued requests in the order they were offered (FIFO), whatever order the answers come in', async () => {
    const h = harness({ maxOutstanding: 2 });
    for (let i = 0; i < 8; i++) void h.send(i);
    await advance(0);
    for (let round = 0; round < 3; round++) {
      const open = h.srf.calls.slice(-2);
      open[1]!.respond(200); // answered out of order
      open[0]!.respond(200);
      await advance(0);
    }
    expect(h.srf.uris()).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((n) => `sip:u${n}@sip.test`));
  });

  it('a full queue answers overloaded at once and never sends the request', async () => {
    const h = harness({ maxOutstanding: 1, maxQueued: 2 });
    for (let i = 0; i < 3; i++) void h.send(i);
    const fourth = await h.send(3);
    expect(fourth).toEqual({ kind: 'overloaded' });
    expect(h.gate.stats()).toMatchObject({ outstanding: 1, queued: 2 });
    for (let i = 0; i < 3; i++) {
      h.srf.calls[i]!.respond(200);
      await advance(0);
    }
    expect(h.srf.uris()).not.toContain('sip:u3@sip.test');
    expect([...h.outcomes.values()].filter((o) => o.kind === 'final')).toHaveLength(3);
  });

  it('a request that waited maxQueueWaitMs for a slot is answered overloaded and is not sent later', async () => {
    const h = harness({ maxOutstanding: 1, maxQueueWaitMs: 500 });
    for (let i = 0; i < 3; i++) void h.send(i);
    await advance(499);
    expect(h.outcomes.size).toBe(0);
    await advance(1);
    expect(h.outcomes.get(1)).toEqual({ kind: 'overloaded' });
    expect(h.outcomes.get(2)).toEqual({ kind: 'overloaded' });
    h.srf.calls[0]!.respond(200);
    await advance(0);
    expect(h.srf.calls).toHaveLength(1);
    expect(h.outcomes.get(0)).toMatchObject({ kind: 'final', response: { status: 200 } });
  });

  it('a request drachtio NOKs (link up) is refused with its error and frees its slot', async () => {
    const h = harness({ maxOutstanding: 1 });
    h.srf.refuseNext = 'unknown dialog';
    void h.send(0);
    void h.send(1);
    await advance(0);
    expect(h.outcomes.get(0)).toEqual({ kind: 'refused', error: 'unknown dialog' });
    expect(h.srf.uris()).toEqual(['sip:u1@sip.test']);
  });

  it('a request with no final answer in finalResponseTimeoutMs times out and frees its slot', async () => {
    const h = harness({ maxOutstanding: 1, finalResponseTimeoutMs: 1000 });
    void h.send(0);
    void h.send(1);
    await advance(1000);
    expect(h.outcomes.get(0)).toEqual({ kind: 'timeout' });
    expect(h.srf.calls).toHaveLength(2);
    h.srf.calls[0]!.respond(200); // too late: already reported
    await advance(0);
    expect(h.outcomes.get(0)).toEqual({ kind: 'timeout' });
    expect(h.gate.stats().outstanding).toBe(1);
  });
});

describe("drachtio's own 503 as backpressure (RFC 3261 §21.5.4, §20.33 Retry-After)", () => {
  it.each([
    ['Retry-After: 2', { 'Retry-After': '2' }, 2000],
    ['no Retry-After (drachtio sends none): the default pause', {}, 200],
  ])('a stack 503 with %s is retried after exactly that pause, and reaches the sender only as the retry\'s answer', async (_label, headers, pauseMs) => {
    const h = harness({ maxOutstanding: 4, default503PauseMs: 200 });
    void h.send(0);
    await advance(0);
    h.srf.calls[0]!.respond(503, { fromStack: true, headers });
    await advance(pauseMs - 1);
    expect(h.srf.calls).toHaveLength(1);
    expect(h.outcomes.size).toBe(0);
    await advance(1);
    expect(h.srf.uris()).toEqual(['sip:u0@sip.test', 'sip:u0@sip.test']);
    h.srf.calls[1]!.respond(200);
    await advance(0);
    expect(h.outcomes.get(0)).toMatchObject({ kind: 'final', response: { status: 200 } });
  });

  it('a retried request goes back to the HEAD of the queue: it is sent before requests offered after it', async () => {
    const h = harness({ maxOutstanding: 1, default503PauseMs: 100 });
    void h.send(0);
    void h.send(1);
    await advance(0);
    h.srf.calls[0]!.respond(503, { fromStack: true });
    await advance(100);
    expect(h.srf.uris()).toEqual(['sip:u0@sip.test', 'sip:u0@sip.test']);
  });

  it('the window halves on a 503 and grows back by one per window-full of clean answers (AIMD)', async () => {
    const h = harness({ maxOutstanding: 8, default503PauseMs: 10 });
    void h.send(0);
    await advance(0);
    expect(h.gate.stats().window).toBe(8);
    h.srf.calls[0]!.respond(503, { fromStack: true });
    await advance(0);
    expect(h.gate.stats().window).toBe(4);
    expect(log.warns.some((w) => /503/.test(w))).toBe(true);
    for (let i = 1; i < 200; i++) void h.send(i);
    await advance(0);
    expect(h.srf.calls).toHaveLength(1); // paused
    await advance(10);
    expect(h.srf.calls).toHaveLength(1 + 4); // request 0 again, then 1..3: the halved window
    const windows: number[] = [];
    let answered = 1;
    for (let step = 0; step < 40 && h.gate.stats().window < 8; step++) {
      expect(h.gate.stats().outstanding).toBeLessThanOrEqual(h.gate.stats().window);
      h.srf.calls[answered]!.respond(200);
      answered += 1;
      await advance(0);
      windows.push(h.gate.stats().window);
    }
    // additive increase: 4 clean answers → 5, 5 more → 6, 6 → 7, 7 → 8
    expect(windows.indexOf(5)).toBe(3);
    expect(windows.indexOf(6)).toBe(3 + 5);
    expect(windows.indexOf(7)).toBe(3 + 5 + 6);
    expect(windows.indexOf(8)).toBe(3 + 5 + 6 + 7);
    expect(h.gate.stats().outstanding).toBe(8);
  });

  it('a 503 from the network (the proxy\'s answer, RFC 7247 §7.2) is final: reported, never retried, but still slows sending', async () => {
    const h = harness({ maxOutstanding: 4, default503PauseMs: 100 });
    void h.send(0);
    await advance(0);
    h.srf.calls[0]!.respond(503, { headers: { 'Retry-After': '1' } });
    await advance(0);
    expect(h.outcomes.get(0)).toMatchObject({ kind: 'final', response: { status: 503, fromStack: false } });
    expect(h.gate.stats().window).toBe(2);
    void h.send(1);
    await advance(999);
    expect(h.srf.uris()).toEqual(['sip:u0@sip.test']); // paused by its Retry-After
    await advance(1);
    expect(h.srf.uris()).toEqual(['sip:u0@sip.test', 'sip:u1@sip.test']);
  });

  it('after max503Retries stack 503s the sender gets the 503 (internal-server-error) instead of waiting forever', async () => {
    const h = harness({ max503Retries: 2, default503PauseMs: 50 });
    void h.send(0);
    for (let i = 0; i < 3; i++) {
      await advance(i === 0 ? 0 : 50);
      h.srf.calls[i]!.respond(503, { fromStack: true });
    }
    await advance(500);
    expect(h.srf.calls).toHaveLength(3);
    expect(h.outcomes.get(0)).toMatchObject({ kind: 'final', response: { status: 503, fromStack: true } });
  });

  it('a stack 503 whose pause would outlast maxQueueWaitMs is reported at once rather than retried', async () => {
    const h = harness({ maxQueueWaitMs: 1000 });
    void h.send(0);
    await advance(0);
    h.srf.calls[0]!.respond(503, { fromStack: true, headers: { 'Retry-After': '5' } });
    await advance(0);
    expect(h.outcomes.get(0)).toMatchObject({ kind: 'final', response: { status: 503 } });
    expect(h.srf.calls).toHaveLength(1);
  });
});

describe('drachtio link loss (RFC 7247 §7: the sender hears of every request)', () => {
  it('in-flight requests settle link-down sent:true at once; their late answers change nothing', async () => {
    const h = harness({ maxOutstanding: 2 });
    for (let i = 0; i < 4; i++) void h.send(i);
    await advance(0);
    h.link.drop();
    await advance(0);
    expect(h.outcomes.get(0)).toEqual({ kind: 'link-down', sent: true });
    expect(h.outcomes.get(1)).toEqual({ kind: 'link-down', sent: true });
    expect(h.outcomes.has(2)).toBe(false); // queued: waits for the link
    h.srf.calls[0]!.respond(200);
    await advance(0);
    expect(h.outcomes.get(0)).toEqual({ kind: 'link-down', sent: true });
    expect(h.srf.calls).toHaveLength(2); // nothing sent while down
    expect(h.gate.stats()).toMatchObject({ outstanding: 0, queued: 2 });
  });

  it('queued requests are sent when the link comes back (onUp)', async () => {
    const h = harness({ maxOutstanding: 1 });
    for (let i = 0; i < 3; i++) void h.send(i);
    await advance(0);
    h.link.drop();
    await advance(3000);
    expect(h.srf.calls).toHaveLength(1);
    h.link.restore();
    await advance(0);
    expect(h.srf.uris()).toEqual(['sip:u0@sip.test', 'sip:u1@sip.test']);
    h.srf.calls[1]!.respond(200);
    await advance(0);
    expect(h.srf.uris()).toEqual(['sip:u0@sip.test', 'sip:u1@sip.test', 'sip:u2@sip.test']);
  });

  it('queued requests the link does not come back for in maxQueueWaitMs settle link-down sent:false', async () => {
    const h = harness({ maxOutstanding: 1, maxQueueWaitMs: 2000 });
    for (let i = 0; i < 3; i++) void h.send(i);
    await advance(0);
    h.link.drop();
    await advance(2000);
    expect(h.outcomes.get(1)).toEqual({ kind: 'link-down', sent: false });
    expect(h.outcomes.get(2)).toEqual({ kind: 'link-down', sent: false });
    h.link.restore();
    await advance(0);
    expect(h.srf.calls).toHaveLength(1);
  });

  it('a request srf cannot write because the link is down settles link-down sent:false', async () => {
    const h = harness();
    h.srf.refuseNext = 'socket closed';
    const p = h.send(0);
    h.link.up = false; // the socket went before drachtio could echo the request
    await advance(0);
    expect(await p).toEqual({ kind: 'link-down', sent: false });
  });
});

describe('close() at gateway stop', () => {
  it('fails queued requests as not sent and in-flight ones as in doubt; later sends are refused unsent', async () => {
    const h = harness({ maxOutstanding: 1 });
    for (let i = 0; i < 3; i++) void h.send(i);
    await advance(0);
    h.gate.close();
    await advance(0);
    expect(h.outcomes.get(0)).toEqual({ kind: 'link-down', sent: true });
    expect(h.outcomes.get(1)).toEqual({ kind: 'link-down', sent: false });
    expect(h.outcomes.get(2)).toEqual({ kind: 'link-down', sent: false });
    expect(await h.send(3)).toEqual({ kind: 'link-down', sent: false });
    await advance(60_000);
    expect(h.srf.calls).toHaveLength(1);
    expect(jest.getTimerCount()).toBe(0); // nothing left to keep the process alive
  });
});

describe('every request ends exactly once', () => {
  // A bounded, seeded random walk over everything that can happen to requests: answers
  // (2xx, network 503, stack 503 with and without Retry-After), NOKs, link drops and
  // returns, time passing. At the end every offered request has exactly one outcome, no
  // request was sent after its outcome, and none was sent more than 1 + max503Retries times.
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('seed %i: 400 events, every offered request settled once, none sent after it settled', async (seed) => {
    let s = seed * 2654435761 % 2 ** 32;
    const rnd = (n: number): number => {
      s = (s * 1664525 + 1013904223) % 2 ** 32;
      return s % n;
    };
    const h = harness({ maxOutstanding: 3, maxQueued: 10, maxQueueWaitMs: 3000, default503PauseMs: 100, max503Retries: 2, finalResponseTimeoutMs: 5000 });
    const answered = new Set<SentCall>();
    const sentAfterSettled: number[] = [];
    const sentCount = new Map<string, number>();
    let offered = 0;
    const origRequest = h.srf.request.bind(h.srf);
    h.srf.request = (uri, opts, cb) => {
      const n = Number(/u(\d+)@/.exec(uri)?.[1]);
      if (h.outcomes.has(n)) sentAfterSettled.push(n);
      sentCount.set(uri, (sentCount.get(uri) ?? 0) + 1);
      origRequest(uri, opts, cb);
    };
    for (let step = 0; step < 400; step++) {
      const open = h.srf.calls.filter((c) => !answered.has(c));
      const e = rnd(10);
      if (e <= 2) void h.send(offered++);
      else if (e <= 5 && open.length > 0) {
        const c = open[rnd(open.length)]!;
        answered.add(c);
        const kind = rnd(4);
        if (kind === 0) c.respond(200);
        else if (kind === 1) c.respond(503);
        else if (kind === 2) c.respond(503, { fromStack: true });
        else c.respond(503, { fromStack: true, headers: { 'Retry-After': '1' } });
      } else if (e === 6) h.srf.refuseNext = 'nok';
      else if (e === 7) {
        if (h.link.isUp()) h.link.drop();
        else h.link.restore();
      } else await advance(rnd(400));
      await advance(0);
    }
    if (!h.link.isUp()) h.link.restore();
    for (const c of h.srf.calls) if (!answered.has(c)) c.respond(200);
    await advance(60_000);
    for (const c of h.srf.calls) if (!answered.has(c)) c.respond(200);
    await advance(60_000);
    expect(h.outcomes.size).toBe(offered);
    expect(sentAfterSettled).toEqual([]);
    expect(Math.max(0, ...sentCount.values())).toBeLessThanOrEqual(3);
    expect(h.gate.stats()).toMatchObject({ outstanding: 0, queued: 0 });
  });
});

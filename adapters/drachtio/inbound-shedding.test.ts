import { EventEmitter } from 'node:events';
import type { Log } from '../../plugin/use-cases/ports';
import { createInboundShedding } from './inbound-shedding';

/** A srf response as the middleware sees it: `send()` answers, `finish` fires when the app answered. */
class FakeRes extends EventEmitter {
  sent: { status: number; reason: string; headers: Record<string, string> } | undefined;
  send(status: number, reason: string, opts: { headers: Record<string, string> }): void {
    this.sent = { status, reason, headers: opts.headers };
  }
  finish(): void {
    this.emit('finish');
  }
}

function logSpy(): Log & { lines: Array<[string, string]> } {
  const lines: Array<[string, string]> = [];
  return {
    lines,
    debug: () => undefined,
    info: (_o, m) => void lines.push(['info', m]),
    warn: (_o, m) => void lines.push(['warn', m]),
    error: (_o, m) => void lines.push(['error', m]),
  };
}

/** Offers one request; returns its response and whether the gateway's routes were reached. */
function offer(mw: ReturnType<typeof createInboundShedding>['middleware']): { res: FakeRes; passed: boolean } {
  const res = new FakeRes();
  let passed = false;
  mw({ method: 'MESSAGE' }, res, () => { passed = true; });
  return { res, passed };
}

describe('SIP → XMPP shedding past the in-flight cap (issue #13; RFC 3261 §21.5.4, §20.33)', () => {
  afterEach(() => jest.useRealTimers());

  it.each([1, 5, 50])('with maxInFlight=%i the first cap requests reach the routes, the next gets 503 with Retry-After at once', (cap) => {
    const s = createInboundShedding(logSpy(), { maxInFlight: cap, retryAfterSeconds: 3 });
    const accepted = Array.from({ length: cap }, () => offer(s.middleware));
    expect(accepted.every((a) => a.passed && a.res.sent === undefined)).toBe(true);
    expect(s.inFlight()).toBe(cap);
    const over = offer(s.middleware);
    expect(over.passed).toBe(false);
    expect(over.res.sent).toEqual({ status: 503, reason: 'Service Unavailable', headers: { 'Retry-After': '3' } });
  });

  it('a slot frees when the app answers (finish): the next request passes again', () => {
    const s = createInboundShedding(logSpy(), { maxInFlight: 2, retryAfterSeconds: 1 });
    const a = offer(s.middleware);
    offer(s.middleware);
    expect(offer(s.middleware).passed).toBe(false);
    a.res.finish();
    a.res.finish(); // a second finish must not free a second slot
    expect(s.inFlight()).toBe(1);
    expect(offer(s.middleware).passed).toBe(true);
    expect(offer(s.middleware).passed).toBe(false);
  });

  it('a request the app never answers stops counting after forgetAfterMs (Timer F), so the cap cannot leak shut', () => {
    jest.useFakeTimers();
    const s = createInboundShedding(logSpy(), { maxInFlight: 1, retryAfterSeconds: 1, forgetAfterMs: 32_000 });
    offer(s.middleware);
    jest.advanceTimersByTime(31_999);
    expect(offer(s.middleware).passed).toBe(false);
    jest.advanceTimersByTime(1);
    expect(s.inFlight()).toBe(0);
    expect(offer(s.middleware).passed).toBe(true);
  });

  it('on shutdown answers every new request 503 with Retry-After while the accepted ones finish (issue #9)', () => {
    const log = logSpy();
    const s = createInboundShedding(log, { maxInFlight: 10, retryAfterSeconds: 2 });
    const accepted = offer(s.middleware);
    s.drain();
    const late = offer(s.middleware);
    expect([late.passed, late.res.sent]).toEqual([false, { status: 503, reason: 'Service Unavailable', headers: { 'Retry-After': '2' } }]);
    expect(s.inFlight()).toBe(1);
    accepted.res.finish();
    expect(s.inFlight()).toBe(0);
    expect(log.lines).toEqual([['info', 'shutting down: new SIP requests are answered 503 with Retry-After']]);
  });

  it('logs one line when shedding starts and one when it ends, not one per shed request', () => {
    const log = logSpy();
    const s = createInboundShedding(log, { maxInFlight: 1, retryAfterSeconds: 1 });
    const first = offer(s.middleware);
    for (let i = 0; i < 100; i++) offer(s.middleware);
    expect(log.lines.filter(([lvl]) => lvl === 'warn')).toHaveLength(1);
    first.res.finish();
    offer(s.middleware);
    expect(log.lines).toHaveLength(2);
    expect(log.lines[1]?.[0]).toBe('info');
  });
});

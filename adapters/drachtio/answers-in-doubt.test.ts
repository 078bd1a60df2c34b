import type { Log } from '../../plugin/use-cases/ports';
import { createAnswersInDoubt } from './answers-in-doubt';

type Callback = (err: unknown, msg?: unknown) => void;

/** A srf Response as drachtio-agent drives it: send(status, reason?, opts?, callback?) and a later echo. */
class FakeRes {
  readonly calls: unknown[][] = [];
  send(status: number, ...rest: unknown[]): void {
    this.calls.push([status, ...rest]);
  }
  /** The callback srf would call: on drachtio's echo (null) or at once when the socket is gone (an Error). */
  callback(): Callback {
    const last = this.calls[this.calls.length - 1] ?? [];
    const cb = last.find((a) => typeof a === 'function');
    if (!cb) throw new Error('no callback was passed to srf');
    return cb as Callback;
  }
}

function logSpy(): Log & { lines: Array<[string, string, Record<string, unknown>]> } {
  const lines: Array<[string, string, Record<string, unknown>]> = [];
  return {
    lines,
    debug: () => undefined,
    info: (o, m) => void lines.push(['info', m, o as Record<string, unknown>]),
    warn: (o, m) => void lines.push(['warn', m, o as Record<string, unknown>]),
    error: (o, m) => void lines.push(['error', m, o as Record<string, unknown>]),
  };
}

function answerThrough(a: ReturnType<typeof createAnswersInDoubt>, callId: string, send: (res: FakeRes) => void): FakeRes {
  const res = new FakeRes();
  a.middleware({ method: 'MESSAGE', get: (h) => (h === 'Call-ID' ? callId : undefined) }, res, () => send(res));
  return res;
}

describe('SIP final answers the drachtio link may have lost (issue #11: nothing lost silently)', () => {
  it('an answer handed over after the link went down (srf: "socket connection closed") gets one warn line naming the transaction', () => {
    const log = logSpy();
    const a = createAnswersInDoubt(log);
    const res = answerThrough(a, 'c1@sip', (r) => r.send(202, 'Accepted', {}));
    res.callback()(new Error('drachtio-agent:sendResponse: socket connection closed'));
    expect(log.lines.map(([lvl, m, o]) => [lvl, m, o.callId, o.status])).toEqual([
      ['warn', 'SIP final response not sent by drachtio', 'c1@sip', 202],
    ]);
    expect(a.unconfirmed()).toBe(0);
  });

  it('answers handed over but not echoed when the link drops are each logged as in doubt, once', () => {
    const log = logSpy();
    const a = createAnswersInDoubt(log);
    const r1 = answerThrough(a, 'c1@sip', (r) => r.send(202, 'Accepted', {}));
    answerThrough(a, 'c2@sip', (r) => r.send(404, 'Not Found', {}));
    const r3 = answerThrough(a, 'c3@sip', (r) => r.send(202, 'Accepted', {}));
    r3.callback()(null, {}); // drachtio echoed this one: confirmed
    expect(a.unconfirmed()).toBe(2);
    expect(a.linkDown()).toBe(2);
    expect(log.lines.map(([, m, o]) => [m, o.callId])).toEqual([
      ['SIP final response in doubt: the drachtio link dropped before drachtio confirmed it', 'c1@sip'],
      ['SIP final response in doubt: the drachtio link dropped before drachtio confirmed it', 'c2@sip'],
    ]);
    r1.callback()(new Error('late')); // srf calling back after all: no second line
    expect(log.lines).toHaveLength(2);
    expect(a.linkDown()).toBe(0);
  });

  it('an unconfirmed answer is forgotten after Timer F (32 s), so the set stays bounded', () => {
    jest.useFakeTimers();
    try {
      const a = createAnswersInDoubt(logSpy());
      answerThrough(a, 'c1@sip', (r) => r.send(202, 'Accepted', {}));
      jest.advanceTimersByTime(31_999);
      expect(a.unconfirmed()).toBe(1);
      jest.advanceTimersByTime(1);
      expect(a.unconfirmed()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('an echoed answer is never logged', () => {
    const log = logSpy();
    const a = createAnswersInDoubt(log);
    const res = answerThrough(a, 'c1@sip', (r) => r.send(200, 'OK', { headers: { 'X-A': '1' } }));
    res.callback()(null, {});
    expect(a.linkDown()).toBe(0);
    expect(log.lines).toEqual([]);
  });

  it.each<[string, unknown[], unknown[]]>([
    ['(status, reason, opts)', [202, 'Accepted', { headers: { A: '1' } }], [202, 'Accepted', { headers: { A: '1' } }]],
    ['(status, reason)', [400, 'Bad Request'], [400, 'Bad Request', {}]],
    ['(status, opts)', [503, { headers: { 'Retry-After': '2' } }], [503, { headers: { 'Retry-After': '2' } }]],
    ['(status)', [500], [500, undefined, {}]],
  ])('srf\'s argument shape %s reaches srf unchanged, plus the callback', (_shape, args, expected) => {
    const a = createAnswersInDoubt(logSpy());
    const res = answerThrough(a, 'c@sip', (r) => r.send(...(args as [number, ...unknown[]])));
    const call = res.calls[0] ?? [];
    expect(call.slice(0, -1)).toEqual(expected);
    expect(typeof call[call.length - 1]).toBe('function');
  });

  it('1xx answers and answers with the caller\'s own callback are passed through untouched and not tracked', () => {
    const a = createAnswersInDoubt(logSpy());
    const own = (): void => undefined;
    const res = answerThrough(a, 'c@sip', (r) => { r.send(100, 'Trying'); r.send(200, 'OK', {}, own); });
    expect(res.calls).toEqual([[100, 'Trying'], [200, 'OK', {}, own]]);
    expect(a.unconfirmed()).toBe(0);
  });
});

import type { Log } from '../../plugin/use-cases/ports';

/**
 * SIP final answers whose fate the gateway cannot know (issue #11: no silent loss).
 *
 * The gateway answers a SIP request by handing the response to drachtio-server, which
 * sends it and echoes it back (`response|<msgId>|OK|…`, PROTOCOL-NOTES §3.1). When the
 * admin link drops between the two, or before the answer is handed over at all, the SIP
 * sender never gets OUR answer: it gets drachtio's own (or none, and its Timer F). For a
 * 202 to a MESSAGE whose stanza was already written to XMPP, that is a message delivered
 * while its sender is told it failed. The gateway cannot undo the delivery, but it must not
 * be silent about it: each such answer gets one log line naming the transaction.
 *
 *  - handed over with the link already gone, srf calls back with "socket connection
 *    closed" (drachtio-agent sendResponse); drachtio refusing it calls back NOK →
 *    'SIP final response not sent by drachtio';
 *  - handed over, no echo when the link went down → linkDown() logs each as
 *    'SIP final response in doubt: the drachtio link dropped before drachtio confirmed it'.
 * 1xx answers are not tracked (a final answer follows or the transaction times out).
 */
export interface AnswersInDoubt {
  /** srf middleware: registered before the gateway's routes, so it sees every answer. */
  readonly middleware: (req: ReqLike, res: ResLike, next: () => void) => void;
  /** The link went down: logs every unconfirmed final answer as in doubt; returns how many. */
  linkDown(): number;
  /** Final answers handed to drachtio and not echoed yet. */
  unconfirmed(): number;
}

interface ReqLike {
  readonly method?: string;
  get?(header: string): string | undefined;
}
type SendFn = (status: number, ...rest: unknown[]) => void;
interface ResLike {
  send: SendFn;
}

interface Pending {
  readonly method: string | undefined;
  readonly callId: string | undefined;
  readonly status: number;
}

const FORGET_AFTER_MS = 32_000;

export function createAnswersInDoubt(log: Log): AnswersInDoubt {
  const pending = new Set<Pending>();
  return {
    unconfirmed: () => pending.size,
    linkDown() {
      const n = pending.size;
      for (const p of pending) log.warn({ ...p }, 'SIP final response in doubt: the drachtio link dropped before drachtio confirmed it');
      pending.clear();
      return n;
    },
    middleware(req, res, next) {
      const original = res.send.bind(res);
      res.send = (status: number, ...rest: unknown[]): void => {
        // A caller with its own callback keeps srf's argument shapes untouched.
        if (status < 200 || rest.some((a) => typeof a === 'function')) {
          original(status, ...rest);
          return;
        }
        const p: Pending = { method: req.method, callId: req.get?.('Call-ID'), status };
        pending.add(p);
        // Bounded: past Timer F (RFC 3261 §17.2.2, 64*T1) the transaction is over whatever happened.
        setTimeout(() => pending.delete(p), FORGET_AFTER_MS).unref?.();
        const done = (err: unknown): void => {
          if (!pending.delete(p)) return; // already reported by linkDown()
          if (err) log.warn({ ...p, err: String(err) }, 'SIP final response not sent by drachtio');
        };
        // srf Response#send(status, reason?, opts?, callback?) also takes (status, opts, callback).
        const [reason, opts] = rest;
        if (typeof reason === 'object' && reason !== null) original(status, reason, done);
        else original(status, reason, opts ?? {}, done);
      };
      next();
    },
  };
}

/**
 * The edge's structured log (pino JSON lines), kept in memory for assertions
 * and mirrored to a file in the lab run dir for post-mortems.
 *
 * Why assert on the log: the issue asks for "one structured line per
 * connection event: opened, authenticated with which mechanism, closed with
 * which reason". Those lines are how an operator tells dialback from SASL
 * EXTERNAL, so they are what the interop tests check (a delivery alone would
 * also pass if a lab CA were trusted by mistake and EXTERNAL replaced dialback).
 */
import * as fs from 'node:fs';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

export interface EdgeLogLine {
  readonly msg?: string;
  /** 'in' | 'out' on every session line (session/stream-session.ts bindLog). */
  readonly dir?: string;
  readonly local?: string;
  readonly remote?: string;
  readonly mechanism?: string;
  readonly condition?: string;
  readonly byPeer?: boolean;
  readonly reason?: string;
  readonly text?: string;
  readonly [k: string]: unknown;
}

export interface EdgeLog {
  readonly logger: Logger;
  readonly lines: readonly EdgeLogLine[];
  /** Index to pass to `since` so a test only looks at its own lines. */
  mark(): number;
  since(mark: number): EdgeLogLine[];
  /** Resolves with the first line (after `from`) matching `pred`; rejects after `ms` with the recent lines. */
  waitFor(pred: (l: EdgeLogLine) => boolean, ms: number, from?: number): Promise<EdgeLogLine>;
  /** Compact text of lines, for failure messages. */
  describe(lines?: readonly EdgeLogLine[]): string;
}

export function createEdgeLog(file?: string): EdgeLog {
  const lines: EdgeLogLine[] = [];
  const waiters = new Set<() => void>();
  let carry = '';
  const dest = new Writable({
    write(chunk: Buffer, _enc, cb) {
      const text = carry + chunk.toString('utf8');
      const parts = text.split('\n');
      carry = parts.pop() ?? '';
      for (const l of parts) {
        if (!l.trim()) continue;
        try { lines.push(JSON.parse(l) as EdgeLogLine); } catch { lines.push({ msg: `unparsable log line: ${l}` }); }
      }
      if (file) fs.appendFileSync(file, chunk);
      for (const w of [...waiters]) w();
      cb();
    },
  });
  const logger = pino({ level: 'debug', base: undefined }, dest);

  const describe = (ls: readonly EdgeLogLine[] = lines.slice(-30)): string =>
    ls.map((l) => {
      const { level: _l, time: _t, ...rest } = l as Record<string, unknown>;
      return JSON.stringify(rest);
    }).join('\n  ');

  return {
    logger,
    lines,
    mark: () => lines.length,
    since: (m) => lines.slice(m),
    describe,
    waitFor(pred, ms, from = 0) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const hit = lines.slice(from).find(pred);
          if (hit) { done(); resolve(hit); }
          return hit !== undefined;
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no matching edge log line within ${ms} ms; last lines:\n  ${describe(lines.slice(Math.max(from, lines.length - 30)))}`));
        }, ms);
        const done = (): void => { clearTimeout(timer); waiters.delete(waiter); };
        const waiter = (): void => { check(); };
        waiters.add(waiter);
        check();
      });
    },
  };
}

/** 'authenticated' lines: which mechanism authenticated which direction with which remote domain. */
export function authentications(lines: readonly EdgeLogLine[], remote: string, dir?: 'in' | 'out'): string[] {
  return lines
    .filter((l) => l.msg === 'authenticated' && l.remote === remote && (dir === undefined || l.dir === dir))
    .map((l) => String(l.mechanism));
}

/** Lines where a stream with `remote` was closed (by us or the peer), with the condition when there was one. */
export function closes(lines: readonly EdgeLogLine[], remote: string, dir?: 'in' | 'out'): EdgeLogLine[] {
  return lines.filter((l) => (l.msg === 'stream closed' || l.msg === 'closing stream with error') &&
    l.remote === remote && (dir === undefined || l.dir === dir));
}

/**
 * What the load benchmarks share: percentiles, rounding, a wall clock that
 * matches sipp's -trace_msg stamps, and the reader of the MESSAGEs a sipp UAS
 * logged (the UAS's receive stamp is the end of a latency sample).
 */
import { performance } from 'node:perf_hooks';

export const wallNow = (): number => performance.timeOrigin + performance.now();
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const r2 = (v: number): number => Math.round(v * 100) / 100;

/** The p-th percentile (nearest rank) of ascending `sorted`. */
export function pct(sorted: readonly number[], p: number): number {
  const k = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[k] ?? NaN;
}

const SEPARATOR = /^-{20,} (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)\.(\d{3})(\d*)$/gm;

/**
 * Every MESSAGE whose body ends with `<tag><sep><n>` in a sipp -trace_msg log, with sipp's
 * stamp. (tracedMessages() in im-e2e stops at 10,000 messages; a 5 s step at 2,000 msg/s logs
 * 20,000, requests and 200s.)
 */
export function* receivedMessages(trace: string, tag: string, sep = ' '): Generator<{ n: number; at: number }> {
  const marks = [...trace.matchAll(SEPARATOR)];
  const body = new RegExp(`\\r\\n\\r\\n${tag}${sep}(\\d+)\\s*$`);
  for (let k = 0; k < marks.length; k++) {
    const m = marks[k]!;
    const block = trace.slice(m.index + m[0].length, marks[k + 1]?.index ?? trace.length);
    if (!/^\s*UDP message received[^\n]*\n\nMESSAGE /.test(block)) continue;
    const n = body.exec(block)?.[1];
    if (n !== undefined) yield { n: Number(n), at: new Date(`${m[1]}T${m[2]}.${m[3]}`).getTime() + Number(`0.${m[4] || '0'}`) };
  }
}

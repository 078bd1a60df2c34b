/**
 * One conformance run: a drachtio target (double or real, see harness/drachtio-target),
 * a wiretap in front of its admin port (the app connects THROUGH it), cleanups that
 * always run, and the comparison of the recorded frames with a golden trace.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DrachtioDoubleOptions } from '../drachtio-double';
import { startDrachtioTarget, type DrachtioTarget } from '../harness/drachtio-target';
import { compareFramesByShape } from '../harness/frame-shape';
import type { SippResult } from '../harness/sipp';
import type { AdminAddress } from '../harness/srf-app';
import { framesToJsonl, loadTraceFrames } from '../harness/trace-fixtures';
import { startWiretap, type Wiretap } from '../harness/wiretap';

/** The capture's secret; the fixture's `authenticate|cymru|` is compared with the target's secret. */
export const FIXTURE_SECRET = 'cymru';
const CLEANUP_MS = 3000;

export interface ConformanceRun {
  readonly target: DrachtioTarget;
  readonly tap: Wiretap;
  /** the wiretap's address with the target's secret: what the app connects to */
  readonly admin: AdminAddress;
  /** registers a cleanup; cleanups run in reverse order in stopConformanceRun */
  defer(fn: () => Promise<unknown> | void): void;
}

export async function startConformanceRun(doubleOpts: DrachtioDoubleOptions = {}): Promise<ConformanceRun> {
  const target = await startDrachtioTarget(doubleOpts);
  const cleanups: (() => Promise<unknown> | void)[] = [() => target.stop()];
  let tap: Wiretap;
  try {
    tap = await startWiretap({ targetHost: target.adminHost, targetPort: target.adminPort });
  } catch (e) {
    await target.stop();
    throw e;
  }
  cleanups.push(() => tap.stop());
  const run: ConformanceRun & { cleanups: typeof cleanups } = {
    target, tap, cleanups,
    admin: { adminHost: tap.host, adminPort: tap.port, secret: target.secret },
    defer: (fn) => { cleanups.push(fn); },
  };
  return run;
}

/** Runs every cleanup (each bounded), newest first; errors are collected, not lost. */
export async function stopConformanceRun(run: ConformanceRun | undefined): Promise<void> {
  if (!run) return;
  const cleanups = (run as ConformanceRun & { cleanups: (() => Promise<unknown> | void)[] }).cleanups;
  const problems: string[] = [];
  while (cleanups.length > 0) {
    const fn = cleanups.pop();
    if (!fn) break;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(fn),
        new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`cleanup took over ${CLEANUP_MS} ms`)), CLEANUP_MS); }),
      ]);
    } catch (e) {
      problems.push((e as Error).message);
    } finally {
      clearTimeout(timer);
    }
  }
  if (problems.length > 0) throw new Error(`conformance cleanup: ${problems.join('; ')}`);
}

/**
 * Asserts the frames recorded by the wiretap match the scenario's golden trace by
 * shape. On mismatch the recorded frames are written next to the error
 * (<tmpdir>/drachtio-conformance-<scenario>.frames.jsonl) for a closer look.
 */
export function expectTraceShape(scenario: string, run: ConformanceRun, opts: { maxConnections?: number } = {}): void {
  const { frames, problems } = run.tap.split();
  const report = compareFramesByShape(loadTraceFrames(scenario), frames, {
    literals: [[FIXTURE_SECRET, run.target.secret]],
    ...(opts.maxConnections === undefined ? {} : { maxConnections: opts.maxConnections }),
  });
  if (report.ok && problems.length === 0) return;
  const dump = join(tmpdir(), `drachtio-conformance-${scenario}.frames.jsonl`);
  writeFileSync(dump, framesToJsonl(frames));
  throw new Error(`${scenario} (${run.target.kind} target): recorded frames differ from the golden trace; ` +
    `recorded frames in ${dump}\n${problems.map((p) => `split: ${p.problem} ${p.detail}`).join('\n')}\n${report.text}`);
}

/** Fails with SIPp's own account (messages, screen) when the call did not succeed. */
export function expectSippSuccess(r: SippResult, what: string): void {
  if (r.exitCode === 0) return;
  throw new Error(`${what}: sipp exit ${r.exitCode} signal ${r.signal}${r.killed ? ' (killed)' : ''}\n` +
    `--- messages\n${r.messages.slice(-4000)}\n--- errors\n${r.errors.slice(-2000)}\n--- output\n${r.output.slice(-3000)}`);
}

/** Settles with the promise's value, or rejects after `ms`. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

/** Resolves after `ms` (scenario pacing, never a performance bound). */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The UTF-8 body of the captured MESSAGE scenarios (S1, S5b). */
export const SIPP_MESSAGE_BODY = 'héllo ✓ – grüße from sipp';

/** The 62 299-character body of the captured uac_message_large_tcp.xml (S1x), line for line. */
export function largeBody(): string {
  return Array.from({ length: 700 }, (_, i) =>
    `${String(i).padStart(5, '0')} 0123456789 héllo ✓ large body line for chunk-splitting test ......................`).join('\n');
}

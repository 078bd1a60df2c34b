import { performance } from 'node:perf_hooks';

/**
 * The bounded measuring loop. Every loop here stops on a count AND on a clock:
 * warm-up (maxWarmupBatches / warmupMs), sampling (maxSamples / maxTimeMs, with a
 * hard stop at 2 × maxTimeMs even if minSamples is not reached)
 * and the latency pass (latencyMaxCalls / latencyMaxMs). A benchmark that is
 * slower than planned therefore ends early and is flagged `truncated`, rather
 * than stretching `npm run bench` without limit.
 *
 * Throughput comes from batches (one sample = `batch` back-to-back calls timed
 * as a whole), because timing single sub-microsecond calls mostly measures the
 * timer. Latency percentiles come from a separate pass that times each call on
 * its own; those figures include the timer's own cost (reported as
 * timerOverheadNs in the machine info) and are only meaningful for calls that
 * are well above it.
 */

export interface MeasureOptions {
  /** Samples wanted even if maxTimeMs has passed (still stopped by the hard limit). */
  readonly minSamples: number;
  readonly maxSamples: number;
  /** Time budget for sampling; no new sample starts after it once minSamples are in. */
  readonly maxTimeMs: number;
  /** Calls per sample. */
  readonly batch: number;
  /** Warm-up budget (default 250 ms, at most maxWarmupBatches batches). */
  readonly warmupMs?: number;
  readonly maxWarmupBatches?: number;
  /** Per-call latency pass; false to skip (default: 20 000 calls or 400 ms, whichever first). */
  readonly latency?: false | { readonly maxCalls: number; readonly maxTimeMs: number };
}

export interface LatencyStats {
  /** Microseconds per call, timer cost included. */
  readonly p50Us: number;
  readonly p99Us: number;
  readonly maxUs: number;
  readonly calls: number;
}

export interface Measurement {
  readonly name: string;
  readonly batch: number;
  /** Calls per second, one figure per sample. */
  readonly samplesOpsPerSec: readonly number[];
  /** Median of samplesOpsPerSec. */
  readonly opsPerSec: number;
  /** Calls made while sampling (warm-up and latency pass excluded). */
  readonly iterations: number;
  readonly warmupIterations: number;
  readonly sampleTimeMs: number;
  /**
   * Process CPU time / wall time while sampling. Well below 1 means the process
   * was descheduled (other load on the machine, VM steal) and the figures are
   * low and noisy; above 1 means GC or other helper threads were busy too.
   */
  readonly cpuShare: number;
  /** True when the hard time limit stopped sampling before minSamples. */
  readonly truncated: boolean;
  readonly latency?: LatencyStats;
}

const HARD_LIMIT_FACTOR = 2;
const DEFAULT_LATENCY = { maxCalls: 20_000, maxTimeMs: 400 } as const;

/** Holds the last result so the JIT cannot drop a call whose value is unused. */
let sink: unknown;
export const lastSink = (): unknown => sink;

export function measure(name: string, fn: () => unknown, opts: MeasureOptions): Measurement {
  const { minSamples, maxSamples, maxTimeMs, batch } = opts;
  if (!(batch >= 1 && maxSamples >= 1 && minSamples >= 1 && minSamples <= maxSamples && maxTimeMs > 0)) {
    throw new Error(`${name}: invalid measure options ${JSON.stringify(opts)}`);
  }
  const gc = (globalThis as { gc?: () => void }).gc;

  // Warm-up: let the JIT settle before anything is recorded.
  const warmupMs = opts.warmupMs ?? 250;
  const maxWarmupBatches = opts.maxWarmupBatches ?? 50;
  let warmupIterations = 0;
  const warmStart = performance.now();
  for (let b = 0; b < maxWarmupBatches && performance.now() - warmStart < warmupMs; b++) {
    for (let i = 0; i < batch; i++) sink = fn();
    warmupIterations += batch;
  }
  gc?.();

  const samples: number[] = [];
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const hardLimit = maxTimeMs * HARD_LIMIT_FACTOR;
  for (let s = 0; s < maxSamples; s++) {
    const elapsed = performance.now() - start;
    if (elapsed >= hardLimit) break;
    if (s >= minSamples && elapsed >= maxTimeMs) break;
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) sink = fn();
    const dt = performance.now() - t0;
    samples.push(batch / (Math.max(dt, 1e-6) / 1000));
  }
  const sampleTimeMs = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  const cpuShare = (cpu.user + cpu.system) / 1000 / Math.max(sampleTimeMs, 1e-6);

  const latencyOpts = opts.latency === undefined ? DEFAULT_LATENCY : opts.latency;
  const latency = latencyOpts === false ? undefined : measureLatency(fn, latencyOpts.maxCalls, latencyOpts.maxTimeMs);

  return {
    name,
    batch,
    samplesOpsPerSec: samples,
    opsPerSec: median(samples),
    iterations: samples.length * batch,
    warmupIterations,
    sampleTimeMs,
    cpuShare,
    truncated: samples.length < minSamples,
    ...(latency ? { latency } : {}),
  };
}

function measureLatency(fn: () => unknown, maxCalls: number, maxTimeMs: number): LatencyStats {
  const durations = new Float64Array(maxCalls);
  let n = 0;
  const start = performance.now();
  // Checking the clock on every call costs nothing extra: t1 is reused as the deadline check.
  for (; n < maxCalls; n++) {
    const t0 = performance.now();
    sink = fn();
    const t1 = performance.now();
    durations[n] = t1 - t0;
    if (t1 - start >= maxTimeMs) {
      n++;
      break;
    }
  }
  const sorted = durations.subarray(0, n).sort();
  const ms = (q: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))] ?? 0;
  return { p50Us: ms(0.5) * 1000, p99Us: ms(0.99) * 1000, maxUs: ms(1) * 1000, calls: n };
}

/** Median cost of one performance.now() pair, so readers can judge the latency figures. */
export function timerOverheadNs(): number {
  const n = 10_000;
  const d = new Float64Array(n);
  const start = performance.now();
  let i = 0;
  for (; i < n && performance.now() - start < 200; i++) {
    const t0 = performance.now();
    d[i] = performance.now() - t0;
  }
  return median(Array.from(d.subarray(0, i))) * 1e6;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

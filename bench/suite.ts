import type { Result } from '../plugin/core/result';
import type { LatencyStats, Measurement } from './harness';

/**
 * What a suite file exports and what run.ts writes. A benchmark's primary
 * figure is `value` in `unit` (median over samples); `samples` holds the
 * per-sample figures in the same unit so runs can be compared for spread, not
 * only for the median. Other units derived from the same samples (MB/s next to
 * stanzas/s, say) are listed in `also`.
 */

export interface DerivedFigure {
  readonly unit: string;
  readonly value: number;
}

export interface BenchEntry {
  /** "<group>/<case>", e.g. "xml-guard/stream-10k-messages". */
  readonly name: string;
  readonly group: string;
  readonly description: string;
  readonly unit: string;
  readonly value: number;
  readonly samples: readonly number[];
  /** Calls of the measured function while sampling (warm-up and latency pass excluded). */
  readonly iterations: number;
  /** Calls per second (median); equal to value when unit is ops/s. */
  readonly opsPerSec: number;
  readonly also: readonly DerivedFigure[];
  readonly latency?: LatencyStats;
  /** What one measured call does, e.g. "one 1500-byte chunk". */
  readonly op: string;
  readonly truncated: boolean;
  /** Process CPU time / wall time while sampling (see Measurement.cpuShare). */
  readonly cpuShare: number;
}

export interface Benchmark {
  readonly name: string;
  /** Builds fixtures, checks the code under test succeeds on them, then measures. */
  readonly run: () => BenchEntry;
}

export interface Suite {
  readonly group: string;
  readonly benchmarks: readonly Benchmark[];
}

/** A unit derived from calls/s by a fixed factor (bytes per call / 1e6 for MB/s, etc.). */
export interface UnitScale {
  readonly unit: string;
  readonly perOp: number;
}

/** Three decimals: ns for µs figures, far below the run-to-run noise of any figure here. */
const round3 = (v: number) => Math.round(v * 1000) / 1000;

const OPS: UnitScale = { unit: 'ops/s', perOp: 1 };

export function toEntry(
  m: Measurement,
  info: { group: string; description: string; op: string; primary?: UnitScale; also?: readonly UnitScale[] },
): BenchEntry {
  const primary = info.primary ?? OPS;
  const also = [...(primary.unit === OPS.unit ? [] : [OPS]), ...(info.also ?? [])];
  return {
    name: m.name,
    group: info.group,
    description: info.description,
    unit: primary.unit,
    value: round3(m.opsPerSec * primary.perOp),
    samples: m.samplesOpsPerSec.map((s) => round3(s * primary.perOp)),
    iterations: m.iterations,
    opsPerSec: round3(m.opsPerSec),
    also: also.map((u) => ({ unit: u.unit, value: round3(m.opsPerSec * u.perOp) })),
    ...(m.latency
      ? { latency: { p50Us: round3(m.latency.p50Us), p99Us: round3(m.latency.p99Us), maxUs: round3(m.latency.maxUs), calls: m.latency.calls } }
      : {}),
    op: info.op,
    truncated: m.truncated,
    cpuShare: round3(m.cpuShare),
  };
}

/** Fails the benchmark before measuring if the code under test rejects its fixture. */
export function expectOk<T, E>(label: string, r: Result<T, E>): T {
  if (!r.ok) throw new Error(`${label}: fixture rejected: ${JSON.stringify(r.error)}`);
  return r.value;
}

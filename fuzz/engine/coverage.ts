/**
 * Block coverage of the project's own code from V8's precise coverage
 * (node:inspector, Profiler.takePreciseCoverage): the guidance of the fuzzer.
 * Each take() returns the blocks that ran since the previous take and resets
 * the counters (callCount mode), so one take per input attributes coverage to
 * that input. In-process sessions answer synchronously.
 */
import * as inspector from 'node:inspector';

interface Range { readonly startOffset: number; readonly endOffset: number; readonly count: number }
interface ScriptCoverage { readonly url: string; readonly functions: ReadonlyArray<{ readonly ranges: readonly Range[] }> }

const OURS = /\/(plugin|adapters)\//;

export class Coverage {
  private readonly session = new inspector.Session();

  constructor() {
    this.session.connect();
    this.post('Profiler.enable');
    this.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  }

  private post(method: string, params: object = {}): unknown {
    let result: unknown;
    let error: Error | null = null;
    this.session.post(method, params, (e, r) => { error = e; result = r; });
    if (error) throw error;
    return result;
  }

  /** Keys of the blocks of our code that ran since the last take. */
  take(): string[] {
    const r = this.post('Profiler.takePreciseCoverage') as { result: readonly ScriptCoverage[] };
    const keys: string[] = [];
    for (const s of r.result) {
      if (!OURS.test(s.url) || s.url.includes('node_modules')) continue;
      for (const f of s.functions) for (const g of f.ranges) if (g.count > 0) keys.push(`${s.url}:${g.startOffset}:${g.endOffset}`);
    }
    return keys;
  }

  stop(): void {
    this.post('Profiler.stopPreciseCoverage');
    this.session.disconnect();
  }
}

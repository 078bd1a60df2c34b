/**
 * Every golden trace in the fixtures is replayed by some conformance test: a
 * new trace without a test fails here instead of being skipped silently.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { listTraceScenarios } from '../harness/trace-fixtures';

describe('conformance coverage of the golden traces', () => {
  const sources = readdirSync(__dirname)
    .filter((f) => f.endsWith('.itest.ts') && f !== 'trace-coverage.itest.ts')
    .map((f) => readFileSync(`${__dirname}/${f}`, 'utf8'));

  it.each(listTraceScenarios())('%s is compared by a conformance test', (scenario) => {
    expect(sources.some((s) => s.includes(`expectTraceShape('${scenario}'`) || s.includes(`['${scenario}'`))).toBe(true);
  });
});

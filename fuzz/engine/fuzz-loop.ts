/**
 * The coverage-guided loop: pick a corpus entry, mutate it, run it, keep it
 * when it reached a block of our code no earlier input reached. Bounded in
 * time and in executions. A throw is a finding: the input is kept under
 * fuzz/crashes/ (not committed) and the run reports it; it becomes a
 * regression by moving it into the corpus once fixed.
 */
import { Coverage } from './coverage';
import { CRASH_ROOT, inputName, readCorpus, writeInput, CORPUS_ROOT } from './corpus';
import { mutate } from './mutate';
import { Random } from './random';
import type { FuzzTarget } from './target';

export interface FuzzOptions {
  readonly seconds: number;
  readonly maxExecs?: number;
  readonly seed?: number;
  /** Keep new coverage-increasing inputs in fuzz/corpus/ (a fuzzing session, not CI). */
  readonly writeCorpus?: boolean;
  /** Stop at the first finding (default true). */
  readonly stopOnFinding?: boolean;
}

export interface FuzzReport {
  readonly target: string;
  readonly seconds: number;
  readonly execs: number;
  readonly corpusStart: number;
  readonly corpusEnd: number;
  readonly blocks: number;
  readonly findings: ReadonlyArray<{ readonly input: string; readonly file: string; readonly error: string }>;
}

export function fuzz(target: FuzzTarget, o: FuzzOptions): FuzzReport {
  const r = new Random(o.seed ?? Date.now());
  const cov = new Coverage();
  const seen = new Set<string>();
  const corpus: Buffer[] = [...target.seeds.map((s) => Buffer.from(s, 'utf8')), ...readCorpus(target.name)];
  const names = new Set(corpus.map(inputName));
  const corpusStart = corpus.length;
  const findings: Array<{ input: string; file: string; error: string }> = [];
  const maxExecs = o.maxExecs ?? 50_000_000;
  const deadline = Date.now() + o.seconds * 1000;
  let execs = 0;

  const runOne = (input: Buffer): boolean => {
    execs += 1;
    try {
      target.run(input);
    } catch (e) {
      const error = e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 500) : String(e);
      findings.push({ input: input.toString('base64'), file: writeInput(CRASH_ROOT, target.name, input), error });
      cov.take();
      return false;
    }
    let grew = false;
    for (const k of cov.take()) if (!seen.has(k)) { seen.add(k); grew = true; }
    return grew;
  };

  for (const c of corpus) runOne(c); // replay: the baseline coverage
  while (Date.now() < deadline && execs < maxExecs && (findings.length === 0 || o.stopOnFinding === false)) {
    const base = corpus.length > 0 ? r.pick(corpus) : Buffer.alloc(0);
    const input = mutate(base, r, corpus, target.dictionary, target.maxBytes);
    if (runOne(input)) {
      const name = inputName(input);
      if (!names.has(name)) {
        names.add(name);
        corpus.push(input);
        if (o.writeCorpus) writeInput(CORPUS_ROOT, target.name, input);
      }
    }
  }
  cov.stop();
  return { target: target.name, seconds: o.seconds, execs, corpusStart, corpusEnd: corpus.length, blocks: seen.size, findings };
}

/**
 * `npm run fuzz` (issue #10): coverage-guided fuzzing of the stream parser and
 * the body parsers (fuzz/targets/). Each target runs in its own process, two at
 * a time (2 cores), for --seconds (default 60, what CI runs). Findings are
 * written under fuzz/crashes/ and make the run exit 1. --write-corpus keeps new
 * coverage-increasing inputs in fuzz/corpus/ (a fuzzing session; CI never writes).
 *
 *   npm run fuzz                          # every target, 60 s each
 *   npm run fuzz -- --target pidf --seconds 600 --write-corpus
 *   npm run fuzz -- --seed 1              # the mutation sequence .ci/run uses (repeatable)
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fuzz, type FuzzReport } from './engine/fuzz-loop';
import { TARGETS } from './targets';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const seconds = Math.min(Number(arg('seconds') ?? 60), 3600);
const writeCorpus = process.argv.includes('--write-corpus');
const only = arg('target');
const JOBS = 2;

function one(name: string): FuzzReport {
  const t = TARGETS.find((x) => x.name === name);
  if (!t) throw new Error(`no fuzz target ${name} (have: ${TARGETS.map((x) => x.name).join(', ')})`);
  return fuzz(t, { seconds, writeCorpus, seed: Number(arg('seed') ?? Date.now() % 2 ** 31) });
}

function child(name: string): Promise<FuzzReport> {
  return new Promise((resolve, reject) => {
    const seed = arg('seed');
    const args = [path.join(__dirname, 'run.ts'), '--target', name, '--seconds', String(seconds), '--json', ...(seed !== undefined ? ['--seed', seed] : []), ...(writeCorpus ? ['--write-corpus'] : [])];
    const c = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (b: Buffer) => { out += b.toString('utf8'); });
    const kill = setTimeout(() => c.kill('SIGKILL'), (seconds + 60) * 1000);
    c.on('exit', () => {
      clearTimeout(kill);
      try { resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as FuzzReport); } catch { reject(new Error(`fuzz target ${name} died: ${out.slice(-500)}`)); }
    });
  });
}

async function main(): Promise<number> {
  if (only !== undefined && process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(one(only))}\n`);
    return 0;
  }
  const names = only !== undefined ? [only] : TARGETS.map((t) => t.name);
  const reports: FuzzReport[] = [];
  for (let i = 0; i < names.length; i += JOBS) reports.push(...await Promise.all(names.slice(i, i + JOBS).map(child)));
  for (const r of reports) {
    process.stdout.write(`${r.target.padEnd(14)} ${String(r.execs).padStart(8)} execs in ${r.seconds} s, corpus ${r.corpusStart} → ${r.corpusEnd}, ${r.blocks} blocks, ${r.findings.length} finding(s)\n`);
    for (const f of r.findings) process.stdout.write(`  FINDING ${f.error}\n  input (base64) ${f.input.slice(0, 200)}\n  saved ${f.file}\n`);
  }
  return reports.some((r) => r.findings.length > 0) ? 1 : 0;
}

main().then((code) => process.exit(code), (e: unknown) => { process.stderr.write(`${(e as Error).stack ?? String(e)}\n`); process.exit(2); });

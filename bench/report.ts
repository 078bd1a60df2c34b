import { execFileSync } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import type { BenchEntry } from './suite';

/** What a reader needs to judge whether two result files are comparable. */
export interface MachineInfo {
  readonly node: string;
  readonly v8: string;
  readonly platform: string;
  readonly arch: string;
  readonly cpuModel: string;
  readonly cores: number;
  readonly availableParallelism: number;
  readonly totalMemMiB: number;
  readonly timerOverheadNs: number;
  readonly gcExposed: boolean;
  /** 1-minute load average before the run: above `cores`, other work competed with the benchmarks. */
  readonly loadAvgAtStart: number;
}

export interface BenchReport {
  readonly timestamp: string;
  readonly filter: readonly string[];
  readonly git: { readonly commit?: string; readonly dirty?: boolean };
  readonly machine: MachineInfo;
  readonly totalMs: number;
  readonly loadAvgAtEnd: number;
  readonly benchmarks: readonly BenchEntry[];
  readonly failures: ReadonlyArray<{ readonly name: string; readonly error: string }>;
}

export const round2 = (v: number) => Math.round(v * 100) / 100;

export function machineInfo(timerOverheadNs: number): MachineInfo {
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    availableParallelism: os.availableParallelism(),
    totalMemMiB: Math.round(os.totalmem() / 2 ** 20),
    timerOverheadNs: Math.round(timerOverheadNs),
    gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
    loadAvgAtStart: round2(os.loadavg()[0] ?? 0),
  };
}

/** The commit measured; `dirty` says the working tree had changes, so the figures may not match that commit. */
export function gitInfo(cwd: string): BenchReport['git'] {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    return { commit, dirty: status.trim() !== '' };
  } catch {
    return {};
  }
}

/** Writes through a .tmp file and a rename so an interrupted run never leaves half a result file. */
export function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v >= 1000) return Math.round(v).toLocaleString('en-US');
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/**
 * Half the interquartile range of the samples relative to the median: how far
 * a typical sample sits from the reported value, without letting one sample
 * hit by a GC pause or a context switch dominate (min and max are in the JSON).
 */
export function spreadPct(e: BenchEntry): string {
  if (e.samples.length < 2 || e.value === 0) return '-';
  const s = [...e.samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.round(p * (s.length - 1)))]!;
  return `±${(((q(0.75) - q(0.25)) / 2 / e.value) * 100).toFixed(1)}%`;
}

const HEADERS = ['benchmark', 'value', 'unit', 'spread', 'also', 'p50 µs', 'p99 µs', 'samples', 'iterations', 'cpu%'] as const;

function rows(entries: readonly BenchEntry[]): string[][] {
  return entries.map((e) => [
    e.name + (e.truncated ? ' (truncated)' : ''),
    fmt(e.value),
    e.unit,
    spreadPct(e),
    e.also.map((a) => `${fmt(a.value)} ${a.unit}`).join(', '),
    e.latency ? fmt(e.latency.p50Us) : '-',
    e.latency ? fmt(e.latency.p99Us) : '-',
    String(e.samples.length),
    e.iterations.toLocaleString('en-US'),
    `${Math.round(e.cpuShare * 100)}`,
  ]);
}

/** Plain-text table for the terminal. */
export function summaryTable(entries: readonly BenchEntry[]): string {
  const all = [HEADERS as readonly string[], ...rows(entries)];
  const widths = HEADERS.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const numeric = new Set([1, 3, 5, 6, 7, 8, 9]);
  const line = (r: readonly string[]) =>
    r.map((cell, c) => (numeric.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  return [line(all[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

/** Descriptions name elements ("<message>"); Markdown would take them for inline HTML. */
const mdText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function markdownReport(r: BenchReport): string {
  const m = r.machine;
  const md = (cells: readonly string[]) => `| ${cells.map((c) => mdText(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  const out = [
    '# Benchmark results',
    '',
    `- Run: ${r.timestamp} (${(r.totalMs / 1000).toFixed(1)} s)${r.filter.length ? `, filter: \`${r.filter.join(' ')}\`` : ''}`,
    `- Commit: ${r.git.commit ?? 'unknown'}${r.git.dirty ? ' (working tree had uncommitted changes)' : ''}`,
    `- Machine: ${m.cpuModel}, ${m.cores} cores (${m.availableParallelism} available), ${m.totalMemMiB} MiB, ${m.platform} ${m.arch}`,
    `- Node ${m.node} (V8 ${m.v8}); timer overhead ≈ ${m.timerOverheadNs} ns per call (included in p50/p99)`,
    `- Load average (1 min): ${m.loadAvgAtStart} at start, ${r.loadAvgAtEnd} at end${
      Math.max(m.loadAvgAtStart, r.loadAvgAtEnd) > m.cores ? ' — above the core count: other work competed, figures are low and noisy' : ''}`,
    '',
    'Value = median over samples; spread = half the interquartile range of the samples relative to the median.',
    'p50/p99 come from a separate pass that times each call on its own. cpu% = process CPU time / wall time',
    'while sampling: well below 100 means the benchmark was descheduled by other load.',
    '',
    md(HEADERS),
    md(HEADERS.map((_, c) => (c === 0 || c === 2 || c === 4 ? '---' : '---:'))),
    ...rows(r.benchmarks).map(md),
    '',
    '## What each benchmark measures',
    '',
    ...r.benchmarks.map((e) => `- \`${e.name}\`: ${mdText(e.description)}. One op = ${mdText(e.op)}.`),
  ];
  if (r.failures.length > 0) {
    out.push('', '## Failures', '', ...r.failures.map((f) => `- \`${f.name}\`: ${mdText(f.error)}`));
  }
  return out.join('\n') + '\n';
}

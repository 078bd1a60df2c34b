import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { timerOverheadNs } from './harness';
import { type BenchReport, gitInfo, machineInfo, markdownReport, round2, summaryTable, writeAtomically } from './report';
import type { Benchmark, BenchEntry, Suite } from './suite';
import { suite as addressMapping } from './suites/address-mapping';
import { suite as messageMapping } from './suites/message-mapping';
import { suite as parseXmlDocument } from './suites/parse-xml-document';
import { suite as serializeXml } from './suites/serialize-xml';
import { suite as stanzaCodec } from './suites/stanza-codec';
import { suite as xmlGuard } from './suites/xml-guard';

/**
 * `npm run bench [-- FILTER...]`: runs the benchmarks whose name contains any
 * FILTER (case-insensitive; none = all), prints a summary table and writes
 * bench/results/latest.json and latest.md. Exit status 1 if a benchmark
 * failed (its fixture was rejected or it threw), 2 on a usage error.
 * End-to-end suites (bench/suites/e2e-*.ts) are added to SUITES by hand.
 */
const SUITES: readonly Suite[] = [xmlGuard, parseXmlDocument, stanzaCodec, addressMapping, messageMapping, serializeXml];

const USAGE = `usage: npm run bench [-- [--list] [FILTER...]]
  FILTER   run only benchmarks whose name contains it (e.g. "xml", "stanza-codec/decode")
  --list   print the benchmark names and exit`;

function main(argv: readonly string[]): number {
  const flags = argv.filter((a) => a.startsWith('-'));
  const filters = argv.filter((a) => !a.startsWith('-')).map((f) => f.toLowerCase());
  const unknown = flags.filter((f) => f !== '--list' && f !== '--help' && f !== '-h');
  if (unknown.length > 0 || flags.includes('--help') || flags.includes('-h')) {
    console.error(USAGE);
    return unknown.length > 0 ? 2 : 0;
  }
  const all: Benchmark[] = SUITES.flatMap((s) => s.benchmarks);
  const selected = all.filter((b) => filters.length === 0 || filters.some((f) => b.name.toLowerCase().includes(f)));
  if (flags.includes('--list')) {
    for (const b of selected) console.log(b.name);
    return 0;
  }
  if (selected.length === 0) {
    console.error(`no benchmark matches ${filters.join(', ')}; available:\n  ${all.map((b) => b.name).join('\n  ')}`);
    return 2;
  }

  const started = performance.now();
  const machine = machineInfo(timerOverheadNs());
  console.log(`node ${machine.node}, ${machine.cpuModel} × ${machine.cores}; ${selected.length} benchmark(s)\n`);
  const entries: BenchEntry[] = [];
  const failures: Array<{ name: string; error: string }> = [];
  for (const b of selected) {
    const t0 = performance.now();
    try {
      const e = b.run();
      entries.push(e);
      console.log(`  ${b.name}: ${e.value.toFixed(1)} ${e.unit} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      failures.push({ name: b.name, error });
      console.error(`  ${b.name}: FAILED: ${error}`);
    }
  }

  const report: BenchReport = {
    timestamp: new Date().toISOString(),
    filter: filters,
    git: gitInfo(path.join(__dirname, '..')),
    machine,
    totalMs: Math.round(performance.now() - started),
    loadAvgAtEnd: round2(os.loadavg()[0] ?? 0),
    benchmarks: entries,
    failures,
  };
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeAtomically(path.join(dir, 'latest.json'), JSON.stringify(report, null, 2) + '\n');
  writeAtomically(path.join(dir, 'latest.md'), markdownReport(report));

  console.log(`\n${summaryTable(entries)}\n`);
  const load = Math.max(machine.loadAvgAtStart, report.loadAvgAtEnd);
  if (load > machine.cores) {
    console.log(`warning: load average ${load} on ${machine.cores} cores: other work competed, figures are low and noisy (see cpu%)`);
  }
  console.log(`${entries.length} benchmark(s) in ${(report.totalMs / 1000).toFixed(1)} s; wrote ${path.relative(process.cwd(), dir)}/latest.{json,md}`);
  return failures.length > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));

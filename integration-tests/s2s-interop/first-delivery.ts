/**
 * Time to first delivery over a new S2S connection (issue #3 "Done when"):
 * printed always, and merged into bench/results/s2s-first-delivery.json (one entry per
 * peer × mode × direction) only when run as a benchmark (`npm run bench:s2s`, which sets
 * DXG_BENCH_WRITE=1): a test run never rewrites a tracked file. Measured, never asserted.
 *
 * Test files run in band, so a read-merge-write per measurement is safe.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface FirstDelivery {
  readonly peer: 'ejabberd' | 'prosody';
  readonly mode: 'dialback' | 'strict';
  /** 'us→peer': edge.send until the peer's client has it; 'peer→us': client send until our handler has it. */
  readonly direction: 'us→peer' | 'peer→us';
  readonly ms: number;
  /** What was new when the clock started (which streams had to be set up). */
  readonly setup: string;
}

export const RESULTS_FILE = path.join(__dirname, '..', '..', 'bench', 'results', 's2s-first-delivery.json');

interface ResultsFile {
  description: string;
  updated: string;
  machine: { node: string; cores: number; platform: string };
  entries: FirstDelivery[];
}

export function recordFirstDelivery(m: FirstDelivery): void {
  console.log(`[s2s-interop] first delivery ${m.peer} ${m.mode} ${m.direction}: ${m.ms.toFixed(1)} ms (${m.setup})`);
  if (process.env.DXG_BENCH_WRITE !== '1') return;
  let current: ResultsFile | undefined;
  try { current = JSON.parse(fs.readFileSync(RESULTS_FILE, 'utf8')) as ResultsFile; } catch { current = undefined; }
  const keep = (current?.entries ?? []).filter((e) => !(e.peer === m.peer && e.mode === m.mode && e.direction === m.direction));
  const out: ResultsFile = {
    description: 'Time to first delivery over a new S2S connection between our edge (gw.test) and real ejabberd 23.01 / Prosody 0.12 on loopback; written by integration-tests/s2s-interop. Not asserted.',
    updated: new Date().toISOString(),
    machine: { node: process.version, cores: os.cpus().length, platform: `${os.platform()} ${os.release()}` },
    entries: [...keep, { ...m, ms: Math.round(m.ms * 10) / 10 }]
      .sort((a, b) => `${a.mode}${a.peer}${a.direction}`.localeCompare(`${b.mode}${b.peer}${b.direction}`)),
  };
  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(out, null, 2)}\n`);
}

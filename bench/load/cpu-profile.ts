/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and names where the time went: self time per
 * function (name + file:line), top N, as share of the busy (non-idle) samples. Used at the knee of the
 * gateway's ramp (issue #12: "profile at the knee"), never on the measured steps.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; }
interface Profile { nodes: ProfileNode[]; samples: number[] }

export interface HotFunction { readonly fn: string; readonly where: string; readonly selfPct: number }

export function topSelf(file: string, n = 15): HotFunction[] {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const counts = new Map<string, number>();
  let total = 0;
  for (const id of p.samples) {
    const f = byId.get(id)?.callFrame;
    // Shares of busy time: idle samples say nothing about where the CPU went.
    if (!f || f.functionName === '(idle)') continue;
    total += 1;
    const where = f.url ? `${f.url.replace(/^file:\/\//, '').replace(/^.*\/work\/main\//, '')}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'}\u0000${where}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  total = Math.max(1, total);
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, c]) => {
    const [fn, where] = k.split('\u0000');
    return { fn: fn ?? '', where: where ?? '', selfPct: Math.round((1000 * c) / total) / 10 };
  });
}

/**
 * The newest main-thread .cpuprofile in dir, if any. Node names them
 * CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; thread 0 is the main thread (tsx's
 * module loader runs in a worker, thread 1, and writes its own).
 */
export function newestProfile(dir: string): string | undefined {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f)) : [];
  return files.map((f) => path.join(dir, f)).sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
}

if (require.main === module) console.log(JSON.stringify(topSelf(process.argv[2]!, Number(process.argv[3] ?? 15)), null, 1));

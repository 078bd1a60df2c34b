/**
 * `npm run soak` (issue #10): the soak of integration-tests/soak/soak-run.ts
 * for DXG_SOAK_SECONDS (or the first argument; default 600 s), written to
 * bench/results/soak-<seconds>s.json. Exits 1 when memory grew 10 % or more
 * after the warm-up (the first 20 % of the run) or a message was lost
 * (sent ≠ delivered + reported). The CI version is
 * integration-tests/soak/soak-60s.itest.ts, which writes nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runSoak, soakSummary } from '../integration-tests/soak/soak-run';

const DEFAULT_SECONDS = 600;
const MAX_SECONDS = 3600;

function seconds(): number {
  const raw = process.argv[2] ?? process.env.DXG_SOAK_SECONDS ?? String(DEFAULT_SECONDS);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 30 || n > MAX_SECONDS) throw new Error(`soak duration ${raw}: want whole seconds in 30..${MAX_SECONDS}`);
  return n;
}

async function main(): Promise<number> {
  const s = seconds();
  // Bounded: the run, the lab's start and stop, the books' settling.
  const guard = setTimeout(() => { process.stdout.write('soak: gave up (overall bound)\n'); process.exit(2); }, (s + 300) * 1000);
  guard.unref();
  process.stdout.write(`soak: ${s} s of mixed load through the native lab\n`);
  const r = await runSoak({ durationMs: s * 1000 });
  process.stdout.write(`${soakSummary(r)}\n`);
  const out = path.join(__dirname, 'results', `soak-${s}s.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify({ measuredAt: new Date().toISOString(), node: process.version, ...r }, null, 2)}\n`);
  process.stdout.write(`written ${path.relative(process.cwd(), out)}\n`);
  const lost = r.sipToXmpp.unaccounted.length + r.xmppToSip.unaccounted.length;
  const ok = r.rss.growthPct < 10 && r.heapUsed.growthPct < 10 && lost === 0
    && r.sipToXmpp.delivered + r.sipToXmpp.reported === r.sipToXmpp.sent && r.xmppToSip.delivered + r.xmppToSip.reported === r.xmppToSip.sent;
  process.stdout.write(ok ? 'soak: PASS\n' : 'soak: FAIL\n');
  return ok ? 0 : 1;
}

if (require.main === module) {
  main().then((c) => process.exit(c), (e: unknown) => { process.stdout.write(`soak FAILED: ${(e as Error).stack ?? String(e)}\n`); process.exit(1); });
}

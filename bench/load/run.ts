/**
 * npm run bench:load (issue #12). Run as root, under the lab lock:
 *   flock /tmp/dxg-itest.lock npm run bench:load                      # full ramp
 *   flock /tmp/dxg-itest.lock npm run bench:load -- --steps 500,1000 --seconds 5 [--max 20000]
 * DRACHTIO=host:port:secret (+ DRACHTIO_SIP=host:port) measures a real drachtio-server instead
 * of the test double. Writes bench/results/load-<date>.{json,md,svg} (--out DIR elsewhere).
 *   --xmpp-to-sip adds the relay ceiling and the XMPP→SIP scenario (--only-xmpp-to-sip: only those,
 *   written to load-xmpp-to-sip-<date>.*); --no-profile skips the --cpu-prof step at the knee.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_STEPS, runLoadBench } from './bench';
import { measureParser } from './parser-throughput';
import { renderMarkdown, renderSvg } from './render';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
}

async function main(): Promise<void> {
  const steps = (arg('steps') ?? '').split(',').map(Number).filter((n) => n > 0);
  const report = await runLoadBench({
    steps: steps.length > 0 ? steps : DEFAULT_STEPS,
    seconds: Number(arg('seconds') ?? 30),
    maxMessages: Number(arg('max') ?? 20_000),
    stopAfterUnclean: Number(arg('stop-after-unclean') ?? 2),
    log: (l) => console.log(l),
    xmppToSip: process.argv.includes('--xmpp-to-sip') || process.argv.includes('--only-xmpp-to-sip'),
    sipToXmpp: !process.argv.includes('--only-xmpp-to-sip'),
    ...(process.argv.includes('--no-profile') ? {} : { profileDir: fs.mkdtempSync(path.join(os.tmpdir(), 'load-prof-')) }),
  });
  // Edge (issue #12 §5): CPU only, in this process, after the lab is down.
  const parser = measureParser();
  console.log(`stream parser with limits ${parser.guardedMBps} MB/s, raw ltx ${parser.rawLtxMBps} MB/s: ratio ${parser.ratio}`);
  const full = { ...report, edge: { parser: { ...parser, what: 'adapters/xmpp-s2s/xml/stream-parser.ts (UTF-8 scan, XmlGuard limits, ltx, XmlElement) vs raw @xmpp/xml Parser, same bytes, 16 KiB reads, best of 5' } } };
  if (report.profile) console.log(`profile at ${report.profile.rate}/s (gateway, self time): ${report.profile.topSelf.slice(0, 8).map((h) => `${h.fn} ${h.where} ${h.selfPct}%`).join('; ')}`);
  const date = report.updated.slice(0, 10);
  const dir = arg('out') ?? path.join(__dirname, '..', 'results'); // --out: a trial that must not replace the committed figures
  fs.mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `load-${process.argv.includes('--only-xmpp-to-sip') ? 'xmpp-to-sip-' : ''}${date}`);
  fs.writeFileSync(`${base}.json`, `${JSON.stringify(full, null, 2)}\n`);
  fs.writeFileSync(`${base}.svg`, renderSvg(report));
  fs.writeFileSync(`${base}.md`, `${renderMarkdown(report, `load-${date}.svg`)}\n## Edge\n\nS2S stream parser with the limits on: ${parser.guardedMBps} MB/s; raw ltx on the same bytes: ${parser.rawLtxMBps} MB/s; ratio **${parser.ratio}** (target ≥ 0.5).\n`);
  console.log(`headline (${report.drachtio.kind}): gateway clean ${report.headline.gatewayCleanRate ?? 'none'} / no-op clean ${report.headline.noopCleanRate ?? 'none'} = ${report.headline.ratio ?? 'n/a'}${report.headline.xmppToSip ? `; XMPP→SIP gateway clean ${report.headline.xmppToSip.gatewayCleanRate ?? 'none'} / relay clean ${report.headline.xmppToSip.relayCleanRate ?? 'none'} = ${report.headline.xmppToSip.ratio ?? 'n/a'}` : ''}; wrote ${path.relative(process.cwd(), base)}.{json,md,svg}`);
}

main().then(() => process.exit(0), (e: unknown) => { console.error(e); process.exit(1); });

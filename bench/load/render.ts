/**
 * The load report as Markdown (tables per scenario) and as a hand-written SVG chart: latency
 * percentiles (log scale, left) and lost+failed share (right) against the offered rate.
 * Pure functions of the report (issue #12).
 */
import type { LoadReport, ScenarioReport } from './bench';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function table(s: ScenarioReport): string {
  const head = '| offered/s | sent | achieved/s | failed (reported) | retrans | arrived | lost | p50 ms | p95 ms | p99 ms | max ms | CPU % of a core | clean |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|:-:|';
  const rows = s.steps.map((x) => {
    const l = x.latencyMs;
    const cpu = Object.entries(x.cpu).map(([k, c]) => `${k} ${c.pctOfCore}`).join(', ');
    return `| ${x.offeredRate} | ${x.sent} | ${x.achievedRate} | ${x.failed} (${x.reported}) | ${x.retransmissions} | ${x.arrived ?? '–'} | ${x.lost} | ${l?.p50 ?? '–'} | ${l?.p95 ?? '–'} | ${l?.p99 ?? '–'} | ${l?.max ?? '–'} | ${cpu} | ${x.clean ? 'yes' : 'no'} |`;
  });
  return `### ${s.name}\n\nHighest clean rate: **${s.cleanRate ?? 'none'}** msg/s\n\n${head}\n${rows.join('\n')}\n`;
}

export function renderMarkdown(r: LoadReport, svgName: string): string {
  const h = r.headline;
  return `# Load benchmark (issue #12), ${r.updated}

**drachtio: ${r.drachtio.label}.** ${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}; load average before ${r.machine.loadavgBefore.join(' ')}, after ${r.machine.loadavgAfter.join(' ')} (${r.machine.shared}).

Headline: gateway clean rate ${h.gatewayCleanRate ?? 'none'} msg/s / no-op ceiling clean rate ${h.noopCleanRate ?? 'none'} msg/s = **${h.ratio ?? 'n/a'}**.${h.xmppToSip ? ` XMPP→SIP: gateway clean rate ${h.xmppToSip.gatewayCleanRate ?? 'none'} msg/s / relay ceiling clean rate ${h.xmppToSip.relayCleanRate ?? 'none'} msg/s = **${h.xmppToSip.ratio ?? 'n/a'}**.` : ''}

Steps of at most ${r.options.seconds} s or ${r.options.maxMessages} messages; a scenario stops after ${r.options.stopAfterUnclean} consecutive unclean steps. Clean = 0 SIP failures, 0 retransmissions, 0 lost (sent − arrived − answered with an error). Latency SIP→XMPP: sipp's send stamp in the body → the ejabberd client's receipt; XMPP→SIP: the client's send → the sipp UAS's receive stamp (there "arrived" = distinct MESSAGEs at the UAS, "retrans" = MESSAGEs it received more than once, "failed" = error stanzas back).

${r.scenarios.map(table).join('\n')}
![latency and loss against offered rate](${svgName})
${r.profile ? `
## CPU profile at the knee (${r.profile.rate} msg/s, gateway under --cpu-prof, not a measured step)

| self % | function | where |
|---:|---|---|
${r.profile.topSelf.map((h) => `| ${h.selfPct} | ${esc(h.fn)} | ${esc(h.where)} |`).join('\n')}
` : ''}`;
}

export function renderSvg(r: LoadReport): string {
  const W = 720, H = 400, L = 60, R = 60, T = 40, B = 50;
  const gw = r.scenarios.find((s) => s.app === 'gateway');
  const all = r.scenarios.flatMap((s) => s.steps);
  const maxRate = Math.max(1, ...all.map((s) => s.offeredRate));
  const x = (rate: number): number => L + (rate / maxRate) * (W - L - R);
  const lats = (gw?.steps ?? []).flatMap((s) => (s.latencyMs ? [s.latencyMs.p50, s.latencyMs.max] : [])).filter((v) => v > 0);
  const lo = Math.max(0.1, Math.min(1, ...lats));
  const hi = Math.max(10, ...lats);
  const y = (ms: number): number => T + (1 - (Math.log10(Math.max(ms, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (H - T - B);
  const yPct = (p: number): number => T + (1 - p / 100) * (H - T - B);
  const series: Array<[string, string, (s: NonNullable<typeof gw>['steps'][number]) => number | undefined]> = [
    ['p50', '#1f77b4', (s) => s.latencyMs?.p50], ['p95', '#2ca02c', (s) => s.latencyMs?.p95],
    ['p99', '#ff7f0e', (s) => s.latencyMs?.p99], ['max', '#d62728', (s) => s.latencyMs?.max],
  ];
  const lines: string[] = [];
  series.forEach(([name, color, f], i) => {
    const pts = (gw?.steps ?? []).flatMap((s) => { const v = f(s); return v === undefined ? [] : [`${x(s.offeredRate).toFixed(1)},${y(v).toFixed(1)}`]; });
    if (pts.length > 0) lines.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.join(' ')}"/>`);
    lines.push(`<text x="${L + 10 + i * 70}" y="${T - 12}" fill="${color}" font-size="12">gateway ${name}</text>`);
  });
  const bad = (s: ScenarioReport, color: string, dash: string, label: string, k: number): void => {
    const pts = s.steps.map((st) => `${x(st.offeredRate).toFixed(1)},${yPct((100 * (st.lost + st.failed)) / Math.max(1, st.sent)).toFixed(1)}`);
    if (pts.length > 0) lines.push(`<polyline fill="none" stroke="${color}" stroke-dasharray="${dash}" stroke-width="2" points="${pts.join(' ')}"/>`);
    lines.push(`<text x="${L + 10 + k * 200}" y="${T + 4}" fill="${color}" font-size="12">${esc(label)}</text>`);
  };
  const colors = ['#7f7f7f', '#9467bd', '#8c564b'];
  r.scenarios.forEach((s, k) => bad(s, colors[k % colors.length]!, k === 0 ? '2 3' : '6 3', `${s.name.replace('SIP→XMPP ', '')} lost+failed %`, k));
  const ticks = [...new Set(all.map((s) => s.offeredRate))].map((rate) => `<text x="${x(rate)}" y="${H - B + 16}" font-size="11" text-anchor="middle">${rate}</text>`);
  const yTicks = [0.1, 1, 10, 100, 1000, 10000].filter((v) => v >= lo && v <= hi).map((v) => `<text x="${L - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end">${v}</text><line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/>`);
  const pTicks = [0, 25, 50, 75, 100].map((p) => `<text x="${W - R + 6}" y="${yPct(p) + 4}" font-size="11">${p}%</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">
<rect width="${W}" height="${H}" fill="white"/>
<text x="${W / 2}" y="16" font-size="13" text-anchor="middle">SIP→XMPP load, ${esc(r.drachtio.kind === 'double' ? 'drachtio TEST DOUBLE' : 'real drachtio-server')}, ${esc(r.updated.slice(0, 10))}, ${r.machine.cores} cores (shared machine)</text>
${yTicks.join('\n')}
<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/><line x1="${W - R}" y1="${T}" x2="${W - R}" y2="${H - B}" stroke="black"/>
${ticks.join('\n')}
${pTicks.join('\n')}
<text x="${W / 2}" y="${H - 10}" font-size="12" text-anchor="middle">offered rate (msg/s)</text>
<text x="14" y="${H / 2}" font-size="12" transform="rotate(-90 14 ${H / 2})" text-anchor="middle">latency ms (log)</text>
${lines.join('\n')}
</svg>
`;
}

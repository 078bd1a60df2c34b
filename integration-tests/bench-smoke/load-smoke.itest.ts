/**
 * Issue #12, the CI smoke of `npm run bench:load`: one tiny step (50 msg/s for 3 s) of each
 * scenario: the no-op drachtio-srf ceiling and the gateway SIP→XMPP (through drachtio, the
 * gateway in its own process, S2S to a real ejabberd, one c2s client counting arrivals), the
 * relay ceiling (srf.request to a sipp UAS) and the gateway XMPP→SIP (that client → ejabberd
 * → gateway → drachtio → the sipp UAS).
 * It proves the bench still runs and accounts for every message: nothing lost at a trivial
 * rate (RFC 7247 §7: every message is delivered or answered with an error). No timing is
 * asserted. It writes nothing under bench/results (bench/load/run.ts does).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runLoadBench, type LoadReport } from '../../bench/load/bench';

const RESULTS = path.join(__dirname, '..', '..', 'bench', 'results');
const list = (): string[] => (fs.existsSync(RESULTS) ? fs.readdirSync(RESULTS).sort() : []);

let report: LoadReport;
let before: string[];

beforeAll(async () => {
  before = list();
  report = await runLoadBench({ steps: [50], seconds: 3, maxMessages: 1000, stopAfterUnclean: 1, xmppToSip: true, log: () => undefined });
}, 240_000);

describe('npm run bench:load, 3 s smoke of each scenario at 50 msg/s (issue #12)', () => {
  it('reports which drachtio it measured, the machine, and one step of each scenario', () => {
    expect(['double', 'real']).toContain(report.drachtio.kind);
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.scenarios.map((s) => [s.name, s.steps.length])).toEqual([
      ['SIP→XMPP no-op ceiling', 1], ['SIP→XMPP gateway', 1], ['SIP→SIP relay ceiling', 1], ['XMPP→SIP gateway', 1],
    ]);
    expect(Object.keys(report.headline).sort()).toEqual(['gatewayCleanRate', 'noopCleanRate', 'ratio', 'xmppToSip']);
  });

  it.each([
    ['SIP→XMPP no-op ceiling', 'noop'], ['SIP→XMPP gateway', 'gateway'], ['SIP→SIP relay ceiling', 'relay'],
  ] as const)('%s: sipp sent all 150 MESSAGEs and every one got a 2xx (RFC 3428 §7), none lost', (name, proc) => {
    const s = report.scenarios.find((x) => x.name === name)!.steps[0]!;
    expect({ sent: s.sent, successful: s.successful, failed: s.failed, lost: s.lost }).toEqual({ sent: 150, successful: 150, failed: 0, lost: 0 });
    expect(s.cpu[proc]!.cpuS).toBeGreaterThan(0);
  });

  it('XMPP→SIP gateway: all 150 chat messages reached the sipp UAS as MESSAGEs, none reported, none lost (RFC 7247 §7)', () => {
    const s = report.scenarios.find((x) => x.name === 'XMPP→SIP gateway')!.steps[0]!;
    expect({ sent: s.sent, arrived: s.arrived, reported: s.reported, lost: s.lost }).toEqual({ sent: 150, arrived: 150, reported: 0, lost: 0 });
    expect(s.cpu.gateway!.cpuS).toBeGreaterThan(0);
  });

  it('SIP→XMPP gateway: every message arrived once at the ejabberd client, with send→receipt latency percentiles in order', () => {
    const s = report.scenarios.find((x) => x.name === 'SIP→XMPP gateway')!.steps[0]!;
    expect({ arrived: s.arrived, duplicates: s.duplicates }).toEqual({ arrived: 150, duplicates: 0 });
    const l = s.latencyMs!;
    expect(l.p50).toBeGreaterThan(0);
    expect(l.p50).toBeLessThanOrEqual(l.p95);
    expect(l.p95).toBeLessThanOrEqual(l.p99);
    expect(l.p99).toBeLessThanOrEqual(l.max);
  });

  it('writes nothing under bench/results', () => {
    expect(list()).toEqual(before);
  });
});

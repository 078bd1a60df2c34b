/**
 * The load benchmark as a function (issue #12): `runLoadBench` starts the lab, runs the
 * no-op ceiling and then the gateway over the same sipp steps against the same drachtio, and
 * returns the report. It writes nothing: bench/load/run.ts writes bench/results, the CI smoke
 * (integration-tests/bench-smoke) only checks the report.
 */
import * as os from 'node:os';
import { startLoadLab, type AppKind, type LoadLab } from './lab';
import { sipToXmppStep, type StepResult } from './sip-to-xmpp';
import { xmppToSipStep } from './xmpp-to-sip';
import { runSippLoad } from './sipp-load';
import { startSippUas } from '../../integration-tests/harness/sipp';
import { LOAD } from './lab';
import { newestProfile, topSelf, type HotFunction } from './cpu-profile';

export const DEFAULT_STEPS = [500, 1000, 1500, 2000, 3000, 4000, 6000];

export interface LoadBenchOptions {
  readonly steps: readonly number[];
  /** per step at most this long (default 30) */
  readonly seconds: number;
  /** per step at most this many messages (default 20,000) */
  readonly maxMessages: number;
  /** stop a scenario after this many consecutive unclean steps (default 2) */
  readonly stopAfterUnclean: number;
  readonly log?: (line: string) => void;
  /**
   * After the ramp: one more gateway step at the knee (the first unclean rate, else the highest)
   * with the gateway under node --cpu-prof, profile written here; the top self-time functions
   * go into the report. Off by default (the smoke never profiles).
   */
  readonly profileDir?: string;
  /** Also the XMPP→SIP scenario (client on ejabberd → gateway → sipp UAS), after the SIP→XMPP ones. */
  readonly xmppToSip?: boolean;
  /** The SIP→XMPP scenarios (no-op ceiling, gateway); default true. */
  readonly sipToXmpp?: boolean;
}

export interface ScenarioReport {
  readonly name: string;
  readonly app: AppKind;
  readonly steps: readonly StepResult[];
  /** highest offered rate at which the step was clean (0 failures, 0 retransmissions, 0 lost), null if none */
  readonly cleanRate: number | null;
}

export interface LoadReport {
  readonly description: string;
  readonly updated: string;
  readonly drachtio: { readonly kind: 'double' | 'real'; readonly label: string };
  readonly machine: { readonly node: string; readonly cores: number; readonly cpu: string; readonly platform: string; readonly loadavgBefore: readonly number[]; readonly loadavgAfter: readonly number[]; readonly shared: string };
  readonly options: Omit<LoadBenchOptions, 'log' | 'profileDir' | 'xmppToSip' | 'sipToXmpp'>;
  /** The --cpu-prof step at the knee, when asked for (not one of the measured steps). */
  readonly profile?: { readonly rate: number; readonly file: string; readonly step: StepResult; readonly topSelf: readonly HotFunction[] };
  readonly scenarios: readonly ScenarioReport[];
  /** gateway clean rate / no-op clean rate (null when either has none) */
  readonly headline: {
    readonly gatewayCleanRate: number | null; readonly noopCleanRate: number | null; readonly ratio: number | null;
    /** with xmppToSip: XMPP→SIP gateway clean rate / relay ceiling clean rate */
    readonly xmppToSip?: { readonly gatewayCleanRate: number | null; readonly relayCleanRate: number | null; readonly ratio: number | null };
  };
}

const r2 = (v: number): number => Math.round(v * 100) / 100;

async function warmUp(lab: LoadLab, kind: AppKind): Promise<void> {
  // One message first, so the S2S stream to ejabberd exists before the clock starts.
  lab.arrivals.expect(`warm-${kind}`);
  await runSippLoad({ remote: lab.drachtio.sip, rate: 1, count: 1, ruri: `sip:${LOAD.user.user}@${LOAD.ejabberd.domain}`, from: `<sip:alice@${LOAD.gateway.domain}>`, expect: kind === 'gateway' ? 202 : 200, tag: `warm-${kind}`, recvTimeoutMs: 10_000 });
  for (let i = 0; i < 100 && kind === 'gateway' && lab.arrivals.latencies.size === 0; i++) await new Promise((r) => setTimeout(r, 100));
}

async function scenario(lab: LoadLab, name: string, kind: AppKind, o: LoadBenchOptions, direction: 'sip-to-xmpp' | 'xmpp-to-sip' = 'sip-to-xmpp'): Promise<ScenarioReport> {
  const app = await lab.startApp(kind);
  const steps: StepResult[] = [];
  try {
    await warmUp(lab, kind);
    let unclean = 0;
    for (const rate of o.steps) {
      const s = direction === 'sip-to-xmpp' ? await sipToXmppStep(lab, app, rate, o.seconds, o.maxMessages) : await xmppToSipStep(lab, app, rate, o.seconds, o.maxMessages);
      steps.push(s);
      const lat = s.latencyMs ? ` latency p50 ${s.latencyMs.p50} p95 ${s.latencyMs.p95} p99 ${s.latencyMs.p99} max ${s.latencyMs.max} ms;` : '';
      o.log?.(`${name} ${rate}/s: sent ${s.sent} (achieved ${s.achievedRate}/s), failed ${s.failed} ${JSON.stringify(s.failedBy)}, retrans ${s.retransmissions}, arrived ${s.arrived ?? '-'}, lost ${s.lost};${lat} cpu ${Object.entries(s.cpu).map(([k, c]) => `${k} ${c.pctOfCore}%`).join(', ')}; ${s.clean ? 'clean' : 'NOT clean'}`);
      unclean = s.clean ? 0 : unclean + 1;
      if (unclean >= o.stopAfterUnclean) break;
      await new Promise((r) => setTimeout(r, 1500));
    }
  } finally {
    await app.stop();
  }
  const clean = steps.filter((s) => s.clean).map((s) => s.offeredRate);
  return { name, app: kind, steps, cleanRate: clean.length > 0 ? Math.max(...clean) : null };
}

/** The relay ceiling: sipp → drachtio → srf app → srf.request → drachtio → sipp UAS on the proxy port, same steps. */
async function relayScenario(lab: LoadLab, o: LoadBenchOptions): Promise<ScenarioReport> {
  const uas = await startSippUas({
    scenario: 'uas_message.xml', vars: { STATUS: '200', REASON: 'OK' }, localPort: lab.proxyPort,
    timeoutMs: 15 * 60_000, extraArgs: ['-m', '1000000'],
  });
  try {
    return await scenario(lab, 'SIP→SIP relay ceiling', 'relay', o);
  } finally {
    await uas.stop();
  }
}

export async function runLoadBench(o: LoadBenchOptions): Promise<LoadReport> {
  const loadavgBefore = os.loadavg().map(r2);
  const lab = await startLoadLab();
  try {
    const label = lab.drachtio.kind === 'double' ? 'drachtio-server TEST DOUBLE (own process), not a real drachtio-server' : `real drachtio-server at ${lab.drachtio.adminHost}:${lab.drachtio.adminPort}`;
    o.log?.(`drachtio: ${label}`);
    const s2x = o.sipToXmpp !== false;
    const noop = s2x ? await scenario(lab, 'SIP→XMPP no-op ceiling', 'noop', o) : undefined;
    const gw = s2x ? await scenario(lab, 'SIP→XMPP gateway', 'gateway', o) : undefined;
    const x2s = o.xmppToSip ? [await relayScenario(lab, o), await scenario(lab, 'XMPP→SIP gateway', 'gateway', o, 'xmpp-to-sip')] : [];
    let profile: LoadReport['profile'];
    if (o.profileDir && gw && gw.steps.length > 0) {
      const rate = gw.steps.find((s) => !s.clean)?.offeredRate ?? Math.max(...gw.steps.map((s) => s.offeredRate));
      try {
        const app = await lab.startApp('gateway', ['--cpu-prof', '--cpu-prof-dir', o.profileDir]);
        let step: StepResult;
        try {
          await warmUp(lab, 'gateway');
          step = await sipToXmppStep(lab, app, rate, Math.min(o.seconds, 10), o.maxMessages);
        } finally {
          await app.stop();
        }
        const file = newestProfile(o.profileDir);
        if (file) profile = { rate, file, step, topSelf: topSelf(file) };
        o.log?.(`cpu profile at ${rate}/s: ${file ?? 'none written'}`);
      } catch (e) {
        o.log?.(`cpu profile step failed: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    return {
      description: 'SIP→XMPP load (issue #12): sipp UAC at fixed rates → drachtio → app → (gateway only) S2S → ejabberd 23.01 → one c2s client counting arrivals. No-op ceiling: a drachtio-srf app answering 200, same drachtio, same steps, run first. Clean = 0 SIP failures, 0 retransmissions, 0 lost. Loopback, one machine. Measured, never asserted.',
      updated: new Date().toISOString(),
      drachtio: { kind: lab.drachtio.kind, label },
      machine: { node: process.version, cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', platform: `${os.platform()} ${os.release()}`, loadavgBefore, loadavgAfter: os.loadavg().map(r2), shared: 'machine shared with other sessions\' test runs: figures are indicative' },
      options: { steps: o.steps, seconds: o.seconds, maxMessages: o.maxMessages, stopAfterUnclean: o.stopAfterUnclean },
      scenarios: [...(noop && gw ? [noop, gw] : []), ...x2s],
      ...(profile ? { profile } : {}),
      headline: {
        gatewayCleanRate: gw?.cleanRate ?? null, noopCleanRate: noop?.cleanRate ?? null,
        ratio: gw?.cleanRate != null && noop?.cleanRate ? r2(gw.cleanRate / noop.cleanRate) : null,
        ...(x2s.length === 2 ? { xmppToSip: { gatewayCleanRate: x2s[1]!.cleanRate, relayCleanRate: x2s[0]!.cleanRate, ratio: x2s[1]!.cleanRate !== null && x2s[0]!.cleanRate ? r2(x2s[1]!.cleanRate / x2s[0]!.cleanRate) : null } } : {}),
      },
    };
  } finally {
    await lab.stop();
  }
}

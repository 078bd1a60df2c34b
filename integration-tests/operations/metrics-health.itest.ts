/**
 * The operator's endpoint against real traffic (issue #9): the native lab
 * (lab/native: the gateway from lab/gateway.yaml, a real ejabberd, sipp, and
 * the drachtio double or a real drachtio-server under DRACHTIO=). The counts
 * in /metrics must match exactly what the test sent, both directions; /readyz
 * must say ready while everything is up, and say which part is not when
 * drachtio goes away (double only: a real drachtio-server is not ours to stop).
 */
import * as path from 'node:path';
import type { Element } from '@xmpp/xml';
import { LAB_DIR, NATIVE } from '../../lab/native/lab-gateway-config';
import type { NativeLab } from '../../lab/native/native-lab';
import { sipAddress } from '../harness/drachtio-target';
import { runSippUac } from '../harness/sipp';
import type { LabClient } from '../harness/xmpp-client';
import { finalStatus } from '../im-e2e/sip-side';
import { startOperationsLab, type OperationsLab } from './operations-lab';

interface Sample { readonly name: string; readonly labels: Record<string, string>; readonly value: number }

function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1] as string] = l[2] as string;
    out.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  return out;
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
}

const SIP_MESSAGES = 5;
const XMPP_MESSAGES = 3;

describe('metrics and health of a running gateway, counted against real traffic (issue #9)', () => {
  let ops: OperationsLab | undefined;
  let lab: NativeLab | undefined;
  let romeo: LabClient | undefined;

  beforeAll(async () => {
    ops = await startOperationsLab('metrics-health');
    ({ lab, romeo } = ops);
  }, 120_000);

  afterAll(async () => { await ops?.stop(); }, 60_000);

  const scrape = async (): Promise<Sample[]> => {
    const r = await fetch(`${lab?.adminUrl}/metrics`, { signal: AbortSignal.timeout(5000) });
    expect(r.status).toBe(200);
    return parseMetrics(await r.text());
  };
  const readyz = async (): Promise<{ status: number; body: unknown }> => {
    const r = await fetch(`${lab?.adminUrl}/readyz`, { signal: AbortSignal.timeout(5000) });
    return { status: r.status, body: await r.json() };
  };

  it('/readyz is 200 with drachtio, the S2S listener and the presence store all ready', async () => {
    expect(await readyz()).toEqual({ status: 200, body: { ready: true, checks: { drachtio: true, s2sListener: true, presenceStore: true } } });
  });

  it('counts every SIP MESSAGE in with its 202, every stanza out and back, and the streams by partner and mechanism', async () => {
    const l = lab as NativeLab;
    const c = romeo as LabClient;
    const before = await scrape();
    for (let i = 0; i < SIP_MESSAGES; i++) {
      const arrived = c.waitForStanza((e: Element) => e.is('message') && e.getChildText('body') !== null, 15_000);
      const r = await runSippUac(sipAddress(l.drachtio), { scenario: path.join(LAB_DIR, 'sipp', 'uac-message.xml'), service: 'romeo', timeoutMs: 15_000 });
      expect(finalStatus(r)).toBe(202);
      await arrived;
    }
    for (let i = 0; i < XMPP_MESSAGES; i++) {
      const next = l.nextSipMessage(15_000);
      await c.sendMessage(`alice@${NATIVE.gateway.domain}`, `metrics ${i}`);
      expect((await next).body.toString("utf8")).toBe(`metrics ${i}`);
    }
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => value(after, name, labels) - value(before, name, labels);

    expect(delta('dxg_sip_requests_total', { direction: 'in', method: 'MESSAGE', status: '202' })).toBe(SIP_MESSAGES);
    expect(delta('dxg_sip_requests_total', { direction: 'out', method: 'MESSAGE', status: '200' })).toBe(XMPP_MESSAGES);
    expect(delta('dxg_stanzas_total', { direction: 'out', kind: 'message' })).toBe(SIP_MESSAGES);
    expect(delta('dxg_stanzas_total', { direction: 'in', kind: 'message', type: 'chat' })).toBe(XMPP_MESSAGES);
    expect(delta('dxg_stanza_errors_total', {})).toBe(0);
    expect(delta('dxg_stanza_on_wire_seconds_count', {})).toBe(SIP_MESSAGES);
    // ejabberd's lab posture: dialback both ways (STARTTLS optional, self-signed certificate).
    expect(value(after, 'dxg_s2s_streams', { partner: 'xmpp.lab', direction: 'outbound', auth: 'dialback' })).toBe(1);
    expect(value(after, 'dxg_s2s_streams', { partner: 'xmpp.lab', direction: 'inbound', auth: 'dialback' })).toBe(1);
    expect(value(after, 'dxg_s2s_negotiation_seconds_count', { partner: 'xmpp.lab' })).toBeGreaterThanOrEqual(2);
    expect(value(after, 'dxg_drachtio_connected')).toBe(1);
    expect(value(after, 'dxg_sip_outstanding_requests')).toBe(0);
    expect(value(after, 'dxg_process_resident_memory_bytes')).toBeGreaterThan(0);
  }, 120_000);

  it('/readyz turns 503 naming drachtio when the drachtio connection is gone, while /healthz stays 200', async () => {
    const l = lab as NativeLab;
    if (l.drachtio.kind !== 'double') return; // a real drachtio-server is not the test's to stop
    await l.drachtio.hooks?.dropAppConnections();
    let r = await readyz();
    for (let i = 0; i < 50 && r.status === 200; i++) {
      await new Promise((res) => setTimeout(res, 50));
      r = await readyz();
    }
    expect(r).toEqual({ status: 503, body: { ready: false, checks: { drachtio: false, s2sListener: true, presenceStore: true } } });
    expect((await fetch(`${l.adminUrl}/healthz`, { signal: AbortSignal.timeout(5000) })).status).toBe(200);
  }, 30_000);
});

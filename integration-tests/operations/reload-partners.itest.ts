/**
 * Reload without dropping streams, and the partner commands that drive it
 * (issue #9), against a real ejabberd through the native lab (the gateway is
 * the CLI's `start` on lab/gateway.yaml). Each edit goes through the CLI's
 * `partners …`, which validates the file, writes it and asks the running
 * gateway to reload over POST /reload; SIGHUP does the same for a file edited
 * by hand. A conforming stream survives a reload; a removed or tightened
 * partner's streams close with policy-violation (RFC 6120 §4.9.3.14); an
 * invalid file changes nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Element } from '@xmpp/xml';
import { main } from '../../bin/cli';
import { LAB_DIR, NATIVE } from '../../lab/native/lab-gateway-config';
import type { NativeLab } from '../../lab/native/native-lab';
import { sipAddress } from '../harness/drachtio-target';
import { runSippUac } from '../harness/sipp';
import type { LabClient } from '../harness/xmpp-client';
import { labRunDir } from '../harness/xmpp-peers';
import { finalStatus } from '../im-e2e/sip-side';
import { startOperationsLab, type OperationsLab } from './operations-lab';

const TOKEN = 'reload-partners-test-token';
let lab: NativeLab;
let romeo: LabClient;
let logFile: string;

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main([...args, '--config', lab.configFile], {
    stdout: { write: (s: string) => { out += s; return true; } },
    stderr: { write: (s: string) => { err += s; return true; } },
    env: {},
  });
  return { code, out, err };
}

/** One SIP MESSAGE from alice@sip.lab to romeo@xmpp.lab; its final status, and whether romeo got it. */
async function sipToRomeo(): Promise<{ status: number | undefined; delivered: boolean }> {
  const before = romeo.received.length;
  const r = await runSippUac(sipAddress(lab.drachtio), { scenario: path.join(LAB_DIR, 'sipp', 'uac-message.xml'), service: 'romeo', timeoutMs: 15_000 });
  const status = finalStatus(r);
  if (status !== 202) return { status, delivered: false };
  await romeo.waitForStanza((e: Element) => e.is('message') && romeo.received.indexOf(e) >= before, 10_000);
  return { status, delivered: true };
}

const xmppLabStreams = () => lab.gateway.edge.streams().filter((s) => s.remote === NATIVE.ejabberd.domain && s.established);
const logLines = (): Array<Record<string, unknown>> =>
  fs.readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((l) => { try { return JSON.parse(l) as Record<string, unknown>; } catch { return {}; } });

async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  for (let i = 0; i < Math.ceil(ms / 50) && !pred(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!pred()) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

let ops: OperationsLab | undefined;

beforeAll(async () => {
  ops = await startOperationsLab('reload-partners', { adminToken: TOKEN });
  ({ lab, romeo, logFile } = ops);
}, 120_000);

afterAll(async () => { await ops?.stop(); }, 60_000);

describe('reload and partner edits on a running gateway (issue #9)', () => {
  it('status shows the live streams to the partner with direction and authentication', async () => {
    expect(await sipToRomeo()).toEqual({ status: 202, delivered: true });
    // And one the other way, so ejabberd has its own stream to us (S2S streams are one-way, RFC 6120 §2.5).
    const next = lab.nextSipMessage(15_000);
    await romeo.sendMessage(`alice@${NATIVE.gateway.domain}`, 'to the SIP side');
    expect((await next).body.toString('utf8')).toBe('to the SIP side');
    await until(() => xmppLabStreams().length === 2, 5000, 'a stream each way');
    const human = await cli('status');
    fs.writeFileSync(path.join(labRunDir(), 'status-sample.txt'), human.out); // for the README's sample
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/^drachtio: connected, 0 SIP request\(s\) outstanding, 0 queued$/m);
    expect(human.out).toMatch(/^ {2}xmpp\.lab\s+inbound\s+dialback\s/m);
    expect(human.out).toMatch(/^ {2}xmpp\.lab\s+outbound\s+dialback\s/m);
    const json = JSON.parse((await cli('status', '--json')).out) as { streams: Array<{ partner: string; direction: string; auth: string }> };
    expect(json.streams.filter((s) => s.partner === 'xmpp.lab').map((s) => `${s.direction} ${s.auth}`).sort()).toEqual(['inbound dialback', 'outbound dialback']);
  }, 60_000);

  it('a reload that leaves the partner allowed keeps its established streams (same streams, same age)', async () => {
    const before = xmppLabStreams().map((s) => `${s.direction} ${s.openedAt}`).sort();
    expect(before).toHaveLength(2);
    const r = await cli('partners', 'set', 'xmpp.lab', '--description', 'edited by the reload test');
    expect(r).toEqual(expect.objectContaining({ code: 0 }));
    expect(r.out).toContain('xmpp.lab changed in');
    expect(r.out).toContain('the running gateway reloaded\n');
    const text = fs.readFileSync(lab.configFile, 'utf8');
    expect(text).toContain('description: edited by the reload test');
    expect(text).toContain('# so authentication falls back to TLS dialback'); // the operator's comments survive
    expect(xmppLabStreams().map((s) => `${s.direction} ${s.openedAt}`).sort()).toEqual(before);
    expect(await sipToRomeo()).toEqual({ status: 202, delivered: true });
  }, 60_000);

  it('an edit Lync\'s matrix calls invalid is refused and the file is left as it was', async () => {
    const before = fs.readFileSync(lab.configFile);
    const r = await cli('partners', 'add', 'new.test', '--tls', 'NotSupported', '--sasl', 'Required', '--no-dialback');
    expect(r.code).toBe(1);
    expect(r.err).toContain('SASL Required needs TLS, and dialback is disabled');
    expect(r.err).toContain('refused, ');
    expect(fs.readFileSync(lab.configFile).equals(before)).toBe(true);
  }, 30_000);

  it('SIGHUP with an invalid file is refused with a log line, and the running configuration stays in force', async () => {
    const good = fs.readFileSync(lab.configFile, 'utf8');
    fs.writeFileSync(lab.configFile, good.replace('gateway:\n', 'gateway:\n  bogusKey: 1\n'));
    try {
      lab.sighup();
      await until(() => logLines().some((l) => l.msg === 'reload refused: the configuration file is invalid; the running configuration stays in force'), 5000, 'the refusal line');
      const refused = logLines().find((l) => l.msg?.toString().startsWith('reload refused'));
      expect(JSON.stringify(refused?.errors)).toContain('bogusKey');
      expect(xmppLabStreams()).toHaveLength(2);
      expect(await sipToRomeo()).toEqual({ status: 202, delivered: true });
    } finally {
      fs.writeFileSync(lab.configFile, good);
    }
  }, 60_000);

  it('tightening the partner (dialback now off) closes its dialback streams with policy-violation', async () => {
    const r = await cli('partners', 'set', 'xmpp.lab', '--no-dialback');
    expect(r.code).toBe(0);
    // Lync's matrix warns about this row (it is allowed): the operator sees why before it bites.
    expect(r.err).toContain('warning: partners[0]: partner xmpp.lab: tls Optional, sasl Optional, dialback false');
    expect(r.out).toMatch(/the running gateway reloaded; 2 stream\(s\) that the new policy forbids were closed \(policy-violation\)/);
    await until(() => xmppLabStreams().length === 0, 5000, 'the streams to close');
    const closing = logLines().filter((l) => l.msg === 'closing a stream the reloaded partner policy no longer allows');
    expect(closing.map((l) => l.why)).toEqual(['dialback is no longer allowed with xmpp.lab', 'dialback is no longer allowed with xmpp.lab']);
  }, 60_000);

  it('removing the partner closes what it has, and SIP users can no longer reach it', async () => {
    expect((await cli('partners', 'set', 'xmpp.lab', '--dialback')).code).toBe(0);
    expect(await sipToRomeo()).toEqual({ status: 202, delivered: true }); // federation is back
    await until(() => xmppLabStreams().length === 2, 10_000, 'both streams back');
    const r = await cli('partners', 'remove', 'xmpp.lab');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/xmpp\.lab removed in .*\nthe running gateway reloaded; 2 stream\(s\)/);
    expect((await cli('partners', 'list')).out).toBe('(no partners)\n');
    expect((await sipToRomeo()).status).toBe(403); // RFC 7247 §7.1: not an allowed partner
  }, 60_000);
});

/**
 * SIPp (Debian sip-tester) drives the double exactly as it drove drachtio-server in the
 * golden traces: uac_message_200.xml, inbound MESSAGE answered 200 by a drachtio-srf app
 * (PROTOCOL-NOTES §4 S1), over UDP (-t u1) and TCP (-t t1).
 */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type Srf from 'drachtio-srf';
import { startDrachtioDouble, type DrachtioDouble } from './index';
import { connectSrf, withTimeout } from './test-support';

const SCENARIO = path.join(__dirname, 'fixtures', 'uac_message_200.xml');

/** A port free for both UDP and TCP on 127.0.0.1 right now. */
async function freePort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const u = dgram.createSocket('udp4');
    const okUdp = await new Promise<boolean>((r) => { u.once('error', () => r(false)); u.bind(port, '127.0.0.1', () => r(true)); });
    await new Promise<void>((r) => { try { u.close(() => r()); } catch { r(); } });
    if (okUdp) return port;
  }
  throw new Error('no free port');
}

function runSipp(args: string[], ms: number): Promise<{ code: number | null; out: string }> {
  return withTimeout(new Promise((resolve) => {
    const p = spawn('sipp', args, { cwd: os.tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    p.stderr.on('data', (b: Buffer) => { out += b.toString(); });
    p.on('close', (code) => resolve({ code, out }));
  }), ms, 'sipp');
}

describe.each([['udp', 'u1'], ['tcp', 't1']])('sipp MESSAGE over %s to the double (S1 with SIPp)', (_proto, mode) => {
  let d: DrachtioDouble;
  let srf: Srf;
  const bodies: string[] = [];
  beforeAll(async () => {
    d = await startDrachtioDouble();
    srf = await connectSrf(d, (s) => (s as unknown as { message(h: (req: { body: string }, res: { send(n: number): void }) => void): void })
      .message((req, res) => { bodies.push(req.body); res.send(200); }));
  });
  afterAll(async () => { srf.disconnect(); await d.stop(); });

  it('completes the uac_message_200 scenario: the app gets the UTF-8 body once and sipp gets 200', async () => {
    const [local, control] = [await freePort(), await freePort()];
    const r = await runSipp([
      `127.0.0.1:${d.sipPort}`, '-sf', SCENARIO, '-s', 'ok200', '-m', '1', '-t', mode, '-i', '127.0.0.1',
      '-p', String(local), '-cp', String(control), '-nostdin', '-timeout', '10', '-timeout_error',
    ], 20000);
    expect({ code: r.code, out: r.code === 0 ? '' : r.out.slice(-2000) }).toEqual({ code: 0, out: '' });
    expect(bodies).toEqual(['héllo ✓ – grüße from sipp\r\n']);
    bodies.length = 0;
  });
});

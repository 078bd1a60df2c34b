/**
 * The double's admin protocol, checked with a raw client so exact frame layouts are visible
 * (PROTOCOL-NOTES §1 framing, §3.1 response frames, quirks Q5/Q10).
 */
import Srf from 'drachtio-srf';
import { encodeFrame } from './framing';
import { startDrachtioDouble, type DrachtioDouble } from './index';
import { RawAdminClient, tokensOf, withTimeout } from './test-support';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('drachtio double admin protocol (PROTOCOL-NOTES §1, §3.1)', () => {
  let d: DrachtioDouble;
  let c: RawAdminClient | undefined;
  beforeEach(async () => { d = await startDrachtioDouble(); });
  afterEach(async () => { c?.close(); c = undefined; await d.stop(); });

  it('answers authenticate with OK, tcp+udp hostports of the SIP side and the server version', async () => {
    c = await RawAdminClient.connect(d);
    c.write('a1|authenticate|cymru|');
    const t = tokensOf(await c.next());
    const hp = `tcp/127.0.0.1:${d.sipPort},udp/127.0.0.1:${d.sipPort}`;
    expect(t.slice(1)).toEqual(['response', 'a1', 'OK', hp, 'v0.9.10-1-g9c2dd4cb6a', hp]);
    expect(t[0]).toMatch(UUID_V4);
  });

  it('answers a wrong secret with NO|incorrect secret and closes the connection (S0 auth failure)', async () => {
    c = await RawAdminClient.connect(d);
    c.write('a1|authenticate|not-the-secret|');
    expect(tokensOf(await c.next()).slice(1)).toEqual(['response', 'a1', 'NO', 'incorrect secret']);
    await c.waitClosed();
  });

  it('makes drachtio-srf emit connect with an error for a wrong secret (Q10)', async () => {
    const srf = new Srf();
    srf.on('error', () => undefined);
    const failed = new Promise<Error | null>((resolve) => srf.on('connect', (err: Error | null) => resolve(err)));
    // maxAttempts 1: srf would otherwise reconnect every ~260 ms forever (Q10).
    srf.connect({ host: d.adminHost, port: d.adminPort, secret: 'wrong', reconnect: { maxAttempts: 1 } } as never);
    const err = await withTimeout(failed, 3000, 'connect error');
    expect(err?.message).toBe('failed to authenticate to server');
  });

  it('accepts route, duplicate route and remove_route with OK and answers ping with OK|pong (Q5)', async () => {
    c = await RawAdminClient.connect(d);
    c.write('a1|authenticate|cymru|');
    await c.next();
    // Q5: srf re-sends every route; two frames in one TCP chunk (S0 #9+#10).
    c.socket.write(Buffer.concat([encodeFrame('r1|route|message'), encodeFrame('r2|route|message'), encodeFrame('r3|remove_route|message')]));
    for (const id of ['r1', 'r2', 'r3']) expect(tokensOf(await c.next()).slice(1)).toEqual(['response', id, 'OK']);
    c.write('p1|ping');
    expect(tokensOf(await c.next()).slice(1)).toEqual(['response', 'p1', 'OK', 'pong']);
  });

  it('reassembles a frame split across chunks byte by byte, counting UTF-8 bytes (§1)', async () => {
    c = await RawAdminClient.connect(d);
    const bytes = encodeFrame('a✓|authenticate|cymru|');
    expect(bytes.toString('latin1').startsWith('24#')).toBe(true); // ✓ is 3 bytes
    for (const b of bytes) c.socket.write(Buffer.from([b]));
    expect(tokensOf(await c.next())[3]).toBe('OK');
  });

  it('gives every server frame a fresh uuid v4 msgId', async () => {
    c = await RawAdminClient.connect(d);
    c.write('a1|authenticate|cymru|');
    c.write('p1|ping');
    c.write('p2|ping');
    const ids = [await c.next(), await c.next(), await c.next()].map((f) => tokensOf(f)[0]);
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(3);
  });

  it('closes the connection on a frame of 100000 bytes or more: drachtio reads at most 5 length digits (§1)', async () => {
    c = await RawAdminClient.connect(d);
    c.write('a1|authenticate|cymru|');
    await c.next();
    c.write(`x1|sip||\r\nMESSAGE sip:a@127.0.0.1 SIP/2.0\r\n\r\n${'x'.repeat(100_000)}`);
    await c.waitClosed();
  });
});

/**
 * Requests the app sends through the double to a raw SIP UAS (PROTOCOL-NOTES §4 S2; Q1, Q4).
 */
import type Srf from 'drachtio-srf';
import { startDrachtioDouble, type DrachtioDouble } from './index';
import { connectSrf, header, RawSipPeer, sleep, withTimeout, type Received } from './test-support';

type Res = { status: number; reason: string; get(h: string): string };
type Req = { on(e: 'response', cb: (res: Res) => void): void; stackTxnId: string; get(h: string): string };
type SrfRequest = {
  request(uri: string, opts: object, cb?: (err: Error | null, req: Req) => void): Promise<Req> | unknown;
};
const BODY = 'héllo ✓ from the gateway app';
const opts = (uri: string): object => ({
  method: 'MESSAGE', headers: { From: '<sip:romeo@xmpp-gw.test>', To: `<${uri}>`, 'Content-Type': 'text/plain;charset=UTF-8' }, body: BODY,
});

function answer(req: Received, status: number, reason: string): string {
  const h = (n: string): string => header(req.text, n) ?? '';
  return [`SIP/2.0 ${status} ${reason}`, `Via: ${h('Via')}`, `From: ${h('From')}`, `To: ${h('To')};tag=uas1`,
    `Call-ID: ${h('Call-ID')}`, `CSeq: ${h('CSeq')}`, 'Content-Length: 0', '', ''].join('\r\n');
}

/** Callback form: the response listener is attached synchronously (safe against Q1). */
function sendCb(srf: Srf, uri: string): Promise<Res> {
  return withTimeout(new Promise<Res>((resolve, reject) => {
    (srf as unknown as SrfRequest).request(uri, opts(uri), (err, req) => {
      if (err) return reject(err);
      req.on('response', (res) => { if (res.status >= 200) resolve(res); });
    });
  }), 10000, 'final response');
}

describe('outbound MESSAGE from the app (PROTOCOL-NOTES §4 S2)', () => {
  let d: DrachtioDouble;
  let srf: Srf;
  afterEach(async () => { srf.disconnect(); await d.stop(); });

  it.each(['udp', 'tcp'] as const)('sends a full request over %s and relays the 200 to the callback form', async (proto) => {
    d = await startDrachtioDouble();
    srf = await connectSrf(d);
    const uas = await RawSipPeer.open(proto);
    try {
      const uri = `sip:uas@127.0.0.1:${uas.port}${proto === 'tcp' ? ';transport=tcp' : ''}`;
      const pending = sendCb(srf, uri);
      const req = await uas.waitFor(() => true);
      const lines = req.text.split('\r\n');
      expect(lines[0]).toBe(`MESSAGE ${uri} SIP/2.0`);
      const via = proto === 'udp' ? `SIP/2.0/UDP 127.0.0.1:${d.sipPort};rport;branch=z9hG4bK` : `SIP/2.0/TCP 127.0.0.1:${d.sipPort};branch=z9hG4bK`;
      expect(header(req.text, 'Via')?.startsWith(via)).toBe(true);
      expect(header(req.text, 'Max-Forwards')).toBe('70');
      expect(header(req.text, 'From')).toMatch(/^<sip:romeo@xmpp-gw\.test>;tag=[A-Za-z0-9]{13}$/);
      expect(header(req.text, 'CSeq')).toMatch(/^\d+ MESSAGE$/);
      expect(header(req.text, 'Content-Length')).toBe(String(Buffer.byteLength(BODY))); // Q4: 31, not 28
      expect(req.text.endsWith(`\r\n\r\n${BODY}`)).toBe(true);
      expect(lines.slice(1, 8).map((l) => l.split(':')[0])).toEqual(['Via', 'Max-Forwards', 'From', 'To', 'Call-ID', 'CSeq', 'Content-Type']);
      await uas.send(answer(req, 200, 'OK'), req.from.port);
      const res = await pending;
      expect(res.status).toBe(200);
    } finally { await uas.close(); }
  });

  it('retransmits over UDP after 1 s and 2 s and reports a local 408 with a To-tag after Timer F (S2 noanswer)', async () => {
    d = await startDrachtioDouble({ timerFMs: 3500 });
    srf = await connectSrf(d);
    const uas = await RawSipPeer.open('udp');
    try {
      const res = await sendCb(srf, `sip:uas@127.0.0.1:${uas.port}`);
      expect(res.status).toBe(408);
      expect(res.reason).toBe('Request Timeout');
      expect(res.get('To')).toMatch(/;tag=[A-Za-z0-9]{13}$/);
      expect(uas.received.length).toBe(3); // sent at 0 s, 1 s, 3 s
    } finally { await uas.close(); }
  });
});

describe('echo and final response in one TCP write (quirk Q1)', () => {
  let d: DrachtioDouble;
  let srf: Srf;
  let uas: RawSipPeer;
  beforeEach(async () => {
    d = await startDrachtioDouble({ coalesceWindowMs: 200 });
    srf = await connectSrf(d);
    uas = await RawSipPeer.open('udp');
  });
  afterEach(async () => { srf.disconnect(); await uas.close(); await d.stop(); });

  const answerNext = async (): Promise<void> => {
    const req = await uas.waitFor(() => true);
    await uas.send(answer(req, 200, 'OK'), req.from.port);
  };

  it('makes `await srf.request()` then req.on(response) miss the 200 (s2_…_promise_lost)', async () => {
    const uri = `sip:uas@127.0.0.1:${uas.port}`;
    const seen: number[] = [];
    const sent = (srf as unknown as SrfRequest).request(uri, opts(uri)) as Promise<Req>;
    // Attach as early as the promise form allows: one microtask after the echo is handled.
    const attached = sent.then((req) => req.on('response', (res) => seen.push(res.status)));
    await answerNext();
    await withTimeout(attached, 3000, 'request echo');
    await sleep(500);
    expect(seen).toEqual([]);
  });

  it('lets the callback form see the same coalesced 200', async () => {
    const pending = sendCb(srf, `sip:uas@127.0.0.1:${uas.port}`);
    await answerNext();
    expect((await pending).status).toBe(200);
  });
});

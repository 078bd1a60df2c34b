/**
 * Requests from the network to a drachtio-srf app through the double
 * (PROTOCOL-NOTES §4 S1, S5; quirks Q4, Q11, Q12).
 */
import type Srf from 'drachtio-srf';
import { startDrachtioDouble, type DrachtioDouble } from './index';
import { connectSrf, header, RawAdminClient, RawSipPeer, sipOf, sleep, statusOf, tokensOf } from './test-support';

const BODY = 'héllo ✓ – grüße from sipp\r\n';

function message(peer: RawSipPeer, user: string, branch: string, callId: string): string {
  const t = peer.proto.toUpperCase();
  return [
    `MESSAGE sip:${user}@127.0.0.1 SIP/2.0`,
    `Via: SIP/2.0/${t} 127.0.0.1:${peer.port};branch=${branch}`,
    `From: "Raw Peer" <sip:peer@127.0.0.1:${peer.port}>;tag=ptag1`,
    `To: <sip:${user}@127.0.0.1>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 MESSAGE',
    'Max-Forwards: 70',
    'Content-Type: text/plain;charset=UTF-8',
    `Content-Length:    ${Buffer.byteLength(BODY)}`,
    '',
    BODY,
  ].join('\r\n');
}

type SrfReq = { body: string; get(h: string): string; stackTxnId: string; receivedOn?: string; protocol: string };
type SrfRes = { send(status: number, reason?: string | object, opts?: object): void };

describe.each(['udp', 'tcp'] as const)('inbound MESSAGE over %s answered by the app (PROTOCOL-NOTES §4 S1)', (proto) => {
  let d: DrachtioDouble;
  let srf: Srf;
  let peer: RawSipPeer;
  const seen: SrfReq[] = [];
  beforeAll(async () => {
    d = await startDrachtioDouble();
    srf = await connectSrf(d, (s) => {
      (s as unknown as { message(h: (req: SrfReq, res: SrfRes) => void): void }).message((req, res) => {
        seen.push(req);
        const user = /sip:([^@]+)@/.exec(req.get('To'))?.[1];
        if (user === 'acc202') res.send(202, { headers: { 'X-Gateway': 'sip-xmpp-test' } });
        else if (user === 'nf404') res.send(404, 'No Such XMPP User');
        else res.send(200);
      });
    });
    peer = await RawSipPeer.open(proto);
  });
  afterAll(async () => { srf.disconnect(); await peer.close(); await d.stop(); });

  it.each([
    ['ok200', 200, 'OK'],
    ['acc202', 202, 'Accepted'],
    ['nf404', 404, 'No Such XMPP User'],
  ])('answers %s with %i %s and a To-tag, keeping the custom reason and extra headers', async (user, status, reason) => {
    await peer.send(message(peer, user, `z9hG4bK-${user}`, `${user}-${proto}@peer`), d.sipPort);
    const res = await peer.waitFor((r) => header(r.text, 'Call-ID') === `${user}-${proto}@peer`);
    expect(res.text.split('\r\n')[0]).toBe(`SIP/2.0 ${status} ${reason}`);
    expect(header(res.text, 'To')).toMatch(new RegExp(`^<sip:${user}@127\\.0\\.0\\.1>;tag=[A-Za-z0-9]{13}$`));
    // rport is the source port of the request (RFC 3581 §4); a raw TCP client connects from
    // an ephemeral port, so only UDP can predict it.
    const rport = proto === 'udp' ? String(peer.port) : '\\d+';
    expect(header(res.text, 'Via')).toMatch(new RegExp(`^SIP/2\\.0/${proto.toUpperCase()} 127\\.0\\.0\\.1:${peer.port};branch=z9hG4bK-${user};rport=${rport}$`));
    expect(header(res.text, 'Content-Length')).toBe('0');
    if (user === 'acc202') expect(header(res.text, 'X-Gateway')).toBe('sip-xmpp-test');
    const req = seen.find((r) => r.get('Call-ID') === `${user}-${proto}@peer`);
    expect(req?.body).toBe(BODY);
    expect(req?.protocol).toBe(proto);
    expect(req?.receivedOn).toBe(`127.0.0.1:${d.sipPort}`);
  });
});

describe('inbound request frames seen by a raw admin client (PROTOCOL-NOTES §3.2, Q11, Q12)', () => {
  let d: DrachtioDouble;
  let app: RawAdminClient;
  let peer: RawSipPeer;
  beforeEach(async () => {
    d = await startDrachtioDouble();
    app = await RawAdminClient.connect(d);
    app.write('a1|authenticate|cymru|');
    app.write('r1|route|message');
    await app.next();
    await app.next();
    peer = await RawSipPeer.open('udp');
  });
  afterEach(async () => { app.close(); await peer.close(); await d.stop(); });

  it('sends the 13-token sip|network frame with the wire size and the re-encoded text (+;rport)', async () => {
    const wire = message(peer, 'ok200', 'z9hG4bK-f1', 'f1@peer');
    await peer.send(wire, d.sipPort);
    const f = await app.next();
    const t = tokensOf(f);
    expect(t.slice(1, 7)).toEqual(['sip', 'network', String(Buffer.byteLength(wire)), 'udp', '127.0.0.1', String(peer.port)]);
    expect(t[7]).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{6}$/);
    expect(t.slice(9)).toEqual(['', '127.0.0.1', String(d.sipPort), '']);
    expect(Buffer.byteLength(sipOf(f))).toBe(Buffer.byteLength(wire) + `;rport=${peer.port}`.length);
    // Q4: the app's Content-Length (string length) is ignored; the real byte count is sent.
    app.write(`x1|sip|${t[8]}|\r\nSIP/2.0 200 OK\r\nCall-ID: f1@peer\r\ncseq: 1 MESSAGE\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nnö✓`);
    const echo = tokensOf(await app.next());
    expect(echo.length).toBe(15);
    expect(echo.slice(1, 5)).toEqual(['response', 'x1', 'OK', 'application']);
    expect(echo.slice(6, 9)).toEqual(['', '127.0.0.1', String(peer.port)]);
    expect(echo.slice(10)).toEqual([t[8], '', '', 'Msg sent:', '']);
    const res = await peer.waitFor((r) => statusOf(r.text) === 200);
    expect(header(res.text, 'Content-Length')).toBe(String(Buffer.byteLength('nö✓')));
    expect(Number(echo[5])).toBe(Buffer.byteLength(res.text));
  });

  it('absorbs a retransmission before the answer and repeats the final response after it (Q11)', async () => {
    const wire = message(peer, 'slow', 'z9hG4bK-rt', 'rt@peer');
    await peer.send(wire, d.sipPort);
    const txn = tokensOf(await app.next())[8];
    await peer.send(wire, d.sipPort);
    await sleep(200);
    expect(app.frames).toHaveLength(0);
    app.write(`x1|sip|${txn}|\r\nSIP/2.0 200 OK\r\nCall-ID: rt@peer\r\ncseq: 1 MESSAGE\r\nContent-Length: 0\r\n\r\n`);
    await app.next();
    const first = await peer.waitFor((r) => statusOf(r.text) === 200);
    await peer.send(wire, d.sipPort);
    const again = await peer.waitFor((r) => statusOf(r.text) === 200);
    expect(again.text).toBe(first.text);
    await sleep(100);
    expect(app.frames).toHaveLength(0);
  });

  it.each(['OPTIONS', 'INFO'])('answers an unrouted %s with 503 and a To-tag and sends nothing to the app (Q12)', async (method) => {
    await peer.send([
      `${method} sip:gateway@127.0.0.1 SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-${method}`,
      `From: <sip:peer@127.0.0.1>;tag=p1`, 'To: <sip:gateway@127.0.0.1>', `Call-ID: ${method}@peer`, `CSeq: 1 ${method}`,
      'Max-Forwards: 70', 'Content-Length: 0', '', '',
    ].join('\r\n'), d.sipPort);
    const res = await peer.waitFor(() => true);
    expect(res.text.split('\r\n')[0]).toBe('SIP/2.0 503 Service Unavailable');
    expect(header(res.text, 'To')).toMatch(/;tag=[A-Za-z0-9]{13}$/);
    await sleep(200);
    expect(app.frames).toHaveLength(0);
  });

  it('answers 503 at once when the app it passed a MESSAGE to disconnects without answering, and repeats it to a retransmission (issue #11; see answerRequestsOfGoneApp)', async () => {
    const wire = message(peer, 'gone', 'z9hG4bK-gone', 'gone@peer');
    await peer.send(wire, d.sipPort);
    await app.next(); // the sip|network frame: the app has it
    app.close();
    const res = await peer.waitFor((r) => header(r.text, 'Call-ID') === 'gone@peer', 2000);
    expect(res.text.split('\r\n')[0]).toBe('SIP/2.0 503 Service Unavailable');
    expect(header(res.text, 'To')).toMatch(/;tag=[A-Za-z0-9]{13}$/);
    expect(d.hooks.counters().answeredForGoneApp).toBe(1);
    await peer.send(wire, d.sipPort);
    const again = await peer.waitFor((r) => header(r.text, 'Call-ID') === 'gone@peer', 2000);
    expect(again.text).toBe(res.text);
  });

  it('refuses an answer to an unknown transaction with NOK (S4 #20 wording)', async () => {
    app.write('x9|sip|no-such-txn|\r\nSIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n');
    expect(tokensOf(await app.next()).slice(1)).toEqual(['response', 'x9', 'NOK', 'Response not sent due to unknown transaction']);
  });
});

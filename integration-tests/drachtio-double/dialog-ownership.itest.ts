/**
 * Stack-level SUBSCRIBE dialogs in the double, as the gateway uses them (issue #8):
 * dialogs belong to the server, not to the app connection that made them
 * (PROTOCOL-NOTES §3.3; our reading of drachtio-server for the ownership hand-over, see
 * dialogs.ts), and the exact echo layouts of a 2xx to SUBSCRIBE and of an in-dialog
 * NOTIFY (§3.1, S3 #7/#9/#10).
 */
import { startDrachtioDouble, type DrachtioDouble } from './index';
import { header, RawAdminClient, RawSipPeer, sipOf, sleep, statusOf, tokensOf, type Received } from './test-support';

const lines = (...l: string[]): string => [...l, '', ''].join('\r\n');
const h = (r: Received, n: string): string => header(r.text, n) ?? '';

async function app(d: DrachtioDouble, ...routes: string[]): Promise<RawAdminClient> {
  const a = await RawAdminClient.connect(d);
  a.write('a1|authenticate|cymru|');
  for (const r of routes) a.write(`r-${r}|route|${r}`);
  for (let i = 0; i <= routes.length; i++) await a.next();
  return a;
}

/** A frame matching `pred` (others are kept for later). */
async function frame(a: RawAdminClient, pred: (t: string[]) => boolean, what: string): Promise<string> {
  for (let i = 0; i < 20; i++) {
    const hit = a.frames.findIndex((f) => pred(tokensOf(f)));
    if (hit !== -1) return a.frames.splice(hit, 1)[0] as string;
    a.frames.push(await a.next(3000, what));
  }
  throw new Error(`no ${what}`);
}

describe('SUBSCRIBE dialogs outlive the app connection that made them (issue #8 restart / second node)', () => {
  let d: DrachtioDouble;
  let watcher: RawSipPeer;
  const conns: RawAdminClient[] = [];
  afterEach(async () => { for (const c of conns.splice(0)) c.close(); await watcher.close(); await d.stop(); });

  const sub = (cseq: number, toTag: string, expires: number): string => lines(
    `SUBSCRIBE sip:alice@127.0.0.1:${d.sipPort} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${watcher.port};branch=z9hG4bK-o${cseq}`,
    'From: <sip:juliet@127.0.0.1>;tag=jtag', `To: <sip:alice@127.0.0.1:${d.sipPort}>${toTag}`, 'Call-ID: own1@watcher',
    `CSeq: ${cseq} SUBSCRIBE`, `Contact: <sip:juliet@127.0.0.1:${watcher.port}>`, 'Max-Forwards: 70', 'Event: presence', `Expires: ${expires}`, 'Content-Length: 0');
  const ok = (r: Received): string => lines('SIP/2.0 200 OK', `Via: ${h(r, 'Via')}`, `From: ${h(r, 'From')}`, `To: ${h(r, 'To')}`, `Call-ID: ${h(r, 'Call-ID')}`, `CSeq: ${h(r, 'CSeq')}`, 'Content-Length: 0');
  const notifyFrame = (id: string, dialogId: string, state: string, body = ''): string =>
    `${id}|sip||${dialogId}\r\nNOTIFY sip:placeholder SIP/2.0\r\nEvent: presence\r\nSubscription-State: ${state}\r\n` +
    `${body ? 'Content-Type: application/pidf+xml\r\n' : ''}Content-Length: ${body.length}\r\n\r\n${body}`;

  it('answers 202 with the dialog id at echo token 11 and carries the NOTIFY as a 13-token request echo (S3 #7, #9, #10)', async () => {
    d = await startDrachtioDouble();
    watcher = await RawSipPeer.open('udp');
    const a = await app(d, 'subscribe');
    conns.push(a);
    await watcher.send(sub(1, '', 600), d.sipPort);
    const req = tokensOf(await frame(a, (t) => t[1] === 'sip', 'SUBSCRIBE frame'));
    expect(req.length).toBe(13);
    expect(req[9]).toBe('');
    a.write(`x1|sip|${req[8]}|\r\nSIP/2.0 202 Accepted\r\nCall-ID: own1@watcher\r\ncseq: 1 SUBSCRIBE\r\nexpires: 600\r\nContent-Length: 0\r\n\r\n`);
    const echo = tokensOf(await frame(a, (t) => t[2] === 'x1', '202 echo'));
    expect(echo.length).toBe(15);
    expect(echo.slice(3, 5)).toEqual(['OK', 'application']);
    expect(echo[6]).toBe('');
    expect(echo.slice(10)).toEqual([req[8], 'own1@watcher;from-tag=jtag', '', 'Msg sent:', '']);
    const accepted = await watcher.waitFor((r) => statusOf(r.text) === 202);
    expect(h(accepted, 'Contact')).toBe(`<sip:127.0.0.1:${d.sipPort}>`);

    const pidf = '<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="pres:alice@127.0.0.1"/>';
    a.write(notifyFrame('n1', 'own1@watcher;from-tag=jtag', 'active;expires=600', pidf));
    const nEchoFrame = await frame(a, (t) => t[2] === 'n1', 'NOTIFY echo');
    const nEcho = tokensOf(nEchoFrame);
    expect(nEcho.length).toBe(13);
    expect(nEcho.slice(3, 7)).toEqual(['OK', 'application', String(Buffer.byteLength(sipOf(nEchoFrame))), 'udp']);
    expect(nEcho.slice(11)).toEqual(['Msg sent:', '']);
    const n = await watcher.waitFor((r) => r.text.startsWith('NOTIFY'));
    expect(n.text.split('\r\n')[0]).toBe(`NOTIFY sip:juliet@127.0.0.1:${watcher.port} SIP/2.0`);
    expect(h(n, 'CSeq')).toBe('2 NOTIFY');
    expect(n.text.endsWith(pidf)).toBe(true);
    await watcher.send(ok(n), n.from.port);
    const res = tokensOf(await frame(a, (t) => t[1] === 'sip' && t[8] === nEcho[10], '200 to NOTIFY'));
    expect(res.length).toBe(11);
    expect(res.slice(9)).toEqual(['own1@watcher;from-tag=jtag', '']);
  });

  it('lets a NEW admin connection NOTIFY in a dialog an earlier, now closed, connection accepted; refreshes then go to it', async () => {
    d = await startDrachtioDouble();
    watcher = await RawSipPeer.open('udp');
    const first = await app(d, 'subscribe');
    await watcher.send(sub(1, '', 600), d.sipPort);
    const req = tokensOf(await frame(first, (t) => t[1] === 'sip', 'SUBSCRIBE frame'));
    first.write(`x1|sip|${req[8]}|\r\nSIP/2.0 202 Accepted\r\nCall-ID: own1@watcher\r\ncseq: 1 SUBSCRIBE\r\nContent-Length: 0\r\n\r\n`);
    await frame(first, (t) => t[2] === 'x1', '202 echo');
    const localTag = /;tag=([^;]+)$/.exec(h(await watcher.waitFor((r) => statusOf(r.text) === 202), 'To'))?.[1] ?? '';
    first.close(); // the gateway stops (or dies) with the subscription live
    await first.waitClosed();

    const second = await app(d, 'subscribe', 'notify');
    conns.push(second);
    second.write(notifyFrame('n2', 'own1@watcher;from-tag=jtag', 'active;expires=500'));
    const echo = tokensOf(await frame(second, (t) => t[2] === 'n2', 'NOTIFY echo'));
    expect(echo[3]).toBe('OK');
    const n = await watcher.waitFor((r) => r.text.startsWith('NOTIFY'));
    expect(h(n, 'CSeq')).toBe('2 NOTIFY');
    expect(h(n, 'From')).toBe(`<sip:alice@127.0.0.1:${d.sipPort}>;tag=${localTag}`);
    await watcher.send(ok(n), n.from.port);
    expect(tokensOf(await frame(second, (t) => t[1] === 'sip' && t[8] === echo[10], '200 to NOTIFY'))[9]).toBe('own1@watcher;from-tag=jtag');

    // The watcher's refresh: its owner is gone, so it goes to the connected app routing SUBSCRIBE.
    await watcher.send(sub(2, `;tag=${localTag}`, 600), d.sipPort);
    const refresh = tokensOf(await frame(second, (t) => t[1] === 'sip' && t[2] === 'network', 'refresh SUBSCRIBE'));
    expect(refresh.length).toBe(11); // in a dialog: no receivedOn (Q8)
    expect(refresh[9]).toBe('own1@watcher;from-tag=jtag');
  });

  it('answers an in-dialog request 503 when no connected app routes its method and the owner is gone (Q12)', async () => {
    d = await startDrachtioDouble();
    watcher = await RawSipPeer.open('udp');
    const first = await app(d, 'subscribe');
    await watcher.send(sub(1, '', 600), d.sipPort);
    const req = tokensOf(await frame(first, (t) => t[1] === 'sip', 'SUBSCRIBE frame'));
    first.write(`x1|sip|${req[8]}|\r\nSIP/2.0 202 Accepted\r\nCall-ID: own1@watcher\r\ncseq: 1 SUBSCRIBE\r\nContent-Length: 0\r\n\r\n`);
    await frame(first, (t) => t[2] === 'x1', '202 echo');
    const localTag = /;tag=([^;]+)$/.exec(h(await watcher.waitFor((r) => statusOf(r.text) === 202), 'To'))?.[1] ?? '';
    first.close();
    await first.waitClosed();
    const other = await app(d, 'message');
    conns.push(other);
    await watcher.send(sub(2, `;tag=${localTag}`, 600), d.sipPort);
    expect((await watcher.waitFor((r) => statusOf(r.text) !== 0)).text.split('\r\n')[0]).toBe('SIP/2.0 503 Service Unavailable');
    await sleep(100);
    expect(other.frames).toHaveLength(0);
  });

  it('NOKs a request in a dialog it does not know with srf\'s ENODIALOG wording', async () => {
    d = await startDrachtioDouble();
    watcher = await RawSipPeer.open('udp');
    const a = await app(d);
    conns.push(a);
    a.write(notifyFrame('n3', 'nope;from-tag=x', 'active'));
    expect(tokensOf(await a.next()).slice(1, 4)).toEqual(['response', 'n3', 'NOK']);
  });
});

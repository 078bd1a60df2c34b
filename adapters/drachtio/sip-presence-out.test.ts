import type Srf from 'drachtio-srf';
import { MemoryLog } from '../../plugin/use-cases/__tests__/fakes';
import type { OutgoingSipRequest, SipFinalResponse } from './send-request';
import { createSipPresenceOut } from './sip-presence-out';
import { dialogIdOfSent, fromTagOf } from './stack-dialog-id';

const srf = {} as Srf;
const final = (status: number, reason: string, h: Record<string, string> = {}): SipFinalResponse => ({
  status, reason, get: (n) => Object.entries(h).find(([k]) => k.toLowerCase() === n.toLowerCase())?.[1],
});
/** A send seam that echoes like drachtio (S4 #4: Call-ID and From tag added) and answers `res`. */
function echoing(res: SipFinalResponse | Error, echo: Record<string, string> = { 'Call-ID': 'c-1', From: '<sip:romeo@xmpp.test>;tag=ourtag' }) {
  const sent: OutgoingSipRequest[] = [];
  const order: string[] = [];
  const send = (r: OutgoingSipRequest): Promise<SipFinalResponse> => {
    sent.push(r);
    if (res instanceof Error) return Promise.reject(res);
    r.onSent?.({ get: (h) => echo[h] });
    order.push('echo');
    return Promise.resolve(res);
  };
  return { sent, order, send };
}

describe('dialog ids from the echo (PROTOCOL-NOTES §3.3)', () => {
  it.each([
    ['<sip:romeo@xmpp.test>;tag=abc', 'abc'],
    ['"Romeo" <sip:romeo@xmpp.test;tag=notme>;tag=abc;x=1', 'abc'],
    ['sip:romeo@xmpp.test;tag=abc', 'abc'],
    ['<sip:romeo@xmpp.test;tag=uri-param>', undefined],
    [undefined, undefined],
  ])('From %j has the tag %j (RFC 3261 §19.3: a header parameter, not a URI one)', (from, tag) => {
    expect(fromTagOf(from)).toBe(tag);
  });

  it('is <Call-ID>;from-tag=<our tag>, or nothing when either is missing', () => {
    expect(dialogIdOfSent({ get: (h) => ({ 'Call-ID': 'x@y', From: '<sip:a@b>;tag=t1' })[h] })).toBe('x@y;from-tag=t1');
    expect(dialogIdOfSent({ get: (h) => ({ From: '<sip:a@b>;tag=t1' } as Record<string, string>)[h] })).toBeUndefined();
  });
});

describe('SipPresenceOut over drachtio (RFC 6665 §4.1.2, RFC 3856)', () => {
  it('sends a new SUBSCRIBE through the proxy and names the dialog from the echo before the response settles', async () => {
    const log = new MemoryLog();
    const seam = echoing(final(200, 'OK', { Expires: '1800' }));
    const out = createSipPresenceOut(srf, log, { proxy: 'sip:proxy.test', send: seam.send });
    const ids: string[] = [];
    const r = await out.subscribe({ uri: 'sip:bob@sip.test', from: 'sip:romeo@xmpp.test', contact: 'sip:romeo@gw.test;gr=x', expires: 3600 }, (id) => { ids.push(id); seam.order.push('onDialog'); });
    expect(seam.order).toEqual(['onDialog', 'echo']);
    expect(ids).toEqual(['c-1;from-tag=ourtag']);
    expect(r).toEqual({ status: 200, reason: 'OK', expires: 1800 });
    expect(seam.sent[0]).toMatchObject({
      method: 'SUBSCRIBE', uri: 'sip:bob@sip.test', proxy: 'sip:proxy.test',
      headers: { From: '<sip:romeo@xmpp.test>', To: '<sip:bob@sip.test>', Event: 'presence', Accept: 'application/pidf+xml', Expires: '3600', Contact: '<sip:romeo@gw.test;gr=x>' },
    });
    expect(seam.sent[0]?.stackDialogId).toBeUndefined();
  });

  it('refreshes inside the dialog with only Event, Accept and Expires (drachtio fills the rest, PROTOCOL-NOTES §2)', async () => {
    const seam = echoing(final(423, 'Interval Too Brief', { 'Min-Expires': '7200', 'Retry-After': '30 (busy)' }));
    const out = createSipPresenceOut(srf, new MemoryLog(), { proxy: 'sip:proxy.test', send: seam.send });
    const ids: string[] = [];
    const r = await out.subscribe({ dialogId: 'd-1', uri: 'sip:bob@sip.test', from: 'sip:romeo@xmpp.test', expires: 60 }, (id) => ids.push(id));
    expect(r).toEqual({ status: 423, reason: 'Interval Too Brief', minExpires: 7200, retryAfter: 30 });
    expect(ids).toEqual(['d-1']);
    expect(seam.sent[0]).toEqual(expect.objectContaining({ method: 'SUBSCRIBE', uri: '', stackDialogId: 'd-1', headers: { Event: 'presence', Accept: 'application/pidf+xml', Expires: '60' } }));
    expect(seam.sent[0]?.proxy).toBeUndefined();
  });

  it('sends NOTIFY in the watcher dialog with Event and Subscription-State (RFC 6665 §4.2.2)', async () => {
    const seam = echoing(final(200, 'OK'));
    const out = createSipPresenceOut(srf, new MemoryLog(), { proxy: 'sip:p', send: seam.send });
    expect(await out.notify({ dialogId: 'w-1', subscriptionState: 'active;expires=3599', body: '<presence/>', contentType: 'application/pidf+xml', contentLanguage: 'fr' })).toEqual({ status: 200, reason: 'OK' });
    expect(seam.sent[0]).toEqual(expect.objectContaining({
      method: 'NOTIFY', uri: '', stackDialogId: 'w-1', body: '<presence/>',
      headers: { Event: 'presence', 'Subscription-State': 'active;expires=3599', 'Content-Type': 'application/pidf+xml', 'Content-Language': 'fr' },
    }));
  });

  it.each([
    ['a dialog drachtio no longer knows', Object.assign(new Error('unable to find dialog for dialog id: w-1'), { code: 'ENODIALOG' }), 481],
    ['any other refusal', Object.assign(new Error('provided socket has been destroyed'), { code: 'ESOCKETDESTROYED' }), 503],
  ])('never rejects: %s gives %i', async (_what, err, status) => {
    const log = new MemoryLog();
    const out = createSipPresenceOut(srf, log, { proxy: 'sip:p', send: echoing(err).send });
    expect((await out.notify({ dialogId: 'w-1', subscriptionState: 'terminated' })).status).toBe(status);
    expect((await out.subscribe({ dialogId: 'w-1', uri: 'sip:b@s', from: 'sip:r@x', expires: 0 }, () => undefined)).status).toBe(status);
    expect(log.lines.length).toBe(2);
  });

  it('a new SUBSCRIBE refused by drachtio is 503, not 481 (no dialog was named)', async () => {
    const out = createSipPresenceOut(srf, new MemoryLog(), { proxy: 'sip:p', send: echoing(new Error('unable to find dialog')).send });
    expect((await out.subscribe({ uri: 'sip:b@s', from: 'sip:r@x', expires: 60 }, () => undefined)).status).toBe(503);
  });

  it('answers 408 when no final response comes in time (drachtio link lost mid-transaction)', async () => {
    const out = createSipPresenceOut(srf, new MemoryLog(), { proxy: 'sip:p', finalResponseTimeoutMs: 20, send: () => new Promise(() => undefined) });
    expect(await out.notify({ dialogId: 'w-1', subscriptionState: 'active' })).toEqual({ status: 408, reason: 'Request Timeout' });
  });

  it('an onDialog that throws is logged, never thrown into srf\'s socket reader', async () => {
    const log = new MemoryLog();
    const out = createSipPresenceOut(srf, log, { proxy: 'sip:p', send: echoing(final(200, 'OK')).send });
    const r = await out.subscribe({ uri: 'sip:b@s', from: 'sip:r@x', expires: 60 }, () => { throw new Error('bug'); });
    expect(r.status).toBe(200);
    expect(log.lines).toEqual([expect.objectContaining({ level: 'error', msg: 'presence onDialog handler threw' })]);
  });
});

import { MemoryLog } from '../use-cases/__tests__/fakes';
import type { InboundSipNotify, InboundSipSubscribe, SubscribeAnswer } from '../use-cases/presence-ports';
import type { SipAnswer } from '../use-cases/sip-request';
import type { SrfPresenceRequest } from './inbound-sip-presence';
import { notifyRoute } from './notify-route';
import { subscribeRoute, type SrfPresenceResponse } from './subscribe-route';

function request(headers: Record<string, string>, extra: Partial<SrfPresenceRequest> = {}): SrfPresenceRequest {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { uri: 'sip:romeo@xmpp.example', source_address: '10.0.0.1', source_port: '5060', protocol: 'udp', get: (h) => lower[h.toLowerCase()], ...extra };
}
/** Records res.send; `echo` is what drachtio's echo does to the callback (dialog id or NOK). */
function response(echo: { dialogId?: string; nok?: string } = {}) {
  const sent: unknown[][] = [];
  const res: SrfPresenceResponse & { stackDialogId?: string } = {
    send(status, reason, opts, cb) {
      sent.push([status, reason, opts]);
      if (echo.dialogId !== undefined) res.stackDialogId = echo.dialogId;
      cb?.(echo.nok ?? null);
    },
  };
  return { res, sent };
}
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('srf SUBSCRIBE middleware (RFC 6665 §4.2.1)', () => {
  it('copies a new or in-dialog SUBSCRIBE into the use-case data without deciding anything', async () => {
    const got: InboundSipSubscribe[] = [];
    const route = subscribeRoute({ onSubscribe: async (s) => { got.push(s); return { status: 489, reason: 'Bad Event' }; } }, new MemoryLog());
    const h = { From: '<sip:alice@sip.example>;tag=1', To: '<sip:romeo@xmpp.example>', 'Call-ID': 'c1', 'Max-Forwards': '69', Event: 'presence', Expires: '600', Accept: 'application/pidf+xml', Contact: '<sip:alice@10.0.0.1>' };
    route(request(h, { stackDialogId: '' }), response().res);
    route(request(h, { stackDialogId: 'c1;from-tag=1' }), response().res);
    await tick();
    expect(got[0]).toEqual({
      source: { address: '10.0.0.1', port: 5060, protocol: 'udp' }, maxForwards: '69', requestUri: 'sip:romeo@xmpp.example',
      from: h.From, to: h.To, contact: h.Contact, callId: 'c1', event: 'presence', expires: '600', accept: 'application/pidf+xml',
    });
    expect(got[1]?.dialogId).toBe('c1;from-tag=1');
  });

  it('after a 2xx is on the wire, gives accepted() the dialog id from drachtio\'s echo (PROTOCOL-NOTES §3.3, S3 #7)', async () => {
    const ids: string[] = [];
    const answer: SubscribeAnswer = { status: 202, reason: 'Accepted', headers: { Expires: '600' }, accepted: async (id) => { ids.push(id); } };
    const route = subscribeRoute({ onSubscribe: async () => answer }, new MemoryLog());
    const { res, sent } = response({ dialogId: 'c1;from-tag=1' });
    route(request({ 'Call-ID': 'c1' }), res);
    await tick();
    expect(sent).toEqual([[202, 'Accepted', { headers: { Expires: '600' } }]]);
    expect(ids).toEqual(['c1;from-tag=1']);
  });

  it('does not call accepted() when drachtio refuses the 2xx, and logs it', async () => {
    const log = new MemoryLog();
    const accepted = jest.fn(async () => undefined);
    const route = subscribeRoute({ onSubscribe: async () => ({ status: 200, reason: 'OK', accepted }) }, log);
    route(request({ 'Call-ID': 'c1' }), response({ nok: 'Response not sent due to unknown transaction' }).res);
    await tick();
    expect(accepted).not.toHaveBeenCalled();
    expect(log.lines).toEqual([expect.objectContaining({ level: 'warn', msg: 'drachtio refused our 2xx to SUBSCRIBE' })]);
  });

  it('answers 500 and logs when the use-case rejects, so no SUBSCRIBE times out silently', async () => {
    const log = new MemoryLog();
    const route = subscribeRoute({ onSubscribe: async () => { throw new Error('bug'); } }, log);
    const { res, sent } = response();
    route(request({ 'Call-ID': 'c9' }), res);
    await tick();
    expect(sent).toEqual([[500, 'Server Internal Error', {}]]);
    expect(log.lines).toEqual([expect.objectContaining({ level: 'error', msg: 'SUBSCRIBE handler failed' })]);
  });
});

describe('srf NOTIFY middleware (RFC 6665 §4.1.3)', () => {
  it('hands over every NOTIFY, with drachtio\'s dialog id when it has one, and answers what the use-case says', async () => {
    const got: InboundSipNotify[] = [];
    const route = notifyRoute({ onNotify: async (n): Promise<SipAnswer> => { got.push(n); return { status: 481, reason: 'Subscription Does Not Exist' }; } }, new MemoryLog());
    const { res, sent } = response();
    const h = { From: '<sip:bob@sip>;tag=b', To: '<sip:romeo@xmpp>;tag=r', 'Call-ID': 'c2', Event: 'presence', 'Subscription-State': 'active;expires=60', 'Content-Type': 'application/pidf+xml', 'Content-Language': 'de' };
    route(request(h, { stackDialogId: 'c2;from-tag=r', body: '<presence/>' }), res);
    await tick();
    expect(got).toEqual([{ dialogId: 'c2;from-tag=r', callId: 'c2', from: h.From, to: h.To, event: 'presence', subscriptionState: 'active;expires=60', contentType: 'application/pidf+xml', contentLanguage: 'de', body: '<presence/>' }]);
    expect(sent).toEqual([[481, 'Subscription Does Not Exist', {}]]);
  });

  it('takes drachtio\'s NOK to our 200 for a terminating NOTIFY (quirk Q6) as a debug line, not an error', async () => {
    const log = new MemoryLog();
    const route = notifyRoute({ onNotify: async () => ({ status: 200, reason: 'OK' }) }, log);
    expect(() => route(request({ 'Subscription-State': 'terminated;reason=timeout' }, { stackDialogId: 'd' }), response({ nok: 'Response not sent due to unknown transaction' }).res)).not.toThrow();
    await tick();
    expect(log.lines).toEqual([expect.objectContaining({ level: 'debug', msg: 'drachtio did not send our answer to NOTIFY' })]);
  });

  it('answers 500 and logs when the use-case rejects', async () => {
    const log = new MemoryLog();
    const route = notifyRoute({ onNotify: async () => { throw new Error('bug'); } }, log);
    const { res, sent } = response();
    route(request({}), res);
    await tick();
    expect(sent).toEqual([[500, 'Server Internal Error', {}]]);
    expect(log.lines).toEqual([expect.objectContaining({ level: 'error', msg: 'NOTIFY handler failed' })]);
  });
});

import { messageRoute } from './message-route';
import { toInboundSipMessage, type SrfMessageRequest } from './inbound-sip-message';
import { MemoryLog } from '../use-cases/__tests__/fakes';

function request(headers: Record<string, string>, extra: Partial<SrfMessageRequest> = {}): SrfMessageRequest {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { uri: 'sip:romeo@xmpp.example', body: 'héllo', source_address: '10.0.0.1', source_port: 5060, protocol: 'udp', get: (h) => lower[h.toLowerCase()], ...extra };
}

describe('srf MESSAGE middleware', () => {
  it('copies the request into the use-case data without deciding anything', () => {
    const m = toInboundSipMessage(request({ From: '<sip:alice@sip.example>;tag=1', To: '<sip:romeo@xmpp.example>', 'Call-ID': 'c1', CSeq: '7 MESSAGE', 'Max-Forwards': '69', 'Content-Type': 'text/plain', Subject: 's' }));
    expect(m).toEqual({
      source: { address: '10.0.0.1', port: 5060, protocol: 'udp' },
      maxForwards: '69',
      requestUri: 'sip:romeo@xmpp.example',
      from: '<sip:alice@sip.example>;tag=1',
      to: '<sip:romeo@xmpp.example>',
      callId: 'c1',
      cseq: 7,
      contentType: 'text/plain',
      subject: 's',
      body: 'héllo',
    });
  });

  it('answers with the status, reason and headers the use-case chose', async () => {
    const sent: unknown[] = [];
    const route = messageRoute(async () => ({ status: 415, reason: 'Unsupported Media Type', headers: { Accept: 'text/plain' } }), new MemoryLog());
    route(request({}), { send: (...a: unknown[]) => sent.push(a) });
    await new Promise((r) => setImmediate(r));
    expect(sent).toEqual([[415, 'Unsupported Media Type', { headers: { Accept: 'text/plain' } }]]);
  });

  it('answers 500 and logs when the use-case fails, so no SIP transaction times out silently', async () => {
    const sent: unknown[] = [];
    const log = new MemoryLog();
    const route = messageRoute(async () => { throw new Error('bug'); }, log);
    route(request({ 'Call-ID': 'c9' }), { send: (...a: unknown[]) => sent.push(a) });
    await new Promise((r) => setImmediate(r));
    expect(sent).toEqual([[500, 'Server Internal Error', {}]]);
    expect(log.lines).toEqual([expect.objectContaining({ level: 'error', msg: 'MESSAGE handler failed', obj: expect.objectContaining({ callId: 'c9' }) })]);
  });
});

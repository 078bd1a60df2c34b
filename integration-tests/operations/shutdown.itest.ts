/**
 * SIGTERM (issue #9): the gateway stops taking SIP requests (503 with
 * Retry-After, RFC 3261 §21.5.4, so the sender tries again later or
 * elsewhere), lets the SIP transactions in flight finish with their real
 * answer, then closes its S2S streams with system-shutdown (RFC 6120
 * §4.9.3.20), within a bound. Through the e2e lab: the drachtio target, the
 * real gateway, a real ejabberd client; the in-flight transaction is an
 * XMPP→SIP MESSAGE that the SIP side (a sipp UAS on the gateway's proxy port)
 * answers only 1.5 s later.
 */
import { startSippUas } from '../harness/sipp';
import { E2E, START_MS, STOP_MS, startE2ELab, type E2ELab } from '../im-e2e/e2e-lab';
import { finalStatus, receivedRequests, sendSipMessage, tracedMessages } from '../im-e2e/sip-side';

const DELAY_MS = 1500;
let lab: E2ELab;

beforeAll(async () => {
  lab = await startE2ELab({ label: 'shutdown', peers: ['ejabberd'] });
}, START_MS);

afterAll(async () => { await lab?.stop(); }, STOP_MS);

describe('graceful shutdown (issue #9)', () => {
  it('lets the SIP transaction in flight finish with its 200, refuses new SIP requests with 503 + Retry-After, then closes S2S with system-shutdown', async () => {
    const romeo = lab.peer('ejabberd').client();
    const uas = await startSippUas({ scenario: 'uas_message_delayed.xml', vars: { DELAY: String(DELAY_MS) }, localPort: lab.proxyPort, timeoutMs: 20_000 });
    await romeo.sendMessage(`alice@${E2E.gateway.domain}`, 'in flight at shutdown');
    // Bounded wait until the gateway has sent it (one request outstanding through drachtio).
    for (let i = 0; i < 200 && lab.gateway.drachtio.gate.stats().outstanding === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(lab.gateway.drachtio.gate.stats().outstanding).toBe(1);

    const t0 = Date.now();
    const stopping = lab.gateway.stop();
    const late = await sendSipMessage(lab.target, { ruri: `sip:romeo@${E2E.ejabberd.domain}`, body: 'during the shutdown', expect: 503 });
    await stopping;
    const stopMs = Date.now() - t0;

    const answered = await uas.done;
    // Over UDP drachtio retransmits the MESSAGE while the UAS waits (RFC 3261 §17.1.2.2 Timer E): one transaction, one body.
    expect([...new Set(receivedRequests(answered).map((m) => `${m.header('Call-ID')} ${m.body.toString('utf8')}`))].map((k) => k.split(' ').slice(1).join(' '))).toEqual(['in flight at shutdown']);
    expect([...new Set(tracedMessages(answered.messages).filter((m) => m.direction === 'sent').map((m) => m.startLine))]).toEqual(['SIP/2.0 200 OK']);
    expect(finalStatus(late)).toBe(503);
    expect(tracedMessages(late.messages).find((m) => m.startLine.startsWith('SIP/2.0 503'))?.raw).toContain('Retry-After: 2');
    // It waited for the 200 (not cut short), and no longer than the drain bound (5 s) and the closes.
    expect(stopMs).toBeGreaterThanOrEqual(DELAY_MS - 300);
    expect(stopMs).toBeLessThan(10_000);
    // No error stanza came back to romeo: the message was delivered, not failed by the shutdown.
    expect(romeo.received.filter((e) => e.is('message') && e.attrs.type === 'error')).toEqual([]);
    expect(romeo.received.some((e) => e.is('message') && e.getChildText('body') === 'during the shutdown')).toBe(false);
    const closes = lab.log.lines.filter((l) => l.remote === E2E.ejabberd.domain && l.msg === 'stream closed');
    expect(closes.map((l) => l.condition)).toContain('system-shutdown');
  }, 60_000);
});

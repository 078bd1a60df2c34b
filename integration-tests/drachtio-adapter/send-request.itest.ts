/**
 * The gateway's SIP-request adapter (adapters/drachtio/send-request.ts) must
 * never lose a final response, including when drachtio-server's echo of the
 * request and the network's final response reach the app in ONE TCP read —
 * the case where `await srf.request()` loses it (PROTOCOL-NOTES Q1, golden
 * trace s2_outbound_message_200_udp_promise_lost). Runs against the drachtio
 * test double, or a real drachtio-server when DRACHTIO=host:port:secret is set.
 */
import { sendSipRequest } from '../../adapters/drachtio/send-request';
import { startDrachtioTarget, type DrachtioTarget } from '../harness/drachtio-target';
import { startSippUas } from '../harness/sipp';
import { connectSrf, type ConnectedSrf } from '../harness/srf-app';
import { observeAppReads, sharedRead } from '../harness/srf-read-log';

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([p, new Promise<T>((_, rej) => setTimeout(() => rej(new Error(`timed out after ${ms} ms: ${what}`)), ms).unref())]);

const HEADERS = { From: '<sip:romeo@xmpp.test;gr=balcony>', To: '<sip:alice@sip.test>', 'Content-Type': 'text/plain;charset=UTF-8' };

describe('sendSipRequest: final responses are never lost (RFC 3428 §7, PROTOCOL-NOTES Q1)', () => {
  let target: DrachtioTarget | undefined;
  let app: ConnectedSrf | undefined;
  afterEach(async () => {
    await app?.disconnect();
    await target?.stop();
    app = undefined;
    target = undefined;
  });

  it.each([
    [200, 'OK'],
    [480, 'Temporarily Unavailable'],
  ])('resolves with %i even when the echo and the final response share one TCP read', async (status, reason) => {
    target = await startDrachtioTarget(); // the double coalesces echo + response by default, as drachtio did in the traces
    const uas = await startSippUas({ scenario: 'uas_message.xml', vars: { STATUS: String(status), REASON: reason }, timeoutMs: 10_000 });
    try {
      app = await connectSrf(target);
      const reads = observeAppReads(app.srf);
      const final = await within(
        sendSipRequest(app.srf, { method: 'MESSAGE', uri: `sip:alice@${uas.host}:${uas.port}`, headers: HEADERS, body: 'héllo ✓' }),
        10_000,
        'final response',
      );
      expect([final.status, final.reason]).toEqual([status, reason]);
      const { found, shared } = sharedRead(reads, /^response MESSAGE /, new RegExp(`^sip\\|network SIP/2\\.0 ${status} `));
      expect(found).toBe(true);
      // Against the double the coalesced case is certain, so this run proves the adapter survives it.
      if (target.kind === 'double') expect(shared).toBe(true);
      reads.stop();
    } finally {
      await uas.stop();
    }
  });

  it('sends through the configured proxy while keeping the Request-URI (the gateway routes every MESSAGE via the SIP proxy)', async () => {
    target = await startDrachtioTarget();
    const uas = await startSippUas({ scenario: 'uas_message.xml', vars: { STATUS: '202', REASON: 'Accepted' }, timeoutMs: 10_000 });
    try {
      app = await connectSrf(target);
      const final = await within(
        sendSipRequest(app.srf, {
          method: 'MESSAGE',
          uri: 'sip:alice@sip.test',
          headers: HEADERS,
          body: 'via the proxy',
          proxy: `sip:${uas.host}:${uas.port}`,
        }),
        10_000,
        'final response via proxy',
      );
      expect(final.status).toBe(202);
      const sipp = await uas.stop();
      expect(sipp.messages).toContain('MESSAGE sip:alice@sip.test SIP/2.0');
    } finally {
      await uas.stop();
    }
  });
});

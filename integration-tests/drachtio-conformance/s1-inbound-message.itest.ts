/**
 * Golden traces S1/S1x: an inbound MESSAGE (RFC 3428) reaches the app, which answers
 * 200/202/404/403 (PROTOCOL-NOTES §4 "S1"); the frames drachtio exchanges with the app,
 * including the SIP text it builds, match the capture by shape.
 */
import { sipAddress } from '../harness/drachtio-target';
import { runSippUac, type SippTransport } from '../harness/sipp';
import { startInboundMessageApp } from './apps/inbound-message';
import {
  expectSippSuccess, expectTraceShape, largeBody, SIPP_MESSAGE_BODY, startConformanceRun, stopConformanceRun, within,
  type ConformanceRun,
} from './conformance-run';

const CASES: readonly (readonly [scenario: string, user: string, code: string, transport: SippTransport, echo: string, body: string])[] = [
  ['s1_inbound_message_200_udp', 'ok200', '200', 'u1', 'SIP/2.0 200 OK', SIPP_MESSAGE_BODY],
  ['s1_inbound_message_200_tcp', 'ok200', '200', 't1', 'SIP/2.0 200 OK', SIPP_MESSAGE_BODY],
  ['s1_inbound_message_202_udp', 'acc202', '202', 'u1', 'SIP/2.0 202 Accepted', SIPP_MESSAGE_BODY],
  ['s1_inbound_message_202_tcp', 'acc202', '202', 't1', 'SIP/2.0 202 Accepted', SIPP_MESSAGE_BODY],
  ['s1_inbound_message_404_udp', 'nf404', '404', 'u1', 'SIP/2.0 404 No Such XMPP User', SIPP_MESSAGE_BODY],
  ['s1_inbound_message_404_tcp', 'nf404', '404', 't1', 'SIP/2.0 404 No Such XMPP User', SIPP_MESSAGE_BODY],
  ['s1_inbound_message_403_udp', 'fb403', '403', 'u1', 'SIP/2.0 403 Forbidden', SIPP_MESSAGE_BODY],
  ['s1_inbound_message_403_tcp', 'fb403', '403', 't1', 'SIP/2.0 403 Forbidden', SIPP_MESSAGE_BODY],
  // a 65 580-byte frame: drachtio-server must buffer by byte length (PROTOCOL-NOTES §1)
  ['s1x_inbound_message_large_body_tcp', 'ok200', '200', 't1', 'SIP/2.0 200 OK', largeBody()],
];


describe('inbound MESSAGE answered by the app (golden traces S1, S1x; RFC 3428 §7)', () => {
  let run: ConformanceRun | undefined;
  afterEach(async () => { await stopConformanceRun(run); run = undefined; });

  it.each(CASES)('%s: %s gets %s and the admin frames match the trace', async (scenario, user, code, transport, echo, body) => {
    run = await startConformanceRun();
    const app = await startInboundMessageApp(run.admin);
    run.defer(() => app.conn.disconnect());

    const uac = await runSippUac(sipAddress(run.target), {
      scenario: 'uac_message.xml', vars: { EXPECT: code, BODY: body }, service: user, transport, timeoutMs: 10_000,
    });
    expectSippSuccess(uac, `sipp MESSAGE UAC expecting ${code}`);
    await expect(within(app.echoed, 5000, 'echo of the app response')).resolves.toBe(echo);
    // the app sees the body exactly once, byte for byte (sipp ends it with CRLF)
    expect(app.bodies).toEqual([`${body.split('\n').join('\r\n')}\r\n`]);
    await app.conn.disconnect();
    expectTraceShape(scenario, run);
  });
});

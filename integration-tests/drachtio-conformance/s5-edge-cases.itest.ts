/**
 * Golden traces S5: requests no app routes (drachtio answers 503 itself and sends nothing
 * on the admin socket, Q12) and a slow app whose MESSAGE the UAC retransmits (RFC 3261
 * §17.1.2.2 Timer E): drachtio absorbs the retransmissions, so the app sees one request (Q11).
 */
import { sipAddress } from '../harness/drachtio-target';
import { runSippUac, sippMessageSummary } from '../harness/sipp';
import { startNoRouteApp } from './apps/no-route';
import { startSlowMessageApp } from './apps/slow-message';
import {
  expectSippSuccess, expectTraceShape, SIPP_MESSAGE_BODY, sleep, startConformanceRun, stopConformanceRun, within,
  type ConformanceRun,
} from './conformance-run';

describe('requests drachtio handles without the app (golden traces S5)', () => {
  let run: ConformanceRun | undefined;
  afterEach(async () => { await stopConformanceRun(run); run = undefined; });

  it('s5_unrouted_options_info_udp: OPTIONS and INFO nobody routes get 503 and no admin frame (Q12)', async () => {
    run = await startConformanceRun();
    const app = await startNoRouteApp(run.admin);
    run.defer(() => app.conn.disconnect());
    for (const method of ['OPTIONS', 'INFO']) {
      const uac = await runSippUac(sipAddress(run.target), { scenario: 'uac_anyfinal.xml', vars: { METHOD: method }, timeoutMs: 10_000 });
      expectSippSuccess(uac, `sipp ${method} UAC`);
      expect(sippMessageSummary(uac.messages).filter((l) => l.startsWith('received'))).toEqual(['received SIP/2.0 503 Service Unavailable']);
    }
    await sleep(300); // anything drachtio wrongly forwarded would have reached the app by now
    expect(app.reached).toEqual([]);
    await app.conn.disconnect();
    expectTraceShape('s5_unrouted_options_info_udp', run);
  });

  it('s5_slow_app_message_udp: a MESSAGE answered after 3 s reaches the app once despite retransmissions (Q11)', async () => {
    run = await startConformanceRun();
    const app = await startSlowMessageApp(run.admin, 3000);
    run.defer(() => app.conn.disconnect());
    const uac = await runSippUac(sipAddress(run.target), {
      scenario: 'uac_message.xml', vars: { EXPECT: '200', BODY: SIPP_MESSAGE_BODY }, service: 'slow', timeoutMs: 10_000,
    });
    expectSippSuccess(uac, 'sipp MESSAGE UAC');
    const sent = sippMessageSummary(uac.messages).filter((l) => l.startsWith('sent MESSAGE'));
    expect(sent.length).toBeGreaterThanOrEqual(3); // first send + retransmissions at +0.5 s and +1.5 s
    // no 100 Trying for a non-INVITE within 3 s (PROTOCOL-NOTES Q11)
    expect(sippMessageSummary(uac.messages).filter((l) => l.startsWith('received'))).toEqual(['received SIP/2.0 200 OK']);
    await expect(within(app.echoed, 2000, 'echo of the 200')).resolves.toBe('SIP/2.0 200 OK');
    expect(app.count()).toBe(1);
    await app.conn.disconnect();
    expectTraceShape('s5_slow_app_message_udp', run);
  });
});

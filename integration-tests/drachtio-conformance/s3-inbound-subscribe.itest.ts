/**
 * Golden trace S3: a watcher subscribes to presence through drachtio; the app is the
 * notifier (RFC 6665 §4.2, RFC 3856): 202 + NOTIFY active, in-dialog refresh → 200 +
 * NOTIFY, Expires: 0 → srf's own 202 + NOTIFY terminated, which ends the dialog.
 * drachtio numbers the NOTIFY CSeqs 2, 3, 4 (PROTOCOL-NOTES §4 "S3").
 */
import { sipAddress } from '../harness/drachtio-target';
import { runSippUac } from '../harness/sipp';
import { startInboundSubscribeApp } from './apps/inbound-subscribe';
import { expectSippSuccess, expectTraceShape, startConformanceRun, stopConformanceRun, within, type ConformanceRun } from './conformance-run';

describe('inbound SUBSCRIBE handled as a UAS dialog (golden trace S3; RFC 6665 §4.2)', () => {
  let run: ConformanceRun | undefined;
  afterEach(async () => { await stopConformanceRun(run); run = undefined; });

  it('s3_inbound_subscribe_udp: subscribe, refresh and unsubscribe each get their NOTIFY; the frames match the trace', async () => {
    run = await startConformanceRun();
    const app = await startInboundSubscribeApp(run.admin);
    run.defer(() => app.conn.disconnect());

    const uac = await runSippUac(sipAddress(run.target), { scenario: 'uac_subscribe.xml', timeoutMs: 15_000 });
    expectSippSuccess(uac, 'sipp SUBSCRIBE UAC');
    await within(app.destroyed, 5000, "the dialog's destroy after the final NOTIFY");
    await expect(app.unsubscribed).resolves.toBe('unsubscribe expires=0');
    expect(app.refreshes).toEqual(['3600']);
    expect(app.notifyAnswers).toEqual([
      'active;expires=3600 200', 'active;expires=3600 200', 'terminated;reason=timeout 200',
    ]);
    await app.conn.disconnect();
    expectTraceShape('s3_inbound_subscribe_udp', run);
  });
});

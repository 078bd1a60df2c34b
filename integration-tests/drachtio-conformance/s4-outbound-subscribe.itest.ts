/**
 * Golden traces S4: the app subscribes to bob's presence through drachtio (RFC 6665 §4.1),
 * refreshes and unsubscribes. Quirks kept by the traces: drachtio answers the terminating
 * NOTIFY 500 itself and refuses the app's 200 with NOK (Q6); srf never destroys the UAC
 * subscription dialog (Q7); `await srf.createUAC()` misses a NOTIFY that shares a TCP read
 * with the 200 (Q2).
 */
import { sippMessageSummary, startSippUas, type SippUas } from '../harness/sipp';
import { connectSrf, type ConnectedSrf } from '../harness/srf-app';
import { observeAppReads, sharedRead } from '../harness/srf-read-log';
import { startOutboundSubscribe } from './apps/outbound-subscribe';
import { expectSippSuccess, expectTraceShape, startConformanceRun, stopConformanceRun, within, type ConformanceRun } from './conformance-run';

const RUN_MS = 12_000;

async function setup(run: ConformanceRun): Promise<{ uas: SippUas; app: ConnectedSrf; target: string }> {
  const uas = await startSippUas({ scenario: 'uas_subscribe.xml', timeoutMs: 20_000 });
  run.defer(() => uas.stop());
  const app = await connectSrf(run.admin);
  run.defer(() => app.disconnect());
  return { uas, app, target: `sip:bob@${uas.host}:${uas.port}` };
}

/** What the notifier saw: the terminating NOTIFY answered 500 by drachtio itself (Q6). */
async function expectNotifierSaw500(uas: SippUas): Promise<void> {
  const r = await within(uas.done, 8000, 'sipp SUBSCRIBE UAS');
  expectSippSuccess(r, 'sipp SUBSCRIBE UAS');
  const received = sippMessageSummary(r.messages).filter((l) => l.startsWith('received SIP/2.0'));
  expect(received).toEqual(['received SIP/2.0 200 OK', 'received SIP/2.0 200 OK', 'received SIP/2.0 500 Internal Server Error']);
}

describe('outbound SUBSCRIBE as a UAC dialog (golden traces S4; RFC 6665 §4.1)', () => {
  let run: ConformanceRun | undefined;
  afterEach(async () => { await stopConformanceRun(run); run = undefined; });

  it('s4_outbound_subscribe_udp: the callback form sees all three NOTIFYs; the frames match the trace', async () => {
    run = await startConformanceRun();
    const { uas, app, target } = await setup(run);
    const sub = startOutboundSubscribe(app.srf, target, 'cb');
    const end = await within(sub.done, RUN_MS, 'subscribe, refresh, unsubscribe');
    expect(sub.notifies).toEqual(['active;expires=3600', 'active;expires=3600', 'terminated;reason=timeout']);
    expect(sub.subscribeAnswers).toEqual(['3600 200', '0 200']);
    expect(end.connected).toBe(true); // Q7: srf never destroys it
    await expectNotifierSaw500(uas);
    await app.disconnect();
    expectTraceShape('s4_outbound_subscribe_udp', run);
  }, 30_000);

  it('s4_outbound_subscribe_udp_promise_lost_notify: await createUAC misses the NOTIFY read together with the 200 (Q2)', async () => {
    run = await startConformanceRun();
    const { uas, app, target } = await setup(run);
    const reads = observeAppReads(app.srf);
    const sub = startOutboundSubscribe(app.srf, target, 'promise');
    await within(sub.done, RUN_MS, 'subscribe, refresh, unsubscribe');
    const { found, shared } = sharedRead(reads, /^sip\|network SIP\/2\.0 200 OK/, /^sip\|network NOTIFY /);
    expect(found).toBe(true);
    // srf answers the missed NOTIFY 200 itself, so the notifier's view does not change
    expect(sub.notifies).toEqual([...(shared ? [] : ['active;expires=3600']), 'active;expires=3600', 'terminated;reason=timeout']);
    if (run.target.kind === 'double') expect(shared).toBe(true);
    reads.stop();
    await expectNotifierSaw500(uas);
    await app.disconnect();
    expectTraceShape('s4_outbound_subscribe_udp_promise_lost_notify', run);
  }, 30_000);
});

/**
 * The gateway as NOTIFIER of a SIP watcher (RFC 8048 §5.3; RFC 6665 §4.2) through
 * drachtio, at the stack-dialog level: SIPp subscribes, plugin/middleware/subscribe-route.ts
 * hands the SUBSCRIBE to a recording handler, and adapters/drachtio/sip-presence-out.ts
 * NOTIFYs with `sip||<dialogId>` (PROTOCOL-NOTES §3.3, S3). Runs against the drachtio
 * double, or a real drachtio-server when DRACHTIO=host:port:secret is set.
 */
import { createSipPresenceOut } from '../../adapters/drachtio/sip-presence-out';
import { notifyRoute } from '../../plugin/middleware/notify-route';
import { subscribeRoute } from '../../plugin/middleware/subscribe-route';
import { MemoryLog } from '../../plugin/use-cases/__tests__/fakes';
import { sipAddress, startDrachtioTarget, type DrachtioTarget } from '../harness/drachtio-target';
import { runSippUac, sippMessageSummary } from '../harness/sipp';
import { connectSrf, type ConnectedSrf, type SrfHandler } from '../harness/srf-app';
import { RecordingPresence, srfDialogCount, waitUntil, within } from './recording-presence';

const handlers = (p: RecordingPresence, log: MemoryLog) => ({
  subscribe: subscribeRoute(p, log) as unknown as SrfHandler,
  notify: notifyRoute(p, log) as unknown as SrfHandler,
});

describe('SIP watcher: SUBSCRIBE in, NOTIFY out, no srf Dialog (RFC 6665 §4.2, RFC 3856)', () => {
  let target: DrachtioTarget | undefined;
  const apps: ConnectedSrf[] = [];
  afterEach(async () => {
    for (const a of apps.splice(0)) await a.disconnect();
    await target?.stop();
    target = undefined;
  }, 30_000);

  it('accepts, NOTIFYs at once with PIDF, takes the in-dialog refresh and the Expires: 0, and ends with NOTIFY terminated', async () => {
    target = await startDrachtioTarget();
    const log = new MemoryLog();
    const p = new RecordingPresence();
    const app = await connectSrf(target, { routes: handlers(p, log) });
    apps.push(app);
    p.out = createSipPresenceOut(app.srf, log, { proxy: 'sip:unused.invalid' });

    const sipp = await within(runSippUac(sipAddress(target), { scenario: 'uac_subscribe.xml', timeoutMs: 15_000 }), 20_000, 'sipp watcher');
    expect(sipp.exitCode).toBe(0);

    expect(p.subscribes.map((s) => [s.dialogId, s.event, s.expires])).toEqual([
      [undefined, 'presence', '3600'],
      [p.sent[0]?.dialogId, 'presence', '3600'],
      [p.sent[0]?.dialogId, 'presence', '0'],
    ]);
    const dialogId = p.sent[0]?.dialogId ?? '';
    // drachtio's UAS dialog id: the watcher's Call-ID and From tag (PROTOCOL-NOTES §3.3, S3).
    expect(dialogId).toBe(`${p.subscribes[0]?.callId};from-tag=${/;tag=([^;]+)/.exec(p.subscribes[0]?.from ?? '')?.[1]}`);
    expect(p.sent).toEqual([
      { dialogId, state: 'active;expires=3600', status: 200 },
      { dialogId, state: 'active;expires=3600', status: 200 },
      { dialogId, state: 'terminated;reason=timeout', status: 200 },
    ]);
    expect(sippMessageSummary(sipp.messages).filter((l) => l.startsWith('received'))).toEqual([
      'received SIP/2.0 202 Accepted', `received NOTIFY sip:juliet@127.0.0.1:${sipp.localPort} SIP/2.0`,
      'received SIP/2.0 200 OK', `received NOTIFY sip:juliet@127.0.0.1:${sipp.localPort} SIP/2.0`,
      'received SIP/2.0 202 Accepted', `received NOTIFY sip:juliet@127.0.0.1:${sipp.localPort} SIP/2.0`,
    ]);
    expect(sipp.messages).toContain('Subscription-State: active;expires=3600');
    expect(sipp.messages).toContain('<note>Grüße ✓</note>');
    expect(sipp.messages).toContain('Subscription-State: terminated;reason=timeout');
    expect(log.lines.filter((l) => l.level === 'error' || l.level === 'warn')).toEqual([]);
    expect(app.errors).toEqual([]);
    expect(srfDialogCount(app.srf)).toBe(0); // stack-dialog level: srf keeps no Dialog
  }, 30_000);

  it('NOTIFYs from a NEW srf connection in a dialog an old, closed one accepted, and that node then gets the watcher\'s in-dialog SUBSCRIBE (restart / second node)', async () => {
    target = await startDrachtioTarget();
    const log1 = new MemoryLog();
    const log2 = new MemoryLog();
    const f = new RecordingPresence();
    const app1 = await connectSrf(target, { routes: { subscribe: subscribeRoute(f, log1) as unknown as SrfHandler } });
    f.out = createSipPresenceOut(app1.srf, log1, { proxy: 'sip:unused.invalid' });
    const sippP = within(runSippUac(sipAddress(target), { scenario: 'uac_subscribe_restart.xml', timeoutMs: 15_000 }), 20_000, 'sipp watcher');
    await waitUntil(() => f.sent.length === 1, 10_000, 'first NOTIFY answered');
    const dialogId = f.sent[0]?.dialogId ?? '';
    expect(f.sent[0]?.status).toBe(200);
    await app1.disconnect(); // the node that accepted the subscription stops; drachtio keeps the dialog

    const s = new RecordingPresence();
    const app2 = await connectSrf(target, { routes: handlers(s, log2) });
    apps.push(app2);
    s.out = createSipPresenceOut(app2.srf, log2, { proxy: 'sip:unused.invalid' });
    // The dialog id is all the new node has (from the presence store): NOTIFY in it.
    expect(await within(s.notify(dialogId, 'active;expires=3000'), 5000, 'NOTIFY from the new connection')).toBe(200);

    const sipp = await sippP;
    expect(sipp.exitCode).toBe(0);
    expect(s.subscribes.map((x) => [x.dialogId, x.expires])).toEqual([[dialogId, '0']]);
    expect(s.sent.map((x) => [x.state, x.status])).toEqual([['active;expires=3000', 200], ['terminated;reason=timeout', 200]]);
    expect(sipp.messages).toContain('Subscription-State: active;expires=3000');
    expect(app2.errors).toEqual([]);
  }, 30_000);

  it('a NOTIFY sent in a dialog drachtio no longer has is 481, and nothing throws', async () => {
    target = await startDrachtioTarget();
    const log = new MemoryLog();
    const app = await connectSrf(target);
    apps.push(app);
    const out = createSipPresenceOut(app.srf, log, { proxy: 'sip:unused.invalid' });
    expect(await within(out.notify({ dialogId: 'gone@nowhere;from-tag=x', subscriptionState: 'active;expires=60' }), 5000, 'NOTIFY')).toEqual({ status: 481, reason: 'Call/Transaction Does Not Exist' });
    expect(log.lines).toEqual([expect.objectContaining({ level: 'info', msg: 'drachtio no longer knows the dialog of this NOTIFY' })]);
  }, 30_000);
});

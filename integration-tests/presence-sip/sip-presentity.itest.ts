/**
 * The gateway as SUBSCRIBER to a SIP presentity (RFC 8048 §5.2; RFC 6665 §4.1) through
 * drachtio, with no srf Dialog: adapters/drachtio/sip-presence-out.ts sends the SUBSCRIBE
 * and names the dialog from the echo, plugin/middleware/notify-route.ts takes every NOTIFY.
 * SIPp is the presentity. Each drachtio-srf pitfall of PROTOCOL-NOTES §5 is shown handled:
 *  - Q2: the first NOTIFY in the same read as the 200 still reaches onNotify;
 *  - Q6: drachtio's own 500 to the terminating NOTIFY and its NOK to our 200 throw nothing;
 *  - a NOTIFY in a dialog the use-case does not know reaches it with the dialog id (→ 481);
 *  - a NOTIFY that overtakes the 200 finds its dialog already named by onDialog.
 * Runs against the drachtio double, or a real drachtio-server when DRACHTIO= is set.
 */
import { createSipPresenceOut } from '../../adapters/drachtio/sip-presence-out';
import { notifyRoute } from '../../plugin/middleware/notify-route';
import { MemoryLog } from '../../plugin/use-cases/__tests__/fakes';
import { startDrachtioTarget, type DrachtioTarget } from '../harness/drachtio-target';
import { startSippUas } from '../harness/sipp';
import { connectSrf, type ConnectedSrf, type SrfHandler } from '../harness/srf-app';
import { observeAppReads, sharedRead } from '../harness/srf-read-log';
import { RecordingPresence, srfDialogCount, waitUntil, within } from './recording-presence';

describe('SIP presentity: SUBSCRIBE out, NOTIFY in, no srf Dialog (RFC 6665 §4.1, PROTOCOL-NOTES Q2/Q6/Q7)', () => {
  let target: DrachtioTarget | undefined;
  let app: ConnectedSrf | undefined;
  afterEach(async () => {
    await app?.disconnect();
    await target?.stop();
    app = undefined;
    target = undefined;
  }, 30_000);

  it('gets the first NOTIFY that shares a read with the 200 (Q2), refreshes and unsubscribes in the dialog, and survives drachtio\'s 500/NOK on the terminating NOTIFY (Q6)', async () => {
    // The double holds the 200 to SUBSCRIBE until the notifier's NOTIFY follows, and writes
    // both at once, as drachtio did in s4_…_promise_lost_notify.
    target = await startDrachtioTarget({ coalesceWindowMs: 200 });
    const uas = await startSippUas({ scenario: 'uas_subscribe.xml', timeoutMs: 15_000 });
    try {
      const log = new MemoryLog();
      const p = new RecordingPresence();
      app = await connectSrf(target, { routes: { notify: notifyRoute(p, log) as unknown as SrfHandler } });
      const out = createSipPresenceOut(app.srf, log, { proxy: `sip:${uas.host}:${uas.port}` });
      const reads = observeAppReads(app.srf);
      const named: string[] = [];
      const first = await within(out.subscribe({ uri: `sip:bob@${uas.host}:${uas.port}`, from: 'sip:romeo@xmpp.test', expires: 3600 }, (id) => { named.push(id); p.known.add(id); }), 10_000, 'SUBSCRIBE');
      expect(first).toEqual({ status: 200, reason: 'OK', expires: 3600 });
      const dialogId = named[0] ?? '';
      expect(named).toEqual([expect.stringMatching(/;from-tag=[^;]+$/)]);
      await waitUntil(() => p.notifies.length >= 1, 5000, 'first NOTIFY');
      const { found, shared } = sharedRead(reads, /^sip\|network SIP\/2\.0 200 /, /^sip\|network NOTIFY /);
      expect(found).toBe(true);
      if (target.kind === 'double') expect(shared).toBe(true); // the coalesced case is certain here
      expect(p.notifies[0]).toEqual(expect.objectContaining({ dialogId, event: 'presence', subscriptionState: 'active;expires=3600', contentType: 'application/pidf+xml' }));
      expect(p.notifies[0]?.body).toContain('<note>Bob is here ✓</note>');

      expect(await within(out.subscribe({ dialogId, uri: `sip:bob@${uas.host}:${uas.port}`, from: 'sip:romeo@xmpp.test', expires: 3600 }, () => undefined), 5000, 'refresh')).toEqual({ status: 200, reason: 'OK', expires: 3600 });
      await waitUntil(() => p.notifies.length >= 2, 5000, 'second NOTIFY');
      expect(p.notifies[1]?.body).toContain('<note>Bob is busy</note>');

      expect((await within(out.subscribe({ dialogId, uri: `sip:bob@${uas.host}:${uas.port}`, from: 'sip:romeo@xmpp.test', expires: 0 }, () => undefined), 5000, 'unsubscribe')).status).toBe(200);
      await waitUntil(() => p.notifies.length >= 3 && log.lines.some((l) => l.msg === 'drachtio did not send our answer to NOTIFY'), 5000, 'terminating NOTIFY');
      expect(p.notifies.map((n) => [n.dialogId, n.subscriptionState])).toEqual([
        [dialogId, 'active;expires=3600'], [dialogId, 'active;expires=3600'], [dialogId, 'terminated;reason=timeout'],
      ]);
      const sipp = await within(uas.done, 10_000, 'sipp presentity');
      expect(sipp.exitCode).toBe(0);
      // Q6: drachtio answered the terminating NOTIFY itself; our 200 was refused, quietly.
      expect(sipp.messages).toMatch(/SIP\/2\.0 500 Internal Server Error[\s\S]*CSeq: 3 NOTIFY/);
      expect(log.lines.find((l) => l.msg === 'drachtio did not send our answer to NOTIFY')).toEqual(expect.objectContaining({
        level: 'debug', obj: expect.objectContaining({ err: 'Response not sent due to unknown transaction', dialogId }),
      }));
      expect(log.lines.filter((l) => l.level === 'error' || l.level === 'warn')).toEqual([]);
      expect(app.errors).toEqual([]);
      expect(srfDialogCount(app.srf)).toBe(0); // Q7: nothing left behind in srf
      reads.stop();
    } finally {
      await uas.stop();
    }
  }, 30_000);

  it('knows the dialog of a NOTIFY that overtakes the 200 (RFC 6665 §4.1.2.4): onDialog ran from the echo, before it', async () => {
    target = await startDrachtioTarget();
    const uas = await startSippUas({ scenario: 'uas_subscribe_notify_first.xml', timeoutMs: 15_000 });
    try {
      const log = new MemoryLog();
      const p = new RecordingPresence();
      app = await connectSrf(target, { routes: { notify: notifyRoute(p, log) as unknown as SrfHandler } });
      const out = createSipPresenceOut(app.srf, log, { proxy: `sip:${uas.host}:${uas.port}` });
      const named: string[] = [];
      const r = await within(out.subscribe({ uri: `sip:bob@${uas.host}:${uas.port}`, from: 'sip:romeo@xmpp.test', expires: 600 }, (id) => { named.push(id); p.known.add(id); }), 10_000, 'SUBSCRIBE');
      expect(r.status).toBe(200);
      const sipp = await within(uas.done, 10_000, 'sipp presentity');
      expect(sipp.exitCode).toBe(0); // it got 200 to its early NOTIFY, not 481
      expect(p.notifies.map((n) => [n.dialogId, n.subscriptionState])).toEqual([[named[0], 'active;expires=600']]);
      expect(p.notifies[0]?.body).toContain('<note>first</note>');
      expect(app.errors).toEqual([]);
    } finally {
      await uas.stop();
    }
  }, 30_000);

  it('hands a NOTIFY in a dialog the use-case does not know to onNotify with its dialog id, and the notifier gets the 481', async () => {
    target = await startDrachtioTarget();
    const uas = await startSippUas({ scenario: 'uas_subscribe_notify_once.xml', vars: { NOTIFY_STATUS: '481' }, timeoutMs: 15_000 });
    try {
      const log = new MemoryLog();
      const p = new RecordingPresence(); // knows no dialog: e.g. its store lost the subscription
      app = await connectSrf(target, { routes: { notify: notifyRoute(p, log) as unknown as SrfHandler } });
      const out = createSipPresenceOut(app.srf, log, { proxy: `sip:${uas.host}:${uas.port}` });
      const named: string[] = [];
      expect((await within(out.subscribe({ uri: `sip:bob@${uas.host}:${uas.port}`, from: 'sip:romeo@xmpp.test', expires: 600 }, (id) => named.push(id)), 10_000, 'SUBSCRIBE')).status).toBe(200);
      const sipp = await within(uas.done, 10_000, 'sipp presentity');
      expect(sipp.exitCode).toBe(0);
      expect(p.notifies.map((n) => n.dialogId)).toEqual(named);
      expect(sipp.messages).toContain('SIP/2.0 481 Subscription Does Not Exist');
      expect(app.errors).toEqual([]);
    } finally {
      await uas.stop();
    }
  }, 30_000);
});

/**
 * Restart with live subscriptions in both directions (issue #8, "After a restart the
 * gateway re-creates its SIP subscriptions and presence flows again with no user action"),
 * once with the embedded SQLite store and once with Redis (a real redis-server).
 *
 *  - romeo@xmpp-e.test watches alice@sip.test (RFC 8048 §5.2): sipp plays alice
 *    (uas_presentity_restart.xml, -m 2: every dialog the gateway opens is one call).
 *  - juliet@sip.test watches romeo (RFC 8048 §5.3): a sipp UAC (uac_presentity_watcher.xml)
 *    that stays in its dialog, whatever NOTIFYs come, until one carries MARKER.
 *
 * Then lab.restartGateway(): the same configuration and store, a new process state, new
 * S2S streams and a new drachtio connection; the peers and clients stay up. After it,
 * alice's presence changes reach romeo (in the dialog the restarted gateway opened) and
 * romeo's reach juliet (in the dialog juliet opened before the restart).
 *
 * One peer, ejabberd: what is under test is the gateway's own state, and ejabberd
 * re-establishes both S2S directions after the gateway's streams close (dialback).
 * The Prosody leg of every mapping is in xmpp-watches-sip.itest.ts.
 */
import xml from '@xmpp/xml';
import { sipAddress } from '../harness/drachtio-target';
import { startRedisServer, type RedisServer } from '../harness/redis';
import { runSippUac } from '../harness/sipp';
import { E2E, START_MS, STOP_MS, startE2ELab, type E2ELab } from '../im-e2e/e2e-lab';
import { describeSipp, receivedRequests } from '../im-e2e/sip-side';
import { startPresentity, viewOf, waitForPresences } from './sip-presentity';

const ALICE = 'alice@sip.test';
const JULIET = 'juliet@sip.test';
const ROMEO = `romeo@${E2E.ejabberd.domain}`;
const MARKER = 'Neustart';
const AFTER_RESTART_STATUS = `Zurück nach dem ${MARKER} ✓`;

const bare = (jid: unknown): string => String(jid ?? '').split('/')[0] ?? '';

async function waitFor(cond: () => Promise<boolean>, ms: number, what: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  for (let i = 0; i < 1000 && Date.now() < deadline; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!(await cond())) throw new Error(`not within ${ms} ms: ${what()}`);
}

describe.each(['sqlite', 'redis'] as const)('gateway restart with live subscriptions both ways (%s store)', (storeKind) => {
  let lab: E2ELab | undefined;
  let redis: RedisServer | undefined;

  beforeAll(async () => {
    if (storeKind === 'redis') redis = await startRedisServer();
    lab = await startE2ELab({
      label: `presence-restart-${storeKind}`,
      peers: ['ejabberd'],
      partnerTypes: { ejabberd: 'Federated' },
      ...(redis ? { presenceStore: `{ kind: redis, url: ${JSON.stringify(redis.url)}, keyPrefix: "dxg-restart:" }` } : {}),
    });
  }, START_MS);

  afterAll(async () => {
    await lab?.stop();
    await redis?.dispose();
  }, STOP_MS);

  it('after restartGateway(), alice\'s changes reach romeo in a new dialog and romeo\'s reach juliet in her old one; nobody re-subscribed', async () => {
    const l = lab!;
    const romeo = l.peer('ejabberd').client('romeo');
    expect(l.log.lines.find((x) => x.msg === 'presence started')).toEqual(expect.objectContaining({ store: storeKind }));
    const presentity = await startPresentity(l.proxyPort, 'uas_presentity_restart.xml', { EXPIRES: '3600', GAP_MS: '300', CALLS: '2' }, 90_000, ['-m', '2']);
    let watcher: Promise<Awaited<ReturnType<typeof runSippUac>>> | undefined;
    try {
      // romeo watches alice (RFC 8048 §5.2.1)
      const since = romeo.received.length;
      await romeo.send(xml('presence', { to: ALICE, type: 'subscribe' }));
      const before = await waitForPresences(romeo, ALICE, 3, 20_000, since);
      expect(before.map(viewOf)).toEqual([{ type: 'subscribed' }, { status: 'Alice in dialog 1' }, { show: 'away', status: 'Alice away in dialog 1' }]);

      // juliet watches romeo (RFC 8048 §5.3.1); romeo approves
      watcher = runSippUac(sipAddress(l.target), {
        scenario: 'uac_presentity_watcher.xml', vars: { WATCHER: JULIET, CONTACT: ROMEO, MARKER }, timeoutMs: 90_000,
      });
      await romeo.waitForStanza((e) => e.is('presence') && e.attrs.type === 'subscribe' && bare(e.attrs.from) === JULIET, 15_000)
        .catch((e: Error) => { throw new Error(`${e.message}\n${l.log.tail(15)}`); });
      await romeo.send(xml('presence', { to: JULIET, type: 'subscribed' }));
      const store = () => l.gateway.presence!.store;
      await waitFor(async () => (await store().watchersFor(JULIET, ROMEO, 10)).some((w) => w.state.phase === 'active'), 15_000, () => l.log.tail(20));
      const watcherDialog = (await store().watchersFor(JULIET, ROMEO, 10))[0]!.dialogId;
      const firstDialog = (await store().getSubscription(ROMEO, ALICE))?.dialogId;
      expect(firstDialog).toEqual(expect.any(String));

      await l.restartGateway();
      // the restarted gateway found both records in the store and took them back (presence-service start())
      expect(l.log.lines.filter((x) => x.msg === 'presence started').at(-1)).toEqual(expect.objectContaining({ store: storeKind, watchers: 1, subscriptions: 1 }));

      // SIP → XMPP: the restarted gateway re-SUBSCRIBEs in a new dialog by itself; alice's
      // NOTIFYs in it reach romeo, with no second `subscribed` (the authorization was kept).
      const after = await waitForPresences(romeo, ALICE, 5, 30_000, since);
      expect(after.slice(3).map(viewOf)).toEqual([{ status: 'Alice in dialog 2' }, { show: 'away', status: 'Alice away in dialog 2' }]);
      const resumed = await store().getSubscription(ROMEO, ALICE);
      expect(resumed?.dialogId).toEqual(expect.any(String));
      expect(resumed?.dialogId).not.toBe(firstDialog);

      // XMPP → SIP: romeo's change after the restart reaches juliet in the dialog she opened before it.
      expect((await store().watchersFor(JULIET, ROMEO, 10)).map((w) => w.dialogId)).toEqual([watcherDialog]);
      await romeo.sendPresence({}, xml('show', {}, 'away'), xml('status', {}, AFTER_RESTART_STATUS));
      const w = await watcher;
      watcher = undefined;
      expect({ exit: w.exitCode, sipp: w.exitCode === 0 ? '' : `${describeSipp(w)}\n${l.log.tail(30)}` }).toEqual({ exit: 0, sipp: '' });
      const notifies = receivedRequests(w).filter((m) => m.startLine.startsWith('NOTIFY '));
      const marked = notifies.find((m) => m.body.toString('utf8').includes(MARKER));
      const body = marked?.body.toString('utf8') ?? '';
      // RFC 8048 §6.2: basic open, the XMPP <show/> embedded, the status as <note>.
      expect(body).toMatch(/<basic>open<\/basic>/);
      expect(body).toMatch(/<show[^>]*>away<\/show>/);
      expect(body).toContain(`>${AFTER_RESTART_STATUS}</note>`);
      expect(marked?.header('Subscription-State')).toMatch(/^active;expires=\d+$/);
      expect(new Set(notifies.map((m) => m.header('Call-ID'))).size).toBe(1); // one dialog throughout

      // Nobody was asked again: romeo got juliet's subscription request once, alice's `subscribed` once.
      expect(romeo.received.slice(since).filter((e) => e.is('presence') && e.attrs.type === 'subscribe' && bare(e.attrs.from) === JULIET)).toHaveLength(1);
      expect(romeo.received.slice(since).filter((e) => e.is('presence') && e.attrs.type === 'subscribed' && bare(e.attrs.from) === ALICE)).toHaveLength(1);

      // romeo unsubscribes: the restarted gateway ends the dialog it opened (§5.2.3).
      await romeo.send(xml('presence', { to: ALICE, type: 'unsubscribe' }));
      await waitFor(async () => (await store().getSubscription(ROMEO, ALICE)) === undefined, 15_000, () => l.log.tail(20));
      const p = await presentity.done;
      const subs = receivedRequests(p).filter((m) => m.startLine.startsWith('SUBSCRIBE '));
      const callIds = [...new Set(subs.map((m) => m.header('Call-ID')))];
      expect({ callIds: callIds.length, exit: p.exitCode }).toEqual({ callIds: 2, exit: 0 });
      // each dialog ended with Expires: 0: the old one by the restarted gateway, the new one by the unsubscribe
      for (const id of callIds) expect(subs.filter((m) => m.header('Call-ID') === id).map((m) => m.header('Expires')).at(-1)).toBe('0');
    } finally {
      await presentity.stop();
      if (watcher) await watcher.catch(() => undefined);
    }
  }, 150_000);
});

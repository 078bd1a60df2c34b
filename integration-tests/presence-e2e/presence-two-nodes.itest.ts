/**
 * Two gateway nodes on one Redis (issue #8: "a subscription made through node A is
 * refreshed and notified by node B after A is stopped"): both run the real composition
 * root at the same time, on the same drachtio target and the same redis-server, with
 * their own gateway.presence.nodeId and short liveness / sweepInterval.
 *
 * Addresses, honestly: Node 20 has no reusePort, so B cannot bind A's 127.0.31.1:5269
 * while A runs. B listens on 127.0.31.4, which nothing resolves sip.test to (a real
 * deployment would list both nodes in its SRV records). So XMPP peers reach only A, and
 * B reaches them only by dialling out. That is why the peer is Prosody: in its strict
 * posture it authenticates our outbound stream by TLS + SASL EXTERNAL with the sip.test
 * certificate alone, while ejabberd would dial back to sip.test (RFC 7247 / XEP-0220),
 * i.e. to A's address, where nobody answers once A is stopped. What is under test is
 * the SIP side and the shared store: B adopts A's record when A's heartbeat lapses,
 * opens its own dialog with alice, refreshes it when due, and sends every NOTIFY on to
 * romeo through its own S2S stream. (Inbound presence to B, e.g. romeo's unsubscribe,
 * would need DNS to point at B; this lab does not pretend it does.)
 *
 * SIP side: sipp plays alice (uas_presentity_restart.xml) with Expires: 12, so each
 * dialog is refreshed ~7 s after it starts (subscription-refresh.ts: 12 − 5 s margin).
 */
import xml from '@xmpp/xml';
import { startRedisServer, type RedisServer } from '../harness/redis';
import { E2E, START_MS, STOP_MS, startE2ELab, type E2ELab, type LabNode } from '../im-e2e/e2e-lab';
import { describeSipp, receivedRequests } from '../im-e2e/sip-side';
import { startPresentity, viewOf, waitForPresences } from './sip-presentity';

const ALICE = 'alice@sip.test';
const ROMEO = `romeo@${E2E.prosody.domain}`;
const NODE_B_ADDRESS = '127.0.31.4';
const EXPIRES_S = 12;
/**
 * Short enough that adoption and the refresh are seen within the test's bound. Both nodes
 * share this jest process's event loop on a shared machine: with liveness 3 s one loaded
 * run saw A's dialog ended four times, consistent with B adopting while A still answered;
 * 6 s leaves A's 1 s heartbeat a wider margin, and the test checks B adopted after A stopped.
 */
const PRESENCE = { liveness: 6, sweepInterval: 1 } as const;

let redis: RedisServer | undefined;
let lab: E2ELab | undefined;
let nodeB: LabNode | undefined;

beforeAll(async () => {
  redis = await startRedisServer();
  lab = await startE2ELab({
    label: 'presence-node-a',
    peers: ['prosody'],
    partnerTypes: { prosody: 'Federated' },
    presenceStore: `{ kind: redis, url: ${JSON.stringify(redis.url)}, keyPrefix: "dxg-two-nodes:" }`,
    presence: { ...PRESENCE, nodeId: 'node-a' },
  });
  nodeB = await lab.startNode({ label: 'presence-node-b', listenHost: NODE_B_ADDRESS, presence: { ...PRESENCE, nodeId: 'node-b' } });
}, START_MS);

afterAll(async () => {
  await lab?.stop();
  await redis?.dispose();
}, STOP_MS);

it('a subscription made through node A is adopted, refreshed and notified by node B after A stops (shared Redis store, RFC 8048 §5.2.2)', async () => {
  const l = lab!;
  const b = nodeB!;
  const romeo = l.peer('prosody').client('romeo');
  const presentity = await startPresentity(l.proxyPort, 'uas_presentity_restart.xml', { EXPIRES: String(EXPIRES_S), GAP_MS: '300', CALLS: '2' }, 90_000, ['-m', '2']);
  try {
    const since = romeo.received.length;
    await romeo.send(xml('presence', { to: ALICE, type: 'subscribe' }));
    const viaA = await waitForPresences(romeo, ALICE, 3, 20_000, since);
    // Prosody stamps its default xml:lang on a status the gateway left unlabelled (RFC 6120 §4.7.4).
    expect(viaA.map(viewOf)).toEqual([{ type: 'subscribed' }, { status: 'Alice in dialog 1', lang: 'en' }, { show: 'away', status: 'Alice away in dialog 1', lang: 'en' }]);
    const store = b.gateway.presence!.store;
    const made = await store.getSubscription(ROMEO, ALICE);
    expect(made).toEqual(expect.objectContaining({ owner: 'node-a', dialogId: expect.any(String) }));

    const stoppedAt = Date.now();
    await l.stopGateway();

    // B adopts once A's heartbeat lapses (liveness 6 s), re-SUBSCRIBEs in its own dialog,
    // and refreshes that dialog when due; every NOTIFY goes on to romeo through B.
    const viaB = await waitForPresences(romeo, ALICE, 6, 40_000, since).catch((e: Error) => {
      throw new Error(`${e.message}\nnode B:\n${b.log.tail(25)}`);
    });
    expect(viaB.slice(3).map(viewOf)).toEqual([
      { status: 'Alice in dialog 2', lang: 'en' },
      { show: 'away', status: 'Alice away in dialog 2', lang: 'en' },
      { status: 'Alice refreshed in dialog 2', lang: 'en' },
    ]);
    const adopted = await store.getSubscription(ROMEO, ALICE);
    expect(adopted).toEqual(expect.objectContaining({ owner: 'node-b' }));
    expect(adopted?.dialogId).not.toBe(made?.dialogId);
    const adoption = b.log.lines.find((x) => x.msg === 'presence records of a stopped node adopted');
    expect(adoption).toEqual(expect.objectContaining({ adopted: 1 }));
    expect(Number(adoption?.time)).toBeGreaterThanOrEqual(stoppedAt); // an ordering, not a timing bound

    const p = await presentity.stop();
    const subs = receivedRequests(p).filter((m) => m.startLine.startsWith('SUBSCRIBE '));
    const byDialog = new Map<string, string[]>();
    for (const m of subs) byDialog.set(m.header('Call-ID') ?? '', [...(byDialog.get(m.header('Call-ID') ?? '') ?? []), m.header('Expires') ?? '']);
    const [first, second] = [...byDialog.values()];
    expect({ dialogs: byDialog.size, sipp: byDialog.size === 2 ? '' : describeSipp(p) }).toEqual({ dialogs: 2, sipp: '' });
    // dialog 1 (A's): opened, then ended with Expires: 0 by B; dialog 2 (B's): opened, then refreshed in the dialog
    expect({ first, trace: first?.length === 2 ? '' : `A stopped at ${stoppedAt}\n${subs.map((m) => `${m.at} ${m.header('Call-ID')} ${m.header('CSeq')} ${m.header('Expires')}`).join('\n')}\n${b.log.lines.filter((x) => x.component !== 's2s').map((x) => JSON.stringify(x)).join('\n')}` }).toEqual({ first: ['3600', '0'], trace: '' });
    expect(second?.slice(0, 2)).toEqual(['3600', '3600']);
  } finally {
    await presentity.stop();
  }
}, 120_000);

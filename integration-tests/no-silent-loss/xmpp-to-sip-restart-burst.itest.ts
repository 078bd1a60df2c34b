/**
 * Issue #11, XMPP → SIP: 1,000 messages at ~200/s from a real client on
 * ejabberd, and again on Prosody, to alice@sip.test (a sipp UAS on the
 * gateway's proxy port answers each MESSAGE 200), the client's server
 * restarted in the middle of the burst. Books per message (xmpp-burst-books.ts):
 * every message the gateway saw is delivered to the SIP UAS or reported to its
 * XMPP sender as an error stanza (RFC 7247 §7), exactly one of the two; none
 * twice at the UAS.
 *
 * Counted apart, honestly: messages the client could not even send because its
 * own server was down (the write failed on the dying session: the gateway never
 * saw them; after the first failed write the client waits for its relogin, as an
 * offline client would, and goes on at the same pace), and messages the
 * client wrote while its server was going down that no gateway log line ever
 * names (the restarting server dropped them before they reached the gateway; the
 * lab's client runs no XEP-0198 on c2s, so nobody can tell it). The second kind
 * may only be among the messages written on the session the restart ended.
 */
import * as path from 'node:path';
import { startSippUas } from '../harness/sipp';
import type { LabClient } from '../harness/xmpp-client';
import { PEER_KINDS, START_MS, STOP_MS, startE2ELab, type E2ELab, type PeerKind } from '../im-e2e/e2e-lab';
import { tracedMessages } from '../im-e2e/sip-side';
import { keepXmppBurstBooks, xmppBooksRow, type SendOutcome } from './xmpp-burst-books';

const COUNT = 1000;
const RATE = 200;
/** Restart once this many message slots have passed (~1.5 s in). */
const RESTART_AT = 300;
/* While its server is down the client waits (as a real one, offline, would) and then goes on at
   the same pace, so the burst straddles the restart; what it tried on the dying session counts. */
/** Bound on the books balancing after the last send. */
const SETTLE_MS = 40_000;

let lab: E2ELab;
const rows: string[] = [];

beforeAll(async () => {
  lab = await startE2ELab({ label: 'nsl-xmpp-to-sip', peers: PEER_KINDS });
}, START_MS);

afterAll(async () => {
  if (rows.length > 0) console.log(`[no-silent-loss XMPP→SIP]\n| run | sent | delivered | reported | duplicates | unaccounted | apart |\n${rows.join('\n')}`);
  await lab?.stop();
}, STOP_MS);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.each<PeerKind>(PEER_KINDS)('%s restarted during a burst of 1,000 XMPP messages at 200/s to a SIP user', (kind) => {
  it(`every message the gateway saw is delivered to SIP or reported as an error stanza, exactly once (issue #11, RFC 7247 §7; ${kind})`, async () => {
    const peer = lab.peer(kind);
    const tag = `nslx${kind}`;
    const sessions: LabClient[] = [peer.client()];
    let current: LabClient | undefined = sessions[0];
    const sends = new Map<number, { outcome: SendOutcome; session: number }>();
    const uas = await startSippUas({
      scenario: path.join(__dirname, 'uas_notices.xml'), localPort: lab.proxyPort, timeoutMs: 150_000, extraArgs: ['-m', String(COUNT * 2)],
    });
    let uasTrace = '';
    let restartMs = 0;
    try {
      const pending: Array<Promise<void>> = [];
      let t0 = Date.now();
      let restarting: Promise<void> | undefined;
      /** The session whose write failed first: the client knows its server is gone and waits for the relogin. */
      let deadSession = -1;
      for (let n = 0; n < COUNT; n++) {
        if (restarting && (current === undefined || deadSession === sessions.length - 1)) {
          await restarting; // bounded: restart() and relogin() have their own timeouts
          t0 = Date.now() - (n * 1000) / RATE; // the pace resumes, it does not catch up
        }
        const due = t0 + (n * 1000) / RATE;
        if (due > Date.now()) await sleep(due - Date.now());
        if (n === RESTART_AT) {
          restarting = (async () => {
            const r0 = Date.now();
            await peer.handle.restart();
            current = undefined; // the old session died with its server; no session until relogin
            await peer.relogin();
            current = peer.client();
            sessions.push(current);
            restartMs = Date.now() - r0;
          })();
        }
        const c = current;
        const session = sessions.length - 1;
        if (!c) { sends.set(n, { outcome: 'not-sent', session }); continue; }
        pending.push(c.sendMessage('alice@sip.test', `${tag} ${n}`, { id: `${tag}-${n}` }).then(
          () => void sends.set(n, { outcome: 'written', session }),
          () => {
            sends.set(n, { outcome: 'not-sent', session });
            deadSession = Math.max(deadSession, session);
          },
        ));
      }
      await restarting;
      await Promise.allSettled(pending);

      // Bounded wait: every message the gateway saw, and every one written on the new session,
      // is delivered or reported (the new session's wait for ejabberd's new S2S stream included).
      const deadline = Date.now() + SETTLE_MS;
      const bodyRe = new RegExp(`^${tag} (\\d+)$`);
      while (Date.now() < deadline) {
        const delivered = new Set(tracedMessages(uas.traceSoFar())
          .filter((m) => m.direction === 'received' && m.startLine.startsWith('MESSAGE '))
          .map((m) => Number(bodyRe.exec(m.body.toString('utf8'))?.[1])));
        const errored = new Set(sessions.flatMap((s) => s.received).filter((e) => e.is('message') && e.attrs.type === 'error').map((e) => String(e.attrs.id)));
        const saw = new Set(lab.log.lines.map((l) => l.stanzaId).filter((id): id is string => typeof id === 'string'));
        const open = [...sends].filter(([n, s]) => s.outcome === 'written' && !delivered.has(n) && !errored.has(`${tag}-${n}`)
          && (s.session > 0 || saw.has(`${tag}-${n}`)));
        if (open.length === 0) break;
        await sleep(500);
      }
      await sleep(1500); // stragglers: a retransmission, a late error stanza
    } finally {
      uasTrace = (await uas.stop()).messages;
    }

    const books = keepXmppBurstBooks({
      tag, sends, uasTrace, received: sessions.flatMap((s) => s.received),
      gatewaySaw: new Set(lab.log.lines.map((l) => l.stanzaId).filter((id): id is string => typeof id === 'string')),
    });
    rows.push(xmppBooksRow(`${kind} restart (${restartMs} ms down→relogged), XMPP→SIP`, books));
    expect(books.attempted).toBe(COUNT);
    expect({ unaccounted: books.unaccounted, both: books.both, duplicates: books.duplicates }).toEqual({ unaccounted: [], both: [], duplicates: 0 });
    expect(books.delivered + books.reported + books.lostBeforeGateway.length).toBe(books.written);
    expect(books.written + books.notSent).toBe(COUNT);
    // Lost before the gateway only while the old server went down: never on the new session.
    expect(books.lostBeforeGateway.filter((n) => (sends.get(n)?.session ?? 0) > 0)).toEqual([]);
    // The burst really crossed the restart: messages went through on both sides of it.
    expect([...sends].some(([n, s]) => s.session > 0 && s.outcome === 'written' && n > RESTART_AT)).toBe(true);
    expect(books.delivered).toBeGreaterThan(RESTART_AT / 2);
  }, 240_000);
});

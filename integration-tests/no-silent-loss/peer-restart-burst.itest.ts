/**
 * Issue #11, "nothing is lost silently" under a peer restart: 1,000 SIP
 * MESSAGEs at 200/s to a user on ejabberd (XEP-0199 fences: it offers no
 * XEP-0198 on S2S) and on Prosody (XEP-0198 acks: mod_smacks offers
 * urn:xmpp:sm:3 on s2sin), the peer restarted in the middle of the burst.
 * For each run, per message: delivered to the XMPP user, or reported as
 * failed to the SIP sender (a final failure status, or 202 and then an
 * RFC 5438 IMDN "failed"), exactly one of the two.
 */
import * as path from 'node:path';
import { sipAddress } from '../harness/drachtio-target';
import { runSippUac, startSippUas } from '../harness/sipp';
import { E2E, PEER_KINDS, START_MS, STOP_MS, startE2ELab, type E2ELab, type PeerKind } from '../im-e2e/e2e-lab';
import { booksRow, deliveredNumbers, failedImdns, keepBooks, uacOutcomes } from './burst-accounting';

const COUNT = 1000;
const RATE = 200;
/** Longest the books may take to balance after the burst: the default retry window (30 s) and a margin. */
const SETTLE_MS = 40_000;

let lab: E2ELab;
const rows: string[] = [];

beforeAll(async () => {
  lab = await startE2ELab({ label: 'no-silent-loss', peers: PEER_KINDS });
}, START_MS);

afterAll(async () => {
  if (rows.length > 0) console.log(`[no-silent-loss]\n| run | sent | delivered | reported | duplicates | unaccounted |\n${rows.join('\n')}`);
  await lab?.stop();
}, STOP_MS);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const EXPECTED_MODE: Record<PeerKind, 'sm' | 'fence'> = { ejabberd: 'fence', prosody: 'sm' };

describe.each<PeerKind>(PEER_KINDS)('%s restarted during a burst of 1,000 SIP MESSAGEs at 200/s', (kind) => {
  it(`every message is delivered or reported, exactly once each (issue #11; ${kind})`, async () => {
    const peer = lab.peer(kind);
    const domain = E2E[kind].domain;
    const tag = `nsl${kind}`;
    const clients = [peer.client()];
    const notices = await startSippUas({
      scenario: path.join(__dirname, 'uas_notices.xml'), localPort: lab.proxyPort, timeoutMs: 120_000, extraArgs: ['-m', String(COUNT * 2)],
    });
    let uacTrace = '';
    try {
      const burst = runSippUac(sipAddress(lab.target), {
        scenario: path.join(__dirname, 'uac_burst.xml'), vars: { RURI: `sip:romeo@${domain}`, TAG: tag }, timeoutMs: 60_000,
        extraArgs: ['-m', String(COUNT), '-r', String(RATE), '-rp', '1000', '-l', String(COUNT)],
      });
      await sleep(1500); // ~300 messages in
      await peer.handle.restart();
      await peer.relogin();
      clients.push(peer.client());
      const uac = await burst;
      uacTrace = uac.messages;
      // Bounded wait until every 202'd message is delivered or noticed (gateway log: one line per notice).
      const deadline = Date.now() + SETTLE_MS;
      const outcomes = uacOutcomes(uacTrace, tag);
      const atOnce = [...outcomes.values()].filter((s) => s !== undefined && s >= 300).length;
      while (Date.now() < deadline) {
        const delivered = new Set(clients.flatMap((c) => deliveredNumbers(c.received, tag))).size;
        const noticed = lab.log.lines.filter((l) => l.msg === 'XMPP delivery failure reported to the SIP sender').length;
        if (delivered + noticed + atOnce >= COUNT) break;
        await sleep(250);
      }
      await sleep(2500); // the last notices' 200 OK round trip and trace
    } finally {
      const uas = await notices.stop();
      const books = keepBooks(uacOutcomes(uacTrace, tag), failedImdns(uas.messages, tag), clients.flatMap((c) => deliveredNumbers(c.received, tag)));
      rows.push(booksRow(`${kind} restart (${EXPECTED_MODE[kind]})`, books));
      expect(books.sent).toBe(COUNT);
      expect({ unaccounted: books.unaccounted, both: books.both }).toEqual({ unaccounted: [], both: [] });
      expect(books.delivered + books.reported).toBe(COUNT);
      // A message can reach the user twice only as a resend of a stanza its lost stream left in doubt.
      const resent = lab.log.lines.filter((l) => l.msg === 'resending stanzas a lost stream left unconfirmed' && l.remote === domain)
        .reduce((n, l) => n + Number(l.count), 0);
      expect(books.duplicates).toBeLessThanOrEqual(resent);
    }
    // The proof mechanism this peer's stream used (XEP-0198 where offered, else XEP-0199 fences).
    const modes = new Set(lab.log.lines.filter((l) => l.msg === 'in-doubt tracking started' && l.remote === domain).map((l) => l.confirmations));
    expect([...modes]).toEqual([EXPECTED_MODE[kind]]);
  }, 180_000);
});

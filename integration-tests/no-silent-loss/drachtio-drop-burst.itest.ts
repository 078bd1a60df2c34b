/**
 * Issue #11, SIP → XMPP while the drachtio connection drops: 1,000 SIP MESSAGEs
 * at 200/s (sipp UAC) to romeo@xmpp-e.test (real ejabberd), and the drachtio
 * admin connection dropped in the middle of the burst (the double's
 * dropAppConnections: what a drachtio-server crash or a cut link looks like to
 * the gateway). Every SIP request gets a final response, and every message is
 * delivered to the XMPP user or reported to the SIP sender (a final failure
 * status, or 202 and then an RFC 5438 IMDN "failed"), per message.
 *
 * While no app is connected the double answers 503 itself (PROTOCOL-NOTES Q12);
 * a request it had passed to the app that then went away is answered 503 as well
 * (drachtio-double/uas-side.ts answerRequestsOfGoneApp, where its source is
 * documented). That second kind is the one place where a message can be both: the
 * gateway wrote the stanza, its 202 died with the link, and the SIP sender was told
 * 503. Those are counted as "in doubt" and must each be a request the gateway relayed
 * AND one the double answered for the gone app, AND have a gateway log line naming its
 * Call-ID (adapters/drachtio/answers-in-doubt.ts); nothing else may be both.
 *
 * Only the double can drop its app connections: against a real drachtio-server
 * (DRACHTIO=) this case is skipped with that reason.
 */
import * as path from 'node:path';
import { sipAddress } from '../harness/drachtio-target';
import { drachtioEnv } from '../harness/env';
import { runSippUac, startSippUas } from '../harness/sipp';
import { until as waitFor } from '../harness/until';
import { E2E, START_MS, STOP_MS, startE2ELab, type E2ELab } from '../im-e2e/e2e-lab';
import { booksRow, deliveredNumbers, failedImdns, keepBooks, uacCallIds, uacOutcomes } from './burst-accounting';

const COUNT = 1000;
const RATE = 200;
const SETTLE_MS = 40_000;
const REAL = drachtioEnv().kind === 'real';
if (REAL) console.warn('no-silent-loss drachtio-drop-burst: skipped against a real drachtio-server (DRACHTIO=): only the double can drop its app connections on request');

let lab: E2ELab;
const rows: string[] = [];

beforeAll(async () => {
  if (REAL) return;
  lab = await startE2ELab({ label: 'nsl-drachtio-drop', peers: ['ejabberd'] });
}, START_MS);

afterAll(async () => {
  if (rows.length > 0) console.log(`[no-silent-loss drachtio drop]\n| run | sent | delivered | reported | duplicates | unaccounted |\n${rows.join('\n')}`);
  await lab?.stop();
}, STOP_MS);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const until = (what: string, cond: () => boolean, ms: number): Promise<void> => waitFor(what, cond, ms, () => lab.log.tail(20), 50);

(REAL ? describe.skip : describe)('the drachtio admin connection drops during a burst of 1,000 SIP MESSAGEs at 200/s to a user on ejabberd', () => {
  it('every SIP request gets a final response, and every message is delivered or reported exactly once (issue #11; RFC 3261 §17.2.2, RFC 7247 §7.1)', async () => {
    const hooks = lab.target.hooks!;
    const client = lab.peer('ejabberd').client();
    const tag = 'nsldrop';
    const notices = await startSippUas({
      scenario: path.join(__dirname, 'uas_notices.xml'), localPort: lab.proxyPort, timeoutMs: 150_000, extraArgs: ['-m', String(COUNT * 2)],
    });
    let uacTrace = '';
    let uasTrace = '';
    try {
      const burst = runSippUac(sipAddress(lab.target), {
        scenario: path.join(__dirname, 'uac_burst.xml'), vars: { RURI: `sip:romeo@${E2E.ejabberd.domain}`, TAG: tag }, timeoutMs: 90_000,
        extraArgs: ['-m', String(COUNT), '-r', String(RATE), '-rp', '1000', '-l', String(COUNT)],
      });
      // The middle of the burst: a third of the messages have reached the user.
      await until('a third of the messages at the XMPP user', () => deliveredNumbers(client.received, tag).length >= COUNT / 3, 60_000);
      expect(hooks.dropAppConnections()).toBe(1);
      const uac = await burst;
      uacTrace = uac.messages;
      await until('the drachtio link to be up again', () => lab.gateway.drachtio.link.isUp(), 30_000);
      // Bounded: every 202'd message reaches the user or is noticed (one log line per notice).
      const outcomes = uacOutcomes(uacTrace, tag);
      const atOnce = [...outcomes.values()].filter((s) => s !== undefined && s >= 300).length;
      const deadline = Date.now() + SETTLE_MS;
      while (Date.now() < deadline) {
        const delivered = new Set(deliveredNumbers(client.received, tag)).size;
        const noticed = lab.log.lines.filter((l) => l.msg === 'XMPP delivery failure reported to the SIP sender').length;
        if (delivered + noticed + atOnce >= COUNT) break;
        await sleep(250);
      }
      await sleep(2500); // the last notices' 200 OK round trip, a late duplicate
    } finally {
      uasTrace = (await notices.stop()).messages;
    }

    const outcomes = uacOutcomes(uacTrace, tag);
    const books = keepBooks(outcomes, failedImdns(uasTrace, tag), deliveredNumbers(client.received, tag));
    // "Both" is allowed only as the in-doubt kind: relayed by the gateway, then 503 from the double for the gone app.
    const relayed = new Set(lab.log.lines.filter((l) => l.msg === 'SIP MESSAGE relayed to XMPP').map((l) => String(l.callId)));
    const callToN = uacCallIds(uacTrace, tag);
    const relayedN = new Set([...callToN].filter(([c]) => relayed.has(c)).map(([, n]) => n));
    const inDoubt = books.both.filter((n) => outcomes.get(n) === 503 && relayedN.has(n));
    const counters = hooks.counters();
    // The gateway says which of its answers the link may have lost (adapters/drachtio/answers-in-doubt.ts).
    const doubtLines = lab.log.lines.filter((l) => l.msg === 'SIP final response in doubt: the drachtio link dropped before drachtio confirmed it'
      || l.msg === 'SIP final response not sent by drachtio');
    const doubtCalls = new Set(doubtLines.map((l) => String(l.callId)));
    const nToCall = new Map([...callToN].map(([c, n]) => [n, c]));
    rows.push(`${booksRow('ejabberd, drachtio admin connection dropped (SIP→XMPP)', books)} | in doubt (delivered, 202 lost with the link, 503 from drachtio) ${inDoubt.length}; gateway answers logged in doubt ${doubtLines.length}; double: ${JSON.stringify(counters)}`);

    expect(books.sent).toBe(COUNT);
    expect(books.statuses.none).toBeUndefined(); // every request got a final response
    expect(books.unaccounted).toEqual([]);
    expect(books.duplicates).toBe(0); // the S2S stream never broke: nothing was resent
    expect(books.both.filter((n) => !inDoubt.includes(n))).toEqual([]);
    expect(inDoubt.length).toBeLessThanOrEqual(counters.answeredForGoneApp);
    // Not silent: each message delivered while its sender was told 503 has a gateway log line naming it.
    expect(inDoubt.filter((n) => !doubtCalls.has(nToCall.get(n) ?? ''))).toEqual([]);
    expect(books.delivered + books.reported - inDoubt.length).toBe(COUNT);
    // The drop really happened mid-burst, and the gateway came back to take the rest.
    expect(books.statuses['503']).toBeGreaterThan(0);
    expect(lab.log.lines.filter((l) => l.msg === 'drachtio connection lost; reconnecting')).toHaveLength(1);
    const lastN = Math.max(...[...outcomes].filter(([, s]) => s === 202).map(([n]) => n));
    expect(lastN).toBeGreaterThan(COUNT * 0.9);
  }, 240_000);
});

/**
 * Issue #10, the CI soak: 60 s of steady mixed load through the native lab
 * (SIP ⇄ XMPP messages, isComposing ⇄ XEP-0085 typing, IMDN ⇄ XEP-0184
 * receipts; integration-tests/soak/soak-run.ts). Fails when RSS or the live
 * heap grew 10 % or more after the warm-up (the first 20 %), or when any
 * message was neither delivered nor reported to its sender (RFC 7247 §7).
 * Writes nothing under bench/results (`npm run soak` does).
 */
import { runSoak, soakSummary, type SoakResult } from './soak-run';

let r: SoakResult;

beforeAll(async () => {
  r = await runSoak({ durationMs: 60_000, log: () => undefined });
  console.log(`[soak-60s]\n${soakSummary(r)}`);
}, 240_000);

describe('60 s of mixed load through the native lab (issue #10 soak, CI version)', () => {
  it('every SIP → XMPP MESSAGE is delivered to romeo or reported to its SIP sender, exactly one of the two (RFC 7247 §7)', () => {
    expect(r.sipToXmpp.sent).toBeGreaterThan(0);
    expect({ unaccounted: r.sipToXmpp.unaccounted, both: r.sipToXmpp.both }).toEqual({ unaccounted: [], both: [] });
    expect(r.sipToXmpp.delivered + r.sipToXmpp.reported).toBe(r.sipToXmpp.sent);
  });

  it('every XMPP → SIP message reaches the SIP UA or comes back to juliet as an error stanza (RFC 6120 §8.3)', () => {
    expect(r.xmppToSip.sent).toBeGreaterThan(0);
    expect({ unaccounted: r.xmppToSip.unaccounted, both: r.xmppToSip.both }).toEqual({ unaccounted: [], both: [] });
    expect(r.xmppToSip.delivered + r.xmppToSip.reported).toBe(r.xmppToSip.sent);
  });

  it('typing crosses both ways (RFC 3994 isComposing ⇄ XEP-0085) and receipts come back as IMDN (XEP-0184 ⇄ RFC 5438)', () => {
    expect(r.typing.xmppReceivedComposing).toBeGreaterThan(0);
    expect(r.typing.sipReceivedIsComposing).toBeGreaterThan(0);
    expect(r.receipts.imdnDeliveredAtSip).toBeGreaterThan(0);
  });

  it('RSS and the live heap grow less than 10 % after the warm-up', () => {
    expect(r.samples.length).toBeGreaterThanOrEqual(6);
    expect(r.rss.growthPct).toBeLessThan(10);
    expect(r.heapUsed.growthPct).toBeLessThan(10);
  });
});

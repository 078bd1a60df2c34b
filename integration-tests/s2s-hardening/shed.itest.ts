/**
 * Issue #10, "Shed a hostile stream at once", over real loopback TCP: after
 * a stream error that WE send, the edge closes the TCP connection as soon
 * as the error and </stream:stream> are flushed (RFC 6120 §4.9.1.1: stream
 * errors are unrecoverable), reads nothing more, and frees the connection's
 * slot; the RFC 6120 §4.4 wait for the peer's </stream:stream> is for
 * graceful closes only. ejabberd and Prosody drop such peers within
 * milliseconds; before this change we held each for closeTimeoutMs (5 s).
 *
 * The hostile peer never closes its side (hostile-peer.ts), so every close
 * measured is the edge's. The 500 ms bound is the issue's.
 */
import { performance } from 'node:perf_hooks';
import { conditionIn, HEADER, HostilePeer } from './hostile-peer';
import { REFUSAL_CASES as CASES } from './refusal-cases';
import { ATTACKER_ADDRESS, GW_ADDRESS, OTHER_ADDRESS, partnerMessage, startFederation, startGateway, type RunningEdge } from './loopback-edges';

const BOUND_MS = 500; // issue #10: offending byte → TCP close
const FEATURES = /<\/stream:features>/;

/** Polls `probe` every 10 ms until true, at most `ms`. */
async function within(ms: number, probe: () => boolean): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!probe()) {
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

/** What the shed test measured, printed once as the table (case, expected, observed, time to close). */
const table: string[] = [];
afterAll(() => {
  if (table.length) process.stdout.write(`\nissue #10 shed table (offending byte → edge FIN / socket gone):\n${table.join('\n')}\n`);
});

describe('a stream error we send ends the TCP connection at once (RFC 6120 §4.9.1.1), the slot is free again', () => {
  let gw: RunningEdge;
  beforeAll(async () => {
    // closeTimeoutMs stays at its 5 s default: the graceful-close wait must not apply to these.
    gw = await startGateway({ limits: { streamEstablishmentTimeoutMs: 300 } });
  });
  afterAll(async () => { await gw.edge.stop(); });

  it.each(CASES)('%s: the right condition, FIN and socket gone under 500 ms, connection count back to 0', async (name, prelude, offending, condition) => {
    const p = await HostilePeer.connect(gw.port, { host: GW_ADDRESS, localAddress: ATTACKER_ADDRESS });
    try {
      if (prelude !== undefined) {
        p.send(prelude);
        await p.waitFor(FEATURES);
      }
      const t0 = p.send(offending);
      const fin = await p.waitFin(2 * BOUND_MS);
      const gone = await p.waitGone(2 * BOUND_MS);
      expect(conditionIn(p.text)).toBe(condition);
      expect(p.text.endsWith('</stream:stream>')).toBe(true);
      expect(fin - t0).toBeLessThan(BOUND_MS);
      expect(gone - t0).toBeLessThan(BOUND_MS);
      expect(await within(BOUND_MS, () => gw.edge.connections === 0)).toBe(true);
      table.push(`| ${name} | ${condition} | ${conditionIn(p.text)} | ${(fin - t0).toFixed(1)} ms / ${(gone - t0).toFixed(1)} ms |`);
    } finally {
      p.destroy();
    }
  });

  it('connection-timeout (§4.9.3.4): a silent connection is closed at streamEstablishmentTimeout and shed within 500 ms of the error', async () => {
    const p = await HostilePeer.connect(gw.port, { host: GW_ADDRESS, localAddress: ATTACKER_ADDRESS });
    try {
      await p.waitFor(/<\/stream:stream>$/, 2000);
      const t0 = performance.now(); // no offending byte: measured from the error's arrival
      const fin = await p.waitFin(2 * BOUND_MS);
      const gone = await p.waitGone(2 * BOUND_MS);
      expect(conditionIn(p.text)).toBe('connection-timeout');
      expect(fin - t0).toBeLessThan(BOUND_MS);
      expect(gone - t0).toBeLessThan(BOUND_MS);
      expect(await within(BOUND_MS, () => gw.edge.connections === 0)).toBe(true);
      table.push(`| connection-timeout: silent past streamEstablishmentTimeout (from the error's arrival) | connection-timeout | ${conditionIn(p.text)} | ${(fin - t0).toFixed(1)} ms / ${(gone - t0).toFixed(1)} ms |`);
    } finally {
      p.destroy();
    }
  });

  it('a graceful close the peer answers still follows RFC 6120 §4.4: our </stream:stream> answers theirs, then the connection ends', async () => {
    const p = await HostilePeer.connect(gw.port, { host: GW_ADDRESS, localAddress: OTHER_ADDRESS });
    try {
      p.send(HEADER());
      await p.waitFor(FEATURES);
      p.send('</stream:stream>');
      await p.waitFin(2000);
      expect(p.text).toMatch(/<\/stream:features><\/stream:stream>$/);
      expect(p.text).not.toContain('<stream:error>');
      expect(await within(BOUND_MS, () => gw.edge.connections === 0)).toBe(true);
    } finally {
      p.destroy();
    }
  });
});

describe('refusals at accept are shed at once too (RFC 6120 §4.9.1.2: header, error, close; no session)', () => {
  it.each([
    ['resource-constraint: the global connectionLimit is reached (§4.9.3.17)', { connectionLimit: 1, preAuthConnectionsPerIp: 20 }, 'resource-constraint'],
    ['policy-violation: the source address is at preAuthConnectionsPerIp (§4.9.3.14)', { connectionLimit: 100, preAuthConnectionsPerIp: 1 }, 'policy-violation'],
  ] as const)('%s: FIN and socket gone under 500 ms of the connect', async (name, opts, condition) => {
    const gw = await startGateway(opts);
    const holder = await HostilePeer.connect(gw.port, { host: GW_ADDRESS, localAddress: ATTACKER_ADDRESS });
    try {
      holder.send(HEADER());
      await holder.waitFor(FEATURES);
      const t0 = performance.now();
      const p = await HostilePeer.connect(gw.port, { host: GW_ADDRESS, localAddress: ATTACKER_ADDRESS });
      try {
        const fin = await p.waitFin(2 * BOUND_MS);
        const gone = await p.waitGone(2 * BOUND_MS);
        expect(conditionIn(p.text)).toBe(condition);
        expect(fin - t0).toBeLessThan(BOUND_MS);
        expect(gone - t0).toBeLessThan(BOUND_MS);
        expect(gw.edge.connections).toBe(1); // the refused one was never counted; the holder still is
        table.push(`| ${name} | ${condition} | ${conditionIn(p.text)} | ${(fin - t0).toFixed(1)} ms / ${(gone - t0).toFixed(1)} ms (from connect) |`);
      } finally {
        p.destroy();
      }
    } finally {
      holder.destroy();
      await gw.edge.stop();
    }
  });
});

describe('a flood of garbage connections at connectionLimit does not lock out a legitimate partner', () => {
  it('right after 3 rounds of connectionLimit garbage connections, peer.test authenticates by real dialback over TCP and its message is delivered', async () => {
    const LIMIT = 8;
    // The per-address cap is set out of the way: this test is about shedding alone.
    const fed = await startFederation({ connectionLimit: LIMIT, preAuthConnectionsPerIp: 1000 });
    const all: HostilePeer[] = []; // the attacker never closes them itself: only the edge can free the slots
    try {
      for (let round = 0; round < 3; round++) {
        const flood = await Promise.all(Array.from({ length: LIMIT }, () => HostilePeer.connect(fed.gw.port, { host: GW_ADDRESS, localAddress: ATTACKER_ADDRESS })));
        all.push(...flood);
        for (const p of flood) p.send(`${HEADER()}<message></presence>`);
        await Promise.all(flood.map((p) => p.waitFor(/<\/stream:stream>$/)));
        expect(flood.map((p) => conditionIn(p.text))).toEqual(Array(LIMIT).fill(round === 0 ? 'not-well-formed' : expect.any(String)));
      }
      // The slots the flood used are free within the bound, not after closeTimeoutMs (5 s), and the partner gets in.
      const freed = await within(BOUND_MS, () => fed.gw.edge.connections === 0);
      const partner = await partnerMessage(fed, 'after-flood');
      expect({ freed, partner }).toEqual({ freed: true, partner: 'delivered' });
      expect(all.every((p) => p.finAt !== undefined)).toBe(true);
    } finally {
      for (const p of all) p.destroy();
      await fed.stop();
    }
  }, 20_000);

  it('one address holding silent connections up to connectionLimit while flooding garbage does not lock out a partner at another address (preAuthConnectionsPerIp)', async () => {
    const LIMIT = 8;
    const fed = await startFederation({ connectionLimit: LIMIT, preAuthConnectionsPerIp: LIMIT / 2 });
    let stop = false;
    let opened = 0;
    const conditions = new Map<string, number>();
    const held: HostilePeer[] = [];
    // LIMIT garbage workers, each reconnecting as soon as it is shed; bounded to 400 connections and by `stop`.
    const worker = async (): Promise<void> => {
      while (!stop && opened < 400) {
        opened++;
        const p = await HostilePeer.connect(fed.gw.port, { host: GW_ADDRESS, localAddress: ATTACKER_ADDRESS }).catch(() => undefined);
        if (!p) continue;
        p.send(`${HEADER()}<message></presence>`);
        await p.waitFin(2000).catch(() => undefined);
        const c = conditionIn(p.text) ?? 'none';
        conditions.set(c, (conditions.get(c) ?? 0) + 1);
        p.destroy();
      }
    };
    try {
      // Slowloris: LIMIT connections that open a stream and then say nothing (held until streamEstablishmentTimeout, 60 s).
      for (let i = 0; i < LIMIT; i++) {
        const p = await HostilePeer.connect(fed.gw.port, { host: GW_ADDRESS, localAddress: ATTACKER_ADDRESS });
        held.push(p);
        p.send(HEADER());
        await p.waitFor(/<\/stream:features>|<\/stream:stream>$/);
      }
      const silent = held.map((p) => conditionIn(p.text) ?? 'features');
      expect(silent).toEqual([...Array(LIMIT / 2).fill('features'), ...Array(LIMIT / 2).fill('policy-violation')]);
      const workers = Array.from({ length: LIMIT }, worker);
      await new Promise((r) => setTimeout(r, 200)); // the flood is running
      const results: string[] = [];
      for (let i = 0; i < 3; i++) results.push(await partnerMessage(fed, `during-flood-${i}`));
      stop = true;
      await Promise.all(workers);
      expect(results).toEqual(['delivered', 'delivered', 'delivered']);
      // Every flood connection was answered with a stream error and closed (none hung, none got in).
      expect(conditions.get('none')).toBeUndefined();
      expect([...conditions.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    } finally {
      stop = true;
      for (const p of held) p.destroy();
      await fed.stop();
    }
  }, 30_000);
});

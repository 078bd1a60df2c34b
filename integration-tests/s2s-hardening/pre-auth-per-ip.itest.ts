/**
 * Issue #10: gateway.s2s.preAuthConnectionsPerIp, over real loopback TCP.
 * Before authentication one source address may hold at most that many
 * inbound connections (default 20), so it cannot take the global
 * connectionLimit; past it the connection is refused with policy-violation
 * (RFC 6120 §4.9.3.14; pre-auth-ip-limit.ts says why not resource-constraint)
 * and closed at once. A slot is freed when the connection closes, and when
 * it authenticates: from then on it counts only against its partner's limit.
 */
import { performance } from 'node:perf_hooks';
import { conditionIn, HEADER, HostilePeer } from './hostile-peer';
import { ATTACKER_ADDRESS, GW_ADDRESS, OTHER_ADDRESS, PEER_ADDRESS, partnerMessage, startFederation, startGateway } from './loopback-edges';

const FEATURES = /<\/stream:features>/;
const OPENED = /<\/stream:features>|<\/stream:stream>$/;

async function openStream(port: number, localAddress: string): Promise<HostilePeer> {
  const p = await HostilePeer.connect(port, { host: GW_ADDRESS, localAddress });
  p.send(HEADER());
  await p.waitFor(OPENED);
  return p;
}

describe('preAuthConnectionsPerIp (default 20): unauthenticated inbound connections per source address', () => {
  it('accepts 20 unauthenticated streams from one address, refuses the 21st with policy-violation and closes it under 500 ms, and still accepts another address', async () => {
    const gw = await startGateway(); // the defaults: preAuthConnectionsPerIp 20, connectionLimit 1000
    const open: HostilePeer[] = [];
    try {
      for (let i = 0; i < 20; i++) open.push(await openStream(gw.port, ATTACKER_ADDRESS));
      expect(open.map((p) => conditionIn(p.text))).toEqual(Array(20).fill(undefined));
      expect(open.every((p) => FEATURES.test(p.text))).toBe(true);

      const t0 = performance.now();
      const refused = await HostilePeer.connect(gw.port, { host: GW_ADDRESS, localAddress: ATTACKER_ADDRESS });
      open.push(refused);
      const fin = await refused.waitFin(1000);
      expect(conditionIn(refused.text)).toBe('policy-violation');
      expect(refused.text).toContain('too many unauthenticated connections from 127.0.40.10');
      expect(fin - t0).toBeLessThan(500);
      expect(gw.log.lines.some((l) => l.msg === 'refusing an inbound connection: too many unauthenticated connections from this address' && l.ip === ATTACKER_ADDRESS)).toBe(true);

      const other = await openStream(gw.port, OTHER_ADDRESS);
      open.push(other);
      expect(other.text).toMatch(FEATURES);
      expect(gw.edge.connections).toBe(21);
    } finally {
      for (const p of open) p.destroy();
      await gw.edge.stop();
    }
  });

  it('frees the slot when one of them closes: the next connection from that address is accepted', async () => {
    const gw = await startGateway({ preAuthConnectionsPerIp: 2 });
    const open: HostilePeer[] = [];
    try {
      open.push(await openStream(gw.port, ATTACKER_ADDRESS), await openStream(gw.port, ATTACKER_ADDRESS));
      const third = await openStream(gw.port, ATTACKER_ADDRESS);
      open.push(third);
      expect(conditionIn(third.text)).toBe('policy-violation');
      // A graceful close by the peer (RFC 6120 §4.4): we answer, the connection ends, the slot is free.
      const first = open[0] as HostilePeer;
      first.send('</stream:stream>');
      await first.waitFin(1000);
      const deadline = performance.now() + 500;
      while (gw.edge.connections !== 1 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const again = await openStream(gw.port, ATTACKER_ADDRESS);
      open.push(again);
      expect(again.text).toMatch(FEATURES);
      expect(conditionIn(again.text)).toBeUndefined();
    } finally {
      for (const p of open) p.destroy();
      await gw.edge.stop();
    }
  });

  it('once a connection authenticates (real dialback over TCP) it no longer counts: with a cap of 1, the same address opens another unauthenticated stream', async () => {
    const fed = await startFederation({ preAuthConnectionsPerIp: 1 });
    const open: HostilePeer[] = [];
    try {
      // peer.test's own outbound stream, from PEER_ADDRESS, authenticates by dialback and carries the message.
      await expect(partnerMessage(fed, 'authenticated-first')).resolves.toBe('delivered');
      const raw = await openStream(fed.gw.port, PEER_ADDRESS);
      open.push(raw);
      expect(raw.text).toMatch(FEATURES);
      expect(conditionIn(raw.text)).toBeUndefined();
      // …and that unauthenticated one fills the address's single slot.
      const second = await openStream(fed.gw.port, PEER_ADDRESS);
      open.push(second);
      expect(conditionIn(second.text)).toBe('policy-violation');
    } finally {
      for (const p of open) p.destroy();
      await fed.stop();
    }
  }, 20_000);
});

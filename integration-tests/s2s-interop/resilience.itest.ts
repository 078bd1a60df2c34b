/**
 * Outbound resolution and recovery with REAL peers in dialback mode:
 * - RFC 6120 §3.2.1: with no static route, the edge follows the
 *   _xmpp-server._tcp SRV record served by a DNS server on loopback
 *   (ejabberd listens on 5270 here, so the A-record fallback on 5269 would
 *   find nothing);
 * - a peer killed mid-stream: stanzas queued for it bounce to their sender
 *   (RFC 6120 §8.3.3.15 remote-server-not-found / §8.3.3.16
 *   remote-server-timeout), nothing is dropped silently, and delivery resumes
 *   both ways once the peer is back.
 */
import { el } from '../../plugin/core/xml/xml-element';
import { startTestDnsServer } from '../../adapters/xmpp-s2s/net/__tests__/dns-server';
import { LAB_ADDRESSES } from '../harness/xmpp-peers';
import { BOT_JID, ECHO_JID } from './echo';
import { authentications, closes } from './edge-log';
import { errorCondition } from './inbox';
import { PEER_KINDS, withId } from './peer-lab';
import { tcpSwitch } from './tcp-switch';
import { DIALBACK } from './policies';
import { TEST_MS, WAIT_MS, useLab } from './use-lab';

const BODY = `é ✓ 😀 and < & ' "`;
/** Not 5269: proves the SRV record, not the A fallback, gave the port. */
const EJABBERD_S2S_PORT = 5270;

const lab = useLab({ mode: 'dialback', policy: DIALBACK, label: 'resilience', s2sPorts: { ejabberd: EJABBERD_S2S_PORT } });

describe('outbound resolution through real DNS (RFC 6120 §3.2.1 SRV, then A)', () => {
  it('us → ejabberd.test with no static route: the _xmpp-server._tcp SRV record (port 5270) from a DNS server on loopback is followed and the message is delivered', async () => {
    const peer = lab.peers.ejabberd;
    const dns = await startTestDnsServer({
      srv: { [`_xmpp-server._tcp.${peer.domain}`]: [{ name: peer.domain, port: EJABBERD_S2S_PORT, priority: 10, weight: 5 }] },
      a: { [peer.domain]: [LAB_ADDRESSES.ejabberd] },
    });
    try {
      const viaDns = lab.partners();
      viaDns[peer.domain] = { ...DIALBACK }; // no proxyFqdn: resolve
      const edge = await lab.slot.use({ pki: lab.pki, partners: viaDns, resolver: dns.resolver, label: 'srv' });
      const id = 'via-srv';
      edge.send(el('message', { from: BOT_JID, to: peer.client.bareJid, type: 'chat', id }, el('body', {}, BODY)));
      const got = await peer.client.waitForStanza(withId(id), WAIT_MS);
      expect(got.getChildText('body')).toBe(BODY);
      expect(dns.queries).toEqual(expect.arrayContaining([`SRV _xmpps-server._tcp.${peer.domain}`, `SRV _xmpp-server._tcp.${peer.domain}`]));
      expect(authentications(edge.log.lines, peer.domain, 'out')).toEqual(['dialback']);
    } finally {
      await dns.stop();
      await lab.slot.use(lab.standardEdge('dialback-after-srv'));
    }
  }, TEST_MS);
});

describe('a peer killed mid-stream (RFC 6120 §8.3.3.15/16 bounces, then reconnection)', () => {
  it.each(PEER_KINDS)('%s killed: stanzas queued for it bounce to our handler with remote-server-not-found/timeout, and delivery resumes both ways once it is back', async (kind) => {
    const peer = lab.peers[kind];
    const edge = lab.slot.edge;
    // An established outbound stream first.
    const warm = `warm-${kind}`;
    edge.send(el('message', { from: BOT_JID, to: peer.client.bareJid, type: 'chat', id: warm }, el('body', {}, 'warm')));
    await peer.client.waitForStanza(withId(warm), WAIT_MS);
    const logMark = edge.log.mark();
    await peer.handle.kill();
    await edge.log.waitFor((l) => l.msg === 'stream closed' && l.dir === 'out' && l.remote === peer.domain, WAIT_MS, logMark);

    const ids = [1, 2, 3].map((i) => `queued-${kind}-${i}`);
    const mark = edge.inbox.mark();
    for (const id of ids) edge.send(el('message', { from: BOT_JID, to: `${peer.user}@${peer.domain}`, type: 'chat', id }, el('body', {}, id)));
    for (const id of ids) {
      const b = await edge.inbox.waitFor((e) => e.attrs.id === id, WAIT_MS, mark);
      expect(b.el.attrs.type).toBe('error');
      expect(b.el.attrs.to).toBe(BOT_JID);
      expect(['remote-server-not-found', 'remote-server-timeout']).toContain(errorCondition(b.el));
    }

    await peer.handle.restart();
    const client = await peer.reconnect();
    // Bounded retry: the router bounces at once while its randomized backoff (≤ 2 s here) runs.
    const deadline = Date.now() + 20_000;
    let delivered = false;
    for (let i = 0; i < 20 && !delivered && Date.now() < deadline; i++) {
      const id = `resume-${kind}-${i}`;
      const m = edge.inbox.mark();
      edge.send(el('message', { from: BOT_JID, to: client.bareJid, type: 'chat', id }, el('body', {}, 'back')));
      const stop = new AbortController();
      const outcome = await Promise.race([
        client.waitForStanza(withId(id), 4000).then(() => 'delivered' as const, () => 'timeout' as const),
        edge.inbox.waitFor((e) => e.attrs.id === id, 4000, m, stop.signal).then(() => 'bounced' as const, () => 'timeout' as const),
      ]);
      stop.abort();
      delivered = outcome === 'delivered';
      if (!delivered) await new Promise((r) => setTimeout(r, 500));
    }
    expect(delivered).toBe(true);
    // …and the other direction.
    const id = await client.sendMessage(ECHO_JID, BODY);
    await edge.inbox.waitFor((e) => e.attrs.id === id, WAIT_MS);
    const echo = await client.waitForStanza(withId(`echo:${id}`), WAIT_MS);
    expect(echo.getChildText('body')).toBe(BODY);
    expect(closes(edge.log.since(logMark), peer.domain, 'out').length).toBeGreaterThan(0);
  }, 90_000);
});

describe('a partner that is back while our reconnect backoff runs (XEP-0220 §2.1.2 verification, RFC 6120 §8.3.3.15)', () => {
  it('prosody → us just after our outbound to it failed twice: its dialback key is verified at once (its inbound stream proves it is back) and the message is delivered, not refused with db:result type=error', async () => {
    const peer = lab.peers.prosody;
    // Our route to prosody.test goes through a relay we can switch off: Prosody itself stays up and can reach us.
    const relay = await tcpSwitch({ host: LAB_ADDRESSES.gateway, port: 15269 }, { host: LAB_ADDRESSES.prosody, port: 5269 });
    try {
      const edge = await lab.slot.use({
        pki: lab.pki, partners: lab.partners({ routes: { [peer.domain]: relay.address } }), label: 'backoff-verify',
        retry: { maxDelayMs: 300_000, random: () => 1 }, // deterministic windows: 1 s after one failure, 2 s after two
      });
      // Two failed attempts while the relay is off (each queued stanza bounces to us).
      const failures = () => edge.log.lines.filter((l) => l.msg === 'outbound connection failed' && l.remote === peer.domain).length;
      for (let i = 0; i < 12 && failures() < 2; i++) {
        const id = `unreachable-${i}`;
        edge.send(el('message', { from: BOT_JID, to: peer.client.bareJid, type: 'chat', id }, el('body', {}, 'x')));
        const b = await edge.inbox.waitFor((e) => e.attrs.id === id, WAIT_MS);
        expect(errorCondition(b.el)).toBe('remote-server-not-found');
        if (failures() < 2) await new Promise((r) => setTimeout(r, 300));
      }
      expect(failures()).toBe(2);
      // The partner is reachable again and opens its own stream to us within the 2 s backoff window.
      await relay.on();
      const mark = edge.inbox.mark();
      const id = await peer.client.sendMessage(ECHO_JID, BODY);
      const stop = new AbortController();
      const outcome = await Promise.race([
        edge.inbox.waitFor((e) => e.attrs.id === id, WAIT_MS, mark, stop.signal).then(() => 'delivered', () => 'nothing'),
        peer.client.waitForStanza((e) => e.attrs.id === id && e.attrs.type === 'error', WAIT_MS)
          .then((e) => `refused: ${e.toString().slice(0, 300)}`, () => 'nothing'),
      ]);
      stop.abort();
      expect(outcome).toBe('delivered');
    } finally {
      await relay.close();
      await lab.slot.use(lab.standardEdge('resilience-restored'));
    }
  }, TEST_MS);
});

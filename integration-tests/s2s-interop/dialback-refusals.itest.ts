/**
 * Refusals at dialback with REAL ejabberd and Prosody as authoritative
 * servers (XEP-0220 §2.1.2, §2.4, §2.5; RFC 6120 §4.9.3):
 * - a raw-socket peer forging a dialback key for ejabberd.test / prosody.test:
 *   our edge asks the real server over its outbound stream, gets
 *   type='invalid', answers db:result type='invalid' + not-authorized, and
 *   delivers nothing the raw peer sends;
 * - a domain that is not in our partner list, at the stream header and as a
 *   piggybacked db:result;
 * - a real peer removed from our partner list, both directions.
 */
import { el } from '../../plugin/core/xml/xml-element';
import { LAB_ADDRESSES, LAB_DOMAINS } from '../harness/xmpp-peers';
import { BOT_JID, ECHO_JID, GATEWAY } from './echo';
import { authentications } from './edge-log';
import { bare, errorCondition } from './inbox';
import { PEER_KINDS, type PeerKind } from './peer-lab';
import type { LabEdge } from './lab-edge';
import { DIALBACK } from './policies';
import { RawPeer, STREAM_HEADER } from './raw-peer';
import { QUIET_MS, TEST_MS, WAIT_MS, useLab } from './use-lab';

const lab = useLab({ mode: 'dialback', policy: DIALBACK, label: 'dialback-refusals' });

/** What the real authoritative server logs when our db:verify carries the forged key (ejabberd says nothing at info level). */
const AUTHORITATIVE_SAYS_INVALID: Record<PeerKind, string | undefined> = {
  prosody: 'Asked to verify a dialback key that was incorrect',
  ejabberd: undefined,
};

describe('refusals at dialback (XEP-0220 §2.4, RFC 6120 §4.9.3)', () => {
  /** TCP → header → STARTTLS (our policy requires TLS) → restarted header → features; returns our stream id. */
  async function rawPeerAuthStage(claimed: string): Promise<{ raw: RawPeer; streamId: string }> {
    const raw = await RawPeer.connect(LAB_ADDRESSES.gateway, 5269);
    raw.send(STREAM_HEADER(claimed, GATEWAY));
    await raw.waitFor(/<starttls[^>]*xmlns=['"]urn:ietf:params:xml:ns:xmpp-tls['"]/);
    raw.send(`<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`);
    await raw.waitFor(/<proceed/);
    await raw.startTls(GATEWAY);
    raw.send(STREAM_HEADER(claimed, GATEWAY));
    const m = await raw.waitFor(/<stream:stream[^>]*\sid=['"]([^'"]+)['"][\s\S]*<\/stream:features>/);
    expect(m[0]).toContain('urn:xmpp:features:dialback');
    return { raw, streamId: m[1] ?? '' };
  }

  it.each(PEER_KINDS)('a raw-socket peer claiming %s with a forged dialback key gets db:result type=invalid and not-authorized (the real server says invalid), and the stanza it then sends is not delivered', async (kind) => {
    const edge = lab.slot.edge;
    const domain = LAB_DOMAINS[kind];
    const inboxMark = edge.inbox.mark();
    const logMark = edge.log.mark();
    const { raw, streamId } = await rawPeerAuthStage(domain);
    try {
      expect(streamId).not.toBe('');
      raw.send(`<db:result from='${domain}' to='${GATEWAY}'>${'0badc0de'.repeat(8)}</db:result>`);
      await raw.waitFor(/<db:result[^>]*type=['"]invalid['"]/);
      await raw.waitFor(/<not-authorized xmlns=['"]urn:ietf:params:xml:ns:xmpp-streams['"]/);
      raw.send(`<message from='mallory@${domain}' to='${ECHO_JID}' id='forged-${kind}' type='chat'><body>forged</body></message>`);
      await raw.waitClosed();
      await new Promise((r) => setTimeout(r, QUIET_MS));
      expect(edge.inbox.since(inboxMark).filter((e) => bare(e.attrs.from) === `mallory@${domain}` || e.attrs.id === `forged-${kind}`)).toEqual([]);
      // The verdict came from the real authoritative server, asked over our outbound stream (XEP-0220 §2.1.2).
      expect(edge.log.since(logMark).some((l) => l.msg === 'closing stream with error' && l.dir === 'in' && l.remote === domain && l.condition === 'not-authorized')).toBe(true);
      const evidence = AUTHORITATIVE_SAYS_INVALID[kind];
      if (evidence) expect(lab.peers[kind].handle.logs()).toContain(evidence);
    } finally {
      raw.destroy();
    }
  }, TEST_MS);

  it('a raw-socket peer claiming a domain that is not a partner is refused at the stream header with policy-violation, and nothing it sends is delivered', async () => {
    const edge = lab.slot.edge;
    const mark = edge.inbox.mark();
    const raw = await RawPeer.connect(LAB_ADDRESSES.gateway, 5269);
    try {
      raw.send(STREAM_HEADER('evil.test', GATEWAY));
      await raw.waitFor(/<policy-violation xmlns=['"]urn:ietf:params:xml:ns:xmpp-streams['"]/);
      expect(raw.text).not.toContain('<stream:features');
      raw.send(`<db:result from='evil.test' to='${GATEWAY}'>00</db:result><message from='eve@evil.test' to='${ECHO_JID}' id='evil-1'><body>x</body></message>`);
      await raw.waitClosed();
      await new Promise((r) => setTimeout(r, QUIET_MS));
      expect(edge.inbox.since(mark).filter((e) => bare(e.attrs.from) === 'eve@evil.test')).toEqual([]);
    } finally {
      raw.destroy();
    }
  }, TEST_MS);

  it('a db:result for an unlisted domain piggybacked on a partner’s stream is refused with not-authorized (XEP-0220 §2.5)', async () => {
    const edge = lab.slot.edge;
    const mark = edge.inbox.mark();
    const { raw } = await rawPeerAuthStage(LAB_DOMAINS.prosody);
    try {
      raw.send(`<db:result from='evil.test' to='${GATEWAY}'>${'ab'.repeat(32)}</db:result>`);
      await raw.waitFor(/<not-authorized xmlns=['"]urn:ietf:params:xml:ns:xmpp-streams['"]/);
      expect(raw.text).not.toMatch(/type=['"]valid['"]/);
      raw.send(`<message from='eve@evil.test' to='${ECHO_JID}' id='evil-2'><body>x</body></message>`);
      await raw.waitClosed();
      await new Promise((r) => setTimeout(r, QUIET_MS));
      expect(edge.inbox.since(mark).filter((e) => bare(e.attrs.from) === 'eve@evil.test')).toEqual([]);
    } finally {
      raw.destroy();
    }
  }, TEST_MS);

  it.each(PEER_KINDS)('%s, when not in our partner list, is refused both ways: its stream gets policy-violation (nothing delivered, its client gets an error) and our stanza to it bounces with remote-server-not-found', async (kind) => {
    const peer = lab.peers[kind];
    const edge = await lab.slot.use({ pki: lab.pki, partners: lab.partners({ except: peer.domain }), label: `unlisted-${kind}` });
    try {
      // peer → us
      const id = await peer.client.sendMessage(ECHO_JID, 'from an unlisted partner');
      const bounced = await peer.client.waitForStanza((e) => e.attrs.id === id && e.attrs.type === 'error', WAIT_MS);
      expect(bounced.getChild('error')).toBeDefined();
      await edge.log.waitFor((l) => l.dir === 'in' && l.remote === peer.domain && l.condition === 'policy-violation', WAIT_MS);
      expect(edge.inbox.items.filter((r) => bare(r.el.attrs.from) === peer.client.bareJid)).toEqual([]);
      expect(authentications(edge.log.lines, peer.domain)).toEqual([]);
      // us → peer
      const out = `unlisted-out-${kind}`;
      edge.send(el('message', { from: BOT_JID, to: peer.client.bareJid, type: 'chat', id: out }, el('body', {}, 'x')));
      const b = await edge.inbox.waitFor((e) => e.attrs.id === out, WAIT_MS);
      expect(errorCondition(b.el)).toBe('remote-server-not-found');
      expect(edge.log.lines.some((l) => l.dir === 'out' && l.remote === peer.domain)).toBe(false); // no connection even tried
      expect(peer.client.received.some((e) => e.attrs.id === out)).toBe(false);
    } finally {
      await lab.slot.use(lab.standardEdge('dialback-restored'));
    }
  }, TEST_MS);
});

describe('stanza size limit with real peers (RFC 6120 §13.12, §4.9.3.14 policy-violation)', () => {
  /**
   * Sends small messages until one reaches our handler (bounded): a peer may bounce for a short while
   * after a failed stream (ejabberd s2s_max_retry_delay is 2 s in the lab, and the previous test refused it).
   */
  async function deliverSmall(kind: PeerKind, edge: LabEdge, label: string): Promise<boolean> {
    for (let i = 0; i < 10; i++) {
      const id = await lab.peers[kind].client.sendMessage(ECHO_JID, `${label} ${i}`);
      if (await edge.inbox.waitFor((e) => e.attrs.id === id, 1500).then(() => true, () => false)) return true;
    }
    return false;
  }

  it.each(PEER_KINDS)('a 100 kB message from %s over our 64 KiB limit closes that stream with policy-violation and is not delivered; the next message crosses on a new stream', async (kind) => {
    const peer = lab.peers[kind];
    const edge = await lab.slot.use({ ...lab.standardEdge(`size-${kind}`), limits: { maxStanzaBytes: 64 * 1024 } });
    try {
      expect(await deliverSmall(kind, edge, 'before')).toBe(true); // an established inbound stream first
      const mark = edge.log.mark();
      const bigId = await peer.client.sendMessage(ECHO_JID, 'x'.repeat(100_000));
      const refusal = await edge.log.waitFor((l) => l.msg === 'closing stream with error' && l.dir === 'in' && l.remote === peer.domain, WAIT_MS, mark);
      expect(refusal.condition).toBe('policy-violation');
      expect(String(refusal.text)).toMatch(/exceeds 65536 bytes/);
      expect(await deliverSmall(kind, edge, 'after')).toBe(true);
      expect(edge.inbox.items.some((r) => r.el.attrs.id === bigId)).toBe(false);
    } finally {
      await lab.slot.use(lab.standardEdge('dialback-restored'));
    }
  }, TEST_MS);
});

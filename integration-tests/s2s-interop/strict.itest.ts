/**
 * Our edge federating with REAL ejabberd and Prosody in strict mode: STARTTLS
 * (RFC 6120 §5) with certificates checked against the lab CA, then SASL
 * EXTERNAL (RFC 6120 §6, XEP-0178) and nothing else — Prosody with
 * s2s_secure_auth = true, ejabberd without mod_s2s_dialback, and our partner
 * policy "TLS Required, SASL Required, no dialback".
 *
 * Then the RFC 6125 refusals: our edge presenting a certificate for the wrong
 * name (the peers refuse it), and peers presenting one to us (we refuse them).
 */
import { el } from '../../plugin/core/xml/xml-element';
import type { LabPki } from '../harness/lab-ca';
import { BOT_JID, ECHO_JID } from './echo';
import { authentications, type EdgeLogLine } from './edge-log';
import { bare, errorCondition } from './inbox';
import { recordFirstDelivery } from './first-delivery';
import { firstRoundTripIn, firstRoundTripOut } from './first-round-trip';
import { PEER_KINDS, startAllSettled, type LabPeer, type PeerKind } from './peer-lab';
import { STRICT } from './policies';
import { HOOK_MS, QUIET_MS, TEST_MS, WAIT_MS, useLab } from './use-lab';

const BODY = `é ✓ 😀 and < & ' "`;

/** Addresses of the second, wrong-certificate instance of each peer domain (inside the lab's 127.0.30.0/24). */
const WRONG_CERT_ADDRESS: Record<PeerKind, string> = { ejabberd: '127.0.30.5', prosody: '127.0.30.4' };

/**
 * How each peer refuses our wrong-name certificate on our outbound stream, as our log records it:
 * ejabberd answers <auth mechanism='EXTERNAL'/> with <failure><not-authorized/> (RFC 6120 §6.5.10);
 * Prosody (s2s_secure_auth) closes the stream with <not-authorized/> (RFC 6120 §4.9.3.12).
 */
const PEER_REFUSAL: Record<PeerKind, (l: EdgeLogLine) => boolean> = {
  ejabberd: (l) => l.msg === 'SASL EXTERNAL refused by the peer' && l.failure === 'not-authorized',
  prosody: (l) => l.msg === 'stream closed' && l.byPeer === true && l.condition === 'not-authorized',
};

const lab = useLab({ mode: 'strict', policy: STRICT, label: 'strict' });
const impostors: Partial<Record<PeerKind, LabPeer>> = {};

describe('RFC 6120 §5 STARTTLS + §6 SASL EXTERNAL (XEP-0178) with ejabberd and Prosody, certificates checked against the lab CA', () => {
  it.each(PEER_KINDS)('us → %s: a message from bot@gw.test reaches the client (and its reply comes back) over a new outbound stream authenticated with EXTERNAL', async (kind) => {
    const { ms, log } = await firstRoundTripOut(lab, kind, `strict-out-${kind}`, BODY);
    expect(authentications(log(), lab.peers[kind].domain, 'out')).toEqual(['EXTERNAL']);
    expect(authentications(log(), lab.peers[kind].domain, 'in')).toEqual(['EXTERNAL']); // the reply's stream
    recordFirstDelivery({ peer: kind, mode: 'strict', direction: 'us→peer', ms, setup: 'TCP + STARTTLS + SASL EXTERNAL + stream restart' });
  }, TEST_MS);

  it.each(PEER_KINDS)('%s → us: the client’s message reaches our handler over a new inbound stream authenticated with EXTERNAL, and the echo comes back over EXTERNAL', async (kind) => {
    const { ms, log } = await firstRoundTripIn(lab, kind, `strict-in-${kind}`, BODY);
    expect(authentications(log(), lab.peers[kind].domain, 'in')).toEqual(['EXTERNAL']);
    expect(authentications(log(), lab.peers[kind].domain, 'out')).toEqual(['EXTERNAL']);
    recordFirstDelivery({ peer: kind, mode: 'strict', direction: 'peer→us', ms, setup: 'TCP + STARTTLS + SASL EXTERNAL (no dialback round trip)' });
  }, TEST_MS);
});

describe('a certificate for the wrong name is refused in strict mode (RFC 6125 §6, RFC 6120 §13.7.2, XEP-0178 §3)', () => {
  it.each(PEER_KINDS)('our edge presenting wrong-name.test to %s: the peer refuses it both ways, our stanza bounces to us, and nothing is delivered', async (kind) => {
    const peer = lab.peers[kind];
    const edge = await lab.slot.use({ ...lab.standardEdge(`wrong-identity-${kind}`), identity: lab.pki.wrongName });
    try {
      // us → peer: the peer does not accept EXTERNAL for a certificate naming another domain, dialback is off.
      const id = `wrong-out-${kind}`;
      edge.send(el('message', { from: BOT_JID, to: peer.client.bareJid, type: 'chat', id }, el('body', {}, 'x')));
      const b = await edge.inbox.waitFor((e) => e.attrs.id === id, WAIT_MS);
      expect(['remote-server-not-found', 'remote-server-timeout']).toContain(errorCondition(b.el));
      expect(authentications(edge.log.lines, peer.domain, 'out')).toEqual([]);
      expect(edge.log.lines.filter((l) => l.dir === 'out' && l.remote === peer.domain).some(PEER_REFUSAL[kind])).toBe(true);
      // peer → us: the peer checks OUR certificate when it connects to us, and gives up.
      const inId = await peer.client.sendMessage(ECHO_JID, 'to a gateway with the wrong certificate');
      const bounced = await peer.client.waitForStanza((e) => e.attrs.id === inId && e.attrs.type === 'error', WAIT_MS);
      expect(bounced.getChild('error')).toBeDefined();
      await new Promise((r) => setTimeout(r, QUIET_MS));
      expect(edge.inbox.items.filter((r) => bare(r.el.attrs.to) === ECHO_JID)).toEqual([]);
      expect(authentications(edge.log.lines, peer.domain)).toEqual([]);
      expect(peer.client.received.some((e) => e.attrs.id === id)).toBe(false);
    } finally {
      await lab.slot.use(lab.standardEdge('strict-restored'));
    }
  }, TEST_MS);

  describe('peers presenting wrong-name.test to us', () => {
    beforeAll(async () => {
      // A second instance of each peer domain whose certificate names wrong-name.test (valid lab-CA chain).
      const wrongPki: LabPki = { ...lab.pki, leaf: () => lab.pki.wrongName };
      const started = await startAllSettled(PEER_KINDS.map((kind) =>
        ({ kind, mode: 'strict' as const, pki: wrongPki, address: WRONG_CERT_ADDRESS[kind], clientSkipsNameCheck: true })));
      for (const p of started) impostors[p.kind] = p;
      lab.extraPeers.push(...started);
    }, HOOK_MS);

    it.each(PEER_KINDS)('%s with a wrong-name certificate connecting to us is refused with policy-violation and nothing it carries is delivered', async (kind) => {
      const peer = impostors[kind] as LabPeer;
      const edge = await lab.slot.use(lab.standardEdge(`impostor-in-${kind}`));
      const mark = edge.log.mark();
      const id = await peer.client.sendMessage(ECHO_JID, 'from a server with the wrong certificate');
      const bounced = await peer.client.waitForStanza((e) => e.attrs.id === id && e.attrs.type === 'error', WAIT_MS);
      expect(bounced.getChild('error')).toBeDefined();
      const refused = await edge.log.waitFor((l) => l.dir === 'in' && l.remote === peer.domain && l.condition === 'policy-violation', WAIT_MS, mark);
      expect(String(refused.text)).toMatch(/certificate/);
      expect(edge.log.since(mark).some((l) => l.dir === 'in' && l.remote === peer.domain && l.msg === 'tls established' &&
        (l.cert as { identity?: string } | undefined)?.identity === 'invalid')).toBe(true);
      await new Promise((r) => setTimeout(r, QUIET_MS));
      expect(edge.inbox.items.filter((r) => r.el.attrs.id === id || bare(r.el.attrs.from) === peer.client.bareJid)).toEqual([]);
      expect(authentications(edge.log.since(mark), peer.domain, 'in')).toEqual([]);
    }, TEST_MS);

    it.each(PEER_KINDS)('us → %s presenting a wrong-name certificate: we refuse it with policy-violation and the stanza bounces to us with remote-server-not-found', async (kind) => {
      const peer = impostors[kind] as LabPeer;
      const edge = await lab.slot.use({ pki: lab.pki, partners: lab.partners({ routes: { [peer.domain]: `${WRONG_CERT_ADDRESS[kind]}:5269` } }), label: `impostor-out-${kind}` });
      try {
        const id = `impostor-out-${kind}`;
        edge.send(el('message', { from: BOT_JID, to: peer.client.bareJid, type: 'chat', id }, el('body', {}, 'x')));
        const b = await edge.inbox.waitFor((e) => e.attrs.id === id, WAIT_MS);
        expect(errorCondition(b.el)).toBe('remote-server-not-found');
        const refusal = edge.log.lines.find((l) => l.msg === 'closing stream with error' && l.dir === 'out' && l.remote === peer.domain);
        expect(refusal).toMatchObject({ condition: 'policy-violation' });
        expect(String(refusal?.text)).toMatch(/certificate/);
        expect(authentications(edge.log.lines, peer.domain, 'out')).toEqual([]);
        await new Promise((r) => setTimeout(r, QUIET_MS));
        expect(peer.client.received.some((e) => e.attrs.id === id)).toBe(false);
      } finally {
        await lab.slot.use(lab.standardEdge('strict-restored'));
      }
    }, TEST_MS);
  });
});

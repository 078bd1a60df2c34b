/**
 * "TLS Required" against REAL peers that do no TLS at all (plain mode:
 * ejabberd s2s_use_starttls false, Prosody s2s_allow_encryption = false).
 * RFC 6120 §5.3.1: a server that requires TLS must not let an unencrypted
 * stream carry anything; our edge refuses with policy-violation in both
 * directions, and nothing crosses.
 */
import { el } from '../../plugin/core/xml/xml-element';
import type { PartnerPolicy } from '../../adapters/xmpp-s2s/policy/partner-policy';
import { BOT_JID, ECHO_JID } from './echo';
import { authentications, type EdgeLogLine } from './edge-log';
import { bare, errorCondition } from './inbox';
import { PEER_KINDS, withId, type PeerKind } from './peer-lab';
import { QUIET_MS, TEST_MS, WAIT_MS, useLab } from './use-lab';

/** TLS Required, dialback allowed (so only the missing TLS can be the reason for the refusal). */
const TLS_REQUIRED: Omit<PartnerPolicy, 'proxyFqdn'> = { tls: 'Required', sasl: 'Optional', dialback: true, keepAlive: false, connectionLimit: 10 };

/**
 * How the refusal of an unencrypted inbound stream shows in our log. Prosody
 * ignores our <starttls><required/></starttls> and sends db:result in clear,
 * so WE close with policy-violation (RFC 6120 §5.3.1). ejabberd, which cannot
 * satisfy <required/>, closes the stream itself with unsupported-feature
 * (RFC 6120 §4.9.3.22) before sending anything else.
 */
const INBOUND_REFUSAL: Record<PeerKind, (l: EdgeLogLine) => boolean> = {
  prosody: (l) => l.msg === 'closing stream with error' && l.dir === 'in' && l.condition === 'policy-violation',
  ejabberd: (l) => l.msg === 'stream closed' && l.dir === 'in' && l.byPeer === true && l.condition === 'unsupported-feature',
};

const lab = useLab({ mode: 'plain', policy: TLS_REQUIRED, label: 'tls-required' });

describe('TLS Required against peers without TLS (RFC 6120 §5.3.1, §4.9.3.14 policy-violation)', () => {
  it.each(PEER_KINDS)('%s → us over plain TCP: the stream is refused (our policy-violation, or the peer gives up on our required STARTTLS), nothing is delivered, and the client gets an error', async (kind) => {
    const peer = lab.peers[kind];
    const edge = lab.slot.edge;
    const mark = edge.log.mark();
    const id = await peer.client.sendMessage(ECHO_JID, 'over plain TCP');
    const bounced = await peer.client.waitForStanza((e) => e.attrs.id === id && e.attrs.type === 'error', WAIT_MS);
    expect(bounced.getChild('error')).toBeDefined();
    const refusal = await edge.log.waitFor(INBOUND_REFUSAL[kind], WAIT_MS, mark);
    expect(refusal.remote).toBe(peer.domain);
    await new Promise((r) => setTimeout(r, QUIET_MS));
    expect(edge.inbox.items.filter((r) => bare(r.el.attrs.from) === peer.client.bareJid)).toEqual([]);
    expect(authentications(edge.log.since(mark), peer.domain)).toEqual([]);
    expect(peer.client.received.some(withId(`echo:${id}`))).toBe(false);
  }, TEST_MS);

  it.each(PEER_KINDS)('us → %s, which offers no STARTTLS: we close with policy-violation and the stanza bounces to us with remote-server-not-found', async (kind) => {
    const peer = lab.peers[kind];
    const edge = lab.slot.edge;
    const mark = edge.log.mark();
    const id = `plain-out-${kind}`;
    edge.send(el('message', { from: BOT_JID, to: peer.client.bareJid, type: 'chat', id }, el('body', {}, 'x')));
    const b = await edge.inbox.waitFor((e) => e.attrs.id === id, WAIT_MS);
    expect(b.el.attrs.to).toBe(BOT_JID);
    expect(errorCondition(b.el)).toBe('remote-server-not-found');
    const refusal = edge.log.since(mark).find((l) => l.msg === 'closing stream with error' && l.dir === 'out' && l.remote === peer.domain);
    expect(refusal).toMatchObject({ condition: 'policy-violation' });
    expect(String(refusal?.text)).toMatch(/TLS/);
    await new Promise((r) => setTimeout(r, QUIET_MS));
    expect(peer.client.received.some(withId(id))).toBe(false);
  }, TEST_MS);
});

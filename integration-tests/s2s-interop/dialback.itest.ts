/**
 * Our edge (gw.test on 127.0.30.1:5269) federating with REAL ejabberd 23.01
 * and Prosody 0.12 in dialback mode: STARTTLS with certificates the peers do
 * not trust (RFC 6120 §5), then XEP-0220 dialback with XEP-0185 keys, both
 * directions. Our partner policy is "TLS Required, SASL NotSupported,
 * dialback allowed" (Lync's TLS-dialback row), so every authentication must
 * be dialback, which the edge's structured log must say.
 *
 * Also here, over the same dialback streams: message, presence and IQ round
 * trips with real client accounts, byte-exact.
 */
import xml from '@xmpp/xml';
import { el } from '../../plugin/core/xml/xml-element';
import { BOT_JID, ECHO_JID, GATEWAY } from './echo';
import { authentications } from './edge-log';
import { bare, bodyOf, errorCondition } from './inbox';
import { recordFirstDelivery } from './first-delivery';
import { firstRoundTripIn, firstRoundTripOut } from './first-round-trip';
import { clientUtf8FixApplied } from '../harness/xmpp-client-utf8';
import { PEER_KINDS, withId } from './peer-lab';
import { DIALBACK } from './policies';
import { TEST_MS, WAIT_MS, useLab } from './use-lab';

const BODY = `é ✓ 😀 and < & ' "`;
const BODIES: ReadonlyArray<[string, string]> = [
  ['2-, 3- and 4-byte UTF-8', 'é ✓ 😀 — ça marche'],
  ['right-to-left text', 'שלום עולם · مرحبا بالعالم'],
  ['the XML specials', `< & ' " > ]]> &amp; <b>not markup</b>`],
];

const lab = useLab({ mode: 'dialback', policy: DIALBACK, label: 'dialback' });

describe('XEP-0220 dialback over RFC 6120 §5 STARTTLS with ejabberd and Prosody (s2s_secure_auth = false)', () => {
  it.each(PEER_KINDS)('us → %s: a message from bot@gw.test reaches the client (and its reply comes back) over a new outbound stream authenticated with dialback', async (kind) => {
    const { ms, log } = await firstRoundTripOut(lab, kind, `first-out-${kind}`, BODY);
    expect(authentications(log(), lab.peers[kind].domain, 'out')).toEqual(['dialback']);
    expect(authentications(log(), lab.peers[kind].domain, 'in')).toEqual(['dialback']); // the reply's stream
    recordFirstDelivery({ peer: kind, mode: 'dialback', direction: 'us→peer', ms, setup: 'TCP + STARTTLS + dialback (peer verifies our key over its own connection to us)' });
  }, TEST_MS);

  it.each(PEER_KINDS)('%s → us: the client’s message reaches our handler over a new inbound stream authenticated with dialback, and the echo comes back', async (kind) => {
    const { ms, log } = await firstRoundTripIn(lab, kind, `first-in-${kind}`, BODY);
    const inbound = authentications(log(), lab.peers[kind].domain, 'in');
    expect(inbound).toContain('dialback');
    expect(inbound).not.toContain('EXTERNAL');
    recordFirstDelivery({ peer: kind, mode: 'dialback', direction: 'peer→us', ms, setup: 'TCP + STARTTLS + dialback (we verify the key over a new outbound stream)' });
  }, TEST_MS);
});

describe('message and presence to a real client account and back (RFC 6120 §11.6 UTF-8, §11.1 escaping; RFC 6121 §3, §4.6)', () => {
  const rows = PEER_KINDS.flatMap((kind) => BODIES.map(([what, body]) => [kind, what, body] as const));
  it.each(rows)('%s client → echo@gw.test → client: a body with %s survives both S2S directions byte-exact', async (kind, _what, body) => {
    const peer = lab.peers[kind];
    const edge = lab.slot.edge;
    const id = await peer.client.sendMessage(ECHO_JID, body);
    const r = await edge.inbox.waitFor((e) => e.attrs.id === id, WAIT_MS);
    expect(Buffer.from(bodyOf(r.el) ?? '', 'utf8')).toEqual(Buffer.from(body, 'utf8'));
    const echo = await peer.client.waitForStanza(withId(`echo:${id}`), WAIT_MS);
    expect(String(echo.attrs.from)).toBe(ECHO_JID);
    expect(Buffer.from(echo.getChildText('body') ?? '', 'utf8')).toEqual(Buffer.from(body, 'utf8'));
  }, TEST_MS);

  it.each(PEER_KINDS)('%s client → echo@gw.test → client: a 60 kB body of multi-byte characters (split across TLS records and TCP reads) survives byte-exact', async (kind) => {
    const peer = lab.peers[kind];
    const body = 'é✓😀ש'.repeat(6000); // 2+3+4+2 bytes × 6000 = 66 000 bytes of UTF-8, under every limit in play (256 KiB)
    expect(clientUtf8FixApplied()).toBe(true); // else the test client itself corrupts it (harness/xmpp-client-utf8.ts)
    const id = await peer.client.sendMessage(ECHO_JID, body);
    const r = await lab.slot.edge.inbox.waitFor((e) => e.attrs.id === id, WAIT_MS);
    expect(Buffer.from(bodyOf(r.el) ?? '', 'utf8').equals(Buffer.from(body, 'utf8'))).toBe(true);
    const echo = await peer.client.waitForStanza(withId(`echo:${id}`), WAIT_MS);
    expect(Buffer.from(echo.getChildText('body') ?? '', 'utf8').equals(Buffer.from(body, 'utf8'))).toBe(true);
  }, TEST_MS);

  it.each(PEER_KINDS)('%s client: directed presence with a non-ASCII status reaches echo@gw.test and the echo’s presence comes back to the client', async (kind) => {
    const peer = lab.peers[kind];
    const edge = lab.slot.edge;
    const id = `pres-${kind}`;
    await peer.client.send(xml('presence', { to: ECHO_JID, id }, xml('status', {}, BODY)));
    const r = await edge.inbox.waitFor((e) => e.name === 'presence' && e.attrs.id === id, WAIT_MS);
    expect(bare(r.el.attrs.from)).toBe(peer.client.bareJid);
    const back = await peer.client.waitForStanza((e) => e.is('presence') && e.attrs.id === `echo:${id}`, WAIT_MS);
    expect(String(back.attrs.from)).toBe(`${ECHO_JID}/echo`);
    expect(Buffer.from(back.getChildText('status') ?? '', 'utf8')).toEqual(Buffer.from(BODY, 'utf8'));
  }, TEST_MS);

  it.each(PEER_KINDS)('us → %s client: presence subscribe from bot@gw.test reaches the client and its subscribed comes back to us', async (kind) => {
    const peer = lab.peers[kind];
    const edge = lab.slot.edge;
    const mark = edge.inbox.mark();
    edge.send(el('presence', { from: BOT_JID, to: peer.client.bareJid, type: 'subscribe', id: `sub-${kind}` }));
    await peer.client.waitForStanza((e) => e.is('presence') && e.attrs.type === 'subscribe' && bare(String(e.attrs.from)) === BOT_JID, WAIT_MS);
    await peer.client.send(xml('presence', { to: BOT_JID, type: 'subscribed' }));
    const r = await edge.inbox.waitFor((e) => e.name === 'presence' && e.attrs.type === 'subscribed' &&
      bare(e.attrs.from) === peer.client.bareJid && bare(e.attrs.to) === BOT_JID, WAIT_MS, mark);
    expect(errorCondition(r.el)).toBeUndefined();
  }, TEST_MS);
});

describe('IQs from a real client answered by our edge (XEP-0199, XEP-0030 §3.1, RFC 6120 §8.2.3)', () => {
  it.each(PEER_KINDS)('%s client: ping to gw.test gets a result, disco#info names a server/im identity, and an IQ to a user gets service-unavailable', async (kind) => {
    const c = lab.peers[kind].client;
    await c.send(xml('iq', { to: GATEWAY, type: 'get', id: `ping-${kind}` }, xml('ping', { xmlns: 'urn:xmpp:ping' })));
    const pong = await c.waitForStanza(withId(`ping-${kind}`), WAIT_MS);
    expect(pong.attrs).toMatchObject({ type: 'result', from: GATEWAY });
    await c.send(xml('iq', { to: GATEWAY, type: 'get', id: `disco-${kind}` }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' })));
    const info = await c.waitForStanza(withId(`disco-${kind}`), WAIT_MS);
    expect(info.attrs.type).toBe('result');
    expect(info.getChild('query')?.getChild('identity')?.attrs).toMatchObject({ category: 'server', type: 'im' });
    expect(info.getChild('query')?.getChildren('feature').map((f) => f.attrs.var)).toContain('urn:xmpp:ping');
    await c.send(xml('iq', { to: ECHO_JID, type: 'get', id: `vcard-${kind}` }, xml('vCard', { xmlns: 'vcard-temp' })));
    const refused = await c.waitForStanza(withId(`vcard-${kind}`), WAIT_MS);
    expect(refused.attrs.type).toBe('error');
    expect(refused.getChild('error')?.getChild('service-unavailable')).toBeDefined();
  }, TEST_MS);
});

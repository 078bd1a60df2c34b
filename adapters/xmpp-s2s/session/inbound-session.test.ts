import { createHash, createHmac } from 'node:crypto';
import { duplexPair } from 'node:stream';
import type { XmlElement } from '../../../plugin/core/xml/xml-element';
import { serializeXml } from '../../../plugin/core/xml/serialize-xml';
import type { DialbackVerdict, DialbackVerifyRequest } from '../auth/dialback-verifier';
import type { PartnerPolicy } from '../policy/partner-policy';
import { type DepsOverride, contextFor, FAKE_TIMERS, makeDeps, memoryLogger, Peer, PEER_HEADER, pem, POLICY_PLAIN, settle, tlsFor } from '../__tests__/test-deps';
import { streamError } from '../stream/stream-error';
import { InboundSession, type InboundDeps } from './inbound-session';

function setup(over: DepsOverride = {}, verdict: DialbackVerdict = 'valid', admit: InboundDeps['admit'] = () => undefined) {
  const [ours, theirs] = duplexPair();
  const stanzas: XmlElement[] = [];
  const verifyCalls: DialbackVerifyRequest[] = [];
  const deps: InboundDeps = {
    ...makeDeps(over),
    verifier: { verify: async (r) => { verifyCalls.push(r); return verdict; } },
    onStanza: (e) => stanzas.push(e),
    admit,
  };
  const session = new InboundSession(ours, deps, '127.0.0.1');
  const peer = new Peer(theirs);
  return { session, peer, stanzas, verifyCalls, deps };
}

const streamIdOf = (text: string) => /<stream:stream [^>]*id='([^']+)'/.exec(text)?.[1];
const MSG = (from = 'alice@peer.test/r', to = 'bob@gw.test') => `<message from='${from}' to='${to}' type='chat'><body>hi</body></message>`;
const policyOnly = (p: PartnerPolicy) => ({ policyFor: (d: string) => (d === 'refused.test' ? undefined : p) });

async function dialbackIn(peer: Peer, from = 'peer.test', to = 'gw.test') {
  peer.send(`<db:result from='${from}' to='${to}'>key</db:result>`);
  await peer.waitFor(new RegExp(`<db:result from="${to}" to="${from}" type="valid"/>`));
}

describe('InboundSession: stream header (RFC 6120 §4.7)', () => {
  it('answers a valid header with its own header, a fresh id and features with dialback (XEP-0220 §2.1)', async () => {
    const { peer } = setup();
    peer.send(PEER_HEADER());
    const out = await peer.waitFor(/<\/stream:features>/);
    expect(out).toMatch(/^<\?xml version='1.0'\?><stream:stream xmlns='jabber:server' xmlns:stream='http:\/\/etherx.jabber.org\/streams' xmlns:db='jabber:server:dialback' from='gw.test' to='peer.test' id='sid\d+' version='1.0'>/);
    expect(out).toContain('<dialback xmlns="urn:xmpp:features:dialback"><errors/></dialback>');
    expect(out).not.toContain('starttls');
  });

  it.each([
    ['to a domain we do not serve', PEER_HEADER('peer.test', 'other.test'), 'host-unknown'],
    ['from one of our domains', PEER_HEADER('gw2.test', 'gw.test'), 'invalid-from'],
    ['without from', PEER_HEADER('peer.test').replace(" from='peer.test'", ''), 'improper-addressing'],
    ['with version 0.9', PEER_HEADER().replace("version='1.0'>", "version='0.9'>"), 'unsupported-version'],
    ['in jabber:client', PEER_HEADER().replace("xmlns='jabber:server'", "xmlns='jabber:client'"), 'invalid-namespace'],
    ['from a domain that is not federated', PEER_HEADER('refused.test'), 'policy-violation'],
  ])('closes a stream %s: our header first, then the error, then </stream:stream> (RFC 6120 §4.9.1.2)', async (_n, header, condition) => {
    const { peer } = setup();
    peer.send(header);
    const out = await peer.waitFor(/<\/stream:stream>$/);
    expect(out).toMatch(new RegExp(`^<\\?xml version='1.0'\\?><stream:stream [^>]*><stream:error><${condition} xmlns="urn:ietf:params:xml:ns:xmpp-streams"/>`));
  });
});

describe('InboundSession: dialback as receiving server (XEP-0220 §2.1.2)', () => {
  it('asks the verifier with OUR stream id and answers type=valid, then accepts stanzas', async () => {
    const { peer, verifyCalls, stanzas } = setup();
    peer.send(PEER_HEADER());
    const id = streamIdOf(await peer.waitFor(/<\/stream:features>/));
    await dialbackIn(peer);
    expect(verifyCalls).toEqual([{ receiving: 'gw.test', originating: 'peer.test', streamId: id, key: 'key' }]);
    peer.send(MSG());
    await settle();
    expect(stanzas.map((s) => serializeXml(s))).toEqual(['<message from="alice@peer.test/r" to="bob@gw.test" type="chat"><body>hi</body></message>']);
  });

  it('answers type=invalid and closes with not-authorized when the key is refused', async () => {
    const { peer } = setup({}, 'invalid');
    peer.send(PEER_HEADER() + "<db:result from='peer.test' to='gw.test'>bad</db:result>");
    const out = await peer.waitFor(/<\/stream:stream>$/);
    expect(out).toContain('<db:result from="gw.test" to="peer.test" type="invalid"/><stream:error><not-authorized');
  });

  it('answers type=error with remote-server-not-found when the authoritative server is unreachable (XEP-0220 §2.4)', async () => {
    const { peer } = setup({}, 'error');
    peer.send(PEER_HEADER() + "<db:result from='peer.test' to='gw.test'>k</db:result>");
    await peer.waitFor(/type="error"><error type="cancel"><remote-server-not-found xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"\/><\/error><\/db:result>/);
  });

  it.each([
    ['to a domain we do not serve', "<db:result from='peer.test' to='x.test'>k</db:result>", 'host-unknown'],
    ['without from', "<db:result to='gw.test'>k</db:result>", 'improper-addressing'],
    ['from a domain that is not federated', "<db:result from='refused.test' to='gw.test'>k</db:result>", 'not-authorized'],
  ])('closes on a db:result %s', async (_n, result, condition) => {
    const { peer } = setup();
    peer.send(PEER_HEADER() + result);
    await peer.waitFor(new RegExp(`<stream:error><${condition} `));
  });

  it('does not advertise or accept dialback when the partner policy disables it', async () => {
    const { peer } = setup({ ...policyOnly({ ...POLICY_PLAIN, dialback: false, sasl: 'Optional', tls: 'Optional' }), tls: tlsFor({ 'gw.test': contextFor('gw') }) });
    peer.send(PEER_HEADER());
    const out = await peer.waitFor(/<\/stream:features>/);
    expect(out).not.toContain('dialback xmlns');
    peer.send("<db:result from='peer.test' to='gw.test'>k</db:result>");
    await peer.waitFor(/<stream:error><not-authorized /);
  });

  it('answers db:verify as authoritative server with a constant-time key check (XEP-0220 §2.1.3, XEP-0185)', async () => {
    const { peer } = setup();
    const k = createHmac('sha256', createHash('sha256').update('test-secret').digest('hex')).update('peer.test gw.test S1').digest('hex');
    peer.send(PEER_HEADER() + `<db:verify from='peer.test' to='gw.test' id='S1'>${k}</db:verify><db:verify from='peer.test' to='gw.test' id='S2'>${k}</db:verify>`);
    await peer.waitFor(/id="S2" type="invalid"\/>/);
    expect(peer.text).toContain('<db:verify from="gw.test" to="peer.test" id="S1" type="valid"/>');
  });
});

describe('InboundSession: the partner connection limit is charged at authentication (RFC 6120 §13.7, Lync ConnectionLimit)', () => {
  const atLimit: InboundDeps['admit'] = (_s, remote) => streamError('policy-violation', `too many connections with ${remote}`);

  it('asks once, for the first domain that authenticates: never for the domain merely claimed in the header, nor for piggybacked pairs', async () => {
    const calls: string[] = [];
    const { peer } = setup({}, 'valid', (_s, remote) => { calls.push(remote); return undefined; });
    peer.send(PEER_HEADER());
    await peer.waitFor(/<\/stream:features>/);
    expect(calls).toEqual([]);
    await dialbackIn(peer);
    await dialbackIn(peer, 'conference.peer.test', 'gw2.test');
    expect(calls).toEqual(['peer.test']);
  });

  it('refuses the stream with policy-violation, before answering type=valid, when the partner is at its limit', async () => {
    const { peer, stanzas } = setup({}, 'valid', atLimit);
    peer.send(PEER_HEADER() + "<db:result from='peer.test' to='gw.test'>key</db:result>");
    await peer.waitFor(/<stream:error><policy-violation xmlns="urn:ietf:params:xml:ns:xmpp-streams"\/><text [^>]*>too many connections with peer.test</);
    expect(peer.text).not.toContain('type="valid"');
    peer.send(MSG());
    await settle();
    expect(stanzas).toEqual([]);
  });
});

describe('InboundSession: stanza addressing on every stanza (RFC 6120 §4.9.3, §8.1.1)', () => {
  it('closes with not-authorized on a stanza before authentication', async () => {
    const { peer, stanzas } = setup();
    peer.send(PEER_HEADER() + MSG());
    await peer.waitFor(/<stream:error><not-authorized /);
    expect(stanzas).toEqual([]);
  });

  it('closes with invalid-from on a stanza from a domain not authenticated on this stream', async () => {
    const { peer, stanzas } = setup();
    peer.send(PEER_HEADER());
    await dialbackIn(peer);
    peer.send(MSG('mallory@other.test'));
    await peer.waitFor(/<stream:error><invalid-from /);
    expect(stanzas).toEqual([]);
  });

  it('closes with host-unknown on a stanza to a domain we do not serve', async () => {
    const { peer } = setup();
    peer.send(PEER_HEADER());
    await dialbackIn(peer);
    peer.send(MSG('alice@peer.test', 'bob@elsewhere.test'));
    await peer.waitFor(/<stream:error><host-unknown /);
  });

  it('authenticates several domain pairs on one stream and checks each pair (XEP-0220 §2.5 piggybacking)', async () => {
    const { peer, stanzas } = setup();
    peer.send(PEER_HEADER());
    await dialbackIn(peer);
    await dialbackIn(peer, 'conference.peer.test', 'gw2.test');
    peer.send(MSG('room@conference.peer.test', 'bob@gw2.test') + MSG('alice@peer.test', 'bob@gw.test'));
    await settle();
    expect(stanzas).toHaveLength(2);
    peer.send(MSG('room@conference.peer.test', 'bob@gw.test'));
    await peer.waitFor(/<stream:error><invalid-from /);
  });

  it('delivers the same stanzas whichever byte the read boundary falls on (header, db:result, multi-byte body)', async () => {
    const input = Buffer.from(PEER_HEADER() + "<db:result from='peer.test' to='gw.test'>k</db:result>", 'utf8');
    const msg = Buffer.from("<message from='a@peer.test' to='b@gw.test'><body>\u00e9\u20ac\u{1F600}</body></message>", 'utf8');
    for (let i = 0; i <= input.length; i += 1) {
      const { peer, stanzas, session } = setup();
      peer.socket.write(input.subarray(0, i));
      peer.socket.write(input.subarray(i));
      await peer.waitFor(/type="valid"/);
      const j = i % (msg.length + 1);
      peer.socket.write(msg.subarray(0, j));
      peer.socket.write(msg.subarray(j));
      await settle(4);
      expect(stanzas.map((s) => serializeXml(s))).toEqual(['<message from="a@peer.test" to="b@gw.test"><body>\u00e9\u20ac\u{1F600}</body></message>']);
      session.close();
    }
  });
});

describe('InboundSession: limits and restricted XML (RFC 6120 §11.1, §13.12)', () => {
  it('closes with policy-violation + stanza-too-big over the pre-auth limit', async () => {
    const { peer } = setup();
    peer.send(PEER_HEADER() + `<db:result from='peer.test' to='gw.test'>${'k'.repeat(9000)}</db:result>`);
    await peer.waitFor(/<stream:error><policy-violation xmlns="urn:ietf:params:xml:ns:xmpp-streams"\/><text [^>]*>[^<]*<\/text><stanza-too-big xmlns="urn:xmpp:errors"\/><\/stream:error><\/stream:stream>/);
  });

  it('accepts a stanza over the pre-auth limit once authenticated, up to maxStanzaBytes', async () => {
    const { peer, stanzas } = setup({ limits: { maxStanzaBytes: 20000 } });
    peer.send(PEER_HEADER());
    await dialbackIn(peer);
    peer.send(`<message from='a@peer.test' to='b@gw.test'><body>${'x'.repeat(15000)}</body></message>`);
    await settle();
    expect(stanzas).toHaveLength(1);
    peer.send(`<message from='a@peer.test' to='b@gw.test'><body>${'x'.repeat(25000)}</body></message>`);
    await peer.waitFor(/<stanza-too-big /);
  });

  it('closes with restricted-xml on a comment', async () => {
    const { peer } = setup();
    peer.send(PEER_HEADER() + '<!-- hello -->');
    await peer.waitFor(/<stream:error><restricted-xml /);
  });

  it('closes with policy-violation when the partner requires TLS and the peer sends dialback in plain text', async () => {
    const { peer } = setup({ ...policyOnly({ ...POLICY_PLAIN, tls: 'Required' }), tls: tlsFor({ 'gw.test': contextFor('gw') }) });
    peer.send(PEER_HEADER());
    const out = await peer.waitFor(/<\/stream:features>/);
    expect(out).toContain('<starttls xmlns="urn:ietf:params:xml:ns:xmpp-tls"><required/></starttls>');
    expect(out).not.toContain('dialback xmlns');
    peer.send("<db:result from='peer.test' to='gw.test'>k</db:result>");
    await peer.waitFor(/<stream:error><policy-violation /);
  });
});

describe('InboundSession: close sequence (RFC 6120 §4.4, Prosody session_close)', () => {
  it('answers the peer\'s </stream:stream> with its own and ends the connection', async () => {
    const { peer } = setup();
    peer.send(PEER_HEADER());
    await peer.waitFor(/<\/stream:features>/);
    peer.send('</stream:stream>');
    await peer.waitFor(/<\/stream:features><\/stream:stream>$/);
    await peer.waitEnded();
  });

  it('after a stream error, stops writing and ends the connection without waiting for the peer (RFC 6120 §4.9.1.1)', async () => {
    const { peer, session } = setup();
    const closed = new Promise((r) => session.onClosed(r));
    peer.send(PEER_HEADER() + MSG());
    await peer.waitFor(/<\/stream:stream>$/);
    await peer.waitEnded();
    await expect(closed).resolves.toMatchObject({ condition: 'not-authorized', byPeer: false, reason: 'connection shed after our stream error' });
    expect(peer.text.match(/<\/stream:stream>/g)).toHaveLength(1);
  });

  it('acts on nothing the peer sent after the offending element, not even the rest of the same read', async () => {
    const { peer, session, verifyCalls, stanzas } = setup();
    const closed = new Promise((r) => session.onClosed(r));
    // One write: a stanza before authentication (not-authorized), then a db:result that would start a verification.
    peer.send(PEER_HEADER() + MSG() + "<db:result from='peer.test' to='gw.test'>key</db:result>" + MSG());
    await expect(closed).resolves.toMatchObject({ condition: 'not-authorized' });
    peer.send("<db:result from='peer.test' to='gw.test'>key</db:result>");
    await settle();
    expect(verifyCalls).toEqual([]);
    expect(stanzas).toEqual([]);
    expect(peer.text).not.toContain('db:result');
  });

  it('a graceful close (no error) still waits for the peer\'s </stream:stream> and handles what arrives meanwhile (RFC 6120 §4.4)', async () => {
    const { peer, session, stanzas } = setup();
    peer.send(PEER_HEADER());
    await dialbackIn(peer);
    let info: unknown;
    session.onClosed((i) => { info = i; });
    session.close();
    await peer.waitFor(/<\/stream:stream>$/);
    peer.send(MSG());
    await settle();
    expect(stanzas).toHaveLength(1);
    expect(info).toBeUndefined();
    expect(peer.ended).toBe(false);
    peer.send('</stream:stream>');
    await peer.waitEnded();
    expect(info).toMatchObject({ reason: 'closed by peer' });
  });

  it('logs one structured line per event with stream id, direction, domains and ip, never the body', async () => {
    const { logger, lines } = memoryLogger();
    const { peer, session } = setup({ logger });
    peer.send(PEER_HEADER());
    await dialbackIn(peer);
    peer.send(MSG());
    await settle();
    session.close();
    peer.send('</stream:stream>');
    await new Promise((r) => session.onClosed(r));
    const auth = lines.find((l) => l.msg === 'authenticated');
    expect(auth).toMatchObject({ dir: 'in', local: 'gw.test', remote: 'peer.test', ip: '127.0.0.1', mechanism: 'dialback' });
    expect(typeof auth?.s2s).toBe('string');
    expect(lines.find((l) => l.msg === 'stream closed')).toMatchObject({ remote: 'peer.test', bytesIn: expect.any(Number) });
    expect(JSON.stringify(lines)).not.toContain('<body>');
  });
});

describe('InboundSession: timers (Lync StreamEstablishmentTimeout / StreamInactivityTimeout / keep-alive)', () => {
  beforeEach(() => jest.useFakeTimers(FAKE_TIMERS));
  afterEach(() => jest.useRealTimers());

  it('closes an unauthenticated stream with connection-timeout after streamEstablishmentTimeout', async () => {
    const { peer } = setup({ limits: { streamEstablishmentTimeoutMs: 60_000 } });
    peer.send(PEER_HEADER());
    await settle();
    jest.advanceTimersByTime(59_999);
    await settle();
    expect(peer.text).not.toContain('connection-timeout');
    jest.advanceTimersByTime(1);
    await settle();
    expect(peer.text).toContain('<stream:error><connection-timeout ');
  });

  it('sheds the connection as soon as the stream error is flushed, without waiting closeTimeout for the peer (RFC 6120 §4.9.1.1)', async () => {
    const { peer, session } = setup({ limits: { streamEstablishmentTimeoutMs: 1000, closeTimeoutMs: 5000 } });
    let info: unknown;
    session.onClosed((i) => { info = i; });
    jest.advanceTimersByTime(1000);
    await settle();
    expect(peer.text).toMatch(/<stream:error><connection-timeout [^]*<\/stream:stream>$/);
    expect(peer.ended).toBe(true);
    expect(info).toMatchObject({ condition: 'connection-timeout', byPeer: false, reason: 'connection shed after our stream error' });
  });

  it('destroys the connection shedGraceMs after the error when the peer does not even read it', async () => {
    const [ours, theirs] = duplexPair(); // nobody reads `theirs`: our writes never complete
    const session = new InboundSession(ours, {
      ...makeDeps({ limits: { streamEstablishmentTimeoutMs: 1000, closeTimeoutMs: 5000, shedGraceMs: 100 } }),
      verifier: { verify: async () => 'valid' }, onStanza: () => undefined, admit: () => undefined,
    }, '127.0.0.1');
    let info: unknown;
    session.onClosed((i) => { info = i; });
    jest.advanceTimersByTime(1000);
    await settle();
    jest.advanceTimersByTime(99);
    await settle();
    expect(info).toBeUndefined();
    expect(ours.destroyed).toBe(false);
    jest.advanceTimersByTime(1);
    await settle();
    expect(ours.destroyed).toBe(true);
    expect(info).toMatchObject({ condition: 'connection-timeout', reason: 'connection shed after our stream error' });
    theirs.destroy();
  });

  it('closes an idle authenticated stream after streamInactivityTimeout; reads reset it', async () => {
    const { peer } = setup({ limits: { streamInactivityTimeoutMs: 10_000 } });
    peer.send(PEER_HEADER() + "<db:result from='peer.test' to='gw.test'>k</db:result>");
    await settle();
    jest.advanceTimersByTime(9_000);
    peer.send(' ');
    await settle();
    jest.advanceTimersByTime(9_000);
    await settle();
    expect(peer.text).not.toContain('connection-timeout');
    jest.advanceTimersByTime(1_000);
    await settle();
    expect(peer.text).toContain('<stream:error><connection-timeout ');
  });

  it('sends a whitespace keepalive every keepAliveInterval when the partner has keepAlive (RFC 6120 §4.6.1)', async () => {
    const { peer } = setup({ ...policyOnly({ ...POLICY_PLAIN, keepAlive: true }), limits: { keepAliveIntervalMs: 1000 } });
    peer.send(PEER_HEADER() + "<db:result from='peer.test' to='gw.test'>k</db:result>");
    await settle();
    const before = peer.text.length;
    jest.advanceTimersByTime(1000);
    await settle();
    expect(peer.text.slice(before)).toBe(' ');
    jest.advanceTimersByTime(1000);
    await settle();
    expect(peer.text.slice(before)).toBe('  ');
  });

  it('sends no keepalive when the partner has keepAlive off', async () => {
    const { peer } = setup({ limits: { keepAliveIntervalMs: 1000 } });
    peer.send(PEER_HEADER() + "<db:result from='peer.test' to='gw.test'>k</db:result>");
    await settle();
    const before = peer.text.length;
    jest.advanceTimersByTime(5000);
    await settle();
    expect(peer.text.length).toBe(before);
  });
});

describe('InboundSession: STARTTLS and SASL EXTERNAL (RFC 6120 §5, §6, §13.7.2, XEP-0178)', () => {
  const TLS_POLICY = policyOnly({ tls: 'Optional', sasl: 'Optional', dialback: true, keepAlive: false, connectionLimit: 20 });
  const tlsDeps = { ...TLS_POLICY, tls: tlsFor({ 'gw.test': contextFor('gw') }) };

  async function toTls(peer: Peer, who: 'peer' | 'rogue-peer' | 'wrong' = 'peer') {
    peer.send(PEER_HEADER());
    const out = await peer.waitFor(/<\/stream:features>/);
    expect(out).toContain('<starttls xmlns="urn:ietf:params:xml:ns:xmpp-tls"/>');
    peer.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    await peer.waitFor(/<proceed xmlns="urn:ietf:params:xml:ns:xmpp-tls"\/>/);
    const s = await peer.startTlsClient({ servername: 'gw.test', key: pem(`${who}.key`), cert: pem(`${who}.pem`), ca: [pem('lab-ca.pem')] });
    expect(s.authorized).toBe(true); // the SNI-selected gw.test certificate chains to the lab CA
    peer.send(PEER_HEADER(who === 'wrong' ? 'peer.test' : 'peer.test'));
    return peer.waitFor(/<\/stream:features>/);
  }

  it('offers EXTERNAL after TLS when the peer certificate chains and names its domain, and accepts it', async () => {
    const { peer, stanzas } = setup(tlsDeps);
    const features = await toTls(peer);
    expect(features).toContain('<mechanisms xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><mechanism>EXTERNAL</mechanism></mechanisms>');
    peer.send(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>${Buffer.from('peer.test').toString('base64')}</auth>`);
    await peer.waitFor(/<success xmlns="urn:ietf:params:xml:ns:xmpp-sasl"\/>/);
    peer.text = '';
    peer.send(PEER_HEADER());
    await peer.waitFor(/<\/stream:features>|<stream:features\/>/);
    expect(peer.text).not.toContain('mechanisms');
    peer.send(MSG());
    await settle();
    expect(stanzas).toHaveLength(1);
  });

  it('refuses SASL EXTERNAL with policy-violation instead of <success/> when the partner is at its connection limit', async () => {
    const { peer } = setup(tlsDeps, 'valid', (_s, remote) => streamError('policy-violation', `too many connections with ${remote}`));
    await toTls(peer);
    peer.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>=</auth>");
    await peer.waitFor(/<stream:error><policy-violation /);
    expect(peer.text).not.toContain('<success');
  });

  it.each([
    ['signed by an untrusted CA', 'rogue-peer' as const],
    ['naming another domain', 'wrong' as const],
  ])('does not offer EXTERNAL for a certificate %s and refuses it with invalid-mechanism', async (_n, who) => {
    const { peer } = setup(tlsDeps);
    const features = await toTls(peer, who);
    expect(features).not.toContain('mechanisms');
    expect(features).toContain('urn:xmpp:features:dialback');
    peer.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>=</auth>");
    await peer.waitFor(/<failure xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><invalid-mechanism\/><\/failure>/);
  });

  it('refuses a stream whose certificate is invalid when TLS and SASL are both Required (no dialback fallback)', async () => {
    const { peer } = setup({ ...tlsDeps, ...policyOnly({ tls: 'Required', sasl: 'Required', dialback: true, keepAlive: false, connectionLimit: 20 }) });
    peer.send(PEER_HEADER());
    await peer.waitFor(/<\/stream:features>/);
    peer.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    await peer.waitFor(/<proceed /);
    await peer.startTlsClient({ servername: 'gw.test', key: pem('rogue-peer.key'), cert: pem('rogue-peer.pem') });
    peer.send(PEER_HEADER());
    await peer.waitFor(/<stream:error><policy-violation /);
  });

  it('falls back to dialback over TLS for an untrusted certificate when policy allows (RFC 6120 §13.8.2)', async () => {
    const { peer, verifyCalls } = setup(tlsDeps);
    await toTls(peer, 'rogue-peer');
    await dialbackIn(peer);
    expect(verifyCalls).toHaveLength(1);
  });

  it('refuses SASL EXTERNAL on a plain stream with encryption-required... by not offering it (invalid-mechanism)', async () => {
    const { peer } = setup(tlsDeps);
    peer.send(PEER_HEADER());
    await peer.waitFor(/<\/stream:features>/);
    peer.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>=</auth>");
    await peer.waitFor(/<failure xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><invalid-mechanism\/>/);
  });
});

describe('InboundSession: more stream errors (RFC 6120 §4.9.3)', () => {
  it.each([
    ['an unknown first-level element after authentication', "<db:result from='peer.test' to='gw.test'>k</db:result>", "<foo xmlns='urn:x'/>", 'unsupported-stanza-type'],
    ['mismatched tags', '', '<message></presence>', 'not-well-formed'],
    ['a processing instruction', '', '<?php ?>', 'restricted-xml'],
    ['a stanza without a to address', "<db:result from='peer.test' to='gw.test'>k</db:result>", "<message from='a@peer.test'/>", 'improper-addressing'],
  ])('closes on %s with %s', async (_n, auth, input, condition) => {
    const { peer } = setup();
    peer.send(PEER_HEADER() + auth);
    if (auth) await peer.waitFor(/type="valid"/);
    peer.send(input);
    await peer.waitFor(new RegExp(`<stream:error><${condition} `));
  });

  it('answers <starttls/> that was not offered with <failure/> and closes (RFC 6120 §5.4.2.2)', async () => {
    const { peer } = setup();
    peer.send(PEER_HEADER() + "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    await peer.waitFor(/<failure xmlns="urn:ietf:params:xml:ns:xmpp-tls"\/><\/stream:stream>$/);
  });

  it('presents the certificate of the domain the peer names by SNI', async () => {
    const { peer } = setup({ tls: tlsFor({ 'gw.test': contextFor('gw'), 'gw2.test': contextFor('wrong') }), ...policyOnly({ ...POLICY_PLAIN, tls: 'Optional' }) });
    peer.send(PEER_HEADER('peer.test', 'gw2.test'));
    await peer.waitFor(/<\/stream:features>/);
    peer.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    await peer.waitFor(/<proceed /);
    const s = await peer.startTlsClient({ servername: 'gw2.test', ca: [pem('lab-ca.pem')] });
    expect(s.getPeerCertificate().subjectaltname).toContain('DNS:wrong.test');
  });
});

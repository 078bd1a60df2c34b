import { createHash, createHmac } from 'node:crypto';
import { duplexPair } from 'node:stream';
import { el } from '../../../plugin/core/xml/xml-element';
import type { PartnerPolicy } from '../policy/partner-policy';
import { contextFor, type DepsOverride, makeDeps, Peer, pem, POLICY_OPEN, POLICY_PLAIN, settle, tlsFor } from '../__tests__/test-deps';
import { OutboundSession } from './outbound-session';
import type { CloseInfo } from './stream-session';

const key = (receiving: string, originating: string, id: string) =>
  createHmac('sha256', createHash('sha256').update('test-secret').digest('hex')).update(`${receiving} ${originating} ${id}`).digest('hex');

const RESPONSE = (id = 'PEERID') =>
  `<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='peer.test' to='gw.test' id='${id}' version='1.0'>`;
const FEATURES_DB = "<stream:features><dialback xmlns='urn:xmpp:features:dialback'><errors/></dialback></stream:features>";

function setup(policy: PartnerPolicy = POLICY_PLAIN, over: DepsOverride = {}) {
  const [ours, theirs] = duplexPair();
  const session = new OutboundSession(ours, makeDeps(over), 'gw.test', 'peer.test', policy);
  const peer = new Peer(theirs);
  const closed = new Promise<CloseInfo>((r) => session.onClosed(r));
  let established = false;
  session.onEstablished(() => { established = true; });
  session.start();
  return { session, peer, closed, isEstablished: () => established };
}

async function dialbackOut(peer: Peer, id = 'PEERID') {
  await peer.waitFor(/<stream:stream [^>]*>/);
  peer.send(RESPONSE(id) + FEATURES_DB);
  await peer.waitFor(/<\/db:result>/);
  peer.send("<db:result from='peer.test' to='gw.test' type='valid'/>");
  await settle();
}

describe('OutboundSession: dialback as originating server (XEP-0220 §2.1.1)', () => {
  it('opens with from/to and the dialback prefix (RFC 6120 §4.7.1, XEP-0220 §2.1)', async () => {
    const { peer } = setup();
    const out = await peer.waitFor(/<stream:stream [^>]*>/);
    expect(out).toBe("<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='gw.test' to='peer.test' version='1.0'>");
  });

  it('sends db:result with the XEP-0185 key over the peer\'s stream id and is established on type=valid', async () => {
    const { peer, session, isEstablished } = setup();
    await dialbackOut(peer, 'ID-42');
    expect(peer.text).toContain(`<db:result from="gw.test" to="peer.test">${key('peer.test', 'gw.test', 'ID-42')}</db:result>`);
    expect(isEstablished()).toBe(true);
    expect(session.send(el('message', { from: 'bob@gw.test', to: 'alice@peer.test' }, el('body', {}, 'hi')))).toBe(true);
    await peer.waitFor(/<message from="bob@gw.test" to="alice@peer.test"><body>hi<\/body><\/message>$/);
  });

  it('never sends a jabber:client namespace declaration on the server stream', async () => {
    const { peer, session } = setup();
    await dialbackOut(peer);
    session.send(el('message', { xmlns: 'jabber:client', from: 'bob@gw.test', to: 'alice@peer.test', id: 'c' }));
    await peer.waitFor(/<message from="bob@gw.test" to="alice@peer.test" id="c"\/>$/);
  });

  it('refuses to send stanzas before it is established', () => {
    const { session } = setup();
    expect(session.send(el('message', { from: 'bob@gw.test', to: 'alice@peer.test' }))).toBe(false);
  });

  it('closes with not-authorized when the peer answers type=invalid', async () => {
    const { peer, closed } = setup();
    await peer.waitFor(/<stream:stream [^>]*>/);
    peer.send(RESPONSE() + FEATURES_DB);
    await peer.waitFor(/<\/db:result>/);
    peer.send("<db:result from='peer.test' to='gw.test' type='invalid'/></stream:stream>");
    await expect(closed).resolves.toMatchObject({ condition: 'not-authorized', wasEstablished: false });
  });

  it('reports the peer\'s stream error condition when the peer closes with one', async () => {
    const { peer, closed } = setup();
    await peer.waitFor(/<stream:stream [^>]*>/);
    peer.send(RESPONSE() + "<stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>");
    await expect(closed).resolves.toMatchObject({ condition: 'host-unknown', byPeer: true });
  });

  it.each([
    ['without a stream id', RESPONSE().replace(" id='PEERID'", ''), 'invalid-xml'],
    ['from another domain', RESPONSE().replace("from='peer.test'", "from='evil.test'"), 'invalid-from'],
  ])('closes when the response header comes %s (RFC 6120 §4.7)', async (_n, header, condition) => {
    const { peer, closed } = setup();
    await peer.waitFor(/<stream:stream [^>]*>/);
    peer.send(header);
    await expect(closed).resolves.toMatchObject({ condition });
  });

  it('piggybacks another local domain with its own db:result (XEP-0220 §2.5)', async () => {
    const { peer, session } = setup();
    await dialbackOut(peer);
    const p = session.authorize('gw2.test');
    await peer.waitFor(new RegExp(`<db:result from="gw2.test" to="peer.test">${key('peer.test', 'gw2.test', 'PEERID')}</db:result>`));
    expect(session.isAuthorized('gw2.test')).toBe(false);
    peer.send("<db:result from='peer.test' to='gw2.test' type='valid'/>");
    await expect(p).resolves.toBe(true);
    expect(session.isAuthorized('gw2.test')).toBe(true);
  });

  it('sends db:verify for the receiving side on THIS outbound stream and resolves with the answer (XEP-0220 §2.1.2)', async () => {
    const { peer, session } = setup();
    const v = session.verify({ id: 'THEIR-IN-ID', key: 'abc', from: 'gw.test' });
    await dialbackOut(peer);
    await peer.waitFor(/<db:verify from="gw.test" to="peer.test" id="THEIR-IN-ID">abc<\/db:verify>/);
    peer.send("<db:verify from='peer.test' to='gw.test' id='THEIR-IN-ID' type='valid'/>");
    await expect(v).resolves.toBe('valid');
  });

  it('resolves pending verifications with error when the stream dies', async () => {
    const { peer, session } = setup();
    const v = session.verify({ id: 'X', key: 'abc', from: 'gw.test' });
    peer.socket.end();
    await expect(v).resolves.toBe('error');
  });
});

describe('OutboundSession: TLS and SASL EXTERNAL policy (RFC 6120 §5, §6, XEP-0178)', () => {
  const tlsDeps = { tls: tlsFor({ 'gw.test': contextFor('gw') }) };

  async function throughTls(peer: Peer, who: 'peer' | 'rogue-peer', features: string) {
    await peer.waitFor(/<stream:stream [^>]*>/);
    peer.send(RESPONSE() + "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/><dialback xmlns='urn:xmpp:features:dialback'/></stream:features>");
    await peer.waitFor(/<starttls xmlns="urn:ietf:params:xml:ns:xmpp-tls"\/>$/);
    peer.send("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    const s = await peer.startTlsServer({ key: pem(`${who}.key`), cert: pem(`${who}.pem`), ca: [pem('lab-ca.pem')] });
    await peer.waitFor(/<stream:stream [^>]*>/);
    peer.send(RESPONSE('TLSID') + features);
    return s;
  }

  it('upgrades, authenticates with EXTERNAL (authzid = our domain) and restarts when the peer offers it', async () => {
    const { peer, session, isEstablished } = setup(POLICY_OPEN, tlsDeps);
    const s = await throughTls(peer, 'peer', "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>EXTERNAL</mechanism></mechanisms></stream:features>");
    await peer.waitFor(new RegExp(`<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="EXTERNAL">${Buffer.from('gw.test').toString('base64')}</auth>`));
    expect(session.certificate).toEqual({ chain: 'valid', identity: 'valid' });
    expect(s.getPeerCertificate().subjectaltname).toContain('DNS:gw.test'); // we presented our gw.test client certificate
    peer.text = '';
    peer.send("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    await peer.waitFor(/<stream:stream [^>]*>/);
    peer.send(RESPONSE('AFTERSASL') + '<stream:features/>');
    await settle();
    expect(isEstablished()).toBe(true);
  });

  it('falls back to dialback over TLS when the peer certificate is untrusted and policy allows it (RFC 6120 §13.8.2)', async () => {
    const { peer, session } = setup(POLICY_OPEN, tlsDeps);
    await throughTls(peer, 'rogue-peer', "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>EXTERNAL</mechanism></mechanisms><dialback xmlns='urn:xmpp:features:dialback'/></stream:features>");
    await peer.waitFor(new RegExp(`<db:result from="gw.test" to="peer.test">${key('peer.test', 'gw.test', 'TLSID')}</db:result>`));
    expect(session.certificate?.chain).toBe('invalid');
  });

  it('aborts with policy-violation on an untrusted certificate when TLS and SASL are both Required', async () => {
    const { peer, closed } = setup({ ...POLICY_OPEN, tls: 'Required', sasl: 'Required' }, tlsDeps);
    await throughTls(peer, 'rogue-peer', FEATURES_DB);
    await expect(closed).resolves.toMatchObject({ condition: 'policy-violation', wasEstablished: false });
  });

  /*
   * RFC 6120 §5.4.3.3 / CVE-2011-0411: whatever follows <proceed/> in clear
   * text (here a man in the middle's forged response header, features and
   * dialback success) must never be taken as if it had come over TLS.
   */
  it('never acts on clear text pipelined after <proceed/>: it closes with policy-violation, unauthenticated', async () => {
    const { peer, closed, isEstablished } = setup(POLICY_OPEN, tlsDeps);
    await peer.waitFor(/<stream:stream [^>]*>/);
    peer.send(RESPONSE() + "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/><dialback xmlns='urn:xmpp:features:dialback'/></stream:features>");
    await peer.waitFor(/<starttls xmlns="urn:ietf:params:xml:ns:xmpp-tls"\/>$/);
    peer.send("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" + RESPONSE('FORGED') + FEATURES_DB + "<db:result from='peer.test' to='gw.test' type='valid'/>");
    await expect(closed).resolves.toMatchObject({ condition: 'policy-violation', wasEstablished: false });
    expect(isEstablished()).toBe(false);
  });

  it('ignores whitespace after <proceed/> and completes TLS (RFC 6120 §5.4.3.3)', async () => {
    const { peer, session } = setup(POLICY_OPEN, tlsDeps);
    await peer.waitFor(/<stream:stream [^>]*>/);
    peer.send(RESPONSE() + "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/><dialback xmlns='urn:xmpp:features:dialback'/></stream:features>");
    await peer.waitFor(/<starttls xmlns="urn:ietf:params:xml:ns:xmpp-tls"\/>$/);
    peer.send("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/> \n");
    await peer.startTlsServer({ key: pem('peer.key'), cert: pem('peer.pem'), ca: [pem('lab-ca.pem')] });
    await peer.waitFor(/<stream:stream [^>]*>/);
    peer.send(RESPONSE('TLSID') + FEATURES_DB);
    await peer.waitFor(new RegExp(`<db:result from="gw.test" to="peer.test">${key('peer.test', 'gw.test', 'TLSID')}</db:result>`));
    expect(session.isClosing).toBe(false);
  });

  it('closes with policy-violation when our policy requires TLS and the peer does not offer it', async () => {
    const { peer, closed } = setup({ ...POLICY_OPEN, tls: 'Required' }, tlsDeps);
    await peer.waitFor(/<stream:stream [^>]*>/);
    peer.send(RESPONSE() + FEATURES_DB);
    await expect(closed).resolves.toMatchObject({ condition: 'policy-violation' });
    expect(peer.text).not.toContain('db:result');
  });

  it('closes with policy-violation when the peer requires TLS and our policy does not support it', async () => {
    const { peer, closed } = setup(POLICY_PLAIN, tlsDeps);
    await peer.waitFor(/<stream:stream [^>]*>/);
    peer.send(RESPONSE() + "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>");
    await expect(closed).resolves.toMatchObject({ condition: 'policy-violation' });
  });
});

describe('OutboundSession: write backpressure', () => {
  it('queues while the socket does not drain, refuses beyond sendQueueMax, and flushes in order on drain', async () => {
    const { peer, session } = setup(POLICY_PLAIN, { limits: { sendQueueMax: 5 } });
    await dialbackOut(peer);
    peer.socket.pause();
    const body = 'x'.repeat(1000);
    let accepted = 0;
    for (let i = 0; i < 1000 && session.send(el('message', { from: 'b@gw.test', to: 'a@peer.test', id: String(i) }, el('body', {}, body))); i++) accepted++;
    expect(accepted).toBeGreaterThan(5);
    expect(accepted).toBeLessThan(1000);
    peer.socket.resume();
    await peer.waitFor(new RegExp(`id="${accepted - 1}"`));
    const ids = [...peer.text.matchAll(/<message [^>]*id="(\d+)"/g)].map((m) => Number(m[1]));
    expect(ids).toEqual([...Array(accepted).keys()]);
  });
});

describe('OutboundSession: reads split at every byte offset', () => {
  it('authenticates whichever byte the read boundary falls on in the response header, features and db:result', async () => {
    const input = Buffer.from(RESPONSE('\u00e9-id') + FEATURES_DB, 'utf8');
    const valid = Buffer.from("<db:result from='peer.test' to='gw.test' type='valid'/>", 'utf8');
    for (let i = 0; i <= input.length; i++) {
      const { peer, isEstablished, session } = setup();
      await peer.waitFor(/<stream:stream [^>]*>/);
      peer.socket.write(input.subarray(0, i));
      peer.socket.write(input.subarray(i));
      await peer.waitFor(new RegExp(`>${key('peer.test', 'gw.test', '\u00e9-id')}</db:result>`));
      const j = i % (valid.length + 1);
      peer.socket.write(valid.subarray(0, j));
      peer.socket.write(valid.subarray(j));
      await settle(4);
      expect(isEstablished()).toBe(true);
      session.close();
    }
  });
});

import { duplexPair } from 'node:stream';
import { serializeXml } from '../../../plugin/core/xml/serialize-xml';
import { el, type XmlElement } from '../../../plugin/core/xml/xml-element';
import { ConnectionRegistry } from '../connection-registry';
import { S2SRouter, type Connector } from '../router';
import { makeDeps, PEER_HEADER, Peer, settle } from '../__tests__/test-deps';
import { ackedThrough } from './in-doubt-log';
import { DEFAULT_IN_DOUBT, type InDoubtOptions } from './options';

const msg = (id: string) => el('message', { from: 'bob@gw.test/r', to: 'alice@peer.test', id }, el('body', {}, `hi ${id}`));
const SM = "<sm xmlns='urn:xmpp:sm:3'><optional/></sm>";

function setup(inDoubt: Partial<InDoubtOptions> = {}, connectOk = () => true) {
  const delivered: XmlElement[] = [];
  const peers: Peer[] = [];
  let attempts = 0;
  const connect: Connector = async () => {
    attempts++;
    if (!connectOk()) throw Object.assign(new Error('down'), { condition: 'remote-server-not-found' });
    const [a, b] = duplexPair();
    peers.push(new Peer(b));
    return { socket: a, secure: false };
  };
  const router = new S2SRouter({
    session: makeDeps(),
    connect,
    registry: new ConnectionRegistry(1000),
    deliverLocal: (e) => delivered.push(e),
    maxRetryDelayMs: 200,
    random: () => 0.5,
    now: () => Date.now(),
    logger: makeDeps().logger,
    inDoubt: { ...DEFAULT_IN_DOUBT, fenceAfterMs: 20, ...inDoubt },
  });
  /** Plays the peer's side of a plain dialback stream; `features` go in <stream:features/>. */
  const establish = async (i: number, features = ''): Promise<Peer> => {
    for (let t = 0; t < 100 && !peers[i]; t++) await settle();
    const peer = peers[i] as Peer;
    await peer.waitFor(/<stream:stream [^>]*>/);
    peer.send(`${PEER_HEADER('peer.test', 'gw.test', ` id='S${i}'`)}<stream:features>${features}</stream:features>`);
    await peer.waitFor(/<\/db:result>/);
    peer.send("<db:result from='peer.test' to='gw.test' type='valid'/>");
    return peer;
  };
  const state = () => router.routeState('gw.test', 'peer.test');
  const ids = (p: Peer) => [...p.text.matchAll(/<message [^>]*id="([^"]+)"/g)].map((m) => m[1]);
  return { router, delivered, peers, establish, state, ids, attempts: () => attempts };
}

/** The peer shuts down as a restarting server does (RFC 6120 §4.9.3.20), then its socket ends. */
const drop = (p: Peer): void => {
  p.send("<stream:error><system-shutdown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>");
  p.socket.end();
};

const until = async (f: () => boolean, ms = 2000): Promise<void> => {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('XEP-0198 §5 h arithmetic (unsigned 32-bit, wraps)', () => {
  it.each<[string | undefined, number, number | undefined]>([
    ['0', 5, 0],
    ['5', 5, 5],
    ['6', 5, -(2 ** 32) + 6], // more than we sent: negative, refused by the caller
    ['1', 2 ** 32 + 3, 2 ** 32 + 1], // after a wrap
    ['4294967295', 2 ** 32 + 3, 2 ** 32 - 1],
    ['-1', 5, undefined],
    ['4294967296', 5, undefined],
    ['x', 5, undefined],
    [undefined, 5, undefined],
  ])('h=%s after %d stanzas → through %s', (h, written, through) => {
    expect(ackedThrough(h, written)).toBe(through);
  });
});

describe('in-doubt tracking on an outbound stream (issue #11)', () => {
  it('XEP-0198 §4: with urn:xmpp:sm:3 offered, <enable/> precedes the first stanza and <a h/> confirms a prefix', async () => {
    const t = setup({ fenceEvery: 3 });
    for (let i = 1; i <= 4; i++) t.router.send(msg(String(i)));
    const peer = await t.establish(0, SM);
    await peer.waitFor(/id="4"/);
    expect(peer.text.indexOf("<enable xmlns=\"urn:xmpp:sm:3\"/>")).toBeLessThan(peer.text.indexOf('id="1"'));
    await peer.waitFor(/<r xmlns="urn:xmpp:sm:3"\/>/); // after 3 stanzas
    expect(t.state()?.inDoubt).toBe(4);
    peer.send("<enabled xmlns='urn:xmpp:sm:3'/><a xmlns='urn:xmpp:sm:3' h='3'/>");
    await until(() => t.state()?.inDoubt === 1);
    expect(peer.text).not.toContain('urn:xmpp:ping');
  });

  it('XEP-0198 §5: answers the peer\'s <r/> with h=0 (no stanzas are handled on our outbound stream)', async () => {
    const t = setup();
    t.router.send(msg('1'));
    const peer = await t.establish(0, SM);
    peer.send("<r xmlns='urn:xmpp:sm:3'/>");
    await peer.waitFor(/<a xmlns="urn:xmpp:sm:3" h="0"\/>/);
  });

  it('XEP-0198 §5: an h larger than what we sent closes the stream with undefined-condition', async () => {
    const t = setup();
    t.router.send(msg('1'));
    const peer = await t.establish(0, SM);
    await peer.waitFor(/id="1"/);
    peer.send("<a xmlns='urn:xmpp:sm:3' h='7'/>");
    await peer.waitFor(/<undefined-condition /);
  });

  it('XEP-0198 <failed/>: falls back to XEP-0199 fences for everything written', async () => {
    const t = setup();
    t.router.send(msg('1'));
    const peer = await t.establish(0, SM);
    await peer.waitFor(/id="1"/);
    peer.send("<failed xmlns='urn:xmpp:sm:3'><unexpected-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></failed>");
    await peer.waitFor(/<ping xmlns="urn:xmpp:ping"\/>/);
  });

  it('XEP-0199 fence without XEP-0198: one ping after the burst; its answer (RFC 6120 §10.1 in order) confirms all before it', async () => {
    const t = setup();
    for (let i = 1; i <= 5; i++) t.router.send(msg(String(i)));
    const peer = await t.establish(0);
    const text = await peer.waitFor(/<iq [^>]*id="(fence-[^"]+)"[^>]*><ping xmlns="urn:xmpp:ping"\/><\/iq>/);
    const id = /id="(fence-[^"]+)"/.exec(text)?.[1] as string;
    expect(text.indexOf('id="5"')).toBeLessThan(text.indexOf(id));
    expect((text.match(/urn:xmpp:ping/g) ?? []).length).toBe(1);
    expect(t.state()?.inDoubt).toBe(5);
    // The answer comes back on the peer's own stream to us (edge → router.takeFenceReply).
    expect(t.router.takeFenceReply(el('iq', { from: 'peer.test', to: 'gw.test', id: 'other', type: 'result' }))).toBe(false);
    expect(t.router.takeFenceReply(el('iq', { from: 'evil.test', to: 'gw.test', id, type: 'result' }))).toBe(false);
    // An error answer is processing too (a server without XEP-0199 answers service-unavailable).
    expect(t.router.takeFenceReply(el('iq', { from: 'peer.test', to: 'gw.test', id, type: 'error' }))).toBe(true);
    expect(t.state()?.inDoubt).toBe(0);
  });

  it('fences at least every fenceEvery stanzas during a long burst', async () => {
    const t = setup({ fenceEvery: 10, fenceAfterMs: 60_000 });
    t.router.send(msg('0'));
    const peer = await t.establish(0);
    await peer.waitFor(/id="0"/);
    for (let i = 1; i < 30; i++) t.router.send(msg(String(i)));
    await peer.waitFor(/id="29"/);
    expect((peer.text.match(/urn:xmpp:ping/g) ?? []).length).toBe(3);
  });

  it("'resend' (default): a stream lost with stanzas in doubt → those, and only those, are written again with the same ids on the next stream; no report", async () => {
    const t = setup({ fenceEvery: 3, fenceAfterMs: 60_000 });
    for (let i = 1; i <= 5; i++) t.router.send(msg(String(i)));
    const p0 = await t.establish(0, SM);
    await p0.waitFor(/id="5"/);
    p0.send("<a xmlns='urn:xmpp:sm:3' h='2'/>");
    await until(() => t.state()?.inDoubt === 3);
    drop(p0); // the peer restarts
    const p1 = await t.establish(1, SM);
    await p1.waitFor(/id="5"/);
    expect(t.ids(p1)).toEqual(['3', '4', '5']);
    expect(t.delivered).toEqual([]);
  });

  it("'resend': reported with remote-server-timeout when no stream comes up within the retry window (it keeps trying meanwhile)", async () => {
    let up = true;
    const t = setup({ retryWindowMs: 400 }, () => up);
    t.router.send(msg('1'));
    const p0 = await t.establish(0);
    await p0.waitFor(/id="1"/);
    up = false;
    drop(p0);
    await until(() => t.delivered.length === 1, 3000);
    expect(t.attempts()).toBeGreaterThanOrEqual(2); // it kept trying within the window
    expect(serializeXml(t.delivered[0] as XmlElement)).toMatch(/^<message from="alice@peer.test" to="bob@gw.test\/r" id="1" type="error"><error type="wait"><remote-server-timeout /);
  });

  it("'report': each stanza in doubt is reported at once as an error stanza to its sender; confirmed ones are not", async () => {
    const t = setup({ onStreamLoss: 'report', fenceEvery: 2, fenceAfterMs: 60_000 });
    for (let i = 1; i <= 3; i++) t.router.send(msg(String(i)));
    const p0 = await t.establish(0, SM);
    await p0.waitFor(/id="3"/);
    p0.send("<a xmlns='urn:xmpp:sm:3' h='1'/>");
    await until(() => t.state()?.inDoubt === 2);
    drop(p0);
    await until(() => t.delivered.length === 2);
    expect(t.delivered.map((d) => `${d.attrs.id} ${d.attrs.type} ${d.attrs.to}`)).toEqual(['2 error bob@gw.test/r', '3 error bob@gw.test/r']);
  });

  it('a resent stanza lost again in doubt is reported, not resent a second time', async () => {
    const t = setup({ fenceAfterMs: 60_000 });
    t.router.send(msg('1'));
    const p0 = await t.establish(0, SM);
    await p0.waitFor(/id="1"/);
    drop(p0);
    const p1 = await t.establish(1, SM);
    await p1.waitFor(/id="1"/);
    drop(p1);
    await until(() => t.delivered.length === 1);
    expect(t.delivered[0]?.attrs).toMatchObject({ id: '1', type: 'error' });
  });

  it('bounded: beyond maxPerStream in doubt, stanzas wait in order in the bounded queue and go out as acks arrive', async () => {
    const t = setup({ maxPerStream: 2, fenceEvery: 2, fenceAfterMs: 60_000 });
    const results: Array<{ ok: boolean }> = [];
    t.router.send(msg('0'));
    const peer = await t.establish(0, SM);
    await peer.waitFor(/id="0"/);
    for (let i = 1; i <= 4; i++) t.router.send(msg(String(i)), (r) => results.push(r));
    await settle();
    expect(t.ids(peer)).toEqual(['0', '1']);
    expect(t.state()).toMatchObject({ inDoubt: 2, queued: 3 });
    expect(results).toEqual([{ ok: true }]);
    peer.send("<a xmlns='urn:xmpp:sm:3' h='2'/>");
    await peer.waitFor(/id="3"/);
    expect(t.ids(peer)).toEqual(['0', '1', '2', '3']);
    expect(results).toHaveLength(3);
  });

  it('XEP-0199 §8: a request not answered within ackTimeoutMs closes the stream (and its stanzas in doubt are handled)', async () => {
    const t = setup({ ackTimeoutMs: 150, onStreamLoss: 'report' });
    t.router.send(msg('1'));
    const peer = await t.establish(0);
    await peer.waitFor(/urn:xmpp:ping/);
    await peer.waitFor(/<connection-timeout /, 2000);
    peer.send('</stream:stream>');
    await until(() => t.delivered.length === 1);
  });
});

/**
 * The first message over a NEW stream in each direction, with its answer back,
 * shared by the dialback and strict suites (they differ only in the
 * authentication mechanism they then expect in the edge's log). Bodies are
 * compared as UTF-8 bytes (RFC 6120 §11.6).
 */
import { el } from '../../plugin/core/xml/xml-element';
import { BOT_JID, ECHO_JID } from './echo';
import type { EdgeLogLine } from './edge-log';
import { bare, bodyOf } from './inbox';
import { withId, type PeerKind } from './peer-lab';
import { WAIT_MS, type Lab } from './use-lab';

const bytes = (s: string | null | undefined) => Buffer.from(s ?? '', 'utf8');

export interface FirstRoundTrip {
  /** Time from sending to arrival, ms. */
  readonly ms: number;
  /** The edge's log lines since the edge was started for this test. */
  readonly log: () => readonly EdgeLogLine[];
}

/** us → peer: bot@gw.test → the client over a new outbound stream, then the client's reply back to us. */
export async function firstRoundTripOut(lab: Lab, kind: PeerKind, label: string, body: string): Promise<FirstRoundTrip> {
  const peer = lab.peers[kind];
  const edge = await lab.slot.use(lab.standardEdge(label)); // a fresh edge: no stream exists yet
  const mark = edge.log.mark();
  const t0 = performance.now();
  edge.send(el('message', { from: BOT_JID, to: peer.client.bareJid, type: 'chat', id: label }, el('body', {}, body)));
  const got = await peer.client.waitForStanza(withId(label), WAIT_MS);
  const ms = performance.now() - t0;
  expect(String(got.attrs.from)).toBe(BOT_JID);
  expect(bytes(got.getChildText('body'))).toEqual(bytes(body));
  const replyId = await peer.client.sendMessage(BOT_JID, body);
  const reply = await edge.inbox.waitFor((e) => e.attrs.id === replyId, WAIT_MS);
  expect(bare(reply.el.attrs.from)).toBe(peer.client.bareJid);
  expect(bytes(bodyOf(reply.el))).toEqual(bytes(body));
  return { ms, log: () => edge.log.since(mark) };
}

/** peer → us: the client → echo@gw.test over a new inbound stream, then the echo back to the client. */
export async function firstRoundTripIn(lab: Lab, kind: PeerKind, label: string, body: string): Promise<FirstRoundTrip> {
  const peer = lab.peers[kind];
  const edge = await lab.slot.use(lab.standardEdge(label));
  const mark = edge.log.mark();
  const t0 = performance.now();
  const id = await peer.client.sendMessage(ECHO_JID, body);
  const r = await edge.inbox.waitFor((e) => e.attrs.id === id, WAIT_MS);
  const ms = r.at - t0;
  expect(bare(r.el.attrs.from)).toBe(peer.client.bareJid);
  expect(bytes(bodyOf(r.el))).toEqual(bytes(body));
  const echo = await peer.client.waitForStanza(withId(`echo:${id}`), WAIT_MS);
  expect(bytes(echo.getChildText('body'))).toEqual(bytes(body));
  return { ms, log: () => edge.log.since(mark) };
}

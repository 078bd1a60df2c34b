/**
 * The tiny loopback "gateway core" for the interop tests (no SIP): it turns
 * an inbound stanza into the replies the edge should send back.
 *
 * - <message/> with a body to echo@gw.test → the same body back to the sender's
 *   full JID (so one round trip proves both S2S directions);
 * - available <presence/> to echo@gw.test → directed presence from
 *   echo@gw.test/echo back to the sender, with the same <status/>;
 * - an IQ get/set to any of our users → service-unavailable (RFC 6120 §8.2.3:
 *   an IQ request is never left unanswered);
 * - anything else (errors, results, subscriptions, other users) is only
 *   recorded, never answered, so two echoes can never loop.
 */
import { el, findChild, localName, textOf, type XmlElement } from '../../plugin/core/xml/xml-element';
import { errorReply } from '../../adapters/xmpp-s2s/bounce';
import { bare } from './inbox';

export const GATEWAY = 'gw.test';
export const ECHO_JID = `echo@${GATEWAY}`;
/** A local user with no echo behaviour: the sender of stanzas we originate (us → peer). */
export const BOT_JID = `bot@${GATEWAY}`;

export function echoReplies(e: XmlElement): XmlElement[] {
  const type = e.attrs.type;
  const from = e.attrs.from;
  if (!from || type === 'error') return [];
  const name = localName(e);
  const toEcho = bare(e.attrs.to) === ECHO_JID;
  if (name === 'message' && toEcho) {
    const body = findChild(e, 'body');
    if (!body) return [];
    return [el('message', { from: ECHO_JID, to: from, type: type ?? 'normal', id: `echo:${e.attrs.id ?? ''}` },
      el('body', {}, textOf(body) ?? ''))];
  }
  if (name === 'presence' && toEcho && type === undefined) {
    const status = findChild(e, 'status');
    return [el('presence', { from: `${ECHO_JID}/echo`, to: from, id: `echo:${e.attrs.id ?? ''}` },
      status && el('status', {}, textOf(status) ?? ''))];
  }
  if (name === 'iq' && (type === 'get' || type === 'set')) {
    const reply = errorReply(e, 'service-unavailable');
    return reply ? [reply] : [];
  }
  return [];
}

import { serializeXml } from '../../plugin/core/xml/serialize-xml';
import { el } from '../../plugin/core/xml/xml-element';
import { answerLocalIq } from './local-iq';

const LOCAL = new Set(['gw.test']);
const iq = (to: string, type: string, payload?: ReturnType<typeof el>) => el('iq', { from: 'a@peer.test/r', to, id: 'q1', type }, payload);
const out = (r: ReturnType<typeof answerLocalIq>) => (typeof r === 'string' ? r : serializeXml(r.reply));

describe('IQs addressed to our bare domain (RFC 6120 §8.2.3)', () => {
  it('answers an XEP-0199 ping with an empty result', () => {
    expect(out(answerLocalIq(iq('gw.test', 'get', el('ping', { xmlns: 'urn:xmpp:ping' })), LOCAL)))
      .toBe('<iq from="gw.test" to="a@peer.test/r" id="q1" type="result"/>');
  });

  it('answers XEP-0030 disco#info with identity server/im and the ping and disco features', () => {
    expect(out(answerLocalIq(iq('gw.test', 'get', el('query', { xmlns: 'http://jabber.org/protocol/disco#info' })), LOCAL, { name: 'gw' })))
      .toBe('<iq from="gw.test" to="a@peer.test/r" id="q1" type="result"><query xmlns="http://jabber.org/protocol/disco#info">' +
        '<identity category="server" type="im" name="gw"/><feature var="http://jabber.org/protocol/disco#info"/><feature var="urn:xmpp:ping"/></query></iq>');
  });

  it.each([
    ['a vCard get', iq('gw.test', 'get', el('vCard', { xmlns: 'vcard-temp' })), 'service-unavailable'],
    ['an unknown set', iq('gw.test', 'set', el('x', { xmlns: 'urn:x' })), 'service-unavailable'],
    ['a get without payload', iq('gw.test', 'get'), 'service-unavailable'],
    ['disco#info on a node', iq('gw.test', 'get', el('query', { xmlns: 'http://jabber.org/protocol/disco#info', node: 'n' })), 'item-not-found'],
  ])('answers %s with an error (%s), never silence', (_n, stanza, condition) => {
    expect(out(answerLocalIq(stanza, LOCAL))).toContain(`type="error"><error type="cancel"><${condition} xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/>`);
  });

  it.each([
    ['an IQ to a user', iq('bob@gw.test', 'get', el('ping', { xmlns: 'urn:xmpp:ping' })), 'pass'],
    ['an IQ to a full JID of the domain', iq('gw.test/res', 'get'), 'pass'],
    ['an IQ to another domain', iq('other.test', 'get'), 'pass'],
    ['a message to the domain', el('message', { to: 'gw.test' }), 'pass'],
    ['an IQ result to the domain', iq('gw.test', 'result'), 'consumed'],
    ['an IQ error to the domain', iq('gw.test', 'error'), 'consumed'],
  ])('leaves %s alone (%s)', (_n, stanza, expected) => {
    expect(answerLocalIq(stanza, LOCAL)).toBe(expected);
  });
});

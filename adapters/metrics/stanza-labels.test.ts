import { el } from '../../plugin/core/xml/xml-element';
import { errorCondition, stanzaKind, stanzaType } from './stanza-labels';

const NS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

describe('metric labels from stanzas stay within the RFC vocabularies (a peer cannot grow the label set)', () => {
  it.each([
    ['message chat', el('message', { type: 'chat' }), 'message', 'chat'],
    ['message without type is normal (RFC 6121 §5.2.2)', el('message', {}), 'message', 'normal'],
    ['presence without type is available (RFC 6121 §4.7.1)', el('presence', {}), 'presence', 'available'],
    ['presence subscribe', el('presence', { type: 'subscribe' }), 'presence', 'subscribe'],
    ['iq get (RFC 6120 §8.2.3)', el('iq', { type: 'get' }), 'iq', 'get'],
    ['a prefixed name keeps its local name', el('jabber:message', { type: 'headline' }), 'message', 'headline'],
    ['an invented element', el('x-flood', { type: 'chat' }), 'other', 'other'],
    ['an invented type', el('message', { type: 'a'.repeat(40) }), 'message', 'other'],
  ])('%s', (_what, e, kind, type) => {
    expect([stanzaKind(e), stanzaType(e)]).toEqual([kind, type]);
  });

  it.each([
    ['a defined condition (RFC 6120 §8.3.3)', el('message', { type: 'error' }, el('error', { type: 'cancel' }, el('service-unavailable', { xmlns: NS }))), 'service-unavailable'],
    ['the condition, not the text', el('iq', { type: 'error' }, el('error', { type: 'wait' }, el('text', { xmlns: NS }, 'x'), el('resource-constraint', { xmlns: NS }))), 'resource-constraint'],
    ['an undefined condition name', el('message', { type: 'error' }, el('error', {}, el('made-up', { xmlns: NS }))), 'other'],
    ['a condition in another namespace', el('message', { type: 'error' }, el('error', {}, el('forbidden', { xmlns: 'urn:x' }))), 'other'],
    ['no <error/> child', el('presence', { type: 'error' }), 'other'],
    ['not an error stanza', el('message', { type: 'chat' }), undefined],
  ])('error condition: %s', (_what, e, condition) => {
    expect(errorCondition(e)).toBe(condition);
  });
});

import { serializeXml } from '../../../plugin/core/xml/serialize-xml';
import { el } from '../../../plugin/core/xml/xml-element';
import { parseStreamError, STREAM_CONDITION_SEVERITY, STREAM_ERROR_CONDITIONS, stanzaTooBig, streamError, streamErrorElement } from './stream-error';

describe('stream errors (RFC 6120 §4.9)', () => {
  it('serialises condition, text and application condition in order (§4.9.2, §4.9.4)', () => {
    expect(serializeXml(streamErrorElement(stanzaTooBig('too big')))).toBe(
      '<stream:error><policy-violation xmlns="urn:ietf:params:xml:ns:xmpp-streams"/>' +
      '<text xmlns="urn:ietf:params:xml:ns:xmpp-streams" xml:lang="en">too big</text>' +
      '<stanza-too-big xmlns="urn:xmpp:errors"/></stream:error>');
  });

  it('reads a received stream error, mapping unknown conditions to undefined-condition', () => {
    const e = el('stream:error', {}, el('host-unknown', { xmlns: 'urn:ietf:params:xml:ns:xmpp-streams' }), el('text', {}, 'no'));
    expect(parseStreamError(e)).toEqual(streamError('host-unknown', 'no'));
    expect(parseStreamError(el('stream:error', {}, el('made-up', {})))).toEqual(streamError('undefined-condition'));
  });

  it('defines all 25 conditions of §4.9.3', () => {
    expect(STREAM_ERROR_CONDITIONS).toHaveLength(25);
  });

  // Prosody mod_s2s stream_condition_severity: routine closes are not warnings.
  it.each(Object.entries(STREAM_CONDITION_SEVERITY))('logs a stream closed with %s at %s', (condition, level) => {
    const routine = ['connection-timeout'].includes(condition) ? 'debug'
      : ['host-gone', 'host-unknown', 'reset', 'resource-constraint', 'see-other-host', 'system-shutdown'].includes(condition) ? 'info' : 'warn';
    expect(level).toBe(routine);
  });
});

import { el } from './core/xml/xml-element';
import { createStanzaDispatcher } from './stanza-dispatch';
import { testDeps } from './use-cases/__tests__/fakes';

function setup() {
  const deps = { ...testDeps(), chatStates: new Map() };
  return { deps, dispatch: createStanzaDispatcher(deps) };
}
const NS = 'jabber:server';

describe('stanza dispatch from the S2S edge to the use-cases', () => {
  it('relays a chat message to a SIP user as a MESSAGE (RFC 7572 §4)', async () => {
    const { deps, dispatch } = setup();
    await dispatch(el('message', { xmlns: NS, from: 'romeo@xmpp.example/balcony', to: 'alice@sip.example', id: 'm1', type: 'chat' }, el('body', {}, 'hi ✓')));
    expect(deps.sip.sent).toHaveLength(1);
    expect(deps.sip.sent[0]).toMatchObject({ requestUri: 'sip:alice@sip.example', body: 'hi ✓' });
  });

  it('answers an undecodable stanza with bad-request instead of dropping it (RFC 6120 §8.3.3.1)', async () => {
    const { deps, dispatch } = setup();
    await dispatch(el('presence', { xmlns: NS, from: 'romeo@xmpp.example', to: 'alice@sip.example', id: 'p1' }, el('priority', {}, 'not-a-number')));
    expect(deps.xmpp.sent).toEqual([
      expect.objectContaining({ kind: 'presence', type: 'error', from: 'alice@sip.example', to: 'romeo@xmpp.example', id: 'p1', error: expect.objectContaining({ condition: 'bad-request' }) }),
    ]);
    expect(deps.log.lines.some((l) => l.level === 'warn' && l.msg === 'undecodable stanza from peer')).toBe(true);
  });

  it('never answers an undecodable error stanza (no error loops, RFC 6120 §8.3.1)', async () => {
    const { deps, dispatch } = setup();
    await dispatch(el('iq', { xmlns: NS, from: 'romeo@xmpp.example', to: 'alice@sip.example', type: 'error' }));
    expect(deps.xmpp.sent).toEqual([]);
  });

  it.each([['subscribe'], ['probe']])(
    'refuses a presence %s with service-unavailable while presence is not federated (never left pending)',
    async (type) => {
      const { deps, dispatch } = setup();
      await dispatch(el('presence', { xmlns: NS, from: 'romeo@xmpp.example', to: 'alice@sip.example', type, id: 's1' }));
      expect(deps.xmpp.sent).toEqual([expect.objectContaining({ kind: 'presence', type: 'error', to: 'romeo@xmpp.example', error: expect.objectContaining({ condition: 'service-unavailable' }) })]);
    },
  );

  it('answers an IQ get addressed to a SIP user (RFC 6120 §8.2.3)', async () => {
    const { deps, dispatch } = setup();
    await dispatch(el('iq', { xmlns: NS, from: 'romeo@xmpp.example/b', to: 'alice@sip.example', type: 'get', id: 'v1' }, el('vCard', { xmlns: 'vcard-temp' })));
    expect(deps.xmpp.sent).toEqual([expect.objectContaining({ kind: 'iq', type: 'error', id: 'v1', error: expect.objectContaining({ condition: 'service-unavailable' }) })]);
  });
});

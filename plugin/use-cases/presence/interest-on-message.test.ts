import { FakeXmppOut, ManualClock, MemoryLog } from '../__tests__/fakes';
import { recordingInterest } from './interest-on-message';
import { MemoryPresenceStore, settle } from './__tests__/presence-fakes';

describe('a message to a contact counts as reaching out (Lync PublicUnverified, anchors.md §1.2.1)', () => {
  const setup = () => {
    const inner = new FakeXmppOut();
    const store = new MemoryPresenceStore();
    const out = recordingInterest(inner, store, { ourDomains: new Set(['sip.example']), clock: new ManualClock(), log: new MemoryLog() });
    return { inner, store, out };
  };

  it('records the pair once when one of our users messages a remote contact, and passes the stanza on', async () => {
    const { inner, store, out } = setup();
    for (let i = 0; i < 3; i++) await out.sendStanza({ kind: 'message', type: 'chat', from: 'alice@sip.example/gr1', to: 'romeo@xmpp.example', body: 'hi' });
    await settle();
    expect(inner.sent).toHaveLength(3);
    expect(store.interest).toEqual([expect.objectContaining({ localUser: 'alice@sip.example', remoteContact: 'romeo@xmpp.example', kind: 'messaged' })]);
  });

  it.each([
    ['an error stanza', { type: 'error' as const }],
    ['a message that could not be delivered', { undelivered: true }],
    ['a message not from our domain', { from: 'x@other.example' }],
  ])('records nothing for %s', async (_n, over) => {
    const { inner, store, out } = setup();
    if ('undelivered' in over) inner.next = { ok: false, error: { condition: 'remote-server-not-found', type: 'cancel' } };
    const { undelivered: _u, ...stanzaOver } = over as Record<string, unknown>;
    await out.sendStanza({ kind: 'message', type: 'chat', from: 'alice@sip.example', to: 'romeo@xmpp.example', body: 'hi', ...stanzaOver });
    await settle();
    expect(store.interest).toEqual([]);
  });
});

import type { ChatState } from '../core/stanza/stanza';
import { type ChatStateStore, conversationKey, decideChatState, noteMessageSent } from './chat-state-limiter';

const T0 = Date.UTC(2025, 0, 1);
const at = (s: number) => new Date(T0 + s * 1000);
const K = conversationKey('romeo@xmpp.example/balcony', 'alice@sip.example');

/** Runs [second, chat state] steps and returns what each decided ("active"/"idle" = sent, else the drop reason). */
function run(steps: ReadonlyArray<[number, ChatState]>, store: ChatStateStore = new Map()): string[] {
  return steps.map(([s, cs]) => {
    const d = decideChatState(store, K, cs, at(s), { refreshMs: 60_000 });
    return d.send ? d.state : d.reason;
  });
}

describe('decideChatState: XEP-0085 → isComposing without flooding SIP (RFC 3994 §3.2, §4; RFC 7573 §6 Table 4)', () => {
  it.each<[string, ReadonlyArray<[number, ChatState]>, string[]]>([
    ['first composing is sent as active', [[0, 'composing']], ['active']],
    ['repeated composing within the refresh interval is rate-limited', [[0, 'composing'], [5, 'composing'], [59, 'composing']], ['active', 'rate-limited', 'rate-limited']],
    ['composing again after the refresh interval refreshes active', [[0, 'composing'], [60, 'composing'], [90, 'composing'], [121, 'composing']], ['active', 'active', 'rate-limited', 'active']],
    ['paused after active is always sent as idle', [[0, 'composing'], [1, 'paused']], ['active', 'idle']],
    ['active, inactive, paused after idle are duplicates', [[0, 'composing'], [1, 'paused'], [2, 'active'], [3, 'inactive']], ['active', 'idle', 'duplicate', 'duplicate']],
    ['idle before any active is a duplicate (the receiver starts idle)', [[0, 'active']], ['duplicate']],
    ['composing right after idle is sent again (a transition, not a refresh)', [[0, 'composing'], [2, 'paused'], [3, 'composing']], ['active', 'idle', 'active']],
    ['gone sends nothing and forgets the conversation (RFC 7573 §6.1)', [[0, 'composing'], [1, 'gone'], [2, 'paused']], ['active', 'gone', 'duplicate']],
    ['a clock that went backwards does not block active forever', [[100, 'composing'], [50, 'composing']], ['active', 'active']],
  ])('%s', (_name, steps, expected) => {
    expect(run(steps)).toEqual(expected);
  });

  it('a sent content message resets the receiver to idle, so the next composing is sent at once (RFC 3994 §3.3)', () => {
    const store: ChatStateStore = new Map();
    run([[0, 'composing']], store);
    noteMessageSent(store, K);
    expect(run([[1, 'composing']], store)).toEqual(['active']);
    expect(run([[2, 'paused']], store)).toEqual(['idle']);
  });

  it('tells the receiver the refresh interval in whole seconds', () => {
    const d = decideChatState(new Map(), K, 'composing', at(0), { refreshMs: 90_500 });
    expect(d).toEqual({ send: true, state: 'active', refreshSeconds: 91 });
  });

  it('keeps conversations apart', () => {
    const store: ChatStateStore = new Map();
    const other = conversationKey('romeo@xmpp.example/phone', 'alice@sip.example');
    expect(decideChatState(store, K, 'composing', at(0)).send).toBe(true);
    expect(decideChatState(store, other, 'composing', at(1)).send).toBe(true);
  });

  it('stays within maxConversations, forgetting the least recently updated', () => {
    const store: ChatStateStore = new Map();
    for (let i = 0; i < 50; i++) decideChatState(store, `c${i}`, 'composing', at(i), { maxConversations: 10 });
    expect(store.size).toBe(10);
    expect([...store.keys()]).toEqual(Array.from({ length: 10 }, (_, i) => `c${40 + i}`));
  });
});

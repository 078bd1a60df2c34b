import type { ChatState } from '../stanza/stanza';
import { chatStateToIsComposing, isComposingToChatState, type IsComposingMapping } from './chat-state-mapping';
import type { ComposingState } from './is-composing';

describe('RFC 7573 §6 Table 3: isComposing → XEP-0085', () => {
  it.each<[ComposingState, ChatState]>([
    ['active', 'composing'],
    ['idle', 'active'],
  ])('%s → %s', (from, to) => {
    expect(isComposingToChatState(from)).toBe(to);
  });
});

describe('RFC 7573 §6 Table 4: XEP-0085 → isComposing', () => {
  it.each<[ChatState, IsComposingMapping]>([
    ['active', { kind: 'state', state: 'idle' }],
    ['inactive', { kind: 'state', state: 'idle' }],
    ['paused', { kind: 'state', state: 'idle' }],
    ['composing', { kind: 'state', state: 'active' }],
    ['gone', { kind: 'gone' }], // §6.1: no isComposing; the caller ends the session
  ])('%s → %j', (from, to) => {
    expect(chatStateToIsComposing(from)).toEqual(to);
  });
});

import type { ChatState } from '../stanza/stanza';
import type { ComposingState } from './is-composing';

/**
 * RFC 7573 §6: RFC 3994 isComposing ⇄ XEP-0085 chat states.
 *
 * Table 3 (isComposing → XEP-0085): active → composing, idle → active.
 * Table 4 (XEP-0085 → isComposing): active, inactive, paused → idle;
 * composing → active; gone → no isComposing. §6.1: a gateway that supports
 * chat states MUST support <gone/>; it maps to ending the SIP session (BYE)
 * rather than to a document, so it is returned as its own case.
 */
export function isComposingToChatState(state: ComposingState): ChatState {
  return state === 'active' ? 'composing' : 'active';
}

export type IsComposingMapping = { readonly kind: 'state'; readonly state: ComposingState } | { readonly kind: 'gone' };

export function chatStateToIsComposing(cs: ChatState): IsComposingMapping {
  switch (cs) {
    case 'composing':
      return { kind: 'state', state: 'active' };
    case 'active':
    case 'inactive':
    case 'paused':
      return { kind: 'state', state: 'idle' };
    case 'gone':
      return { kind: 'gone' };
  }
}

import type { XmlElement } from '../xml/xml-element';
import type { StanzaError } from './stanza-error';

/**
 * The typed stanza model: plain data, never ltx elements (see stanza-codec.ts
 * for the only XML conversion). Addresses are JID strings as they appear on
 * the wire; mapping code parses them with jid.ts.
 */

/** XEP-0085 chat states. */
export const CHAT_STATES = ['active', 'composing', 'paused', 'inactive', 'gone'] as const;
export type ChatState = (typeof CHAT_STATES)[number];

export type MessageType = 'normal' | 'chat' | 'groupchat' | 'headline' | 'error';

interface StanzaBase {
  readonly from?: string;
  readonly to?: string;
  readonly id?: string;
  /** xml:lang (RFC 6120 §8.1.5); RFC 7572 §8 maps it to Content-Language. */
  readonly lang?: string;
  /** Present when type is 'error' (RFC 6120 §8.3). */
  readonly error?: StanzaError;
  /** Child elements the model does not know, kept so nothing is silently dropped. */
  readonly extensions?: ReadonlyArray<XmlElement>;
}

export interface MessageStanza extends StanzaBase {
  readonly kind: 'message';
  /** Absent means "normal" (RFC 6120 §5.2.2; RFC 7572 §5 sends no type or "normal"). */
  readonly type?: MessageType;
  readonly body?: string;
  readonly subject?: string;
  readonly thread?: string;
  /** XEP-0071 XHTML-IM <body xmlns='http://www.w3.org/1999/xhtml'> element, already sanitised. */
  readonly html?: XmlElement;
  /** XEP-0085 chat state notification. */
  readonly chatState?: ChatState;
  /** XEP-0184 <request/>. */
  readonly receiptRequest?: boolean;
  /** XEP-0184 <received id='…'/>: the id of the message being acknowledged. */
  readonly receiptFor?: string;
}

export type PresenceType =
  | 'unavailable'
  | 'subscribe'
  | 'subscribed'
  | 'unsubscribe'
  | 'unsubscribed'
  | 'probe'
  | 'error';
export type PresenceShow = 'away' | 'chat' | 'dnd' | 'xa';

export interface PresenceStanza extends StanzaBase {
  readonly kind: 'presence';
  /** Absent means available (RFC 6121 §4.7.1). */
  readonly type?: PresenceType;
  readonly show?: PresenceShow;
  readonly status?: string;
  /** -128..127 (RFC 6121 §4.7.2.3). */
  readonly priority?: number;
}

export type IqType = 'get' | 'set' | 'result' | 'error';

export interface IqStanza extends StanzaBase {
  readonly kind: 'iq';
  readonly type: IqType;
  readonly id: string;
  /** The single payload child of a get/set (RFC 6120 §8.2.3), or of a result if any. */
  readonly payload?: XmlElement;
}

export type Stanza = MessageStanza | PresenceStanza | IqStanza;

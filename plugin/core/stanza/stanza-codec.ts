import { err, ok, type Result } from '../result';
import { sanitizeXhtmlBody } from '../message/xhtml-im-sanitize';
import { XHTML_IM_NS, XHTML_NS } from '../message/xhtml-im-profile';
import { childElements, el, localName, namespaceOf, textOf, type XmlElement } from '../xml/xml-element';
import {
  CHAT_STATES, type ChatState, type IqStanza, type IqType, type MessageStanza, type MessageType,
  type PresenceShow, type PresenceStanza, type PresenceType, type Stanza,
} from './stanza';
import { isStanzaErrorCondition, STANZA_ERROR_TYPES, STANZAS_NS, type StanzaError, type StanzaErrorType } from './stanza-error';

/**
 * The one codec between XmlElement and the typed Stanza model (stanza.ts).
 * RFC 6120 §8 (stanza semantics, §8.3 errors), RFC 6121 §4.7 (presence
 * children) and §5.2 (message children), XEP-0071 (XHTML-IM, sanitised on the
 * way in), XEP-0085 (chat states), XEP-0184 (receipts). Children the model
 * does not know are kept in `extensions`. Values that make a stanza invalid
 * come back as a CodecError, which the edge answers with <bad-request/>.
 */
export const JABBER_SERVER_NS = 'jabber:server';
export const JABBER_CLIENT_NS = 'jabber:client';
export const CHATSTATES_NS = 'http://jabber.org/protocol/chatstates';
export const RECEIPTS_NS = 'urn:xmpp:receipts';
export type ContentNamespace = typeof JABBER_SERVER_NS | typeof JABBER_CLIENT_NS;

export type CodecErrorCode =
  | 'unknown-stanza' | 'bad-namespace' | 'invalid-type' | 'invalid-value' | 'missing-id' | 'bad-payload' | 'bad-error';
export interface CodecError {
  readonly code: CodecErrorCode;
  readonly detail: string;
}
const fail = (code: CodecErrorCode, detail: string) => err<CodecError>({ code, detail });

const MESSAGE_TYPES: readonly string[] = ['normal', 'chat', 'groupchat', 'headline', 'error'];
const PRESENCE_TYPES: readonly string[] = ['unavailable', 'subscribe', 'subscribed', 'unsubscribe', 'unsubscribed', 'probe', 'error'];
const IQ_TYPES: readonly string[] = ['get', 'set', 'result', 'error'];
const SHOWS: readonly string[] = ['away', 'chat', 'dnd', 'xa'];

/** Drops undefined properties so decoded models compare equal to literals. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function decodeStanza(e: XmlElement): Result<Stanza, CodecError> {
  const ns = namespaceOf(e);
  if (ns !== JABBER_SERVER_NS && ns !== JABBER_CLIENT_NS) return fail('bad-namespace', `stanza namespace ${ns ?? '(none)'}`);
  const name = localName(e);
  if (name !== 'message' && name !== 'presence' && name !== 'iq') return fail('unknown-stanza', `<${e.name}/>`);
  const lang = e.attrs['xml:lang'];
  const type = e.attrs.type;
  const rest = new Set(childElements(e));
  const inContent = (c: XmlElement) => namespaceOf(c) === undefined || namespaceOf(c) === ns;
  const take = (pred: (c: XmlElement) => boolean): XmlElement | undefined => {
    const found = [...rest].find(pred);
    if (found) rest.delete(found);
    return found;
  };
  // RFC 6120 §8.1.5 / RFC 6121 §5.2.3: the child without xml:lang (or with the stanza's) is the default one.
  const takeLang = (local: string, inNs: (c: XmlElement) => boolean = inContent) => {
    const all = [...rest].filter((c) => localName(c) === local && inNs(c));
    const pick = all.find((c) => c.attrs['xml:lang'] === undefined || c.attrs['xml:lang'] === lang) ?? all[0];
    if (pick) rest.delete(pick);
    return pick;
  };

  let error: StanzaError | undefined;
  if (type === 'error') {
    const errEl = take((c) => localName(c) === 'error' && inContent(c));
    if (!errEl) return fail('bad-error', 'type="error" without <error/> (RFC 6120 §8.3.2)');
    const d = decodeError(errEl);
    if (!d.ok) return d;
    error = d.value;
  }
  const base = { from: e.attrs.from, to: e.attrs.to, id: e.attrs.id, lang, error };
  const extensions = () => (rest.size > 0 ? [...rest] : undefined);

  if (name === 'message') {
    // RFC 6121 §5.2.2: an unknown message type MUST be treated as "normal".
    const mtype = type !== undefined && MESSAGE_TYPES.includes(type) ? (type as MessageType) : undefined;
    const body = takeLang('body');
    const subject = takeLang('subject');
    const thread = take((c) => localName(c) === 'thread' && inContent(c));
    const htmlEl = take((c) => localName(c) === 'html' && namespaceOf(c) === XHTML_IM_NS);
    const xbodies = htmlEl ? childElements(htmlEl).filter((c) => localName(c) === 'body' && namespaceOf(c) === XHTML_NS) : [];
    const xbody = xbodies.find((c) => c.attrs['xml:lang'] === undefined || c.attrs['xml:lang'] === lang) ?? xbodies[0];
    const cs = take((c) => namespaceOf(c) === CHATSTATES_NS && (CHAT_STATES as readonly string[]).includes(localName(c)));
    const req = take((c) => localName(c) === 'request' && namespaceOf(c) === RECEIPTS_NS);
    const rcv = take((c) => localName(c) === 'received' && namespaceOf(c) === RECEIPTS_NS && !!c.attrs.id);
    const m: MessageStanza = defined({
      kind: 'message' as const, ...base, type: mtype,
      body: textOf(body), subject: textOf(subject), thread: textOf(thread),
      html: xbody ? sanitizeXhtmlBody(xbody) : undefined,
      chatState: cs ? (localName(cs) as ChatState) : undefined,
      receiptRequest: req ? true : undefined,
      receiptFor: rcv?.attrs.id,
      extensions: extensions(),
    });
    return ok(m);
  }

  if (name === 'presence') {
    if (type !== undefined && !PRESENCE_TYPES.includes(type)) return fail('invalid-type', `presence type "${type}" (RFC 6121 §4.7.1)`);
    const showEl = take((c) => localName(c) === 'show' && inContent(c));
    const show = textOf(showEl)?.trim();
    if (show !== undefined && !SHOWS.includes(show)) return fail('invalid-value', `<show>${show}</show> (RFC 6121 §4.7.2.1)`);
    const status = takeLang('status');
    const prioEl = take((c) => localName(c) === 'priority' && inContent(c));
    let priority: number | undefined;
    if (prioEl) {
      const t = textOf(prioEl)!.trim();
      priority = /^[+-]?\d{1,4}$/.test(t) ? Number(t) : NaN;
      if (!(priority >= -128 && priority <= 127)) return fail('invalid-value', `<priority>${t}</priority> (RFC 6121 §4.7.2.3)`);
    }
    const p: PresenceStanza = defined({
      kind: 'presence' as const, ...base, type: type as PresenceType | undefined,
      show: show as PresenceShow | undefined, status: textOf(status), priority, extensions: extensions(),
    });
    return ok(p);
  }

  if (type === undefined || !IQ_TYPES.includes(type)) return fail('invalid-type', `iq type "${type ?? ''}" (RFC 6120 §8.2.3)`);
  if (!base.id) return fail('missing-id', 'iq without id (RFC 6120 §8.2.3)');
  const payloads = [...rest];
  const exactlyOne = type === 'get' || type === 'set';
  if (exactlyOne ? payloads.length !== 1 : payloads.length > 1) {
    return fail('bad-payload', `iq type "${type}" with ${payloads.length} child elements (RFC 6120 §8.2.3)`);
  }
  const iq: IqStanza = defined({ kind: 'iq' as const, ...base, id: base.id, type: type as IqType, payload: payloads[0] });
  return ok(iq);
}

/** RFC 6120 §8.3.2: <error type='…' by='…'><condition xmlns=stanzas/><text/>?</error>. */
function decodeError(e: XmlElement): Result<StanzaError, CodecError> {
  const type = e.attrs.type;
  if (!(STANZA_ERROR_TYPES as readonly string[]).includes(type ?? '')) return fail('bad-error', `error type "${type ?? ''}"`);
  const inStanzas = childElements(e).filter((c) => namespaceOf(c) === STANZAS_NS);
  const cond = inStanzas.find((c) => localName(c) !== 'text');
  const condition = cond ? localName(cond) : '';
  if (!isStanzaErrorCondition(condition)) return fail('bad-error', `error condition "${condition}" (RFC 6120 §8.3.3)`);
  const textEl = inStanzas.find((c) => localName(c) === 'text');
  const alt = condition === 'gone' || condition === 'redirect' ? textOf(cond)?.trim() : undefined;
  return ok(defined({
    type: type as StanzaErrorType, condition, text: textOf(textEl), textLang: textEl?.attrs['xml:lang'],
    by: e.attrs.by, alternateAddress: alt === '' ? undefined : alt,
  }));
}

export function encodeStanza(s: Stanza, opts: { ns?: ContentNamespace } = {}): XmlElement {
  const attrs = { xmlns: opts.ns ?? JABBER_SERVER_NS, from: s.from, to: s.to, id: s.id, type: s.type, 'xml:lang': s.lang };
  const error = s.error && encodeError(s.error);
  const ext = s.extensions ?? [];
  switch (s.kind) {
    case 'message':
      return el('message', attrs,
        s.subject !== undefined && el('subject', {}, s.subject),
        s.body !== undefined && el('body', {}, s.body),
        s.thread !== undefined && el('thread', {}, s.thread),
        s.html && el('html', { xmlns: XHTML_IM_NS }, { ...s.html, attrs: { ...s.html.attrs, xmlns: XHTML_NS } }),
        s.chatState && el(s.chatState, { xmlns: CHATSTATES_NS }),
        s.receiptRequest && el('request', { xmlns: RECEIPTS_NS }),
        s.receiptFor !== undefined && el('received', { xmlns: RECEIPTS_NS, id: s.receiptFor }),
        ...ext, error);
    case 'presence':
      return el('presence', attrs,
        s.show !== undefined && el('show', {}, s.show),
        s.status !== undefined && el('status', {}, s.status),
        s.priority !== undefined && el('priority', {}, String(s.priority)),
        ...ext, error);
    case 'iq':
      return el('iq', attrs, s.payload, ...ext, error);
  }
}

function encodeError(e: StanzaError): XmlElement {
  return el('error', { type: e.type, by: e.by },
    el(e.condition, { xmlns: STANZAS_NS }, ...(e.alternateAddress !== undefined ? [e.alternateAddress] : [])),
    e.text !== undefined && el('text', { xmlns: STANZAS_NS, 'xml:lang': e.textLang }, e.text));
}

/**
 * RFC 6120 §8.3.1: the error reply swaps from/to, keeps the id and carries
 * the original content. Never answer an error with an error, nor an IQ
 * result (§8.2.3, "never bounce a bounce"): those return undefined.
 */
export function errorReplyFor(original: Stanza, error: StanzaError): Stanza | undefined {
  if (original.type === 'error') return undefined;
  if (original.kind === 'iq' && original.type === 'result') return undefined;
  const swap = { from: original.to, to: original.from, error };
  switch (original.kind) {
    case 'message': {
      // XEP-0184 §5 (business rules): no receipt request on a message of type error.
      const { receiptRequest: _r, ...rest } = original;
      return defined({ ...rest, ...swap, type: 'error' as const });
    }
    case 'presence':
      return defined({ ...original, ...swap, type: 'error' as const });
    case 'iq':
      return defined({ ...original, ...swap, type: 'error' as const });
  }
}

import { err, ok, type Result } from '../result';
import type { MessageStanza } from '../stanza/stanza';
import { chatStateToIsComposing, isComposingToChatState } from './chat-state-mapping';
import { buildIsComposing, IS_COMPOSING_TYPE } from './is-composing';
import { messageError, type MessageError } from './message-error';
import { exceedsPagerModeLimit, estimateSipMessageBytes, PAGER_MODE_MAX_BYTES, type PagerModeOptions } from './pager-mode-size';
import { decodeSipContent, type SipContent, type SipContentOptions } from './sip-content';
import type { SipMessageOut, SipMessageRequest, SipOutHeader } from './sip-message';
import { checkXmlText, TEXT_PLAIN_UTF8 } from './text-plain';

/**
 * RFC 7572 pager-mode message mapping.
 *
 * §5 SIP→XMPP (Table 2): Call-ID → <thread/>, Content-Language → xml:lang,
 * CSeq → (none), From → from, Subject → <subject/>, Request-URI → to,
 * body → <body/>, transaction → id. §5 says the message MUST have no type or
 * type "normal"; we omit `type` (absent means normal, RFC 6121 §5.2.2), which
 * is shorter on the wire and treated identically by servers (including carbons).
 *
 * §4 XMPP→SIP (Table 1): <body/> → text/plain body, <subject/> → Subject,
 * <thread/> → Call-ID, from → From (with ;gr=), id → transaction, to → To and
 * Request-URI, type → (none), xml:lang → Content-Language. §6: SHOULD
 * answer policy-violation when the MESSAGE would exceed 1300 bytes.
 *
 * IMDN bodies (RFC 5438) are not mapped here: receipts need the caller's
 * message-id correlation (issue #5) and are decoded with decodeSipContent.
 */

export interface SipToXmppAddresses {
  /** Full JID including the GRUU-derived resource, already mapped by the caller (Table 2 "From"). */
  readonly from: string;
  readonly to: string;
}

export function sipMessageToStanza(
  msg: SipMessageRequest,
  addrs: SipToXmppAddresses,
  id: string,
  opts: SipContentOptions = {},
): Result<MessageStanza, MessageError> {
  const content = decodeSipContent(msg.contentType, msg.body, opts);
  return content.ok ? sipContentToStanza(content.value, msg, addrs, id) : content;
}

/**
 * The same RFC 7572 §5 mapping for a body the caller has already decoded with
 * decodeSipContent (the use-case decodes once to see whether it is an IMDN).
 */
export function sipContentToStanza(
  c: SipContent,
  msg: Pick<SipMessageRequest, 'callId' | 'contentLanguage' | 'subject'>,
  addrs: SipToXmppAddresses,
  id: string,
): Result<MessageStanza, MessageError> {
  if (c.kind === 'imdn') return err(messageError('not-mappable', 'delivery notification: map with imdn.ts (RFC 5438)'));

  const lang = msg.contentLanguage === undefined ? undefined : firstLanguageTag(msg.contentLanguage);
  if (lang === null) return err(messageError('invalid-header', `Content-Language "${msg.contentLanguage}" (RFC 7572 §8)`));
  const subject = msg.subject ?? c.cpim?.subject;
  for (const v of [msg.callId, subject]) {
    if (v === undefined) continue;
    const t = checkXmlText(v);
    if (!t.ok) return t;
  }
  const base = {
    kind: 'message' as const,
    from: addrs.from,
    to: addrs.to,
    id,
    ...(lang !== undefined ? { lang } : {}),
    ...(msg.callId !== '' ? { thread: msg.callId } : {}),
    ...(subject !== undefined && subject !== '' ? { subject } : {}),
  };
  if (c.kind === 'is-composing') return ok({ ...base, chatState: isComposingToChatState(c.isComposing.state) });
  if (c.text === '' && !c.html) return err(messageError('no-content', 'empty body'));
  return ok({ ...base, body: c.text, ...(c.html ? { html: c.html } : {}) });
}

export interface XmppToSipAddresses {
  /** SIP URI of the sender with the XMPP resource as GRUU, e.g. "sip:juliet@example.com;gr=balcony" (Table 1). */
  readonly fromUri: string;
  readonly toUri: string;
}

export function stanzaToSipMessage(
  stanza: MessageStanza,
  addrs: XmppToSipAddresses,
  opts: PagerModeOptions = {},
): Result<SipMessageOut, MessageError> {
  if (stanza.type === 'error' || stanza.type === 'groupchat') {
    return err(messageError('not-mappable', `message of type ${stanza.type} has no pager-mode equivalent`));
  }
  const headers: Partial<Record<SipOutHeader, string>> = {};
  let body: string;
  if (stanza.body !== undefined) {
    headers['Content-Type'] = TEXT_PLAIN_UTF8;
    body = stanza.body;
  } else if (stanza.chatState !== undefined) {
    const m = chatStateToIsComposing(stanza.chatState);
    if (m.kind === 'gone') {
      return err(messageError('no-content', '<gone/> has no isComposing equivalent; it ends a session (RFC 7573 §6.1)'));
    }
    headers['Content-Type'] = IS_COMPOSING_TYPE;
    body = buildIsComposing({ state: m.state });
  } else {
    return err(messageError('no-content', 'no <body/> or chat state to translate'));
  }
  if (stanza.subject !== undefined) headers.Subject = headerText(stanza.subject);
  if (stanza.lang !== undefined) {
    if (!LANG_TAG.test(stanza.lang)) return err(messageError('invalid-header', `xml:lang "${stanza.lang}" (RFC 7572 §8)`));
    headers['Content-Language'] = stanza.lang;
  }
  if (stanza.thread !== undefined && stanza.thread !== '') headers['Call-ID'] = threadToCallId(stanza.thread);
  const out: SipMessageOut = {
    requestUri: addrs.toUri, from: { uri: addrs.fromUri }, to: { uri: addrs.toUri }, headers, body,
    ...(stanza.id !== undefined ? { stanzaId: stanza.id } : {}),
  };
  if (exceedsPagerModeLimit(out, opts)) {
    const limit = opts.maxSipMessageBytes ?? PAGER_MODE_MAX_BYTES;
    return err(messageError('policy-violation', `MESSAGE would be ~${estimateSipMessageBytes(out)} bytes, over ${limit} (RFC 7572 §6)`));
  }
  return ok(out);
}

/** RFC 5646 shape (simplified): letters, then dash-separated alphanumeric subtags. */
const LANG_TAG = /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/;

/** Content-Language may list several tags (RFC 3261 §20.13); xml:lang holds one, so the first is used. */
function firstLanguageTag(v: string): string | null {
  const first = v.split(',')[0]!.trim();
  return LANG_TAG.test(first) ? first : null;
}

/** Subject is TEXT-UTF8 (RFC 3261 §25.1): line breaks and controls would split or inject headers. */
function headerText(s: string): string {
  return s.replace(/[\u0000-\u001F\u007F]+/g, ' ').trim();
}

/** Call-ID is `word["@"word]` (RFC 3261 §25.1); other characters in <thread/> are %-escaped. */
function threadToCallId(thread: string): string {
  return thread.replace(/[^A-Za-z0-9\-.!*_+`'~()<>:\\"/[\]?{}]/gu, (c) =>
    Array.from(Buffer.from(c, 'utf8'), (b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join(''),
  );
}

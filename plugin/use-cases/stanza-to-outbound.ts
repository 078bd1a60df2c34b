/**
 * Builds the SIP MESSAGE for an XMPP message (RFC 7572 §4 Table 1, via the
 * core's stanzaToSipMessage) as the SipOut port takes it, adding what the core
 * leaves to the caller:
 *  - a XEP-0184 <request/> (with a stanza id to echo) wraps the text in
 *    message/cpim with imdn.Message-ID and imdn.Disposition-Notification:
 *    positive-delivery (RFC 5438 §6; RFC 5438 §7.1.1.1 requires CPIM);
 *  - an `active` isComposing carries the limiter's <refresh> (RFC 3994 §4);
 *  - the RFC 7572 §6 / RFC 3428 1300-byte rule is checked on the FINAL body
 *    (after CPIM wrapping), unless the proxy is TCP-capable.
 */
import { buildCpim } from '../core/message/cpim';
import { imdnRequestHeaders } from '../core/message/imdn';
import { buildIsComposing } from '../core/message/is-composing';
import { messageError, type MessageError } from '../core/message/message-error';
import { stanzaToSipMessage } from '../core/message/message-mapping';
import { estimateSipMessageBytes, PAGER_MODE_MAX_BYTES } from '../core/message/pager-mode-size';
import type { SipMessageOut } from '../core/message/sip-message';
import { TEXT_PLAIN_UTF8 } from '../core/message/text-plain';
import { err, ok, type Result } from '../core/result';
import type { MessageStanza } from '../core/stanza/stanza';
import type { OutboundSipMessage } from './ports';

export interface OutboundOptions {
  readonly fromUri: string;
  readonly toUri: string;
  readonly proxyIsTcpCapable: boolean;
  /** Set when the sender asked for a receipt: the IMDN Message-ID and CPIM DateTime to use. */
  readonly imdn?: { readonly messageId: string; readonly dateTime: string };
  /** Set for an `active` isComposing: seconds until the receiver falls back to idle. */
  readonly refreshSeconds?: number;
}

export function stanzaToOutbound(stanza: MessageStanza, o: OutboundOptions): Result<OutboundSipMessage, MessageError> {
  const limit = o.proxyIsTcpCapable ? Infinity : PAGER_MODE_MAX_BYTES;
  const mapped = stanzaToSipMessage(stanza, { fromUri: o.fromUri, toUri: o.toUri }, { maxSipMessageBytes: limit });
  if (!mapped.ok) return mapped;
  let out: SipMessageOut = mapped.value;
  if (o.imdn && stanza.body !== undefined) {
    const req = imdnRequestHeaders(o.imdn.messageId, ['positive-delivery']);
    const body = buildCpim({
      from: { uri: o.fromUri }, to: [{ uri: o.toUri }], dateTime: o.imdn.dateTime, ...req,
      contentType: TEXT_PLAIN_UTF8, body: out.body,
    });
    out = { ...out, headers: { ...out.headers, 'Content-Type': 'message/cpim' }, body };
  } else if (o.refreshSeconds !== undefined && stanza.body === undefined && stanza.chatState === 'composing') {
    out = { ...out, body: buildIsComposing({ state: 'active', refresh: o.refreshSeconds }) };
  }
  const size = estimateSipMessageBytes(out);
  if (size > limit) return err(messageError('policy-violation', `MESSAGE would be ~${size} bytes, over ${limit} (RFC 7572 §6)`));
  const { 'Content-Type': contentType, ...headers } = out.headers;
  const cleanHeaders: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) cleanHeaders[k] = v;
  return ok({ requestUri: out.requestUri, from: out.from, to: out.to, contentType: contentType ?? TEXT_PLAIN_UTF8, headers: cleanHeaders, body: out.body });
}

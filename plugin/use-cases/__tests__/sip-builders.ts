/** Literal SIP MESSAGE requests for the use-case tests. */
import { buildCpim } from '../../core/message/cpim';
import { buildImdn, IMDN_HEADER_NS, IMDN_TYPE } from '../../core/message/imdn';
import type { InboundSipMessage } from '../sip-request';
import { TRUSTED_PROXY } from './fakes';

export function sipMessage(over: Partial<InboundSipMessage> = {}): InboundSipMessage {
  return {
    source: { address: TRUSTED_PROXY, port: 5060, protocol: 'udp' },
    maxForwards: '69',
    requestUri: 'sip:romeo@xmpp.example',
    from: '"Alice" <sip:alice@sip.example>;tag=a1',
    to: '<sip:romeo@xmpp.example>',
    callId: 'call-1@sip.example',
    cseq: 1,
    contentType: 'text/plain;charset=UTF-8',
    body: 'Hello Romeo',
    ...over,
  };
}

/** A CPIM-wrapped text/plain MESSAGE asking for IMDN dispositions (RFC 5438 §6). */
export function cpimWithImdn(dispositions: string, messageId = 'imdn-msg-1', text = 'Hello Romeo'): Pick<InboundSipMessage, 'contentType' | 'body'> {
  return {
    contentType: 'message/cpim',
    body: buildCpim({
      from: { uri: 'sip:alice@sip.example' },
      to: [{ uri: 'sip:romeo@xmpp.example' }],
      dateTime: '2025-01-02T03:04:00Z',
      ns: { imdn: IMDN_HEADER_NS },
      headers: [
        { name: 'imdn.Message-ID', value: messageId },
        { name: 'imdn.Disposition-Notification', value: dispositions },
      ],
      contentType: 'text/plain;charset=UTF-8',
      body: text,
    }),
  };
}

/** An IMDN delivery notification (RFC 5438 §7.1.1.1) for `messageId` with `status`. */
export function imdnNotification(messageId: string, status: 'delivered' | 'failed' | 'forbidden' | 'error'): Pick<InboundSipMessage, 'contentType' | 'body'> {
  return {
    contentType: 'message/cpim',
    body: buildCpim({
      from: { uri: 'sip:alice@sip.example' },
      to: [{ uri: 'sip:romeo@xmpp.example' }],
      dateTime: '2025-01-02T03:05:00Z',
      ns: { imdn: IMDN_HEADER_NS },
      headers: [{ name: 'imdn.Message-ID', value: 'notif-1' }],
      contentType: IMDN_TYPE,
      contentHeaders: { 'Content-Disposition': 'notification' },
      body: buildImdn({ messageId, datetime: '2025-01-02T03:04:00Z', notification: { kind: 'delivery', status } }),
    }),
  };
}

export const IS_COMPOSING_ACTIVE =
  '<?xml version="1.0" encoding="UTF-8"?>\n<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>active</state><refresh>60</refresh></isComposing>';

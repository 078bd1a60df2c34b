import type { MessageStanza } from '../../plugin/core/stanza/stanza';
import { sipMessageToStanza, stanzaToSipMessage } from '../../plugin/core/message/message-mapping';
import type { SipMessageRequest } from '../../plugin/core/message/sip-message';
import { measure } from '../harness';
import { expectOk, toEntry, type Suite } from '../suite';

/**
 * RFC 7572 pager-mode mapping of a text/plain MESSAGE in each direction
 * (§5 Table 2 SIP→XMPP, §4 Table 1 XMPP→SIP, including the §6 1300-byte
 * size estimate). Addresses are already mapped, as the gateway does before
 * calling these.
 */
const S2X = 'message-mapping/sip-message-to-stanza';
const X2S = 'message-mapping/stanza-to-sip-message';
const OPTS = { minSamples: 8, maxSamples: 30, maxTimeMs: 2000 } as const;

const SIP_MESSAGE: SipMessageRequest = {
  requestUri: 'sip:romeo@montague.example',
  from: { uri: 'sip:juliet@capulet.example;gr=balcony', displayName: 'Juliet', tag: '49583' },
  to: { uri: 'sip:romeo@montague.example' },
  callId: 'a84b4c76e66710@pc33.capulet.example',
  cseq: 314159,
  contentType: 'text/plain;charset=UTF-8',
  contentLanguage: 'en',
  body: 'Art thou not Romeo, and a Montague? Café at five — à tout à l’heure.',
  headers: { 'user-agent': 'UCCAPI/15.0.4569.1503 OC/15.0.4569.1506', accept: 'text/plain' },
};

const STANZA: MessageStanza = {
  kind: 'message',
  from: 'romeo@montague.example/orchard',
  to: 'juliet@capulet.example',
  id: 'msg-000042',
  type: 'chat',
  lang: 'en',
  body: 'Neither, fair saint, if either thee dislike. Größe & Gewicht: 3 < 5.',
  thread: 'e0ffe42b28561960c6b12b944a80e1c1',
  chatState: 'active',
};

export const suite: Suite = {
  group: 'message-mapping',
  benchmarks: [
    {
      name: S2X,
      run() {
        const addrs = { from: 'juliet@capulet.example/balcony', to: 'romeo@montague.example' };
        const out = expectOk(S2X, sipMessageToStanza(SIP_MESSAGE, addrs, 'gw-1'));
        if (out.body === undefined) throw new Error(`${S2X}: fixture mapped without a body`);
        const m = measure(S2X, () => sipMessageToStanza(SIP_MESSAGE, addrs, 'gw-1'), { ...OPTS, batch: 8000 });
        return toEntry(m, {
          group: 'message-mapping',
          description: 'sipMessageToStanza: text/plain;charset=UTF-8 MESSAGE with Call-ID and Content-Language (RFC 7572 §5)',
          op: 'one SipMessageRequest to MessageStanza',
        });
      },
    },
    {
      name: X2S,
      run() {
        const addrs = { fromUri: 'sip:romeo@montague.example;gr=orchard', toUri: 'sip:juliet@capulet.example' };
        const out = expectOk(X2S, stanzaToSipMessage(STANZA, addrs));
        if (out.headers['Content-Type'] === undefined) throw new Error(`${X2S}: fixture mapped without a Content-Type`);
        const m = measure(X2S, () => stanzaToSipMessage(STANZA, addrs), { ...OPTS, batch: 10_000 });
        return toEntry(m, {
          group: 'message-mapping',
          description: 'stanzaToSipMessage: chat message with body, thread and xml:lang to text/plain MESSAGE (RFC 7572 §4, §6 size check)',
          op: 'one MessageStanza to SipMessageOut',
        });
      },
    },
  ],
};

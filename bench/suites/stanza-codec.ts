import { decodeStanza, encodeStanza } from '../../plugin/core/stanza/stanza-codec';
import { parseXmlDocument } from '../../plugin/core/xml/parse-xml-document';
import { isElement } from '../../plugin/core/xml/xml-element';
import { inStream, messageStanzaXml } from '../fixtures';
import { measure } from '../harness';
import { expectOk, toEntry, type Suite } from '../suite';

/**
 * The codec between XmlElement and the typed stanza model, run once per
 * stanza in each direction: a chat message with <body/>, <thread/>
 * (RFC 6121 §5.2), an XEP-0085 <active/> and an XEP-0184 <request/>. The
 * input element comes from parseXmlDocument so its namespaces are resolved
 * exactly as on the wire.
 */
const DECODE = 'stanza-codec/decode-message';
const ENCODE = 'stanza-codec/encode-message';
/** Batches sized for samples of roughly 20–60 ms on a 2-core VM: long enough to average out timer and scheduler noise. */
const OPTS = { minSamples: 8, maxSamples: 30, maxTimeMs: 2000 } as const;

function fixture(name: string) {
  const xml = messageStanzaXml(1);
  const root = expectOk(name, parseXmlDocument(inStream(xml)));
  const element = root.children.find(isElement)!;
  const stanza = expectOk(name, decodeStanza(element));
  if (stanza.kind !== 'message' || stanza.body === undefined || stanza.thread === undefined || stanza.chatState !== 'active') {
    throw new Error(`${name}: fixture did not decode to a message with body, thread and chat state`);
  }
  return { element, stanza };
}

export const suite: Suite = {
  group: 'stanza-codec',
  benchmarks: [
    {
      name: DECODE,
      run() {
        const { element } = fixture(DECODE);
        const m = measure(DECODE, () => decodeStanza(element), { ...OPTS, batch: 5000 });
        return toEntry(m, {
          group: 'stanza-codec',
          description: 'decodeStanza: <message> with body, thread, chat state and receipt request',
          op: 'one XmlElement to MessageStanza',
        });
      },
    },
    {
      name: ENCODE,
      run() {
        const { stanza } = fixture(ENCODE);
        const m = measure(ENCODE, () => encodeStanza(stanza), { ...OPTS, batch: 20_000 });
        return toEntry(m, {
          group: 'stanza-codec',
          description: 'encodeStanza: the same MessageStanza back to an XmlElement (jabber:server)',
          op: 'one MessageStanza to XmlElement',
        });
      },
    },
  ],
};

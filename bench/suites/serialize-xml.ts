import { decodeStanza, encodeStanza } from '../../plugin/core/stanza/stanza-codec';
import { parseXmlDocument } from '../../plugin/core/xml/parse-xml-document';
import { serializeXml } from '../../plugin/core/xml/serialize-xml';
import { isElement } from '../../plugin/core/xml/xml-element';
import { inStream, messageStanzaXml } from '../fixtures';
import { measure } from '../harness';
import { expectOk, toEntry, type Suite } from '../suite';

/**
 * serializeXml of an outgoing message stanza, the one place XML text is
 * produced (every attribute and text node escaped, RFC 6120 §11.1). The
 * element is what encodeStanza builds for the S2S edge; its body has
 * non-ASCII text and characters that must be escaped ('&', '<').
 */
const NAME = 'serialize-xml/message';

export const suite: Suite = {
  group: 'serialize-xml',
  benchmarks: [
    {
      name: NAME,
      run() {
        const root = expectOk(NAME, parseXmlDocument(inStream(messageStanzaXml(3))));
        const stanza = expectOk(NAME, decodeStanza(root.children.find(isElement)!));
        const element = encodeStanza(stanza);
        const bytes = Buffer.byteLength(serializeXml(element), 'utf8');
        const m = measure(NAME, () => serializeXml(element), { minSamples: 8, maxSamples: 30, maxTimeMs: 2000, batch: 15_000 });
        return toEntry(m, {
          group: 'serialize-xml',
          description: `serializeXml of an encoded message stanza (${bytes} bytes out, body with '&', '<' and umlauts)`,
          op: 'one stanza element to text',
          also: [{ unit: 'MB/s out', perOp: bytes / 1e6 }],
        });
      },
    },
  ],
};

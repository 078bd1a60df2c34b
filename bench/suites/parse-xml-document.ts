import { parseXmlDocument } from '../../plugin/core/xml/parse-xml-document';
import { PIDF_DOCUMENT } from '../fixtures';
import { measure } from '../harness';
import { expectOk, toEntry, type Suite } from '../suite';

/**
 * parseXmlDocument on a PIDF NOTIFY body: the guard pass (RFC 6120 §11.1
 * applied to SIP bodies) plus the ltx parse and the conversion to XmlElement,
 * i.e. the full cost of reading one SIP presence update (RFC 8048 §6).
 */
const NAME = 'parse-xml-document/pidf';

export const suite: Suite = {
  group: 'parse-xml-document',
  benchmarks: [
    {
      name: NAME,
      run() {
        const bytes = Buffer.byteLength(PIDF_DOCUMENT, 'utf8');
        expectOk(NAME, parseXmlDocument(PIDF_DOCUMENT));
        const m = measure(NAME, () => parseXmlDocument(PIDF_DOCUMENT), { minSamples: 8, maxSamples: 30, maxTimeMs: 2000, batch: 1000 });
        return toEntry(m, {
          group: 'parse-xml-document',
          description: `parseXmlDocument of a ${bytes}-byte PIDF document (RFC 3863 + RPID + RFC 8048 show)`,
          op: 'one document parsed to XmlElement',
          also: [{ unit: 'MB/s', perOp: bytes / 1e6 }],
        });
      },
    },
  ],
};

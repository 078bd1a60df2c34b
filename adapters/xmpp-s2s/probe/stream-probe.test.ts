import { parseXmlDocument } from '../../../plugin/core/xml/parse-xml-document';
import { readFeatures } from './stream-probe';

const features = (inner: string) => {
  const r = parseXmlDocument(`<stream:features xmlns:stream='http://etherx.jabber.org/streams'>${inner}</stream:features>`);
  if (!r.ok) throw new Error(r.error.detail);
  return r.value;
};

describe('readFeatures: what a peer offers in <stream:features/> (RFC 6120 §4.3.2)', () => {
  it.each([
    ['STARTTLS required (RFC 6120 §5.4.1)', "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>", { starttls: true, starttlsRequired: true, mechanisms: [], dialback: false }],
    ['STARTTLS optional and the XEP-0220 §2.4 dialback feature', "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/><dialback xmlns='urn:xmpp:features:dialback'><errors/></dialback>", { starttls: true, starttlsRequired: false, mechanisms: [], dialback: true }],
    ['SASL EXTERNAL after TLS (RFC 6120 §6.4.1, XEP-0178)', "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>EXTERNAL</mechanism></mechanisms>", { starttls: false, starttlsRequired: false, mechanisms: ['EXTERNAL'], dialback: false }],
    ['elements in the wrong namespace are not features', "<starttls/><dialback xmlns='jabber:server:dialback'/><mechanisms><mechanism>EXTERNAL</mechanism></mechanisms>", { starttls: false, starttlsRequired: false, mechanisms: [], dialback: false }],
  ])('%s', (_n, inner, expected) => {
    expect(readFeatures(features(inner))).toEqual(expected);
  });
});

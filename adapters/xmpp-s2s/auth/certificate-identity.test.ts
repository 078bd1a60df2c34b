import { X509Certificate } from 'node:crypto';
import { pem } from '../__tests__/test-deps';
import { certificateNamesDomain, parseSubjectAltNames } from './certificate-identity';

const cert = (san: string | undefined, cn?: string) => ({ subjectaltname: san, subject: cn ? { CN: cn } : {} }) as never;

describe('certificate identity (RFC 6120 §13.7.1.2, RFC 6125 §6)', () => {
  it.each([
    ['DNS-ID equal to the domain', 'DNS:peer.test', 'peer.test', true],
    ['DNS-ID in another case', 'DNS:PEER.test', 'peer.test', true],
    ['DNS-ID of another domain', 'DNS:wrong.test', 'peer.test', false],
    ['wildcard DNS-ID for one left-most label', 'DNS:*.example.test', 'xmpp.example.test', true],
    ['wildcard DNS-ID does not match the parent', 'DNS:*.example.test', 'example.test', false],
    ['wildcard DNS-ID does not span two labels', 'DNS:*.example.test', 'a.b.example.test', false],
    ['partial wildcard is not supported', 'DNS:x*.example.test', 'xa.example.test', false],
    ['SRV-ID _xmpp-server', 'othername:SRVName:_xmpp-server.peer.test', 'peer.test', true],
    ['SRV-ID of another service', 'othername:SRVName:_xmpp-client.peer.test', 'peer.test', false],
  ])('%s', (_n, san, domain, expected) => {
    expect(certificateNamesDomain(cert(san), domain)).toBe(expected);
  });

  it('uses the CN only when the certificate has no DNS-ID/SRV-ID (RFC 6125 §6.4.4)', () => {
    expect(certificateNamesDomain(cert(undefined, 'peer.test'), 'peer.test')).toBe(true);
    expect(certificateNamesDomain(cert('DNS:other.test', 'peer.test'), 'peer.test')).toBe(false);
  });

  it('reads DNS-ID and SRV-ID from the lab fixture as Node reports them', () => {
    const x = new X509Certificate(pem('peer.pem'));
    expect(parseSubjectAltNames(x.subjectAltName)).toEqual({ dns: ['peer.test'], srv: ['_xmpp-server.peer.test'] });
    expect(x.subjectAltName).not.toMatch(/xmppAddr|1\.3\.6\.1\.5\.5\.7\.8\.5/); // ejabberd 23.01 crashes on xmppAddr
  });
});

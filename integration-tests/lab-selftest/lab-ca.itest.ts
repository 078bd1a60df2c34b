/**
 * The lab PKI gives each XMPP domain the identities RFC 6120 §13.7.1.2 asks
 * servers to check (DNS-ID, SRV-ID) and never an xmppAddr (ejabberd 23.01
 * crashes on it); the negative-test certificates fail for the right reason.
 */
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WRONG_NAME, createLabPki, type LabPki } from '../harness/lab-ca';

const NAMES = ['gw.test', 'ejabberd.test'];
let dir: string;
let pki: LabPki;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dxg-lab-ca-'));
  pki = createLabPki(dir, NAMES);
}, 30_000);
afterAll(() => { fs.rmSync(dir, { recursive: true, force: true }); });

describe('lab PKI leaf identities (RFC 6120 §13.7.1.2)', () => {
  it.each(NAMES)('%s: DNS-ID, wildcard DNS-ID and SRV-ID _xmpp-server, no xmppAddr', (name) => {
    const cert = new X509Certificate(pki.leaf(name).certPem);
    const san = cert.subjectAltName ?? '';
    expect(san).toContain(`DNS:${name}`);
    expect(san).toContain(`DNS:*.${name}`);
    expect(san).toMatch(new RegExp(`_xmpp-server\\.${name.replace('.', '\\.')}`));
    expect(san).not.toMatch(/xmppAddr|1\.3\.6\.1\.5\.5\.7\.8\.5/);
    expect(cert.checkHost(name)).toBe(name);
    expect(cert.verify(new X509Certificate(pki.ca.certPem).publicKey)).toBe(true);
    expect(cert.keyUsage).toEqual(expect.arrayContaining(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']));
  });

  it('the wrong-name certificate chains to the lab CA but matches none of the lab names', () => {
    const cert = new X509Certificate(pki.wrongName.certPem);
    expect(cert.verify(new X509Certificate(pki.ca.certPem).publicKey)).toBe(true);
    expect(cert.checkHost(WRONG_NAME)).toBe(WRONG_NAME);
    for (const name of NAMES) expect(cert.checkHost(name)).toBeUndefined();
  });

  it.each(NAMES)('%s: the rogue-CA leaf has the right name but does not chain to the lab CA', (name) => {
    const cert = new X509Certificate(pki.untrusted[name]?.certPem ?? '');
    expect(cert.checkHost(name)).toBe(name);
    expect(cert.verify(new X509Certificate(pki.ca.certPem).publicKey)).toBe(false);
  });

  it('reuses the PKI already in the directory for the same names (one CA per test run)', () => {
    expect(createLabPki(dir, [...NAMES].reverse()).ca.certPem).toBe(pki.ca.certPem);
  });

  it('names an unknown domain in the error instead of returning undefined', () => {
    expect(() => pki.leaf('nope.test')).toThrow(/nope\.test/);
  });
});

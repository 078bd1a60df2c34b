import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { validateConfig } from './load';
import { baseRaw, tempCerts, type TempCerts } from './__tests__/fixtures';
import type { ConfigIssue } from './types';

/** Reads the PEM files a configuration names (check-config without --no-files; RFC 6120 §13.7). */
describe('file checks on certificates, keys and CA file', () => {
  let certs: TempCerts;
  let good: { key: string; cert: string };
  let other: { key: string; cert: string };
  beforeAll(() => {
    certs = tempCerts();
    good = certs.make('example', 'example.com');
    other = certs.make('other', 'other.example');
  });
  afterAll(() => certs.cleanup());

  const NOW = new Date();
  function check(certificates: Array<{ key: string; cert: string }>, extra: (r: Record<string, any>) => void = () => {}, now = NOW) {
    const raw = baseRaw();
    raw.gateway.s2s.certificates = certificates.map((c) => ({ domain: 'example.com', ...c }));
    extra(raw);
    const r = validateConfig(raw, { env: {}, baseDir: certs.dir, now });
    const all: ConfigIssue[] = r.ok ? [...r.value.warnings] : [...r.error.errors, ...r.error.warnings];
    return { ok: r.ok, lines: all.map((i) => `${i.severity} ${i.path}: ${i.message}`) };
  }

  it('accepts a readable key and chain that belong together and name the domain', () => {
    expect(check([good])).toEqual({ ok: true, lines: [] });
  });

  it('resolves relative paths against the configuration directory', () => {
    expect(check([{ key: 'example.key', cert: 'example.crt' }]).ok).toBe(true);
  });

  it('names a missing file', () => {
    const r = check([{ key: good.key, cert: path.join(certs.dir, 'missing.crt') }]);
    expect(r.ok).toBe(false);
    expect(r.lines).toEqual([`error gateway.s2s.certificates[0].cert: cannot read ${path.join(certs.dir, 'missing.crt')} (ENOENT)`]);
  });

  it('rejects files that are not PEM', () => {
    const junk = path.join(certs.dir, 'junk.txt');
    writeFileSync(junk, 'not a certificate\n');
    const r = check([{ key: junk, cert: junk }]);
    expect(r.lines).toEqual([
      `error gateway.s2s.certificates[0].cert: ${junk} contains no PEM certificate (-----BEGIN CERTIFICATE-----)`,
      `error gateway.s2s.certificates[0].key: ${junk} contains no PEM private key`,
    ]);
  });

  it('rejects a corrupt certificate', () => {
    const bad = path.join(certs.dir, 'bad.crt');
    writeFileSync(bad, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    const r = check([{ key: good.key, cert: bad }]);
    expect(r.ok).toBe(false);
    expect(r.lines[0]).toMatch(/^error gateway\.s2s\.certificates\[0\]\.cert: .* malformed certificate/);
  });

  it('rejects a key that does not match the certificate', () => {
    const r = check([{ key: other.key, cert: good.cert }]);
    expect(r.lines).toEqual([`error gateway.s2s.certificates[0]: the key in ${other.key} does not match the certificate in ${good.cert}`]);
  });

  it('warns when the certificate does not name the domain', () => {
    const r = check([other]);
    expect(r.ok).toBe(true);
    expect(r.lines).toEqual(['warning gateway.s2s.certificates[0].cert: certificate does not name example.com (subject alt names: DNS:other.example); peers will not accept it for that domain']);
  });

  it('warns when the certificate has expired', () => {
    const r = check([good], () => {}, new Date(NOW.getTime() + 30 * 86_400_000));
    expect(r.ok).toBe(true);
    expect(r.lines).toEqual([expect.stringMatching(/^warning gateway\.s2s\.certificates\[0\]\.cert: certificate expired on /)]);
  });

  it('checks caFile holds PEM certificates', () => {
    expect(check([good], (r) => { r.gateway.s2s.caFile = good.cert; }).lines).toEqual([]);
    expect(check([good], (r) => { r.gateway.s2s.caFile = good.key; }).lines).toEqual([`error gateway.s2s.caFile: ${good.key} contains no PEM certificate (-----BEGIN CERTIFICATE-----)`]);
  });

  it('is skipped with checkFiles false', () => {
    const raw = baseRaw();
    raw.gateway.s2s.certificates = [{ domain: 'example.com', key: '/nonexistent/k', cert: '/nonexistent/c' }];
    expect(validateConfig(raw, { env: {}, baseDir: '/', checkFiles: false }).ok).toBe(true);
  });
});

/**
 * `diagnose DOMAIN` (issue #9) against real peers: what it reports must be
 * what each peer really offers (RFC 6120 §5 STARTTLS, §6 SASL, XEP-0220
 * dialback feature), the certificate verdict must follow our trust anchors
 * (gateway.s2s.caFile: lab CA trusted, or not), and our partner policy must
 * decide the verdict (not a partner → exit 4).
 */
import { EXIT_STEP_FAILED } from '../../bin/commands/command-context';
import type { Finding } from '../../bin/commands/diagnose-report';
import { OPS, TEST_MS, useOpsLab } from './ops-lab';

const lab = useOpsLab();

const statusOf = (fs: readonly Finding[], check: string): string[] => fs.filter((f) => f.check === check).map((f) => f.status);
const textOf = (fs: readonly Finding[], check: string): string => fs.filter((f) => f.check === check).map((f) => f.text).join('\n');

async function diagnoseJson(domain: string, file: string): Promise<{ code: number; doc: { ok: boolean; findings: Finding[] } }> {
  const r = await lab.cli(['diagnose', domain, '-c', file, '--timeout', '5', '--json']);
  return { code: r.code, doc: JSON.parse(r.out) as { ok: boolean; findings: Finding[] } };
}

describe('diagnose against real ejabberd (strict) and Prosody (dialback)', () => {
  it('ejabberd: STARTTLS required, certificate chains to caFile and names the domain (RFC 6125), SASL EXTERNAL offered, no dialback; EXTERNAL would be used (exit 0)', async () => {
    const { code, doc } = await diagnoseJson(OPS.ejabberd.domain, lab.config('trusted'));
    expect(code).toBe(0);
    expect(doc.ok).toBe(true);
    const f = doc.findings;
    expect(textOf(f, 'tls.starttls')).toMatch(/STARTTLS offered and required/);
    expect(statusOf(f, 'tls.chain')).toEqual(['pass']);
    expect(statusOf(f, 'tls.identity')).toEqual(['pass']);
    expect(textOf(f, 'tls.certificate')).toContain(`DNS ${OPS.ejabberd.domain}`);
    expect(textOf(f, 'tls.certificate')).toContain(`SRVName _xmpp-server.${OPS.ejabberd.domain}`);
    expect(statusOf(f, 'sasl.external')).toEqual(['pass']);
    expect(statusOf(f, 'dialback')).toEqual(['info']); // strict ejabberd runs without mod_s2s_dialback
    expect(textOf(f, 'dns.peer.proxyFqdn')).toMatch(/overrides SRV/);
    // The lab has no DNS: our SRV record is missing, but gw.ops.test has an address (warn, not fail).
    expect(statusOf(f, 'dns.ours.srv')).toEqual(['warn']);
    expect(textOf(f, 'auth')).toMatch(/SASL EXTERNAL/);
    expect(textOf(f, 'stream.close')).toMatch(/closed politely/);
  }, TEST_MS);

  it('Prosody: STARTTLS required, dialback offered (urn:xmpp:features:dialback), no EXTERNAL (it cannot verify our certificate); dialback would be used (exit 0)', async () => {
    const { code, doc } = await diagnoseJson(OPS.prosody.domain, lab.config('trusted'));
    expect(code).toBe(0);
    const f = doc.findings;
    expect(textOf(f, 'tls.starttls')).toMatch(/STARTTLS offered and required/);
    expect(statusOf(f, 'tls.chain')).toEqual(['pass']);
    expect(statusOf(f, 'sasl.external')).toEqual(['info']);
    expect(statusOf(f, 'dialback')).toEqual(['pass']);
    expect(textOf(f, 'auth')).toMatch(/dialback \(XEP-0220\) over TLS/);
    expect(textOf(f, 'auth.dialback')).toMatch(/running gateway/);
  }, TEST_MS);

  it('without the lab CA in our trust anchors the certificate does not chain, and with sasl Required and no dialback nothing can authenticate (exit 4)', async () => {
    const file = lab.config('untrusted', (raw) => { delete raw.gateway.s2s.caFile; });
    const r = await lab.cli(['diagnose', OPS.ejabberd.domain, '-c', file, '--timeout', '5']);
    expect(r.code).toBe(EXIT_STEP_FAILED);
    expect(r.out).toMatch(/^! certificate does not chain to our trust anchors: \S+/m);
    expect(r.out).toMatch(/^✓ certificate names ejabberd\.ops\.test/m);
    expect(r.out).toMatch(/^✗ no authentication possible: the peer's certificate does not chain to our trust anchors/m);
    expect(r.out).toMatch(/^✗ federation with ejabberd\.ops\.test will not work/m);
  }, TEST_MS);

  it('a domain that is not an allowed partner is reported as such (exit 4), while what the peer offers is still shown', async () => {
    const file = lab.config('no-prosody', (raw) => { raw.partners = raw.partners.filter((p: { domain: string }) => p.domain !== OPS.prosody.domain); });
    const { code, doc } = await diagnoseJson(OPS.prosody.domain, file);
    expect(code).toBe(EXIT_STEP_FAILED);
    expect(statusOf(doc.findings, 'policy.partner')).toEqual(['fail']);
    expect(textOf(doc.findings, 'policy.partner')).toMatch(/not an allowed partner/);
    // No proxyFqdn without a partner entry: the A record (/etc/hosts) on 5269 (RFC 6120 §3.2.2).
    expect(textOf(doc.findings, 'dns.peer.fallback')).toMatch(/falling back to prosody\.ops\.test:5269/);
    expect(statusOf(doc.findings, 'dialback')).toEqual(['pass']);
  }, TEST_MS);

  it('nothing listening: the TCP step fails and names the target (exit 4)', async () => {
    const file = lab.config('closed', (raw) => { raw.partners.push({ domain: OPS.closed.domain, tls: 'Optional', sasl: 'NotSupported', dialback: true, proxyFqdn: `${OPS.closed.address}:5269` }); });
    const r = await lab.cli(['diagnose', OPS.closed.domain, '-c', file, '--timeout', '3']);
    expect(r.code).toBe(EXIT_STEP_FAILED);
    expect(r.out).toMatch(/^✗ TCP 127\.0\.32\.9:5269: connect ECONNREFUSED/m);
  }, TEST_MS);
});

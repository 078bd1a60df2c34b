/**
 * `diagnose DOMAIN` (issue #9) against real peers: what it reports must be
 * what each peer really offers (RFC 6120 §5 STARTTLS, §6 SASL, XEP-0220
 * dialback feature), the certificate verdict must follow our trust anchors
 * (gateway.s2s.caFile: lab CA trusted, or not), and our partner policy must
 * decide the verdict (not a partner → exit 4).
 */
import { startTestDnsServer } from '../../adapters/xmpp-s2s/net/__tests__/dns-server';
import { EXIT_STEP_FAILED } from '../../bin/commands/command-context';
import { diagnose } from '../../bin/commands/diagnose';
import { loadConfigFile } from '../../config/load';
import type { Finding } from '../../bin/commands/diagnose-report';
import { OPS, PARTNERS, TEST_MS, runProcess, useOpsLab } from './ops-lab';

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
    const r = await lab.cli(['diagnose', OPS.prosody.domain, '-c', lab.config('trusted'), '--timeout', '5']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^✓ stream opened as our domain \(id \S+\); prosody\.ops\.test offers: STARTTLS \(required\), dialback$/m);
    expect(r.out).toMatch(/^✓ STARTTLS offered and required/m);
    expect(r.out).toMatch(/^✓ certificate chains to our trust anchors/m);
    expect(r.out).toMatch(/^· SASL EXTERNAL not offered after TLS$/m);
    expect(r.out).toMatch(/^✓ dialback offered \(XEP-0220/m);
    expect(r.out).toMatch(/^✓ authentication would use dialback \(XEP-0220\) over TLS$/m);
    expect(r.out).toMatch(/^· dialback: .*running gateway/m);
    expect(r.out).toMatch(/^✓ federation with prosody\.ops\.test should work$/m);
  }, TEST_MS);

  it('SRV records both ways from a real DNS server: the peer\'s _xmpp-server._tcp target is used (RFC 6120 §3.2.1) and ours is found; a "." record says the service is decidedly unavailable (RFC 2782)', async () => {
    const dns = await startTestDnsServer({
      srv: {
        [`_xmpp-server._tcp.${OPS.prosody.domain}`]: [{ name: OPS.prosody.domain, port: 5269, priority: 0, weight: 5 }],
        [`_xmpp-server._tcp.${OPS.gateway.domain}`]: [{ name: OPS.gateway.domain, port: 5269, priority: 0, weight: 0 }],
        [`_xmpp-server._tcp.${OPS.closed.domain}`]: [{ name: '.', port: 0, priority: 0, weight: 0 }],
      },
    });
    try {
      const file = lab.config('srv', (raw) => {
        raw.partners = raw.partners.map((p: { domain: string; proxyFqdn?: string }) => (p.domain === OPS.prosody.domain ? { ...p, proxyFqdn: undefined } : p));
        raw.partners.push({ domain: OPS.closed.domain, tls: 'Optional', sasl: 'NotSupported', dialback: true });
      });
      const loaded = loadConfigFile(file, { env: {}, checkFiles: true });
      if (!loaded.ok) throw new Error('lab config invalid');
      const srvQuery = (name: string) => dns.resolver.resolveSrv(name);
      const { findings } = await diagnose(OPS.prosody.domain, loaded.value.config, 5000, { srvQuery });
      expect(findings.find((f) => f.check === 'dns.peer.xmpp-server')).toEqual({ check: 'dns.peer.xmpp-server', status: 'pass', text: `SRV _xmpp-server._tcp.${OPS.prosody.domain}: ${OPS.prosody.domain}:5269 (priority 0, weight 5)` });
      expect(statusOf(findings, 'dns.peer.proxyFqdn')).toEqual([]);
      expect(statusOf(findings, 'dns.ours.srv')).toEqual(['pass']);
      expect(statusOf(findings, 'dialback')).toEqual(['pass']); // the probe went to the SRV target
      const closed = await diagnose(OPS.closed.domain, loaded.value.config, 5000, { srvQuery });
      expect(statusOf(closed.findings, 'dns.peer.xmpp-server')).toEqual(['fail']);
      expect(textOf(closed.findings, 'dns.peer.xmpp-server')).toMatch(/decidedly|offers no XMPP S2S service/);
      expect(statusOf(closed.findings, 'tcp')).toEqual([]); // no target, no connection attempt
    } finally {
      await dns.stop();
    }
  }, TEST_MS);

  it('XEP-0368: an _xmpps-server._tcp record is tried first and probed with TLS from the first byte; Prosody\'s direct TLS port shows its certificate and dialback, and federation should work', async () => {
    const dns = await startTestDnsServer({
      srv: {
        [`_xmpps-server._tcp.${OPS.prosody.domain}`]: [{ name: OPS.prosody.domain, port: OPS.prosody.directTlsPort, priority: 0, weight: 0 }],
        [`_xmpp-server._tcp.${OPS.prosody.domain}`]: [{ name: OPS.prosody.domain, port: 5269, priority: 0, weight: 0 }],
      },
    });
    try {
      const file = lab.config('direct-tls', (raw) => {
        raw.partners = raw.partners.map((p: { domain: string; proxyFqdn?: string }) => (p.domain === OPS.prosody.domain ? { ...p, proxyFqdn: undefined } : p));
      });
      const loaded = loadConfigFile(file, { env: {}, checkFiles: true });
      if (!loaded.ok) throw new Error('lab config invalid');
      const { findings, details } = await diagnose(OPS.prosody.domain, loaded.value.config, 5000, { srvQuery: (n) => dns.resolver.resolveSrv(n) });
      expect(statusOf(findings, 'dns.peer.xmpps-server')).toEqual(['pass']);
      expect(findings.filter((f) => f.check === 'tcp').map((f) => f.text)).toEqual([
        expect.stringMatching(/^TCP prosody\.ops\.test:5270 \(direct TLS, XEP-0368\)/),
        expect.stringMatching(/^TCP prosody\.ops\.test:5269 \(/),
      ]);
      const probes = details.probes as Array<{ target: { directTls: boolean }; stage: string; features?: unknown; tlsFeatures?: { dialback: boolean }; certificate?: { status: { chain: string; identity: string } } }>;
      expect(probes[0]).toEqual(expect.objectContaining({ target: expect.objectContaining({ directTls: true }), stage: 'done', tlsFeatures: expect.objectContaining({ dialback: true }) }));
      expect(probes[0]?.features).toBeUndefined(); // no plain-text stream on a direct TLS port
      expect(probes[0]?.certificate?.status).toEqual({ chain: 'valid', identity: 'valid' });
      expect(textOf(findings, 'auth')).toBe('authentication would use dialback (XEP-0220) over TLS');
    } finally {
      await dns.stop();
    }
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

  it('as a process (bin/drachtio-xmpp-gateway.ts): diagnose exits 0 by itself once done, its probe connection closed (no forced exit)', async () => {
    const r = await runProcess(['diagnose', OPS.ejabberd.domain, '-c', lab.config('process'), '--timeout', '5'], 30_000);
    expect(r.stderr).not.toMatch(/forcing exit/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^✓ federation with ejabberd\.ops\.test should work$/m);
  }, TEST_MS);

  it('a peer that does not serve the domain: the stream step fails with its stream error <host-unknown/> (RFC 6120 §4.9.3.6) (exit 4)', async () => {
    const file = lab.config('host-unknown', (raw) => { raw.partners.push({ ...PARTNERS.ejabberd, domain: 'nohost.ops.test' }); });
    const r = await lab.cli(['diagnose', 'nohost.ops.test', '-c', file, '--timeout', '5']);
    expect(r.code).toBe(EXIT_STEP_FAILED);
    expect(r.out).toMatch(/^✓ TCP 127\.0\.32\.2:5269/m);
    expect(r.out).toMatch(/^✗ stream to nohost\.ops\.test: the peer answered with the stream error <host-unknown\/> \(RFC 6120 §4\.9\.3\)$/m);
  }, TEST_MS);

  it('nothing listening: the TCP step fails and names the target (exit 4)', async () => {
    const file = lab.config('closed', (raw) => { raw.partners.push({ domain: OPS.closed.domain, tls: 'Optional', sasl: 'NotSupported', dialback: true, proxyFqdn: `${OPS.closed.address}:5269` }); });
    const r = await lab.cli(['diagnose', OPS.closed.domain, '-c', file, '--timeout', '3']);
    expect(r.code).toBe(EXIT_STEP_FAILED);
    expect(r.out).toMatch(/^✗ TCP 127\.0\.32\.9:5269: connect ECONNREFUSED/m);
  }, TEST_MS);
});

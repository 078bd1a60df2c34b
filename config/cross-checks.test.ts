import { validateConfig } from './load';
import { LYNC_NEGOTIATION_MATRIX } from './lync-matrix';
import { baseRaw } from './__tests__/fixtures';
import type { ConfigIssue } from './types';

function issues(raw: unknown): { errors: readonly ConfigIssue[]; warnings: readonly ConfigIssue[] } {
  const r = validateConfig(raw, { env: {}, baseDir: '/etc/dxg', checkFiles: false });
  return r.ok ? { errors: [], warnings: r.value.warnings } : r.error;
}
const line = (i: ConfigIssue) => `${i.path}: ${i.message}`;

/** A config whose second partner uses the given combination; certificate present so TLS rows are not blocked. */
function withPartner(tls: string, sasl: string, dialback: boolean): Record<string, any> {
  const raw = baseRaw();
  raw.gateway.s2s.certificates = [{ domain: 'example.com', key: 'k.pem', cert: 'c.pem' }];
  raw.partners.push({ domain: 'fabrikam.com', tls, sasl, dialback });
  return raw;
}

describe('Lync negotiation matrix applied to partners (JJ552456, anchors §1.2.3)', () => {
  const invalid = LYNC_NEGOTIATION_MATRIX.filter((r) => r.validity === 'invalid');
  const warning = LYNC_NEGOTIATION_MATRIX.filter((r) => r.validity === 'warning');
  const fine = LYNC_NEGOTIATION_MATRIX.filter((r) => r.validity === 'ok');

  it.each(invalid.map((r) => [r.tls, r.sasl, r.dialback] as const))('rejects tls %s, sasl %s, dialback %s, naming the partner and the combination', (tls, sasl, dialback) => {
    const { errors } = issues(withPartner(tls, sasl, dialback));
    const mine = errors.filter((e) => e.path === 'partners[1]');
    expect(mine).toHaveLength(1);
    expect(mine[0]!.message).toContain('partner fabrikam.com');
    expect(mine[0]!.message).toContain(`tls ${tls}, sasl ${sasl}, dialback ${dialback} is invalid`);
  });

  it.each(warning.map((r) => [r.tls, r.sasl, r.dialback] as const))('accepts tls %s, sasl %s, dialback %s with a warning naming the partner', (tls, sasl, dialback) => {
    const { errors, warnings } = issues(withPartner(tls, sasl, dialback));
    expect(errors.map(line)).toEqual([]);
    expect(warnings.filter((w) => w.path === 'partners[1]').map((w) => w.message)).toEqual([expect.stringContaining(`partner fabrikam.com: tls ${tls}, sasl ${sasl}, dialback ${dialback}`)]);
  });

  it.each(fine.map((r) => [r.tls, r.sasl, r.dialback] as const))('accepts tls %s, sasl %s, dialback %s silently', (tls, sasl, dialback) => {
    const { errors, warnings } = issues(withPartner(tls, sasl, dialback));
    expect(errors.map(line)).toEqual([]);
    expect(warnings.filter((w) => w.path === 'partners[1]')).toEqual([]);
  });

  it('checks the open-federation settings too, when enabled', () => {
    const raw = baseRaw();
    raw.openFederation = { enabled: true, tls: 'NotSupported', sasl: 'Optional', dialback: false };
    expect(issues(raw).errors.map(line)).toContain('openFederation: open federation: tls NotSupported, sasl Optional, dialback false is invalid: SASL cannot run without TLS, and dialback is disabled (Lync\'s rule for XMPP partners: SASL (over TLS) or dialback must be able to authenticate the partner; TechNet JJ552456)');
    raw.openFederation.enabled = false;
    expect(issues(raw).errors).toEqual([]);
  });
});

describe('dialback secret (XEP-0220 / XEP-0185)', () => {
  it('is required when a partner may authenticate by dialback', () => {
    const raw = baseRaw();
    delete raw.gateway.s2s.dialbackSecret;
    expect(issues(raw).errors.map(line)).toEqual([
      'gateway.s2s.dialbackSecret: required because partner legacy.example.net may authenticate by dialback (XEP-0220 keys, XEP-0185); set it here or in DXG_DIALBACK_SECRET',
    ]);
  });

  it('is not required when no combination in use can reach dialback (TLS and SASL Required)', () => {
    const raw = withPartner('Required', 'Required', false);
    raw.partners.shift();
    delete raw.gateway.s2s.dialbackSecret;
    expect(issues(raw).errors).toEqual([]);
  });

  it('is required for open federation with dialback', () => {
    const raw = baseRaw();
    raw.partners = [];
    raw.openFederation = { enabled: true, tls: 'NotSupported', sasl: 'NotSupported' };
    delete raw.gateway.s2s.dialbackSecret;
    expect(issues(raw).errors.map((e) => e.path)).toEqual(['gateway.s2s.dialbackSecret']);
  });
});

describe('partner domains', () => {
  it.each<[string, (r: Record<string, any>) => void, string]>([
    ['duplicate primary domain', (r) => r.partners.push({ domain: 'LEGACY.example.net', tls: 'NotSupported', sasl: 'NotSupported' }), 'partners[1].domain: duplicate partner domain "legacy.example.net" (already at partners[0].domain)'],
    ['additional domain equal to another primary', (r) => r.partners.push({ domain: 'b.example', additionalDomains: ['legacy.example.net'], tls: 'NotSupported', sasl: 'NotSupported' }), 'partners[1].additionalDomains[0]: duplicate partner domain "legacy.example.net" (already at partners[0].domain)'],
    ['additional domain repeated in one partner', (r) => { r.partners[0].additionalDomains = ['a.example', 'a.example']; }, 'partners[0].additionalDomains[1]: duplicate partner domain "a.example" (already at partners[0].additionalDomains[0])'],
    ['partner domain is our own', (r) => { r.partners[0].domain = 'example.com'; }, 'partners[0].domain: "example.com" is one of our own domains (gateway.domains)'],
    ['additional domain is our own', (r) => { r.partners[0].additionalDomains = ['Example.com']; }, 'partners[0].additionalDomains[0]: "example.com" is one of our own domains (gateway.domains)'],
  ])('rejects a %s', (_name, mutate, expected) => {
    const raw = baseRaw();
    mutate(raw);
    expect(issues(raw).errors.map(line)).toContain(expected);
  });
});

describe('certificates (RFC 6120 §13.7.1.2; Lync SAN per XMPP domain, anchors §1.5)', () => {
  it('requires one per domain when a partner may use TLS', () => {
    const raw = withPartner('Required', 'Optional', true);
    raw.gateway.domains = ['example.com', 'sales.example.com'];
    expect(issues(raw).errors.map(line)).toEqual(['gateway.s2s.certificates: no certificate for our domain "sales.example.com", but TLS may be negotiated with partners']);
  });

  it('needs none when every partner is TLS NotSupported', () => {
    expect(issues(baseRaw()).errors).toEqual([]);
  });

  it.each<[string, Array<Record<string, string>>, string]>([
    ['for a domain we do not serve', [{ domain: 'other.example', key: 'k', cert: 'c' }], 'gateway.s2s.certificates[0].domain: "other.example" is not one of gateway.domains'],
    ['twice for one domain', [{ domain: 'example.com', key: 'k', cert: 'c' }, { domain: 'example.com', key: 'k2', cert: 'c2' }], 'gateway.s2s.certificates[1].domain: duplicate certificate for "example.com" (already at gateway.s2s.certificates[0])'],
  ])('rejects a certificate %s', (_name, certificates, expected) => {
    const raw = baseRaw();
    raw.gateway.s2s.certificates = certificates;
    expect(issues(raw).errors.map(line)).toContain(expected);
  });
});

describe('warnings that do not stop the gateway', () => {
  it.each<[string, (r: Record<string, any>) => void, string]>([
    ['nobody may federate (policy all false)', (r) => { r.policy = {}; }, 'policy: no SIP user may federate (Lync EnableXmppAccess default False); enable policy.default, a domain or a user'],
    ['policy for a foreign domain', (r) => { r.policy.domains = { 'other.example': true }; }, 'policy.domains["other.example"]: not one of gateway.domains, so it never applies'],
    ['policy for a user of a foreign domain', (r) => { r.policy.users = { 'bob@other.example': true }; }, 'policy.users["bob@other.example"]: domain is not one of gateway.domains, so it never applies'],
    ['no partners and no open federation', (r) => { r.partners = []; }, 'partners: no partners and open federation disabled: every remote domain will be refused'],
    ['partner limit above the total', (r) => { r.partners[0].connectionLimit = 2000; }, 'partners[0].connectionLimit: exceeds gateway.s2s.connectionLimit, which caps it'],
    ['the per-address pre-auth cap is not below the total (issue #10)', (r) => { r.gateway.s2s.connectionLimit = 20; }, 'gateway.s2s.preAuthConnectionsPerIp: is not below gateway.s2s.connectionLimit: one address can take every connection before authenticating'],
    ['keep-alive not below inactivity timeout', (r) => { r.gateway.s2s.keepAliveInterval = 600; }, 'gateway.s2s.keepAliveInterval: is not below streamInactivityTimeout: idle streams close before a keep-alive is due'],
  ])('warns when %s', (_name, mutate, expected) => {
    const raw = baseRaw();
    mutate(raw);
    const r = issues(raw);
    expect(r.errors).toEqual([]);
    expect(r.warnings.map(line)).toContain(expected);
  });

  it('rejects a pre-auth stanza limit above the post-auth one', () => {
    const raw = baseRaw();
    raw.gateway.s2s.maxStanzaBytes = 10000;
    raw.gateway.s2s.maxStanzaBytesPreAuth = 20000;
    expect(issues(raw).errors.map(line)).toEqual(['gateway.s2s.maxStanzaBytesPreAuth: must not exceed gateway.s2s.maxStanzaBytes']);
  });
});

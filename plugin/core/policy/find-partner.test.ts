import { findPartner } from './find-partner';
import type { OpenFederationSettings, PartnerSettings } from './federation-vocabulary';

const fabrikam: PartnerSettings = {
  domain: 'fabrikam.com',
  additionalDomains: ['research.fabrikam.com'],
  partnerType: 'Federated',
  tls: 'Required',
  sasl: 'Optional',
  dialback: true,
  keepAlive: true,
  proxyFqdn: 'xmpp.fabrikam.com:5269',
  connectionLimit: 20,
};
const legacy: PartnerSettings = {
  domain: 'legacy.example.net',
  additionalDomains: [],
  partnerType: 'PublicUnverified',
  tls: 'NotSupported',
  sasl: 'NotSupported',
  dialback: true,
  keepAlive: false,
  connectionLimit: 5,
};
const closed: OpenFederationSettings = {
  enabled: false,
  partnerType: 'PublicUnverified',
  tls: 'Required',
  sasl: 'Optional',
  dialback: true,
  keepAlive: true,
  connectionLimit: 20,
};
const open: OpenFederationSettings = { ...closed, enabled: true, tls: 'Optional', connectionLimit: 7 };

describe('findPartner: allowed-partner list with optional open federation (anchors §1.2, §1.7)', () => {
  it.each([
    ['primary domain', 'fabrikam.com', 'fabrikam.com'],
    ['additional domain', 'research.fabrikam.com', 'fabrikam.com'],
    ['primary domain, upper case', 'FABRIKAM.COM', 'fabrikam.com'],
    ['additional domain, mixed case and trailing dot', 'Research.Fabrikam.com.', 'fabrikam.com'],
    ['second partner', 'legacy.example.net', 'legacy.example.net'],
  ])('a listed %s matches its partner', (_name, remote, partnerDomain) => {
    for (const openFederation of [closed, open]) {
      const r = findPartner([fabrikam, legacy], openFederation, remote);
      expect(r).not.toBe('not-allowed');
      if (r === 'not-allowed') return;
      expect(r.source).toBe('listed');
      expect(r.domain).toBe(partnerDomain);
      expect(r.remoteDomain).toBe(remote.toLowerCase().replace(/\.$/, ''));
    }
  });

  it('returns the listed partner settings unchanged', () => {
    const r = findPartner([fabrikam], closed, 'research.fabrikam.com');
    expect(r).toEqual({ ...fabrikam, source: 'listed', remoteDomain: 'research.fabrikam.com' });
  });

  it.each([
    ['an unlisted domain', 'jabber.example.org'],
    ['a parent of a listed domain', 'com'],
    ['a subdomain of a listed domain (no implicit wildcard)', 'chat.fabrikam.com'],
    ['the empty domain', ''],
  ])('refuses %s when open federation is disabled', (_name, remote) => {
    expect(findPartner([fabrikam, legacy], closed, remote)).toBe('not-allowed');
  });

  it('gives an unlisted domain the open-federation settings when enabled', () => {
    expect(findPartner([fabrikam], open, 'Jabber.Example.org')).toEqual({
      domain: 'jabber.example.org',
      additionalDomains: [],
      partnerType: 'PublicUnverified',
      tls: 'Optional',
      sasl: 'Optional',
      dialback: true,
      keepAlive: true,
      connectionLimit: 7,
      source: 'open-federation',
      remoteDomain: 'jabber.example.org',
    });
  });

  it('still refuses the empty domain under open federation', () => {
    expect(findPartner([], open, '.')).toBe('not-allowed');
  });
});

import path from 'node:path';
import type { GatewayConfig } from '../../config/types';
import { edgeDepsFromConfig, policyLookup } from './edge-config';
import { FIXTURES, memoryLogger } from './__tests__/test-deps';

const partner = {
  domain: 'peer.test', additionalDomains: ['conference.peer.test'], partnerType: 'Federated' as const,
  tls: 'Required' as const, sasl: 'Optional' as const, dialback: true, keepAlive: true, connectionLimit: 3, proxyFqdn: '127.0.0.9:5270',
};
const closedFederation = { enabled: false, partnerType: 'PublicUnverified' as const, tls: 'Required' as const, sasl: 'Required' as const, dialback: false, keepAlive: true, connectionLimit: 20 };

describe('edge configuration from GatewayConfig (Lync XmppAllowedPartner)', () => {
  it('maps a listed partner and its additional domains to a PartnerPolicy, and refuses unlisted domains', () => {
    const lookup = policyLookup({ gateway: { domains: ['gw.test'] }, partners: [partner], openFederation: closedFederation });
    const expected = { tls: 'Required', sasl: 'Optional', dialback: true, keepAlive: true, connectionLimit: 3, proxyFqdn: '127.0.0.9:5270' };
    expect(lookup('peer.test')).toEqual(expected);
    expect(lookup('Conference.Peer.Test')).toEqual(expected);
    expect(lookup('other.test')).toBeUndefined();
  });

  it('applies the open-federation settings to unlisted domains when enabled', () => {
    const lookup = policyLookup({ gateway: { domains: ['gw.test'] }, partners: [], openFederation: { ...closedFederation, enabled: true } });
    expect(lookup('any.test')).toEqual({ tls: 'Required', sasl: 'Required', dialback: false, keepAlive: true, connectionLimit: 20 });
  });

  it('never treats one of our own domains as a partner, even with open federation on', () => {
    const lookup = policyLookup({ gateway: { domains: ['gw.test'] }, partners: [], openFederation: { ...closedFederation, enabled: true } });
    expect(lookup('GW.test')).toBeUndefined();
  });

  it('loads one secure context per configured certificate', () => {
    const s2s = {
      listen: { host: '127.0.0.1', port: 0 }, caFile: path.join(FIXTURES, 'lab-ca.pem'), dialbackSecret: 'x',
      certificates: [{ domain: 'GW.test', key: path.join(FIXTURES, 'gw.key'), cert: path.join(FIXTURES, 'gw.pem') }],
      connectionLimit: 1000, partnerConnectionLimit: 20, preAuthConnectionsPerIp: 7, keepAliveIntervalMs: 300000, streamEstablishmentTimeoutMs: 60000,
      streamInactivityTimeoutMs: 600000, subscriptionRefreshIntervalMs: 1, logMessageBodies: false, maxStanzaBytes: 262144,
      maxStanzaBytesPreAuth: 8192, maxElementsPreAuth: 32, sendQueueMax: 1000, connectTimeoutMs: 10000, maxRetryDelayMs: 300000,
    };
    const config = { gateway: { domains: ['gw.test'], s2s }, partners: [], openFederation: closedFederation } as unknown as GatewayConfig;
    const deps = edgeDepsFromConfig(config, memoryLogger().logger);
    expect(deps.tls.secureContext('gw.test')).toBeDefined();
    expect(deps.tls.secureContext('other.test')).toBeUndefined();
    expect(deps.limits).toMatchObject({ maxStanzaBytesPreAuth: 8192, maxElementsPreAuth: 32, sendQueueMax: 1000 });
    expect(deps.preAuthConnectionsPerIp).toBe(7); // issue #10
  });
});

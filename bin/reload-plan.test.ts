import { parseConfigText } from '../config/load';
import type { GatewayConfig } from '../config/types';
import { restartOnlyChanges } from './reload-plan';

const yaml = (extra: { domain?: string; tls?: string; connectTimeout?: number; trusted?: string; policyDefault?: boolean } = {}) => `
gateway:
  domains: [${extra.domain ?? 'sip.test'}]
  drachtio: { host: 127.0.0.1, secret: cymru }
  sipProxy: { uri: 'sip:127.0.0.1:5070', trustedSources: [${extra.trusted ?? '127.0.0.1'}] }
  s2s:
    certificates:
      - { domain: ${extra.domain ?? 'sip.test'}, key: gw.key, cert: gw.pem }
    dialbackSecret: reload-plan-dialback-secret
    connectTimeout: ${extra.connectTimeout ?? 10}
partners:
  - { domain: peer.test, tls: ${extra.tls ?? 'Optional'}, sasl: Optional }
policy: { default: ${extra.policyDefault ?? true} }
`;

function config(extra: Parameters<typeof yaml>[0] = {}): GatewayConfig {
  const r = parseConfigText(yaml(extra), { baseDir: __dirname, checkFiles: false, env: {} });
  if (!r.ok) throw new Error(JSON.stringify(r.error.errors));
  return r.value.config;
}

describe('a reload applies partners, policy, trusted sources and certificates live, and names what needs a restart (issue #9)', () => {
  it.each([
    ['a partner setting changed', { tls: 'Required' }, []],
    ['the EnableXmppAccess default changed', { policyDefault: false }, []],
    ['a trusted SIP source added', { trusted: '127.0.0.1, 10.0.0.0/8' }, []],
    ['our domain changed', { domain: 'other.test' }, ['gateway.domains']],
    ['an S2S timeout changed', { connectTimeout: 20 }, ['gateway.s2s.connectTimeoutMs']],
  ])('%s', (_what, extra, restart) => {
    expect(restartOnlyChanges(config(), config(extra as Parameters<typeof yaml>[0]))).toEqual(restart);
  });
});

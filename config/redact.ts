import type { GatewayConfig } from './types';

export const REDACTED = '[redacted]';

/**
 * A copy of the configuration that is safe to log: the drachtio secret and
 * the dialback secret are replaced (Lync never shows DialbackPassphrase;
 * style.md §8.5: secrets are never logged). Key and certificate *paths* stay,
 * as they are not secret.
 */
export function redactConfig(config: GatewayConfig): GatewayConfig {
  const { s2s, drachtio } = config.gateway;
  return {
    ...config,
    gateway: {
      ...config.gateway,
      drachtio: { ...drachtio, secret: REDACTED },
      s2s: { ...s2s, dialbackSecret: s2s.dialbackSecret === undefined ? undefined : REDACTED },
      admin: config.gateway.admin && { ...config.gateway.admin, token: config.gateway.admin.token === undefined ? undefined : REDACTED },
    },
  };
}

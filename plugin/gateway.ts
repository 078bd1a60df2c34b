import type { Logger } from '../adapters/logging/logger';
import type { GatewayConfig } from '../config/types';

/**
 * Placeholder: the lead replaces this with the real runtime (drachtio-srf
 * app + S2S edge). The CLI's `start` calls it.
 */
export async function startGateway(config: GatewayConfig, logger: Logger): Promise<{ stop(): Promise<void> }> {
  logger.info({ domains: config.gateway.domains }, 'starting drachtio-xmpp-gateway');
  throw new Error('gateway runtime not wired yet');
}

import Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import type { DrachtioConfig } from '../../config/types';

/**
 * Connects drachtio-srf to drachtio-server (inbound mode: we dial its admin
 * port; outbound mode: it dials us) and resolves once the first connection is
 * up. srf reconnects by itself after a loss (and, quirk Q10, even after a
 * wrong secret), so every event is logged as one structured line.
 */
export function connectDrachtio(cfg: DrachtioConfig, log: Logger, opts: { timeoutMs?: number } = {}): Promise<Srf> {
  const srf = new Srf();
  const l = log.child({ component: 'drachtio' });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('drachtio-server did not accept the connection in time')), opts.timeoutMs ?? 30_000);
    const ready = () => {
      clearTimeout(timer);
      resolve(srf);
    };
    srf.on('error', (err: Error) => l.warn({ err: err.message }, 'drachtio connection error'));
    (srf as unknown as NodeJS.EventEmitter).on('reconnecting', (o: unknown) => l.info({ detail: o }, 'drachtio reconnecting'));
    (srf as unknown as NodeJS.EventEmitter).on('close', () => l.warn({}, 'drachtio connection closed'));
    if (cfg.mode === 'inbound') {
      srf.on('connect', (err: Error | null, hostport: string, version?: string) => {
        if (err) {
          l.error({ err: err.message }, 'drachtio refused the connection');
          return;
        }
        l.info({ hostport, version }, 'connected to drachtio-server');
        ready();
      });
      srf.connect({ host: cfg.host, port: cfg.port, secret: cfg.secret });
    } else {
      (srf as unknown as NodeJS.EventEmitter).on('listening', () => l.info({ port: cfg.listen.port }, 'waiting for drachtio-server to connect'));
      (srf as unknown as NodeJS.EventEmitter).on('connect', () => {
        l.info({}, 'drachtio-server connected');
        ready();
      });
      (srf as unknown as { listen(o: object): void }).listen({ port: cfg.listen.port, ...(cfg.listen.host ? { host: cfg.listen.host } : {}), secret: cfg.secret });
    }
  });
}

import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Human-readable output through the pino-pretty transport, when it is installed (default false). */
  readonly pretty?: boolean;
  /** gateway.s2s.logMessageBodies (Lync EnableLoggingAllMessageBodies, default False). */
  readonly logMessageBodies?: boolean;
}

export const SERVICE_NAME = 'drachtio-xmpp-gateway';

/**
 * Secrets are censored wherever they are logged (style.md §8.5). pino's
 * paths have no recursive wildcard, so the usual depths are listed, plus the
 * full paths of the two configuration secrets; log `redactConfig(config)`
 * rather than the raw configuration anyway.
 */
export const SECRET_PATHS: readonly string[] = [
  'secret', '*.secret', '*.*.secret',
  'dialbackSecret', '*.dialbackSecret', '*.*.dialbackSecret',
  'password', '*.password', '*.*.password',
  'key', '*.key',
  'config.gateway.drachtio.secret', 'config.gateway.s2s.dialbackSecret',
  'gateway.drachtio.secret', 'gateway.s2s.dialbackSecret',
];

/** Message bodies are private unless the operator opts in (Lync: "normally only endpoints are logged", anchors §1.3). */
export const BODY_PATHS: readonly string[] = ['body', '*.body'];

/**
 * The root logger, bound to `{service}`. `destination` is for tests (a
 * memory stream); production writes JSON lines to stdout synchronously.
 * (jambonz's feature server uses {sync: false}; measured here, sonic-boom's
 * async mode on a pipe wrote the last lines before the first one at exit,
 * and a gateway's log volume does not need the throughput.)
 */
export function createLogger(opts: LoggerOptions, destination?: DestinationStream): Logger {
  const paths = [...SECRET_PATHS, ...(opts.logMessageBodies === true ? [] : BODY_PATHS)];
  const options: pino.LoggerOptions = {
    level: opts.level,
    base: { service: SERVICE_NAME },
    redact: { paths, censor: '[redacted]' },
  };
  if (destination !== undefined) return pino(options, destination);
  if (opts.pretty === true && prettyAvailable()) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  const logger = pino(options, pino.destination({ dest: 1, sync: true }));
  if (opts.pretty === true) logger.warn('pretty output needs the pino-pretty package, which is not installed; logging JSON');
  return logger;
}

function prettyAvailable(): boolean {
  try {
    require.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/** Child logger for one SIP transaction/dialog (jambonz binds callId per request). */
export function forSip(logger: Logger, callId: string): Logger {
  return logger.child({ callId });
}

export interface StreamLogInfo {
  /** Our id for the S2S stream. */
  readonly id: string;
  readonly dir: 'in' | 'out';
  /** Our domain on this stream. */
  readonly local: string;
  /** The peer's domain (or address before the header arrives). */
  readonly remote: string;
}

/** Child logger for one S2S stream, like Prosody's "Incoming s2s stream a->b" (style.md §8.5). */
export function forStream(logger: Logger, s: StreamLogInfo): Logger {
  return logger.child({ s2s: s.id, dir: s.dir, local: s.local, remote: s.remote });
}

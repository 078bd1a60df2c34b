import type { DestinationStream } from 'pino';
import { createLogger, type Logger } from '../adapters/logging/logger';
import { formatIssue } from '../config/format-issues';
import { loadConfigFile, resolveConfigPath, type Env } from '../config/load';
import { redactConfig } from '../config/redact';
import type { ConfigIssue, GatewayConfig } from '../config/types';
import type { ReloadReport } from './live-config';
import { startGateway as realStartGateway } from './start-gateway';
import { parseArgs, PROGRAM } from './args';
import { packageVersion } from './package-version';
import { runOperatorCommand } from './commands/run-operator-command';

export const EXIT_OK = 0;
export const EXIT_INVALID_CONFIG = 1;
export const EXIT_USAGE = 2;
export const EXIT_RUNTIME = 3;

export interface CliIO {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
  /** Environment for DXG_*; when absent config/load.ts uses process.env. */
  readonly env?: Env;
  /** Replaceable for tests. */
  readonly startGateway?: (config: GatewayConfig, logger: Logger, opts: { readonly reloadRequested: () => Promise<ReloadReport> }) => Promise<Reloadable>;
  /** Where `start` writes its JSON log (tests); default stdout. */
  readonly logDestination?: DestinationStream;
  /** Resolves when the gateway should stop (default: SIGINT or SIGTERM), with the reason. */
  readonly waitForShutdown?: () => Promise<string>;
  /** Calls `cb` on each reload request (default: SIGHUP); returns the unsubscribe. */
  readonly onReloadRequest?: (cb: () => void) => () => void;
  /** What --version prints (default: package.json's version). */
  readonly version?: string;
}

/** What `start` needs of the running gateway. */
interface Reloadable {
  stop(): Promise<void>;
  reload?(next: GatewayConfig): Promise<ReloadReport>;
}

const lines = (issues: readonly ConfigIssue[]) => issues.map((i) => `${formatIssue(i)}\n`).join('');

/** The whole CLI, without process.exit: returns the exit code. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const parsed = parseArgs(argv, io.version ?? packageVersion());
  if (!parsed.ok) {
    io.stderr.write(`${PROGRAM}: ${parsed.error.message}\n\n${parsed.error.help}`);
    return EXIT_USAGE;
  }
  const cmd = parsed.value;
  if (cmd.kind === 'print') {
    io.stdout.write(cmd.text);
    return EXIT_OK;
  }
  // io.env undefined → config/load.ts falls back to process.env (the only module allowed to read it).
  const file = resolveConfigPath(cmd.kind === 'check-config' ? cmd.file : cmd.config, io.env);
  if (file === undefined) {
    io.stderr.write(`${PROGRAM}: no configuration file (give ${cmd.kind === 'check-config' ? 'FILE' : '--config FILE'} or set DXG_CONFIG); see ${PROGRAM} ${cmd.kind} --help\n`);
    return EXIT_USAGE;
  }
  // Commands that open S2S connections need the certificate files; partners and status do not.
  const checkFiles = cmd.kind === 'check-config' ? cmd.checkFiles : cmd.kind === 'start' || cmd.kind === 'test-im' || cmd.kind === 'diagnose';
  const loaded = loadConfigFile(file, { env: io.env, checkFiles });

  if (cmd.kind !== 'start' && cmd.kind !== 'check-config') {
    if (!loaded.ok) {
      io.stderr.write(lines([...loaded.error.errors, ...loaded.error.warnings]));
      io.stderr.write(`${file}: invalid configuration; fix it first (${PROGRAM} check-config ${file})\n`);
      return EXIT_INVALID_CONFIG;
    }
    return runOperatorCommand(cmd, { stdout: io.stdout, stderr: io.stderr, ...(io.env ? { env: io.env } : {}), file, loaded: loaded.value });
  }

  if (cmd.kind === 'check-config') {
    if (!loaded.ok) {
      io.stderr.write(lines([...loaded.error.errors, ...loaded.error.warnings]));
      io.stderr.write(`${file}: invalid (${loaded.error.errors.length} error(s), ${loaded.error.warnings.length} warning(s))\n`);
      return EXIT_INVALID_CONFIG;
    }
    io.stderr.write(lines(loaded.value.warnings));
    const c = loaded.value.config;
    io.stdout.write(`${file}: OK (${c.gateway.domains.length} domain(s), ${c.partners.length} partner(s), ${loaded.value.warnings.length} warning(s))\n`);
    return EXIT_OK;
  }

  if (!loaded.ok) {
    io.stderr.write(lines([...loaded.error.errors, ...loaded.error.warnings]));
    io.stderr.write(`${file}: invalid configuration, not starting\n`);
    return EXIT_INVALID_CONFIG;
  }
  const { config, warnings } = loaded.value;
  const logger = createLogger({ level: cmd.logLevel, pretty: cmd.pretty, logMessageBodies: config.gateway.s2s.logMessageBodies }, io.logDestination);
  for (const w of warnings) logger.warn({ path: w.path }, w.message);
  logger.info({ file, config: redactConfig(config) }, 'configuration loaded');
  let running: Reloadable | undefined;
  // SIGHUP and POST /reload (issue #9): re-read the same file; an invalid file changes nothing.
  const reloadFromFile = async (): Promise<ReloadReport> => {
    const next = loadConfigFile(file, { env: io.env, checkFiles: true });
    if (!next.ok) {
      const errors = next.error.errors.map(formatIssue);
      logger.error({ file, errors }, 'reload refused: the configuration file is invalid; the running configuration stays in force');
      throw new Error(`reload refused: ${errors.join('; ')}`);
    }
    if (!running?.reload) throw new Error('reload refused: the gateway is not running yet');
    for (const w of next.value.warnings) logger.warn({ path: w.path }, w.message);
    return running.reload(next.value.config);
  };
  // Installed before start (which may wait startTimeout for drachtio-server): Node's default
  // for SIGHUP is to die silently, and a reload request must never stop the gateway (issue #14).
  const offReload = (io.onReloadRequest ?? onSighup)(() => {
    if (!running) return logger.warn({ signal: 'SIGHUP' }, 'reload requested while the gateway is starting; ignored, the gateway keeps starting');
    logger.info({ signal: 'SIGHUP', file }, 'reloading the configuration');
    reloadFromFile().catch((e: unknown) => logger.error({ error: errFields(e) }, 'reload failed; the running configuration stays in force'));
    return undefined;
  });
  try {
    let gw: Reloadable;
    try {
      // startGateway stops what it started before it rejects (bin/start-gateway.ts).
      gw = await (io.startGateway ?? realStartGateway)(config, logger, { reloadRequested: reloadFromFile });
      running = gw;
    } catch (e) {
      // One line that says what is wrong and which setting to look at: the error's own
      // message (DrachtioAuthError names gateway.drachtio.secret / DXG_DRACHTIO_SECRET,
      // DrachtioUnreachableError host:port and startTimeout), in the log and on stderr.
      const message = e instanceof Error ? e.message : String(e);
      logger.fatal({ error: errFields(e) }, `gateway failed to start: ${message}`);
      await flushed(logger);
      io.stderr.write(`${PROGRAM}: cannot start: ${message}\n`);
      return EXIT_RUNTIME;
    }
    const reason = await (io.waitForShutdown ?? waitForSignal)();
    logger.info({ reason }, 'stopping');
    try {
      await gw.stop();
    } catch (e) {
      logger.fatal({ error: errFields(e) }, 'gateway failed while stopping');
      await flushed(logger);
      return EXIT_RUNTIME;
    }
    logger.info('stopped');
    await flushed(logger);
    return EXIT_OK;
  } finally {
    offReload();
  }
}

/** The error's type, code and message, without the stack for the errors we raise on purpose. */
function errFields(e: unknown): Record<string, unknown> {
  if (!(e instanceof Error)) return { message: String(e) };
  const code = (e as { code?: unknown }).code;
  const known = e.name === 'DrachtioAuthError' || e.name === 'DrachtioUnreachableError';
  return { type: e.name, message: e.message, ...(code !== undefined ? { code } : {}), ...(known ? {} : { stack: e.stack }) };
}

function onSighup(cb: () => void): () => void {
  const on = () => cb();
  process.on('SIGHUP', on);
  return () => void process.off('SIGHUP', on);
}

/** Waits until the asynchronous log destination has written everything, so the last lines survive exit in order. */
function flushed(logger: Logger): Promise<void> {
  return new Promise((resolve) => logger.flush(() => resolve()));
}

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
}

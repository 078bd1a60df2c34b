import { Command as Program, CommanderError, Option } from 'commander';
import { LOG_LEVELS, type LogLevel } from '../adapters/logging/logger';
import { err, ok, type Result } from '../plugin/core/result';

/** What the command line asked for. Pure: no I/O, no environment (the version is passed in). */
export type Command =
  /** --help, <command> --help, help [command], --version: print `text` to stdout, exit 0. */
  | { readonly kind: 'print'; readonly text: string }
  | { readonly kind: 'start'; readonly config?: string; readonly logLevel: LogLevel; readonly pretty: boolean }
  | { readonly kind: 'check-config'; readonly file?: string; readonly checkFiles: boolean };

export interface UsageError {
  /** Commander's one-line complaint, e.g. `error: unknown option '--bogus'`. */
  readonly message: string;
  /** The help of the command the mistake was made in (printed after the message). */
  readonly help: string;
}

export const PROGRAM = 'drachtio-xmpp-gateway';

/** Printed after the top-level help: what the options cannot say. Exit codes are part of the interface (issue #14). */
export const HELP_FOOTER = `
Environment (secrets only; they override the file and are never printed):
  DXG_CONFIG              configuration file path
  DXG_DRACHTIO_SECRET     gateway.drachtio.secret
  DXG_DIALBACK_SECRET     gateway.s2s.dialbackSecret
  DXG_PRESENCE_REDIS_URL  gateway.presence.store.url (kind redis)

Exit codes:
  0  ok (check-config: valid; start: stopped by SIGINT/SIGTERM)
  1  invalid configuration
  2  usage error
  3  the gateway failed at run time (e.g. drachtio-server unreachable or
     refusing the secret at start)

Signals: SIGINT/SIGTERM stop the gateway; SIGHUP is logged and ignored
(reload is not supported yet).
`;

interface Built {
  readonly program: Program;
  readonly out: { text: string };
  readonly errOut: { text: string };
  readonly result: { value?: Command };
}

/** A fresh commander program per parse: commander keeps parsed state on the instance. */
function build(version: string): Built {
  const out = { text: '' };
  const errOut = { text: '' };
  const result: { value?: Command } = {};
  const program = new Program(PROGRAM)
    .description('XMPP federation for SIP deployments: a drachtio-srf application with its own XMPP S2S edge.')
    .version(version, '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'print this help and exit')
    .helpCommand('help [command]', 'print the help of a command')
    // Never process.exit or write from here: main() decides (tests run it in-process).
    .exitOverride()
    .configureOutput({ writeOut: (s) => void (out.text += s), writeErr: (s) => void (errOut.text += s) })
    .addHelpText('after', HELP_FOOTER);

  program
    .command('start')
    .description('Run the gateway until SIGINT or SIGTERM.')
    .option('-c, --config <file>', 'the configuration file (default: $DXG_CONFIG)')
    .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS).default('info'))
    .option('--pretty', 'human-readable log lines (needs pino-pretty installed)', false)
    .addHelpText('after', `
Logs one JSON line per event to stdout. Exits 1 when the configuration is
invalid, 3 when the gateway cannot start (drachtio-server unreachable within
gateway.drachtio.startTimeout, or refusing gateway.drachtio.secret) or fails
later; SIGHUP is ignored with a log line (reload is not supported yet).
`)
    .action((opts: { config?: string; logLevel: LogLevel; pretty: boolean }) => {
      result.value = { kind: 'start', config: opts.config, logLevel: opts.logLevel, pretty: opts.pretty };
    });

  program
    .command('check-config')
    .description('Validate a configuration file and print every error and warning, one per line, naming the key.')
    .argument('[file]', 'the configuration file (default: $DXG_CONFIG)')
    .option('--no-files', 'do not read the certificate, key and CA files the configuration names')
    .addHelpText('after', `
Exits 0 when the file is valid (warnings are printed to stderr), 1 when it is not.
`)
    .action((file: string | undefined, opts: { files: boolean }) => {
      result.value = { kind: 'check-config', file, checkFiles: opts.files };
    });

  return { program, out, errOut, result };
}

/** The help of one command (or of the program), as `<command> --help` prints it. */
function helpOf(program: Program, name?: string): string {
  const cmd = name === undefined ? undefined : program.commands.find((c) => c.name() === name);
  return (cmd ?? program).helpInformation();
}

/** The sub-command a mistake was made in, for its help. */
const commandIn = (argv: readonly string[]): string | undefined => argv.find((a) => a === 'start' || a === 'check-config');

export function parseArgs(argv: readonly string[], version: string): Result<Command, UsageError> {
  const { program, out, errOut, result } = build(version);
  if (argv.length === 0) return err({ message: 'error: no command given', help: helpOf(program) });
  try {
    program.parse([...argv], { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    // --help, <cmd> --help, help <cmd> and --version end here with exit code 0.
    if (e.exitCode === 0) return ok({ kind: 'print', text: out.text });
    const message = errOut.text.trim().split('\n')[0] ?? e.message;
    return err({ message, help: helpOf(program, commandIn(argv)) });
  }
  if (result.value === undefined) return err({ message: 'error: no command given', help: helpOf(program) });
  return ok(result.value);
}

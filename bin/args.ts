import { LOG_LEVELS, type LogLevel } from '../adapters/logging/logger';
import { err, ok, type Result } from '../plugin/core/result';

/** What the command line asked for. Pure: no I/O, no environment. */
export type Command =
  | { readonly kind: 'help'; readonly topic?: 'start' | 'check-config' }
  | { readonly kind: 'start'; readonly config?: string; readonly logLevel: LogLevel; readonly pretty: boolean }
  | { readonly kind: 'check-config'; readonly file?: string; readonly checkFiles: boolean };

export interface UsageError {
  readonly message: string;
}

export const USAGE = `Usage: drachtio-xmpp-gateway <command> [options]

Commands:
  start [--config FILE] [--log-level LEVEL] [--pretty]
      Run the gateway. FILE defaults to $DXG_CONFIG.
      LEVEL: ${LOG_LEVELS.join('|')} (default info).
  check-config [--no-files] FILE
      Validate FILE (default $DXG_CONFIG) and print every error and warning,
      one per line, naming the key. --no-files skips reading the certificate,
      key and CA files the configuration names.

Options:
  -h, --help    Show this help.

Environment (secrets only; they override the file and are never printed):
  DXG_CONFIG            configuration file path
  DXG_DRACHTIO_SECRET   gateway.drachtio.secret
  DXG_DIALBACK_SECRET   gateway.s2s.dialbackSecret

Exit codes: 0 ok, 1 invalid configuration, 2 usage error, 3 the gateway failed at run time.
`;

const usage = (message: string): Result<Command, UsageError> => err({ message });

/** Splits "--name=value" and reads "--name value"; returns the value and the next index. */
function optionValue(argv: readonly string[], i: number, name: string): { value: string; next: number } | undefined {
  const a = argv[i] ?? '';
  if (a.startsWith(`${name}=`)) return { value: a.slice(name.length + 1), next: i + 1 };
  const v = argv[i + 1];
  if (v === undefined || v.startsWith('-')) return undefined;
  return { value: v, next: i + 2 };
}

const isLogLevel = (s: string): s is LogLevel => (LOG_LEVELS as readonly string[]).includes(s);
const isHelp = (a: string) => a === '--help' || a === '-h';
const named = (a: string, name: string) => a === name || a.startsWith(`${name}=`);

export function parseArgs(argv: readonly string[]): Result<Command, UsageError> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined) return usage('no command given');
  if (isHelp(cmd) || cmd === 'help') return ok({ kind: 'help' });
  if (cmd === 'start') return parseStart(rest);
  if (cmd === 'check-config') return parseCheckConfig(rest);
  return usage(`unknown command "${cmd}"`);
}

function parseStart(argv: readonly string[]): Result<Command, UsageError> {
  let config: string | undefined;
  let logLevel: LogLevel = 'info';
  let pretty = false;
  for (let i = 0; i < argv.length; ) {
    const a = argv[i] ?? '';
    if (isHelp(a)) return ok({ kind: 'help', topic: 'start' });
    if (named(a, '--config') || named(a, '-c')) {
      const v = optionValue(argv, i, a.startsWith('--') ? '--config' : '-c');
      if (v === undefined || v.value === '') return usage(`${a.split('=')[0]} needs a file name`);
      if (config !== undefined) return usage('--config given twice');
      config = v.value;
      i = v.next;
    } else if (named(a, '--log-level')) {
      const v = optionValue(argv, i, '--log-level');
      if (v === undefined || !isLogLevel(v.value)) return usage(`--log-level needs one of ${LOG_LEVELS.join('|')}`);
      logLevel = v.value;
      i = v.next;
    } else if (a === '--pretty') {
      pretty = true;
      i += 1;
    } else return usage(`start: unexpected argument "${a}"`);
  }
  return ok({ kind: 'start', config, logLevel, pretty });
}

function parseCheckConfig(argv: readonly string[]): Result<Command, UsageError> {
  let file: string | undefined;
  let checkFiles = true;
  for (const a of argv) {
    if (isHelp(a)) return ok({ kind: 'help', topic: 'check-config' });
    if (a === '--no-files') checkFiles = false;
    else if (a.startsWith('-')) return usage(`check-config: unknown option "${a}"`);
    else if (file !== undefined) return usage('check-config takes one FILE');
    else file = a;
  }
  return ok({ kind: 'check-config', file, checkFiles });
}

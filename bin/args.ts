import { Command as Program, CommanderError, InvalidArgumentError, Option } from 'commander';
import { LOG_LEVELS, type LogLevel } from '../adapters/logging/logger';
import { err, ok, type Result } from '../plugin/core/result';

/** What the command line asked for. Pure: no I/O, no environment (the version is passed in). */
export type Command =
  /** --help, <command> --help, help [command], --version: print `text` to stdout, exit 0. */
  | { readonly kind: 'print'; readonly text: string }
  | { readonly kind: 'start'; readonly config?: string; readonly logLevel: LogLevel; readonly pretty: boolean }
  | { readonly kind: 'check-config'; readonly file?: string; readonly checkFiles: boolean }
  | PartnersCommand
  | { readonly kind: 'status'; readonly config?: string; readonly json: boolean }
  | TestImCommand
  | DiagnoseCommand;

/** Lync's Get/New/Set/Remove-CsXmppAllowedPartner (issue #9). */
export interface PartnersCommand {
  readonly kind: 'partners';
  readonly action: 'list' | 'show' | 'add' | 'set' | 'remove';
  readonly config?: string;
  readonly domain?: string;
  readonly json: boolean;
  /** add/set: the keys given, in the configuration's own names (partners[].*). */
  readonly fields: Readonly<Record<string, string | number | boolean>>;
}

/** Lync's Test-CsXmppIM (issue #9): one real message over federation, step by step. */
export interface TestImCommand {
  readonly kind: 'test-im';
  readonly config?: string;
  readonly from: string;
  readonly to: string;
  readonly text: string;
  readonly json: boolean;
  readonly timeoutMs: number;
}

/** Why federation with a domain works or fails (issue #9). */
export interface DiagnoseCommand {
  readonly kind: 'diagnose';
  readonly config?: string;
  readonly domain: string;
  readonly json: boolean;
  readonly timeoutMs: number;
}

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
  DXG_ADMIN_TOKEN         gateway.admin.token (POST /reload; the partners command uses it)

Exit codes:
  0  ok (check-config: valid; start: stopped by SIGINT/SIGTERM)
  1  invalid configuration
  2  usage error
  3  the gateway failed at run time (e.g. drachtio-server unreachable or
     refusing the secret at start)
  4  test-im / diagnose: a step failed; status: no running gateway answered

Signals: SIGINT/SIGTERM stop the gateway; SIGHUP reloads the configuration
file (partners, policy, trusted sources, certificates) without dropping
streams that still conform; an invalid file is refused and the running
configuration stays in force.
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
later. SIGHUP reloads the configuration file (an invalid one is refused, with
a log line saying why, and the running configuration stays in force).
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

  addOperatorCommands(program, result);
  return { program, out, errOut, result };
}

const CONFIG_OPT = ['-c, --config <file>', 'the configuration file (default: $DXG_CONFIG)'] as const;
const JSON_OPT = ['--json', 'machine-readable output (one JSON document)', false] as const;
const seconds = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > 600) throw new InvalidArgumentError('expected seconds between 0 and 600');
  return n;
};
const positive = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
};

/** partners add/set options, named after the partners[] keys they set (config/example.yaml). */
function partnerOptions(c: Program): Program {
  return c
    .addOption(new Option('--type <type>', 'partnerType').choices(['Federated', 'PublicVerified', 'PublicUnverified']))
    .addOption(new Option('--tls <mode>', 'tls').choices(['Required', 'Optional', 'NotSupported']))
    .addOption(new Option('--sasl <mode>', 'sasl').choices(['Required', 'Optional', 'NotSupported']))
    .option('--dialback', 'dialback: true')
    .option('--no-dialback', 'dialback: false')
    .option('--keep-alive', 'keepAlive: true')
    .option('--no-keep-alive', 'keepAlive: false')
    .option('--proxy-fqdn <host[:port]>', 'proxyFqdn: a static route instead of SRV')
    .option('--limit <n>', 'connectionLimit', positive)
    .option('--description <text>', 'description');
}

interface PartnerOpts {
  config?: string; json?: boolean; type?: string; tls?: string; sasl?: string; dialback?: boolean; keepAlive?: boolean;
  proxyFqdn?: string; limit?: number; description?: string;
}

function partnerFields(o: PartnerOpts): Record<string, string | number | boolean> {
  const f: Record<string, string | number | boolean> = {};
  if (o.type !== undefined) f.partnerType = o.type;
  if (o.tls !== undefined) f.tls = o.tls;
  if (o.sasl !== undefined) f.sasl = o.sasl;
  if (o.dialback !== undefined) f.dialback = o.dialback;
  if (o.keepAlive !== undefined) f.keepAlive = o.keepAlive;
  if (o.proxyFqdn !== undefined) f.proxyFqdn = o.proxyFqdn;
  if (o.limit !== undefined) f.connectionLimit = o.limit;
  if (o.description !== undefined) f.description = o.description;
  return f;
}

function addOperatorCommands(program: Program, result: { value?: Command }): void {
  const partners = program
    .command('partners')
    .description('List, show, add, change or remove allowed XMPP partners in the configuration file (Lync: *-CsXmppAllowedPartner); a running gateway is told to reload.');
  const partnerAction = (action: PartnersCommand['action']) => (domainOrOpts: string | PartnerOpts, maybeOpts?: PartnerOpts) => {
    const domain = typeof domainOrOpts === 'string' ? domainOrOpts : undefined;
    const o = (typeof domainOrOpts === 'string' ? maybeOpts : domainOrOpts) ?? {};
    result.value = {
      kind: 'partners', action, domain, json: o.json ?? false, fields: partnerFields(o), ...(o.config !== undefined ? { config: o.config } : {}),
    };
  };
  partners.command('list').description('Every allowed partner, one per line.').option(...CONFIG_OPT).option(...JSON_OPT).action(partnerAction('list'));
  partners.command('show').description('One partner, every setting (defaults included).').argument('<domain>').option(...CONFIG_OPT).option(...JSON_OPT).action(partnerAction('show'));
  partnerOptions(partners.command('add').description('Add a partner (checked against Lync\'s TLS/SASL/dialback matrix before the file is written).').argument('<domain>').option(...CONFIG_OPT))
    .action(partnerAction('add'));
  partnerOptions(partners.command('set').description('Change settings of a partner; keys not given keep their value.').argument('<domain>').option(...CONFIG_OPT))
    .action(partnerAction('set'));
  partners.command('remove').description('Remove a partner; its streams close with policy-violation on reload.').argument('<domain>').option(...CONFIG_OPT).action(partnerAction('remove'));

  program
    .command('status')
    .description('Live S2S streams per partner (direction, authentication, age, queue), the drachtio connection and recent failures, from the running gateway\'s admin endpoint (gateway.admin).')
    .option(...CONFIG_OPT).option(...JSON_OPT)
    .action((o: { config?: string; json: boolean }) => {
      result.value = { kind: 'status', json: o.json, ...(o.config !== undefined ? { config: o.config } : {}) };
    });

  program
    .command('test-im')
    .description('Send one real message over federation and report each step with its time (Lync: Test-CsXmppIM). Exits 0 when it was written on an authenticated stream (the peer\'s answers go to the running gateway), 4 when a step failed.')
    .requiredOption('--from <sip-uri>', 'our SIP user, e.g. sip:alice@example.com')
    .requiredOption('--to <jid>', 'the XMPP user, e.g. romeo@partner.example')
    .option('--text <text>', 'the message body', 'drachtio-xmpp-gateway test-im')
    .option('--timeout <seconds>', 'bound on the whole test', seconds, 20)
    .option(...CONFIG_OPT).option(...JSON_OPT)
    .action((o: { from: string; to: string; text: string; timeout: number; config?: string; json: boolean }) => {
      result.value = { kind: 'test-im', from: o.from, to: o.to, text: o.text, json: o.json, timeoutMs: o.timeout * 1000, ...(o.config !== undefined ? { config: o.config } : {}) };
    });

  program
    .command('diagnose')
    .description('Why federation with a domain works or fails: SRV records both ways, the peer\'s certificate, what it offers (STARTTLS, SASL EXTERNAL, dialback), and what our partner policy allows. Exits 0 when federation should work, 4 when not.')
    .argument('<domain>', 'the XMPP domain, e.g. partner.example')
    .option('--timeout <seconds>', 'bound on each network step', seconds, 10)
    .option(...CONFIG_OPT).option(...JSON_OPT)
    .action((domain: string, o: { timeout: number; config?: string; json: boolean }) => {
      result.value = { kind: 'diagnose', domain, json: o.json, timeoutMs: o.timeout * 1000, ...(o.config !== undefined ? { config: o.config } : {}) };
    });
}

/** The help of one command (or of the program), as `<command> --help` prints it. */
function helpOf(program: Program, name?: string): string {
  const cmd = name === undefined ? undefined : program.commands.find((c) => c.name() === name);
  return (cmd ?? program).helpInformation();
}

/** The sub-command a mistake was made in, for its help. */
const COMMANDS = new Set(['start', 'check-config', 'partners', 'status', 'test-im', 'diagnose']);
const commandIn = (argv: readonly string[]): string | undefined => argv.find((a) => COMMANDS.has(a));

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

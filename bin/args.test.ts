import { parseArgs } from './args';

const V = '9.8.7';
const run = (argv: string[]) => parseArgs(argv, V);

describe('parseArgs (commander)', () => {
  it.each<[string[], unknown]>([
    [['start'], { kind: 'start', logLevel: 'info', pretty: false }],
    [['start', '--config', 'gw.yaml'], { kind: 'start', config: 'gw.yaml', logLevel: 'info', pretty: false }],
    [['start', '--config=gw.yaml', '--log-level', 'debug', '--pretty'], { kind: 'start', config: 'gw.yaml', logLevel: 'debug', pretty: true }],
    [['start', '-c', 'gw.yaml', '--log-level=trace'], { kind: 'start', config: 'gw.yaml', logLevel: 'trace', pretty: false }],
    [['check-config', 'gw.yaml'], { kind: 'check-config', file: 'gw.yaml', checkFiles: true }],
    [['check-config', '--no-files', 'gw.yaml'], { kind: 'check-config', file: 'gw.yaml', checkFiles: false }],
    [['check-config', 'gw.yaml', '--no-files'], { kind: 'check-config', file: 'gw.yaml', checkFiles: false }],
    [['check-config'], { kind: 'check-config', file: undefined, checkFiles: true }],
  ])('%j → %j', (argv, expected) => {
    expect(run(argv)).toEqual({ ok: true, value: expected });
  });

  it.each([[['--version']], [['-V']]])('%j prints the version given', (argv) => {
    expect(run(argv)).toEqual({ ok: true, value: { kind: 'print', text: `${V}\n` } });
  });

  it.each<[string[], string, string]>([
    [['start', '--help'], 'Usage: drachtio-xmpp-gateway start [options]', '--log-level <level>'],
    [['help', 'start'], 'Usage: drachtio-xmpp-gateway start [options]', '--config <file>'],
    [['check-config', '-h'], 'Usage: drachtio-xmpp-gateway check-config [options] [file]', '--no-files'],
    [['--help'], 'Usage: drachtio-xmpp-gateway [options] [command]', 'Exit codes:'],
    [['help'], 'Usage: drachtio-xmpp-gateway [options] [command]', 'check-config'],
  ])('%j prints that command\'s own help', (argv, first, contains) => {
    const r = run(argv);
    if (!r.ok || r.value.kind !== 'print') throw new Error(JSON.stringify(r));
    expect(r.value.text.split('\n')[0]).toBe(first);
    expect(r.value.text).toContain(contains);
  });

  it('start --help does not list check-config\'s options, and check-config --help not start\'s', () => {
    const s = run(['start', '--help']);
    const c = run(['check-config', '--help']);
    if (!s.ok || s.value.kind !== 'print' || !c.ok || c.value.kind !== 'print') throw new Error('not help');
    expect(s.value.text).not.toContain('--no-files');
    expect(c.value.text).not.toContain('--log-level');
  });

  it.each<[string[], string, string]>([
    [[], 'error: no command given', 'Usage: drachtio-xmpp-gateway [options] [command]'],
    [['run'], "error: unknown command 'run'", 'Usage: drachtio-xmpp-gateway [options] [command]'],
    [['start', '--config'], "error: option '-c, --config <file>' argument missing", 'Usage: drachtio-xmpp-gateway start'],
    [['start', '--log-level', 'loud'], "error: option '--log-level <level>' argument 'loud' is invalid. Allowed choices are fatal, error, warn, info, debug, trace, silent.", 'Usage: drachtio-xmpp-gateway start'],
    [['start', 'gw.yaml'], "error: too many arguments for 'start'. Expected 0 arguments but got 1.", 'Usage: drachtio-xmpp-gateway start'],
    [['start', '--bogus'], "error: unknown option '--bogus'", 'Usage: drachtio-xmpp-gateway start'],
    [['check-config', 'a.yaml', 'b.yaml'], "error: too many arguments for 'check-config'. Expected 1 argument but got 2.", 'Usage: drachtio-xmpp-gateway check-config'],
    [['check-config', '--files'], "error: unknown option '--files'", 'Usage: drachtio-xmpp-gateway check-config'],
  ])('%j is a usage error: %s, followed by the help of that command', (argv, message, help) => {
    const r = run(argv);
    if (r.ok) throw new Error(`parsed: ${JSON.stringify(r.value)}`);
    expect(r.error.message).toBe(message);
    expect(r.error.help.split('\n')[0]).toMatch(new RegExp(`^${help.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( |$)`));
  });
});

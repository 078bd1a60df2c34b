import { parseArgs } from './args';

describe('parseArgs', () => {
  it.each<[string[], unknown]>([
    [['--help'], { kind: 'help' }],
    [['-h'], { kind: 'help' }],
    [['help'], { kind: 'help' }],
    [['start'], { kind: 'start', config: undefined, logLevel: 'info', pretty: false }],
    [['start', '--config', 'gw.yaml'], { kind: 'start', config: 'gw.yaml', logLevel: 'info', pretty: false }],
    [['start', '--config=gw.yaml', '--log-level', 'debug', '--pretty'], { kind: 'start', config: 'gw.yaml', logLevel: 'debug', pretty: true }],
    [['start', '-c', 'gw.yaml', '--log-level=trace'], { kind: 'start', config: 'gw.yaml', logLevel: 'trace', pretty: false }],
    [['start', '--help'], { kind: 'help', topic: 'start' }],
    [['check-config', 'gw.yaml'], { kind: 'check-config', file: 'gw.yaml', checkFiles: true }],
    [['check-config', '--no-files', 'gw.yaml'], { kind: 'check-config', file: 'gw.yaml', checkFiles: false }],
    [['check-config', 'gw.yaml', '--no-files'], { kind: 'check-config', file: 'gw.yaml', checkFiles: false }],
    [['check-config'], { kind: 'check-config', file: undefined, checkFiles: true }],
    [['check-config', '-h'], { kind: 'help', topic: 'check-config' }],
  ])('%j → %j', (argv, expected) => {
    expect(parseArgs(argv)).toEqual({ ok: true, value: expected });
  });

  it.each<[string[], string]>([
    [[], 'no command given'],
    [['run'], 'unknown command "run"'],
    [['start', '--config'], '--config needs a file name'],
    [['start', '--config='], '--config needs a file name'],
    [['start', '--config', '--pretty'], '--config needs a file name'],
    [['start', '--config', 'a', '--config', 'b'], '--config given twice'],
    [['start', '--log-level', 'loud'], '--log-level needs one of fatal|error|warn|info|debug|trace|silent'],
    [['start', 'gw.yaml'], 'start: unexpected argument "gw.yaml"'],
    [['check-config', 'a.yaml', 'b.yaml'], 'check-config takes one FILE'],
    [['check-config', '--files'], 'check-config: unknown option "--files"'],
  ])('%j is a usage error: %s', (argv, message) => {
    expect(parseArgs(argv)).toEqual({ ok: false, error: { message } });
  });
});

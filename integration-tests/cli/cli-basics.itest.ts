/**
 * CLI basics of the BUILT program (issue #14): `node dist/bin/drachtio-xmpp-gateway.js`
 * as a child process. --version, each command's own --help, usage errors (exit 2), and
 * the configuration error texts an operator reads (exit 1): an enum error echoes the bad
 * value, a value from the environment names the variable, a Lync negotiation rule is
 * stated in words.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { buildCli, ROOT, runCli, type BuiltCli } from './built-cli';

let cli: BuiltCli;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dxg-cli-basics-'));
  cli = await buildCli();
}, 240_000);
afterAll(() => {
  cli?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const PKG_VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** A valid loopback document (one TCP-dialback partner, presence off); `mutate` breaks it. */
function configFile(name: string, mutate: (d: Record<string, any>) => void = () => undefined): string {
  const doc: Record<string, any> = {
    gateway: {
      domains: ['example.com'],
      drachtio: { host: '127.0.0.1', secret: 'cymru' },
      sipProxy: { uri: 'sip:127.0.0.1:5060;transport=tcp' },
      s2s: { dialbackSecret: 'a-dialback-secret-of-some-length' },
      presence: { enabled: false },
    },
    partners: [{ domain: 'legacy.example.net', tls: 'NotSupported', sasl: 'NotSupported', dialback: true }],
    policy: { default: true },
  };
  mutate(doc);
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, stringify(doc));
  return file;
}

describe('--version and per-command help (exit 0, stdout)', () => {
  it.each([['--version'], ['-V']])('%s prints package.json\'s version and nothing else', async (flag) => {
    const r = await runCli(cli, [flag]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, `${PKG_VERSION}\n`, '']);
  }, 30_000);

  it.each<[string[], string, string[], string[]]>([
    [['start', '--help'], 'Usage: drachtio-xmpp-gateway start [options]', ['--config <file>', '--log-level <level>', '--pretty', 'SIGHUP reloads the configuration file'], ['--no-files']],
    [['check-config', '--help'], 'Usage: drachtio-xmpp-gateway check-config [options] [file]', ['--no-files', 'Exits 0 when the file is valid'], ['--log-level', '--pretty']],
    [['--help'], 'Usage: drachtio-xmpp-gateway [options] [command]', ['start', 'check-config', '--version', 'Exit codes:', 'DXG_DRACHTIO_SECRET'], []],
  ])('%j prints its own usage and options', async (argv, first, has, hasNot) => {
    const r = await runCli(cli, argv);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toBe(first);
    for (const s of has) expect(r.stdout).toContain(s);
    for (const s of hasNot) expect(r.stdout).not.toContain(s);
  }, 30_000);
});

describe('usage errors (exit 2, stderr: the complaint, then that command\'s help)', () => {
  it.each<[string[], string, string]>([
    [[], 'drachtio-xmpp-gateway: error: no command given', 'Usage: drachtio-xmpp-gateway [options] [command]'],
    [['frobnicate'], "drachtio-xmpp-gateway: error: unknown command 'frobnicate'", 'Usage: drachtio-xmpp-gateway [options] [command]'],
    [['start', '--bogus'], "drachtio-xmpp-gateway: error: unknown option '--bogus'", 'Usage: drachtio-xmpp-gateway start [options]'],
    [['start', '--log-level', 'loud'], "drachtio-xmpp-gateway: error: option '--log-level <level>' argument 'loud' is invalid. Allowed choices are fatal, error, warn, info, debug, trace, silent.", 'Usage: drachtio-xmpp-gateway start [options]'],
    [['check-config', 'a.yaml', 'b.yaml'], "drachtio-xmpp-gateway: error: too many arguments for 'check-config'. Expected 1 argument but got 2.", 'Usage: drachtio-xmpp-gateway check-config [options] [file]'],
  ])('%j', async (argv, first, usage) => {
    const r = await runCli(cli, argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe(first);
    expect(lines[2]).toBe(usage);
  }, 30_000);

  it('start without --config or DXG_CONFIG says what to give', async () => {
    const r = await runCli(cli, ['start']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('drachtio-xmpp-gateway: no configuration file (give --config FILE or set DXG_CONFIG); see drachtio-xmpp-gateway start --help\n');
  }, 30_000);
});

describe('configuration error texts (exit 1, one line per error on stderr)', () => {
  it('an enum error echoes the bad value: partners[0].tls: "Requird" is not one of Required|Optional|NotSupported', async () => {
    const file = configFile('enum', (d) => { d.partners[0].tls = 'Requird'; });
    const r = await runCli(cli, ['check-config', '--no-files', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: partners[0].tls: "Requird" is not one of Required|Optional|NotSupported\n${file}: invalid (1 error(s), 0 warning(s))\n`);
  }, 30_000);

  it('a value from the environment says so: DXG_DIALBACK_SECRET (gateway.s2s.dialbackSecret): must be at least 16 characters, the value never printed', async () => {
    const file = configFile('env');
    const r = await runCli(cli, ['check-config', '--no-files', file], { env: { DXG_DIALBACK_SECRET: 'too-short' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: DXG_DIALBACK_SECRET (gateway.s2s.dialbackSecret): must be at least 16 characters\n${file}: invalid (1 error(s), 0 warning(s))\n`);
    expect(r.stderr + r.stdout).not.toContain('too-short');
  }, 30_000);

  it('start refuses the same file with exit 1 before connecting anywhere, with the same line', async () => {
    const file = configFile('env-start');
    const r = await runCli(cli, ['start', '--config', file], { env: { DXG_DIALBACK_SECRET: 'too-short' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: DXG_DIALBACK_SECRET (gateway.s2s.dialbackSecret): must be at least 16 characters\n');
  }, 30_000);

  it('a Lync negotiation rule is stated in words, not only as a TechNet id', async () => {
    const file = configFile('lync', (d) => { d.partners[0].dialback = false; });
    const r = await runCli(cli, ['check-config', '--no-files', file]);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toBe(
      "error: partners[0]: partner legacy.example.net: tls NotSupported, sasl NotSupported, dialback false is invalid: SASL or dialback must be enabled: no authentication method remains (Lync's rule for XMPP partners: SASL (over TLS) or dialback must be able to authenticate the partner; TechNet JJ552456)",
    );
  }, 30_000);

  it('a valid file: exit 0, "<file>: OK (…)" on stdout', async () => {
    const file = configFile('good');
    const r = await runCli(cli, ['check-config', '--no-files', file]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, `${file}: OK (1 domain(s), 1 partner(s), 0 warning(s))\n`, '']);
  }, 30_000);
});

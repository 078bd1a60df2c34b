import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { baseRaw } from '../config/__tests__/fixtures';
import { EXIT_INVALID_CONFIG, EXIT_OK, EXIT_RUNTIME, EXIT_USAGE, main, type CliIO } from './cli';

const ROOT = path.join(__dirname, '..');
const EXAMPLE = path.join(ROOT, 'config', 'example.yaml');

function capture() {
  let out = '';
  let errText = '';
  let log = '';
  const logDestination = new Writable({
    write(chunk: Buffer, _e, cb) {
      log += chunk.toString('utf8');
      cb();
    },
  });
  return {
    io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (errText += s) }, env: {}, logDestination } satisfies CliIO,
    out: () => out,
    err: () => errText,
    log: () => log,
  };
}

describe('CLI main (no process.exit; exit code returned)', () => {
  let dir: string;
  let good: string;
  let bad: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dxg-cli-'));
    good = path.join(dir, 'good.yaml');
    writeFileSync(good, stringify(baseRaw()));
    const b = baseRaw();
    b.partners.push({ domain: 'fabrikam.com', tls: 'Optional', sasl: 'NotSupported', dialback: false });
    b.partners[0].tls = 'Maybe';
    b.gateway.s2s.colour = 'blue';
    bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, stringify(b));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--help prints usage to stdout and exits 0', async () => {
    const c = capture();
    expect(await main(['--help'], c.io)).toBe(EXIT_OK);
    expect(c.out()).toMatch(/^Usage: drachtio-xmpp-gateway/);
  });

  it.each([[[]], [['frobnicate']], [['start', '--bogus']]])('usage error %j exits 2 with usage on stderr', async (argv) => {
    const c = capture();
    expect(await main(argv, c.io)).toBe(EXIT_USAGE);
    expect(c.err()).toContain('Usage:');
    expect(c.out()).toBe('');
  });

  it('check-config without a file and without DXG_CONFIG is a usage error', async () => {
    const c = capture();
    expect(await main(['check-config'], c.io)).toBe(EXIT_USAGE);
    expect(c.err()).toContain('no configuration file');
  });

  it('check-config accepts config/example.yaml with --no-files', async () => {
    const c = capture();
    expect(await main(['check-config', '--no-files', EXAMPLE], c.io)).toBe(EXIT_OK);
    expect(c.out()).toBe(`${EXAMPLE}: OK (2 domain(s), 2 partner(s), 0 warning(s))\n`);
    expect(c.err()).toBe('');
  });

  it('check-config takes the file from DXG_CONFIG', async () => {
    const c = capture();
    expect(await main(['check-config'], { ...c.io, env: { DXG_CONFIG: good } })).toBe(EXIT_OK);
  });

  it('check-config prints warnings one per line and still exits 0', async () => {
    const raw = baseRaw();
    raw.policy = {};
    const f = path.join(dir, 'warn.yaml');
    writeFileSync(f, stringify(raw));
    const c = capture();
    expect(await main(['check-config', f], c.io)).toBe(EXIT_OK);
    expect(c.err()).toBe('warning: policy: no SIP user may federate (Lync EnableXmppAccess default False); enable policy.default, a domain or a user\n');
  });

  it('check-config prints every error one per line, naming keys, and exits 1', async () => {
    const c = capture();
    expect(await main(['check-config', bad], c.io)).toBe(EXIT_INVALID_CONFIG);
    expect(c.err().split('\n')).toEqual([
      'error: gateway.s2s.colour: unknown key',
      'error: partners[0].tls: "Maybe" is not one of Required|Optional|NotSupported',
      `${bad}: invalid (2 error(s), 0 warning(s))`,
      '',
    ]);
  });

  it('check-config names an invalid Lync combination once the values parse', async () => {
    const b = baseRaw();
    b.partners.push({ domain: 'fabrikam.com', tls: 'Optional', sasl: 'NotSupported', dialback: false });
    const f = path.join(dir, 'lync.yaml');
    writeFileSync(f, stringify(b));
    const c = capture();
    expect(await main(['check-config', f], c.io)).toBe(EXIT_INVALID_CONFIG);
    expect(c.err()).toContain('error: partners[1]: partner fabrikam.com: tls Optional, sasl NotSupported, dialback false is invalid: SASL or dialback must be enabled: no authentication method remains (Lync\'s rule for XMPP partners: SASL (over TLS) or dialback must be able to authenticate the partner; TechNet JJ552456)');
  });

  it('start refuses an invalid configuration with exit 1 and does not start', async () => {
    const c = capture();
    let started = false;
    const code = await main(['start', '--config', bad], { ...c.io, startGateway: async () => { started = true; return { stop: async () => {} }; } });
    expect(code).toBe(EXIT_INVALID_CONFIG);
    expect(started).toBe(false);
    expect(c.err()).toContain('partners[0].tls');
  });

  it('start runs the gateway with the frozen config, stops on shutdown, never logs secrets', async () => {
    const c = capture();
    const calls: string[] = [];
    const code = await main(['start', '--config', good], {
      ...c.io,
      env: { DXG_DIALBACK_SECRET: 'env-dialback-secret-XYZ' },
      startGateway: async (config) => {
        calls.push(`start ${config.gateway.domains.join(',')} frozen=${Object.isFrozen(config)} db=${config.gateway.s2s.dialbackSecret}`);
        return { stop: async () => { calls.push('stop'); } };
      },
      waitForShutdown: async () => 'SIGTERM',
    });
    expect(code).toBe(EXIT_OK);
    expect(calls).toEqual(['start example.com frozen=true db=env-dialback-secret-XYZ', 'stop']);
    expect(c.log()).toContain('"msg":"configuration loaded"');
    expect(c.log()).not.toContain('cymru');
    expect(c.log()).not.toContain('env-dialback-secret-XYZ');
  });

  it('start reports a gateway that cannot start with exit 3 and a log line (here: a trusted SIP source that does not resolve)', async () => {
    const c = capture();
    const failing = async () => {
      throw new Error('trusted SIP source proxy.example.com does not resolve');
    };
    expect(await main(['start', '--config', good], { ...c.io, startGateway: failing })).toBe(EXIT_RUNTIME);
    expect(c.log()).toContain('"msg":"gateway failed to start: trusted SIP source proxy.example.com does not resolve"');
    expect(c.err()).toBe('drachtio-xmpp-gateway: cannot start: trusted SIP source proxy.example.com does not resolve\n');
    expect(c.log()).toContain('does not resolve');
  });
});

describe('the installed entry point (spawned through npx tsx)', () => {
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile('npx', ['tsx', 'bin/drachtio-xmpp-gateway.ts', ...args], { cwd: ROOT, timeout: 60_000, env: { ...process.env, DXG_CONFIG: '' } }, (e, stdout, stderr) => {
        resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, stdout, stderr });
      });
    });

  it('check-config config/example.yaml: exit 0 with --no-files, exit 1 naming the missing certificate files without', async () => {
    const skip = await run(['check-config', '--no-files', 'config/example.yaml']);
    expect(skip.code).toBe(0);
    expect(skip.stdout).toContain('config/example.yaml: OK');
    const full = await run(['check-config', 'config/example.yaml']);
    expect(full.code).toBe(1);
    expect(full.stderr).toContain('error: gateway.s2s.certificates[0].cert: cannot read /etc/drachtio-xmpp-gateway/tls/example.com.crt (ENOENT)');
    const usage = await run(['frobnicate']);
    expect(usage.code).toBe(2);
  }, 120_000);
});

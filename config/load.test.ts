import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { loadConfigFile, parseConfigText, resolveConfigPath, validateConfig } from './load';
import { redactConfig, REDACTED } from './redact';
import { baseRaw } from './__tests__/fixtures';

const EXAMPLE = path.join(__dirname, 'example.yaml');

describe('config/example.yaml', () => {
  it('is a valid configuration with no warnings (file checks skipped, as with check-config --no-files)', () => {
    const r = loadConfigFile(EXAMPLE, { env: {}, checkFiles: false });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(r.value.warnings).toEqual([]);
    expect(r.value.config.gateway.domains).toEqual(['example.com', 'sales.example.com']);
    expect(r.value.config.partners.map((p) => p.domain)).toEqual(['fabrikam.com', 'legacy.example.net']);
  });

  it('names files that must exist when file checks run', () => {
    const r = loadConfigFile(EXAMPLE, { env: {} });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.errors.map((e) => e.path)).toContain('gateway.s2s.certificates[0].cert');
  });
});

describe('YAML parsing', () => {
  const parse = (text: string) => parseConfigText(text, { env: {}, baseDir: '/etc/dxg', checkFiles: false, sourceName: 'gw.yaml' });

  it('reports a syntax error with file, line and column', () => {
    const r = parse('gateway:\n  domains: [example.com\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.errors[0]!.path).toMatch(/^gw\.yaml:\d+:\d+$/);
    expect(r.error.errors[0]!.message).toMatch(/^YAML: /);
  });

  it('rejects a key given twice instead of keeping the last one', () => {
    const r = parse('gateway: {}\ngateway: {}\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.errors[0]!.message).toMatch(/unique/i);
  });

  it('rejects an empty file naming the root', () => {
    const r = parse('');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.errors.map((e) => `${e.path}: ${e.message}`)).toEqual(['(root): expected object, received null']);
  });

  it('refuses unbounded alias expansion', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++) lines.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`);
    const r = parse(lines.join('\n'));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.errors[0]!.message).toMatch(/alias/i);
  });

  it('does not let a __proto__ key slip past the strict schema', () => {
    const text = stringify(baseRaw()).replace('gateway:\n', 'gateway:\n  __proto__: { polluted: true }\n');
    const r = parse(text);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.errors.map((e) => `${e.path}: ${e.message}`)).toEqual(['gateway.__proto__: unknown key']);
  });
});

describe('environment overrides: secrets only', () => {
  it('DXG_DRACHTIO_SECRET and DXG_DIALBACK_SECRET win over the file', () => {
    const r = validateConfig(baseRaw(), { env: { DXG_DRACHTIO_SECRET: 'from-env', DXG_DIALBACK_SECRET: 'env-dialback-secret-123' }, baseDir: '/', checkFiles: false });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(r.value.config.gateway.drachtio.secret).toBe('from-env');
    expect(r.value.config.gateway.s2s.dialbackSecret).toBe('env-dialback-secret-123');
  });

  it('supplies secrets missing from the file', () => {
    const raw = baseRaw();
    delete raw.gateway.drachtio.secret;
    delete raw.gateway.s2s;
    const r = validateConfig(raw, { env: { DXG_DRACHTIO_SECRET: 'x', DXG_DIALBACK_SECRET: 'env-dialback-secret-123' }, baseDir: '/', checkFiles: false });
    expect(r.ok).toBe(true);
  });

  it('an empty variable does not override', () => {
    const r = validateConfig(baseRaw(), { env: { DXG_DRACHTIO_SECRET: '' }, baseDir: '/', checkFiles: false });
    expect(r.ok && r.value.config.gateway.drachtio.secret).toBe('cymru');
  });

  it('other variables are ignored', () => {
    const r = validateConfig(baseRaw(), { env: { DXG_GATEWAY_DOMAINS: 'evil.example' }, baseDir: '/', checkFiles: false });
    expect(r.ok && r.value.config.gateway.domains).toEqual(['example.com']);
  });

  it.each([
    ['--config wins', 'cli.yaml', { DXG_CONFIG: 'env.yaml' }, 'cli.yaml'],
    ['DXG_CONFIG is the fallback', undefined, { DXG_CONFIG: 'env.yaml' }, 'env.yaml'],
    ['neither', undefined, {}, undefined],
  ])('resolveConfigPath: %s', (_name, cli, env, expected) => {
    expect(resolveConfigPath(cli, env)).toBe(expected);
  });
});

describe('an error about a value from the environment names the variable (issue #14)', () => {
  const lines = (raw: unknown, env: Record<string, string>) => {
    const r = validateConfig(raw, { env, baseDir: '/', checkFiles: false });
    if (r.ok) throw new Error('accepted');
    return r.error.errors.map((e) => `${e.path}: ${e.message}`);
  };

  it('a short DXG_DIALBACK_SECRET: "DXG_DIALBACK_SECRET (gateway.s2s.dialbackSecret): must be at least 16 characters", the value not echoed', () => {
    const out = lines(baseRaw(), { DXG_DIALBACK_SECRET: 'short-secret' });
    expect(out).toEqual(['DXG_DIALBACK_SECRET (gateway.s2s.dialbackSecret): must be at least 16 characters']);
    expect(JSON.stringify(out)).not.toContain('short-secret');
  });

  it('the same short secret in the file names only the key', () => {
    const raw = baseRaw();
    raw.gateway.s2s = { ...raw.gateway.s2s, dialbackSecret: 'short-secret' };
    expect(lines(raw, {})).toEqual(['gateway.s2s.dialbackSecret: must be at least 16 characters']);
  });

  it('an error elsewhere is not attributed to a variable that is set', () => {
    const raw = baseRaw();
    raw.partners[0].tls = 'Requird';
    expect(lines(raw, { DXG_DIALBACK_SECRET: 'env-dialback-secret-123' })).toEqual(['partners[0].tls: "Requird" is not one of Required|Optional|NotSupported']);
  });
});

describe('the loaded configuration', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dxg-load-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is deeply frozen', () => {
    const r = validateConfig(baseRaw(), { env: {}, baseDir: '/', checkFiles: false });
    if (!r.ok) throw new Error('invalid');
    const c = r.value.config;
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.gateway.s2s.listen)).toBe(true);
    expect(Object.isFrozen(c.partners[0]!.additionalDomains)).toBe(true);
    expect(() => (c.gateway.domains as string[]).push('x')).toThrow(TypeError);
  });

  it('resolves relative certificate paths against the YAML file directory', () => {
    const raw = baseRaw();
    raw.gateway.s2s.certificates = [{ domain: 'example.com', key: 'tls/k.pem', cert: '/abs/c.pem' }];
    raw.gateway.s2s.caFile = 'ca.pem';
    const file = path.join(dir, 'gw.yaml');
    writeFileSync(file, stringify(raw));
    const r = loadConfigFile(file, { env: {}, checkFiles: false });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(r.value.config.gateway.s2s.certificates[0]).toEqual({ domain: 'example.com', key: path.join(dir, 'tls/k.pem'), cert: '/abs/c.pem' });
    expect(r.value.config.gateway.s2s.caFile).toBe(path.join(dir, 'ca.pem'));
  });

  it('reports a missing file by name', () => {
    const r = loadConfigFile(path.join(dir, 'nope.yaml'), { env: {} });
    expect(r.ok || r.error.errors[0]).toEqual({ severity: 'error', path: path.join(dir, 'nope.yaml'), message: 'cannot read the configuration file (ENOENT)' });
  });
});

describe('redactConfig', () => {
  it('hides both secrets and nothing else', () => {
    const r = validateConfig(baseRaw(), { env: {}, baseDir: '/', checkFiles: false });
    if (!r.ok) throw new Error('invalid');
    const red = redactConfig(r.value.config);
    const text = JSON.stringify(red);
    expect(text).not.toContain('cymru');
    expect(text).not.toContain('a-dialback-secret-of-some-length');
    expect(red.gateway.drachtio.secret).toBe(REDACTED);
    expect(red.gateway.s2s.dialbackSecret).toBe(REDACTED);
    expect({ ...red, gateway: { ...red.gateway, drachtio: r.value.config.gateway.drachtio, s2s: r.value.config.gateway.s2s } }).toEqual(r.value.config);
    expect(r.value.config.gateway.drachtio.secret).toBe('cymru');
  });
});

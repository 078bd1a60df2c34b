import { validateConfig } from './load';
import { baseRaw } from './__tests__/fixtures';

const validate = (raw: unknown) => validateConfig(raw, { env: {}, baseDir: '/etc/dxg', checkFiles: false });

describe('gateway.s2s.preAuthConnectionsPerIp (issue #10: unauthenticated connections per source address)', () => {
  it('defaults to 20', () => {
    const r = validate(baseRaw());
    expect(r.ok && r.value.config.gateway.s2s.preAuthConnectionsPerIp).toBe(20);
  });

  it('takes a configured value', () => {
    const raw = baseRaw();
    raw.gateway.s2s.preAuthConnectionsPerIp = 5;
    const r = validate(raw);
    expect(r.ok && r.value.config.gateway.s2s.preAuthConnectionsPerIp).toBe(5);
  });

  it.each([
    ['zero', 0],
    ['a fraction', 2.5],
    ['a string', '20'],
  ])('refuses %s, naming the key', (_name, value) => {
    const raw = baseRaw();
    raw.gateway.s2s.preAuthConnectionsPerIp = value;
    const r = validate(raw);
    expect(r.ok ? [] : r.error.errors.map((e) => `${e.path}: ${e.message}`)).toContainEqual(expect.stringMatching(/^gateway\.s2s\.preAuthConnectionsPerIp: /));
  });
});

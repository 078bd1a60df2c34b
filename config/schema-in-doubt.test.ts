import { DEFAULT_IN_DOUBT } from '../adapters/xmpp-s2s/in-doubt/options';
import { baseRaw } from './__tests__/fixtures';
import { validateConfig } from './load';

const validate = (raw: unknown) => validateConfig(raw, { env: {}, baseDir: '/etc/dxg', checkFiles: false });
const withInDoubt = (inDoubt: unknown) => {
  const raw = baseRaw() as { gateway: { s2s?: Record<string, unknown> } };
  raw.gateway.s2s = { ...(raw.gateway.s2s ?? {}), inDoubt };
  return validate(raw);
};

describe('gateway.s2s.inDoubt (issue #11)', () => {
  it('defaults to resending once (the documented default) and matches the edge defaults, durations in ms', () => {
    const r = validate(baseRaw());
    if (!r.ok) throw new Error('base config refused');
    expect(r.value.config.gateway.s2s.inDoubt).toEqual(DEFAULT_IN_DOUBT);
  });

  it('takes onStreamLoss: report and converts seconds', () => {
    const r = withInDoubt({ onStreamLoss: 'report', retryWindow: 5, ackTimeout: 10, fenceAfter: 50 });
    expect(r.ok && r.value.config.gateway.s2s.inDoubt).toMatchObject({ onStreamLoss: 'report', retryWindowMs: 5000, ackTimeoutMs: 10_000, fenceAfterMs: 50 });
  });

  it.each([[{ onStreamLoss: 'drop' }], [{ maxPerStream: 0 }], [{ fenceEvery: -1 }], [{ unknown: 1 }]])('refuses %j', (v) => {
    expect(withInDoubt(v).ok).toBe(false);
  });
});

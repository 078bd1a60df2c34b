import { validateConfig } from './load';
import { baseRaw } from './__tests__/fixtures';

const validate = (raw: unknown, env: Record<string, string> = {}) => validateConfig(raw, { env, baseDir: '/etc/dxg', checkFiles: false });

function presenceOf(raw: unknown, env: Record<string, string> = {}) {
  const r = validate(raw, env);
  if (!r.ok) throw new Error(r.error.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return r.value.config.gateway.presence;
}

function errorLines(raw: unknown): string[] {
  const r = validate(raw);
  return r.ok ? [] : r.error.errors.map((e) => `${e.path}: ${e.message}`);
}

describe('gateway.presence (issue #8)', () => {
  it('defaults: enabled, embedded SQLite next to the config file, 5 s sweeps, 30 s liveness, 5000 watchers per contact, 2000 presence/s per partner', () => {
    expect(presenceOf(baseRaw())).toEqual({
      enabled: true,
      nodeId: undefined,
      store: { kind: 'sqlite', path: '/etc/dxg/presence.sqlite' },
      sweepIntervalMs: 5000,
      livenessMs: 30_000,
      maxWatchersPerContact: 5000,
      maxPresencePerPartner: 2000,
    });
  });

  it('maxPresencePerPartner (RFC 8048 §8.1) is a positive integer', () => {
    const raw = baseRaw();
    raw.gateway.presence = { maxPresencePerPartner: 50 };
    expect(presenceOf(raw).maxPresencePerPartner).toBe(50);
    raw.gateway.presence = { maxPresencePerPartner: 0 };
    expect(errorLines(raw).some((l) => l.startsWith('gateway.presence.maxPresencePerPartner'))).toBe(true);
  });

  it('a relative SQLite path is resolved against the config directory; an absolute one is kept', () => {
    const raw = baseRaw();
    raw.gateway.presence = { store: { kind: 'sqlite', path: 'state/p.db' } };
    expect(presenceOf(raw).store).toEqual({ kind: 'sqlite', path: '/etc/dxg/state/p.db' });
    raw.gateway.presence = { store: { kind: 'sqlite', path: '/var/lib/dxg/p.db' } };
    expect(presenceOf(raw).store).toEqual({ kind: 'sqlite', path: '/var/lib/dxg/p.db' });
  });

  it('Redis: url and key prefix (default "dxg:"), node id kept', () => {
    const raw = baseRaw();
    raw.gateway.presence = { nodeId: 'gw-a', store: { kind: 'redis', url: 'redis://127.0.0.1:6379/2' } };
    const p = presenceOf(raw);
    expect(p.nodeId).toBe('gw-a');
    expect(p.store).toEqual({ kind: 'redis', url: 'redis://127.0.0.1:6379/2', keyPrefix: 'dxg:' });
  });

  it('DXG_PRESENCE_REDIS_URL selects Redis and wins over the file (the URL may carry a password)', () => {
    const raw = baseRaw();
    raw.gateway.presence = { store: { kind: 'redis', url: 'redis://file:6379', keyPrefix: 'gw:' } };
    expect(presenceOf(raw, { DXG_PRESENCE_REDIS_URL: 'redis://:pw@127.0.0.1:6380/1' }).store)
      .toEqual({ kind: 'redis', url: 'redis://:pw@127.0.0.1:6380/1', keyPrefix: 'gw:' });
    expect(presenceOf(baseRaw(), { DXG_PRESENCE_REDIS_URL: 'redis://127.0.0.1:6380' }).store)
      .toEqual({ kind: 'redis', url: 'redis://127.0.0.1:6380', keyPrefix: 'dxg:' });
  });

  it.each([
    [{ store: { kind: 'redis', url: 'http://x' } }, 'gateway.presence.store.url'],
    [{ store: { kind: 'redis' } }, 'gateway.presence.store.url'],
    [{ store: { kind: 'memcached' } }, 'gateway.presence.store.kind'],
    [{ nodeId: 'has space' }, 'gateway.presence.nodeId'],
    [{ sweepInterval: 0 }, 'gateway.presence.sweepInterval'],
    [{ maxWatchersPerContact: -1 }, 'gateway.presence.maxWatchersPerContact'],
    [{ unknownKey: 1 }, 'gateway.presence'],
  ])('refuses %j naming %s', (presence, path) => {
    const raw = baseRaw();
    raw.gateway.presence = presence;
    expect(errorLines(raw).some((l) => l.startsWith(path))).toBe(true);
  });
});

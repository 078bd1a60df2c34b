/**
 * The compose lab file (issue #9), checked statically because Docker cannot run
 * on CI: Debian's docker-compose validates it against the Compose schema
 * (`config` needs no engine), and the resolved services must each have a
 * healthcheck (so `docker compose up --wait` means "all healthy"), start only
 * after what they depend on is healthy, and run pinned images (a moving tag
 * such as `latest` makes the lab a different lab every week).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '..', '..');

interface Service {
  readonly image?: string;
  readonly build?: unknown;
  readonly healthcheck?: { readonly test?: unknown };
  readonly depends_on?: Record<string, { readonly condition?: string }>;
}

function resolvedCompose(): { services: Record<string, Service> } {
  const r = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw new Error(`docker-compose (Debian package, scripts/install-test-deps.sh) did not run: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`docker-compose config refused docker-compose.yml:\n${r.stderr}`);
  return parse(r.stdout) as { services: Record<string, Service> };
}

describe('docker-compose.yml (the interop lab; issue #9)', () => {
  const compose = resolvedCompose();
  const services = Object.entries(compose.services);

  it('is a valid Compose file with the four lab services', () => {
    expect(services.map(([n]) => n).sort()).toEqual(['drachtio', 'ejabberd', 'gateway', 'sip-ua']);
  });

  it.each(services)('%s has a healthcheck, so `docker compose up --wait` waits for it', (_name, s) => {
    expect(Array.isArray(s.healthcheck?.test)).toBe(true);
  });

  it.each(services)('%s runs a pinned image (a version tag, never latest) or one built here from pinned bases', (_name, s) => {
    expect(s.image ?? '').toMatch(/:[^:/]+$/);
    expect(s.image).not.toMatch(/:latest$/);
  });

  it.each(services.filter(([, s]) => s.depends_on))('%s starts only once what it depends on is healthy', (_name, s) => {
    for (const dep of Object.values(s.depends_on ?? {})) expect(dep.condition).toBe('service_healthy');
  });

  it('every FROM line of the Dockerfiles names an exact version', () => {
    for (const f of ['Dockerfile', 'lab/sipp/Dockerfile']) {
      const froms = fs.readFileSync(path.join(ROOT, f), 'utf8').split('\n').filter((l) => /^FROM /.test(l));
      expect(froms.length).toBeGreaterThan(0);
      for (const l of froms) expect(l).toMatch(/^FROM [^\s:]+:\d+(\.\d+)+[^\s]*( AS \w+)?$/);
    }
  });
});

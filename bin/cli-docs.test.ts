/**
 * What an operator reads next to the program agrees with the repository (issue #14,
 * "Repository hygiene"): the licence, the bench guide, the compose-lab prerequisites and
 * the configuration file's name. Reads tracked files only; writes nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');
const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');
const pkg = JSON.parse(read('package.json')) as { license: string; scripts: Record<string, string> };

describe('LICENSE', () => {
  it('exists and is the licence package.json names (MIT)', () => {
    expect(pkg.license).toBe('MIT');
    const text = read('LICENSE');
    expect(text.split('\n')[0]).toBe('MIT License');
    expect(text).toContain('Permission is hereby granted, free of charge');
  });
});

describe('bench/README.md', () => {
  const guide = read('bench/README.md');
  const benchScripts = Object.keys(pkg.scripts).filter((s) => s === 'bench' || s.startsWith('bench:'));

  it.each(benchScripts)('documents `npm run %s`', (script) => {
    expect(guide).toContain(`\`npm run ${script}\``);
  });

  it('names only files that exist (every …\.ts|json|md it mentions, from the root, bench/ or bench/results/)', () => {
    // Globs (suites/*.ts) are patterns, not files; a name next to a `*` is not matched.
    const cited = [...guide.matchAll(/(?<![\w*./-])([\w./-]+\.(?:ts|json|md))(?![\w*])/g)].map((m) => m[1]!);
    expect(cited.length).toBeGreaterThan(10);
    const missing = cited.filter((f) => ![ROOT, path.join(ROOT, 'bench'), path.join(ROOT, 'bench', 'results')].some((d) => existsSync(path.join(d, f))));
    expect(missing).toEqual([]);
  });

  it('gives each script\'s results file, and every results file it names is in bench/results/', () => {
    const results = [...guide.matchAll(/bench\/results\/([\w.-]+\.(?:json|md))/g)].map((m) => m[1]!);
    expect(new Set(results).size).toBeGreaterThanOrEqual(benchScripts.length);
    for (const f of results) expect(existsSync(path.join(ROOT, 'bench', 'results', f))).toBe(true);
  });

  it('promises nothing as "still to come"', () => {
    expect(guide).not.toMatch(/still to come/i);
  });
});

describe('README and config/example.yaml', () => {
  const readme = read('README.md');

  it('one configuration file name: README, config/example.yaml and the Dockerfile agree', () => {
    const names = (text: string) => new Set([...text.matchAll(/\/etc\/drachtio-xmpp-gateway\/([\w.-]+\.ya?ml)/g)].map((m) => m[1]));
    const all = new Set([...names(readme), ...names(read('config/example.yaml')), ...names(read('Dockerfile'))]);
    expect([...all]).toEqual(['gateway.yaml']);
  });

  it('the compose-lab walkthrough lists sipp among what the host needs', () => {
    const start = readme.indexOf('## Send your first message (compose lab)');
    const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
    expect(section).toMatch(/On the host you need[^]*?\*\*sipp\*\*/);
  });
});

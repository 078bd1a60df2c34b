import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The version in our package.json, found by walking up from this file: it is
 * bin/ when run through tsx and dist/bin/ when built, and package.json is not
 * part of the compiled program (importing it would make tsc copy it into dist/,
 * where the published package has none).
 */
export function packageVersion(from: string = __dirname): string {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'drachtio-xmpp-gateway' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // no package.json here (or not ours): keep walking up
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return 'unknown';
}

/** The committed corpus: fuzz/corpus/<target>/<sha1 of the input>, raw bytes. */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const CORPUS_ROOT = path.resolve(__dirname, '..', 'corpus');
export const CRASH_ROOT = path.resolve(__dirname, '..', 'crashes');

export const inputName = (b: Buffer): string => createHash('sha1').update(b).digest('hex');

export function readCorpus(target: string, root = CORPUS_ROOT): Buffer[] {
  const dir = path.join(root, target);
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).sort().map((f) => fs.readFileSync(path.join(dir, f)));
}

export function writeInput(root: string, target: string, b: Buffer): string {
  const dir = path.join(root, target);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, inputName(b));
  fs.writeFileSync(file, b);
  return file;
}

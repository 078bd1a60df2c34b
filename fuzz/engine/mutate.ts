/**
 * Byte-level mutations in the style of libFuzzer's default mutators: bit
 * flips, random bytes, insertions and deletions, chunk duplication, splices
 * with another corpus entry, and insertion of target dictionary tokens (the
 * syntax that reaches deep code: '<!--', ']]>', 'xmlns=' …). Output is
 * bounded by maxBytes.
 */
import type { Random } from './random';

export function mutate(input: Buffer, r: Random, corpus: readonly Buffer[], dictionary: readonly string[], maxBytes: number): Buffer {
  let b = Buffer.from(input);
  const rounds = 1 + r.below(4);
  for (let i = 0; i < rounds; i++) {
    const at = r.below(b.length + 1);
    switch (r.below(8)) {
      case 0: // flip a bit
        if (b.length > 0) { const j = r.below(b.length); b[j] = (b[j] as number) ^ (1 << r.below(8)); }
        break;
      case 1: // a random byte
        if (b.length > 0) b[r.below(b.length)] = r.below(256);
        break;
      case 2: // insert random bytes
        b = Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 1 + r.below(8) }, () => r.below(256))), b.subarray(at)]);
        break;
      case 3: // delete a run
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + r.below(16)))]);
        break;
      case 4: { // duplicate a chunk
        const len = 1 + r.below(32);
        b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + len), b.subarray(at)]);
        break;
      }
      case 5: { // splice with another input
        const other = corpus.length > 0 ? r.pick(corpus) : b;
        const from = r.below(other.length + 1);
        b = Buffer.concat([b.subarray(0, at), other.subarray(from, from + 1 + r.below(64))]);
        break;
      }
      case 6: // a dictionary token
        if (dictionary.length > 0) b = Buffer.concat([b.subarray(0, at), Buffer.from(r.pick(dictionary), 'utf8'), b.subarray(at)]);
        break;
      default: // truncate
        b = b.subarray(0, at);
    }
  }
  return b.length > maxBytes ? b.subarray(0, maxBytes) : b;
}

/**
 * Deterministic random text for bounded property tests (no Math.random: the same seed
 * always gives the same cases, so a failure is reproducible from its seed and index).
 */

/** mulberry32: a tiny seeded 32-bit PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const range = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => String.fromCodePoint(from + i));

/**
 * Printable characters a JID localpart can carry after XEP-0106 escaping: every printable
 * ASCII character (space and all punctuation included), Latin-1 and other BMP letters,
 * and astral-plane letters and symbols (surrogate pairs in UTF-16).
 */
export const PRINTABLE_POOL: readonly string[] = [
  ...range(0x20, 0x7e),
  ...range(0xc0, 0xff).filter((c) => c !== '×' && c !== '÷'),
  ...range(0x391, 0x3a9).filter((c) => c !== '\u03a2'), // Greek capitals (U+03A2 unassigned)
  ...range(0x430, 0x44f), // Cyrillic
  ...range(0x4e00, 0x4e3f), // CJK
  ...range(0x10330, 0x1034a), // Gothic (astral)
  ...range(0x20000, 0x2001f), // CJK Extension B (astral)
  ...range(0x1f600, 0x1f64f), // emoticons (astral symbols, allowed by nodeprep)
  '☺', '€', '…', '«', '»',
];

/** A string of 1..maxLen characters from `pool`. */
export function randomText(rand: () => number, pool: readonly string[], maxLen: number): string {
  const len = 1 + Math.floor(rand() * maxLen);
  let s = '';
  for (let i = 0; i < len; i++) s += pool[Math.floor(rand() * pool.length)] as string;
  return s;
}

/**
 * Aligns expected lines (templates) with actual lines for a readable diff:
 * longest common subsequence under a match predicate. When every line matches
 * position by position (the normal case) the O(n·m) table is skipped.
 */

export type AlignStep =
  | { readonly kind: 'same'; readonly f: number; readonly r: number }
  | { readonly kind: 'missing'; readonly f: number }
  | { readonly kind: 'extra'; readonly r: number };

/** Above this many cells the diff falls back to a positional comparison. */
const MAX_CELLS = 4_000_000;

export function alignLines<T>(expected: readonly T[], actual: readonly string[], same: (t: T, line: string) => boolean): AlignStep[] {
  const n = expected.length;
  const m = actual.length;
  const positional = (): AlignStep[] => {
    const out: AlignStep[] = [];
    for (let i = 0; i < Math.max(n, m); i++) {
      const e = expected[i];
      const a = actual[i];
      if (e !== undefined && a !== undefined && same(e, a)) out.push({ kind: 'same', f: i, r: i });
      else {
        if (e !== undefined) out.push({ kind: 'missing', f: i });
        if (a !== undefined) out.push({ kind: 'extra', r: i });
      }
    }
    return out;
  };
  if (n === m && expected.every((e, i) => same(e, actual[i] ?? ''))) return expected.map((_, i) => ({ kind: 'same', f: i, r: i }));
  if ((n + 1) * (m + 1) > MAX_CELLS) return positional();

  const eq: boolean[][] = expected.map((e) => actual.map((a) => same(e, a)));
  // lcs[i][j] = LCS length of expected[i..] and actual[j..]
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const row = lcs[i] as number[];
      const below = lcs[i + 1] as number[];
      row[j] = eq[i]?.[j] ? (below[j + 1] ?? 0) + 1 : Math.max(below[j] ?? 0, row[j + 1] ?? 0);
    }
  }
  const out: AlignStep[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && eq[i]?.[j]) { out.push({ kind: 'same', f: i, r: j }); i++; j++; }
    else if (j < m && (i >= n || (lcs[i]?.[j + 1] ?? 0) >= (lcs[i + 1]?.[j] ?? 0))) { out.push({ kind: 'extra', r: j }); j++; }
    else { out.push({ kind: 'missing', f: i }); i++; }
  }
  return out;
}

/**
 * `diagnose` findings and how they are printed (issue #9). Pure: one line
 * per finding for people, one JSON document for scripts.
 */

/** pass ✓, fail ✗ (federation will not work), warn ! (works, but fix it), info · (context). */
export type FindingStatus = 'pass' | 'fail' | 'warn' | 'info';

export interface Finding {
  /** What was checked, e.g. `dns.peer`, `tls.certificate`, `policy.partner`, `auth`. */
  readonly check: string;
  readonly status: FindingStatus;
  readonly text: string;
}

const MARK: Record<FindingStatus, string> = { pass: '✓', fail: '✗', warn: '!', info: '·' };

export const failed = (fs: readonly Finding[]): boolean => fs.some((f) => f.status === 'fail');

export function formatFindings(domain: string, fs: readonly Finding[]): string {
  const lines = fs.map((f) => `${MARK[f.status]} ${f.text}\n`).join('');
  const verdict = failed(fs)
    ? `✗ federation with ${domain} will not work: ${fs.filter((f) => f.status === 'fail').length} problem(s) above\n`
    : `✓ federation with ${domain} should work\n`;
  return `diagnose ${domain}\n${lines}${verdict}`;
}

export function findingsJson(domain: string, fs: readonly Finding[], details: Record<string, unknown>): string {
  return `${JSON.stringify({ domain, ok: !failed(fs), findings: fs, ...details }, null, 2)}\n`;
}

/** SRV answer → one readable line part: `target:port (prio 0, weight 5), …` or the resolver's code. */
export function srvText(a: { records: ReadonlyArray<{ target: string; port: number; priority: number; weight: number }>; error?: string }): string {
  if (a.records.length === 0) return `none (${a.error ?? 'no records'})`;
  return a.records.map((r) => `${r.target.replace(/\.$/, '')}:${r.port} (priority ${r.priority}, weight ${r.weight})`).join(', ');
}

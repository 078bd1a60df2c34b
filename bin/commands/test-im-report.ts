/**
 * `test-im` steps (issue #9, Lync Test-CsXmppIM): what the S2S edge did,
 * read back from its own pino lines (adapters/xmpp-s2s: one line per
 * connection event), and how the steps are printed. Pure.
 */

export type StepName = 'policy.sender' | 'policy.partner' | 'dns' | 'tcp' | 'tls' | 'auth' | 'stanza' | 'confirm' | 'error' | 'note';

export interface Step {
  readonly step: StepName;
  /** true ✓, false ✗, undefined · (context). */
  readonly ok: boolean | undefined;
  /** Milliseconds since the test started. */
  readonly atMs: number;
  readonly text: string;
}

/** The fields of the edge's log lines that the steps use (pino JSON). */
export interface EdgeLogLine {
  readonly time: number;
  readonly msg: string;
  readonly dir?: string;
  readonly remote?: string;
  readonly ip?: string;
  readonly secure?: boolean;
  readonly mechanism?: string;
  readonly cert?: { chain: string; identity: string; chainError?: string };
  readonly condition?: string;
  readonly text?: string;
  readonly byPeer?: boolean;
  readonly reason?: string;
  readonly err?: string;
  readonly failure?: string;
  readonly type?: string;
  readonly confirmations?: string;
}

/**
 * The connection steps of the outbound stream to `remote`, in order. The
 * edge logs: "outbound connection opened" (TCP or direct TLS up), "tls
 * established" (with the certificate verdict), "authenticated", "SASL
 * EXTERNAL refused by the peer", "dialback not accepted", "closing stream
 * with error", "stream closed", and the router's "outbound connection failed".
 */
export function stepsFromEdgeLog(lines: readonly EdgeLogLine[], remote: string, startedAt: number): Step[] {
  const out: Step[] = [];
  const at = (l: EdgeLogLine) => Math.max(0, l.time - startedAt);
  for (const l of lines) {
    if (l.remote !== undefined && l.remote !== remote) continue;
    if (l.dir !== undefined && l.dir !== 'out') continue;
    switch (l.msg) {
      case 'outbound connection failed':
        out.push({ step: 'tcp', ok: false, atMs: at(l), text: `no connection (${l.condition ?? 'remote-server-not-found'}): ${l.err ?? ''}`.trim() });
        break;
      case 'outbound connection opened':
        out.push({ step: 'tcp', ok: true, atMs: at(l), text: `connected to ${l.ip ?? remote}${l.secure ? ' (direct TLS, XEP-0368)' : ''}` });
        break;
      case 'tls established': {
        const c = l.cert;
        const verdict = !c ? 'no certificate verdict'
          : `certificate chain ${c.chain}${c.chainError ? ` (${c.chainError})` : ''}, names ${remote}: ${c.identity === 'valid' ? 'yes' : 'no'} (RFC 6125)`;
        out.push({ step: 'tls', ok: true, atMs: at(l), text: `TLS established; ${verdict}` });
        break;
      }
      case 'SASL EXTERNAL refused by the peer':
        out.push({ step: 'auth', ok: undefined, atMs: at(l), text: `SASL EXTERNAL refused by the peer (${l.failure ?? 'failure'}); trying dialback if allowed` });
        break;
      case 'dialback not accepted':
        out.push({ step: 'auth', ok: false, atMs: at(l), text: `dialback not accepted by the peer (type ${l.type ?? '?'})` });
        break;
      case 'authenticated':
        out.push({ step: 'auth', ok: true, atMs: at(l), text: `authenticated with ${l.mechanism === 'EXTERNAL' ? 'SASL EXTERNAL (XEP-0178)' : l.mechanism === 'dialback' ? 'dialback (XEP-0220)' : l.mechanism ?? '?'}${l.secure ? ' over TLS' : ' over plain TCP'}` });
        break;
      case 'closing stream with error':
        out.push({ step: 'error', ok: false, atMs: at(l), text: `we closed the stream: ${l.condition ?? 'error'}${l.text ? ` — ${l.text}` : ''}` });
        break;
      case 'stream closed':
        if (l.byPeer && l.condition) out.push({ step: 'error', ok: false, atMs: at(l), text: `the peer closed the stream with <${l.condition}/> (RFC 6120 §4.9.3)${l.text ? `: ${l.text}` : ''}` });
        break;
      default:
        break;
    }
  }
  return out;
}

export const testFailed = (steps: readonly Step[]): boolean => steps.some((s) => s.ok === false);

export function formatSteps(title: string, steps: readonly Step[]): string {
  const mark = (s: Step) => (s.ok === true ? '✓' : s.ok === false ? '✗' : '·');
  const width = Math.max(...steps.map((s) => String(s.atMs).length), 1);
  const body = steps.map((s) => `${mark(s)} ${String(s.atMs).padStart(width)} ms  ${s.step.padEnd(14)} ${s.text}\n`).join('');
  return `${title}\n${body}${testFailed(steps) ? '✗ test-im failed\n' : '✓ test-im passed\n'}`;
}

/**
 * `status` (issue #9): the running gateway's live S2S streams per partner
 * (direction, authentication, TLS, age, queue, in doubt), its drachtio
 * connection and request gate, and the failures since it started — read from
 * its admin endpoint, so it shows that process and not a guess from the file.
 */
import { callAdmin } from './admin-client';
import { EXIT_STEP_FAILED, type CommandContext } from './command-context';

interface StatusBody {
  readonly drachtio: { readonly connected: boolean; readonly outstanding: number; readonly queued: number };
  readonly streams: ReadonlyArray<{
    readonly partner: string; readonly local: string; readonly direction: string; readonly auth: string; readonly secure: boolean;
    readonly established: boolean; readonly ageSeconds: number; readonly queued: number; readonly inDoubt: number;
  }>;
  readonly failuresSinceStart: { readonly stanzaErrors: Record<string, number>; readonly sipFailures: Record<string, number> };
}

const pad = (s: string, n: number): string => (s.length >= n ? `${s} ` : s + ' '.repeat(n - s.length));

export function formatStatus(b: StatusBody): string {
  const out: string[] = [];
  out.push(`drachtio: ${b.drachtio.connected ? 'connected' : 'NOT CONNECTED'}, ${b.drachtio.outstanding} SIP request(s) outstanding, ${b.drachtio.queued} queued`);
  out.push(`S2S streams: ${b.streams.length}`);
  if (b.streams.length > 0) {
    out.push(`  ${pad('partner', 24)}${pad('direction', 10)}${pad('auth', 10)}${pad('tls', 5)}${pad('age', 8)}${pad('queued', 7)}in-doubt`);
    const sorted = [...b.streams].sort((x, y) => x.partner.localeCompare(y.partner) || x.direction.localeCompare(y.direction));
    for (const s of sorted) {
      const auth = s.established ? s.auth : `${s.auth}…`;
      out.push(`  ${pad(s.partner || '(unnamed)', 24)}${pad(s.direction, 10)}${pad(auth, 10)}${pad(s.secure ? 'yes' : 'no', 5)}${pad(`${s.ageSeconds}s`, 8)}${pad(String(s.queued), 7)}${s.inDoubt}`);
    }
  }
  const f = b.failuresSinceStart;
  const list = (m: Record<string, number>) => Object.entries(m).sort(([a], [c]) => a.localeCompare(c)).map(([k, n]) => `${k}: ${n}`).join(', ') || 'none';
  out.push(`failures since start: error stanzas ${list(f.stanzaErrors)}; SIP ${list(f.sipFailures)}`);
  return `${out.join('\n')}\n`;
}

export async function runStatus(cmd: { readonly json: boolean }, ctx: CommandContext): Promise<number> {
  const admin = ctx.loaded.config.gateway.admin;
  if (!admin) {
    ctx.stderr.write(`status needs the running gateway's admin endpoint: set gateway.admin.port in ${ctx.file}\n`);
    return EXIT_STEP_FAILED;
  }
  const r = await callAdmin(admin, '/status', 'GET');
  if (!r.ok || r.status !== 200) {
    ctx.stderr.write(`${r.ok ? `the admin endpoint answered ${r.status}` : r.why}\n`);
    return EXIT_STEP_FAILED;
  }
  ctx.stdout.write(cmd.json ? `${JSON.stringify(r.body, null, 2)}\n` : formatStatus(r.body as StatusBody));
  return 0;
}

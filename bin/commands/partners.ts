/**
 * `partners list | show | add | set | remove` (issue #9): Lync's
 * Get/New/Set/Remove-CsXmppAllowedPartner over the configuration file. An
 * edit is validated with the whole schema (Lync's TLS/SASL/dialback matrix
 * included) before the file is written, so the file is never left invalid;
 * then a running gateway is asked to reload (POST /reload with
 * gateway.admin.token), and the command says whether one did.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatIssue } from '../../config/format-issues';
import { parseConfigText } from '../../config/load';
import type { PartnerConfig } from '../../config/types';
import type { PartnersCommand } from '../args';
import { adminUrl, callAdmin } from './admin-client';
import { EXIT_STEP_FAILED, type CommandContext } from './command-context';
import { editPartners } from './partners-edit';

const EXIT_INVALID = 1;

function describe(p: PartnerConfig): string {
  const auth = `tls ${p.tls}, sasl ${p.sasl}, dialback ${p.dialback ? 'on' : 'off'}`;
  const extra = [
    p.additionalDomains.length > 0 ? `also ${p.additionalDomains.join(', ')}` : '',
    p.proxyFqdn !== undefined ? `via ${p.proxyFqdn}` : 'via SRV',
    `limit ${p.connectionLimit}`,
    p.description !== undefined ? `"${p.description}"` : '',
  ].filter(Boolean).join(', ');
  return `${p.domain}  ${p.partnerType}  ${auth}  (${extra})`;
}

const find = (partners: readonly PartnerConfig[], d: string): PartnerConfig | undefined => {
  const n = d.toLowerCase().replace(/\.$/, '');
  return partners.find((p) => p.domain === n || p.additionalDomains.includes(n));
};

async function tellRunningGateway(ctx: CommandContext, admin = ctx.loaded.config.gateway.admin): Promise<void> {
  if (!admin) {
    ctx.stdout.write('no gateway.admin endpoint configured: a running gateway applies the change on SIGHUP (kill -HUP <pid>) or at its next start\n');
    return;
  }
  if (admin.token === undefined) {
    ctx.stdout.write(`gateway.admin.token is not set, so the running gateway at ${adminUrl(admin, '')} cannot be asked to reload over HTTP: send it SIGHUP\n`);
    return;
  }
  const r = await callAdmin(admin, '/reload', 'POST');
  if (!r.ok) {
    ctx.stdout.write(`${r.why}: the change applies at the next start (or SIGHUP)\n`);
    return;
  }
  const body = r.body as { reloaded?: boolean; report?: { closedStreams: number; notApplied: string[] }; error?: string };
  if (r.status === 200 && body.reloaded) {
    const closed = body.report?.closedStreams ?? 0;
    ctx.stdout.write(`the running gateway reloaded${closed > 0 ? `; ${closed} stream(s) that the new policy forbids were closed (policy-violation)` : ''}\n`);
  } else {
    ctx.stderr.write(`the running gateway did not reload (${r.status}): ${body.error ?? JSON.stringify(r.body)}\n`);
  }
}

export async function runPartners(cmd: PartnersCommand, ctx: CommandContext): Promise<number> {
  const partners = ctx.loaded.config.partners;
  if (cmd.action === 'list') {
    ctx.stdout.write(cmd.json ? `${JSON.stringify(partners, null, 2)}\n` : partners.map((p) => `${describe(p)}\n`).join('') || '(no partners)\n');
    return 0;
  }
  const domain = cmd.domain ?? '';
  if (cmd.action === 'show') {
    const p = find(partners, domain);
    if (!p) {
      ctx.stderr.write(`${domain} is not a partner in ${ctx.file}\n`);
      return EXIT_STEP_FAILED;
    }
    ctx.stdout.write(cmd.json ? `${JSON.stringify(p, null, 2)}\n` : Object.entries(p).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}\n`).join(''));
    return 0;
  }
  if (cmd.action === 'set' && Object.keys(cmd.fields).length === 0) {
    ctx.stderr.write('partners set: give at least one setting to change (see partners set --help)\n');
    return 2;
  }
  const before = fs.readFileSync(ctx.file, 'utf8');
  let after: string;
  try {
    after = editPartners(before, cmd.action === 'remove' ? { action: 'remove', domain } : { action: cmd.action, domain, fields: cmd.fields });
  } catch (e) {
    ctx.stderr.write(`partners ${cmd.action}: ${(e as Error).message}\n`);
    return EXIT_STEP_FAILED;
  }
  const checked = parseConfigText(after, { baseDir: path.dirname(path.resolve(ctx.file)), checkFiles: false, sourceName: ctx.file, ...(ctx.env ? { env: ctx.env } : {}) });
  if (!checked.ok) {
    ctx.stderr.write(checked.error.errors.map((i) => `${formatIssue(i)}\n`).join(''));
    ctx.stderr.write(`partners ${cmd.action} ${domain}: refused, ${ctx.file} is unchanged\n`);
    return EXIT_INVALID;
  }
  ctx.stderr.write(checked.value.warnings.map((i) => `${formatIssue(i)}\n`).join(''));
  fs.writeFileSync(ctx.file, after);
  const verb = { add: 'added', set: 'changed', remove: 'removed' }[cmd.action];
  const now = find(checked.value.config.partners, domain);
  ctx.stdout.write(`${domain} ${verb} in ${ctx.file}${now ? `: ${describe(now)}` : ''}\n`);
  await tellRunningGateway(ctx, checked.value.config.gateway.admin);
  return 0;
}

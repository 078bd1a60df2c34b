/**
 * `diagnose DOMAIN` (issue #9): why federation with a domain works or fails.
 * DNS both ways (the peer's SRV records, RFC 6120 §3.2 / XEP-0368, and
 * whether OUR domains publish `_xmpp-server._tcp` so the peer can reach us
 * for dialback and for its own stanzas), then a probe of each target
 * (adapters/xmpp-s2s/probe/stream-probe.ts: TCP, stream features, STARTTLS,
 * the certificate, what it offers after TLS), our partner policy, and whether
 * the combination authenticates, by the edge's own rules (probe/auth-verdict.ts).
 */
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import type { GatewayConfig } from '../../config/types';
import { tlsProviderFromConfig } from '../../adapters/xmpp-s2s/edge-config';
import { resolveS2STargets, type S2STarget } from '../../adapters/xmpp-s2s/net/resolve-targets';
import { authVerdict } from '../../adapters/xmpp-s2s/probe/auth-verdict';
import { boundedResolver, lookupAddresses, lookupSrv, saysUnavailable, type SrvQuery } from '../../adapters/xmpp-s2s/probe/srv-lookup';
import { probeS2S, type OfferedFeatures, type ProbeResult } from '../../adapters/xmpp-s2s/probe/stream-probe';
import { findPartner } from '../../plugin/core/policy/find-partner';
import { normalizeDomain } from '../../plugin/core/policy/xmpp-access';
import type { DiagnoseCommand } from '../args';
import { EXIT_STEP_FAILED, type CommandContext } from './command-context';
import { failed, findingsJson, formatFindings, srvText, type Finding } from './diagnose-report';

/** Probing every SRV target of a big domain would take long; the first few are what the edge tries first. */
const MAX_TARGETS = 4;

export interface DiagnoseDeps {
  readonly srvQuery?: SrvQuery;
  readonly now?: () => number;
}

export interface DiagnoseOutcome {
  readonly findings: Finding[];
  readonly details: Record<string, unknown>;
}

export async function runDiagnose(cmd: DiagnoseCommand, ctx: CommandContext): Promise<number> {
  const domain = normalizeDomain(cmd.domain);
  const { findings, details } = await diagnose(domain, ctx.loaded.config, cmd.timeoutMs);
  ctx.stdout.write(cmd.json ? findingsJson(domain, findings, details) : formatFindings(domain, findings));
  return failed(findings) ? EXIT_STEP_FAILED : 0;
}

export async function diagnose(domain: string, config: GatewayConfig, timeoutMs: number, deps: DiagnoseDeps = {}): Promise<DiagnoseOutcome> {
  const f: Finding[] = [];
  const add = (check: string, status: Finding['status'], text: string) => void f.push({ check, status, text });
  const srvQuery = deps.srvQuery ?? boundedResolver(timeoutMs).resolveSrv;
  const ours = config.gateway.domains;
  const local = ours[0] as string;
  if (ours.includes(domain)) {
    add('policy.partner', 'fail', `${domain} is one of our own domains (gateway.domains), never a federation partner`);
    return { findings: f, details: {} };
  }
  const partner = findPartner(config.partners, config.openFederation, domain);
  const proxyFqdn = partner !== 'not-allowed' ? partner.proxyFqdn : undefined;

  // 1. DNS, the peer's side (RFC 6120 §3.2.1, XEP-0368 §3).
  const [xmpps, xmpp] = await Promise.all([
    lookupSrv(`_xmpps-server._tcp.${domain}`, srvQuery, timeoutMs),
    lookupSrv(`_xmpp-server._tcp.${domain}`, srvQuery, timeoutMs),
  ]);
  const hasSrv = (xmpps.records.length > 0 && !saysUnavailable(xmpps)) || (xmpp.records.length > 0 && !saysUnavailable(xmpp));
  add('dns.peer.xmpps-server', xmpps.records.length > 0 ? 'pass' : 'info', `SRV ${xmpps.name}: ${srvText(xmpps)}`);
  add('dns.peer.xmpp-server', xmpp.records.length > 0 && !saysUnavailable(xmpp) ? 'pass' : proxyFqdn || !saysUnavailable(xmpp) ? 'info' : 'fail',
    `SRV ${xmpp.name}: ${saysUnavailable(xmpp) ? `"." — ${domain} says it offers no XMPP S2S service (RFC 2782)` : srvText(xmpp)}`);
  if (proxyFqdn) add('dns.peer.proxyFqdn', 'info', `partners[].proxyFqdn ${proxyFqdn} overrides SRV: the gateway connects there and does no DNS SRV lookup`);
  const targets = await resolveS2STargets(domain, { resolver: { resolveSrv: srvQuery }, ...(proxyFqdn ? { proxyFqdn } : {}) });
  if (!hasSrv && !proxyFqdn && targets.length > 0) add('dns.peer.fallback', 'info', `no SRV records: falling back to ${domain}:5269 (RFC 6120 §3.2.2)`);
  const addressed: Array<{ target: S2STarget; addresses: readonly string[] }> = [];
  for (const t of targets.slice(0, MAX_TARGETS)) {
    const a = await lookupAddresses(t.host, timeoutMs);
    if (a.addresses.length > 0) addressed.push({ target: t, addresses: a.addresses });
    add('dns.peer.address', a.addresses.length > 0 ? 'pass' : 'fail', `target ${t.host}:${t.port}${t.directTls ? ' (direct TLS)' : ''} → ${a.addresses.length > 0 ? a.addresses.join(', ') : `does not resolve (${a.error ?? 'no address'})`}`);
  }
  if (targets.length === 0) add('dns.peer.targets', 'fail', `${domain} has no S2S target`);

  // 2. DNS, our side: the peer needs our SRV (or A) record to send to us and to verify dialback keys (XEP-0220 §2.1.2).
  for (const d of ours) {
    const s = await lookupSrv(`_xmpp-server._tcp.${d}`, srvQuery, timeoutMs);
    if (s.records.length > 0 && !saysUnavailable(s)) { add('dns.ours.srv', 'pass', `our ${s.name}: ${srvText(s)}`); continue; }
    const a = await lookupAddresses(d, timeoutMs);
    add('dns.ours.srv', a.addresses.length > 0 ? 'warn' : 'fail', a.addresses.length > 0
      ? `our ${s.name}: ${srvText(s)}; peers fall back to ${d}:5269 (${a.addresses.join(', ')}) — publish an SRV record to be found reliably`
      : `our ${s.name}: ${srvText(s)} and ${d} has no address: peers cannot reach us (no inbound stanzas, no dialback)`);
  }

  // 3. Probe each target: TCP, stream, features, TLS, certificate, features after TLS.
  const sc = secureContextFor(config, local);
  const probes: ProbeResult[] = [];
  for (const { target } of addressed) {
    const p = await probeS2S(target, { local, remote: domain, secureContext: sc.context, timeoutMs });
    probes.push(p);
    reportProbe(p, domain, add);
  }
  const good = probes.find((p) => p.stage === 'done' || p.tlsFeatures !== undefined || p.features !== undefined);

  // 4. Our policy (Lync XmppAllowedPartner, anchors.md §1.2).
  if (partner === 'not-allowed') {
    add('policy.partner', 'fail', `${domain} is not an allowed partner (not in partners[], openFederation.enabled is false): the gateway refuses streams with it`);
  } else {
    const where = partner.source === 'listed' ? `listed in partners[] (${partner.domain})` : 'allowed by openFederation';
    add('policy.partner', 'pass', `${domain} is ${where}: partnerType ${partner.partnerType}, tls ${partner.tls}, sasl ${partner.sasl}, dialback ${partner.dialback}${partner.description ? ` — ${partner.description}` : ''}`);
    if (!sc.own && partner.tls !== 'NotSupported') add('policy.certificate', partner.tls === 'Required' ? 'fail' : 'warn', `no certificate for ${local} in gateway.s2s.certificates: no TLS with ${domain}`);
    if (good) {
      const v = authVerdict({
        policy: partner, directTls: good.target.directTls, features: good.features, tlsFeatures: good.tlsFeatures,
        certificate: good.certificate?.status, haveOwnCertificate: sc.own, haveDialbackSecret: config.gateway.s2s.dialbackSecret !== undefined,
      });
      if (v.ok) {
        add('auth', 'pass', `authentication would use ${v.method === 'EXTERNAL' ? 'SASL EXTERNAL (XEP-0178)' : 'dialback (XEP-0220)'} ${v.secure ? 'over TLS' : 'over plain TCP'}${v.note ? `; ${v.note}` : ''}`);
        if (v.method === 'dialback') add('auth.dialback', 'info', `dialback: ${domain} calls back ${local}'s authoritative server (our SRV/A record), which the running gateway answers from gateway.s2s.dialbackSecret (XEP-0185)`);
      } else {
        add('auth', 'fail', `no authentication possible: ${v.reason}`);
      }
    } else {
      add('auth', 'fail', `cannot tell whether authentication works: no target of ${domain} got as far as its stream features`);
    }
  }
  return { findings: f, details: { srv: { peer: [xmpps, xmpp] }, targets, probes } };
}

type Add = (check: string, status: Finding['status'], text: string) => void;

const offers = (x: OfferedFeatures): string =>
  [x.starttls ? `STARTTLS${x.starttlsRequired ? ' (required)' : ''}` : '', x.mechanisms.length ? `SASL ${x.mechanisms.join(' ')}` : '', x.dialback ? 'dialback' : ''].filter(Boolean).join(', ') || 'nothing';

function reportProbe(p: ProbeResult, domain: string, add: Add): void {
  const where = `${p.target.host}:${p.target.port}${p.target.directTls ? ' (direct TLS, XEP-0368)' : ''}`;
  if (p.stage === 'connect') return add('tcp', 'fail', `TCP ${where}: ${p.error}`);
  add('tcp', 'pass', `TCP ${where}${p.address ? ` (${p.address})` : ''} connected in ${p.connectMs} ms`);
  if (p.streamError) return add('stream', 'fail', `stream to ${domain}: the peer answered with the stream error <${p.streamError}/> (RFC 6120 §4.9.3)`);
  if (p.stage === 'stream') return add('stream', 'fail', `stream to ${domain}: ${p.error}`);
  if (p.features) {
    add('stream', 'pass', `stream opened as our domain (id ${p.streamId ?? '?'}); ${domain} offers: ${offers(p.features)}`);
    add('tls.starttls', p.features.starttls ? 'pass' : 'warn', p.features.starttls
      ? `STARTTLS offered${p.features.starttlsRequired ? ' and required' : ' (optional)'} (RFC 6120 §5)` : `STARTTLS not offered: the stream would be plain TCP`);
  }
  if (p.stage === 'features' && p.error) return add('stream', 'fail', `stream features: ${p.error}`);
  if (p.stage === 'starttls' || p.stage === 'tls') return add('tls', 'fail', `TLS with ${domain}: ${p.error}`);
  const c = p.certificate;
  if (c) {
    add('tls', 'pass', `TLS ${p.tlsProtocol ?? ''} established`.replace('  ', ' '));
    add('tls.certificate', 'info', `certificate: subject ${c.subject}; SAN DNS ${c.dnsNames.join(' ') || '-'}, SRVName ${c.srvNames.join(' ') || '-'}; issuer ${c.issuer}; valid ${c.validFrom} – ${c.validTo}${c.expired ? ' (EXPIRED or not yet valid)' : ''}`);
    add('tls.identity', c.status.identity === 'valid' ? 'pass' : 'warn', c.status.identity === 'valid'
      ? `certificate names ${domain} (RFC 6125 DNS-ID / SRV-ID)` : `certificate does not name ${domain} (RFC 6125 DNS-ID / SRV-ID): no SASL EXTERNAL`);
    add('tls.chain', c.status.chain === 'valid' ? 'pass' : 'warn', c.status.chain === 'valid'
      ? 'certificate chains to our trust anchors (system roots + gateway.s2s.caFile)' : `certificate does not chain to our trust anchors: ${c.status.chainError ?? 'unknown'}`);
  }
  if (p.stage === 'features-after-tls') return add('stream', 'fail', `stream after TLS: ${p.error}`);
  const after = p.tlsFeatures;
  if (after) {
    add('sasl.external', after.mechanisms.includes('EXTERNAL') ? 'pass' : 'info', after.mechanisms.includes('EXTERNAL')
      ? 'SASL EXTERNAL offered after TLS (it accepts our certificate, XEP-0178)' : `SASL EXTERNAL not offered after TLS${after.mechanisms.length ? ` (offers ${after.mechanisms.join(' ')})` : ''}`);
  }
  const last = after ?? p.features;
  if (last) add('dialback', last.dialback ? 'pass' : 'info', last.dialback ? 'dialback offered (XEP-0220 urn:xmpp:features:dialback)' : 'dialback not advertised (XEP-0220 urn:xmpp:features:dialback)');
  add('stream.close', 'info', p.closedPolitely ? 'stream closed politely (both </stream:stream>, RFC 6120 §4.4)' : 'the peer did not answer our </stream:stream>');
}

/** The gateway's own context for our domain (our client certificate + trust anchors), else trust anchors only. */
function secureContextFor(config: GatewayConfig, local: string): { context: tls.SecureContext; own: boolean } {
  const own = tlsProviderFromConfig(config.gateway.s2s).secureContext(local);
  if (own) return { context: own, own: true };
  const caFile = config.gateway.s2s.caFile;
  return { context: tls.createSecureContext(caFile ? { ca: [...tls.rootCertificates, readFileSync(caFile, 'utf8')] } : {}), own: false };
}

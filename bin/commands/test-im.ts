/**
 * `test-im --from sip:user@ours --to user@partner` (issue #9, Lync
 * Test-CsXmppIM): one real <message type='chat'/> over federation, through
 * the gateway's own S2S edge (created from the configuration, its listener
 * NOT started: the running gateway holds our port), reported step by step
 * with times: policy, DNS/SRV, TCP, TLS and the certificate verdict, the
 * authentication used, the stanza written on an authenticated stream, and
 * any error that came back on this connection within the timeout.
 *
 * What it cannot see: stanzas the peer sends back to our domain (errors for
 * this message, XEP-0199 fence replies) travel over the peer's own stream to
 * our domain's listener, i.e. the running gateway. And with dialback the peer
 * verifies our key by calling our domain's authoritative server — the running
 * gateway answers that statelessly from the shared dialback secret (XEP-0185).
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { edgeDepsFromConfig } from '../../adapters/xmpp-s2s/edge-config';
import { createS2SEdge, type S2SEdge } from '../../adapters/xmpp-s2s/edge';
import { resolveS2STargets } from '../../adapters/xmpp-s2s/net/resolve-targets';
import type { RouteResult } from '../../adapters/xmpp-s2s/router';
import { boundedResolver, lookupAddresses } from '../../adapters/xmpp-s2s/probe/srv-lookup';
import { buildGatewayPolicy } from '../../adapters/policy/gateway-policy';
import { NS_STANZA_ERRORS } from '../../adapters/xmpp-s2s/stream/namespaces';
import { sipUriToJid } from '../../plugin/core/address/address-mapping';
import { formatJid, parseJid } from '../../plugin/core/address/jid';
import { unescapeLocalpart } from '../../plugin/core/address/xep0106';
import { childElements, el, namespaceOf, localName, type XmlElement } from '../../plugin/core/xml/xml-element';
import { serializeXml } from '../../plugin/core/xml/serialize-xml';
import type { TestImCommand } from '../args';
import { EXIT_STEP_FAILED, type CommandContext } from './command-context';
import { formatSteps, stepsFromEdgeLog, testFailed, type EdgeLogLine, type Step } from './test-im-report';

/** After the write: how long to watch the connection for a stream error or an ack. */
const LINGER_MS = 2000;
const STOP_MS = 3000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

export async function runTestIm(cmd: TestImCommand, ctx: CommandContext): Promise<number> {
  const { steps, details } = await testIm(cmd, ctx);
  const title = `test-im ${cmd.from} → ${cmd.to}`;
  ctx.stdout.write(cmd.json ? `${JSON.stringify({ from: cmd.from, to: cmd.to, ok: !testFailed(steps), steps, ...details }, null, 2)}\n` : formatSteps(title, steps));
  return testFailed(steps) ? EXIT_STEP_FAILED : 0;
}

export async function testIm(cmd: TestImCommand, ctx: CommandContext): Promise<{ steps: Step[]; details: Record<string, unknown> }> {
  const config = ctx.loaded.config;
  const started = Date.now();
  const deadline = started + cmd.timeoutMs;
  const steps: Step[] = [];
  const step = (s: Step['step'], ok: boolean | undefined, text: string) => steps.push({ step: s, ok, atMs: Date.now() - started, text });
  const done = (details: Record<string, unknown> = {}) => ({ steps, details });

  // 1. Our side of the policy, as a SIP MESSAGE from this user would meet it (RFC 7247 §6.4 mapping).
  // Trusted SIP sources play no part here (no SIP request), so their host names are not resolved.
  const policy = await buildGatewayPolicy(config, async () => ['0.0.0.0']);
  const from = sipUriToJid(cmd.from);
  if (!from.ok) return step('policy.sender', false, `${cmd.from} does not map to a JID (RFC 7247 §6.4): ${from.error.detail}`), done();
  const fromJid = from.value;
  if (fromJid.local === undefined || !policy.ourDomains.has(fromJid.domain)) {
    return step('policy.sender', false, `${cmd.from} is not a user of our domains (${[...policy.ourDomains].join(', ')})`), done();
  }
  if (!policy.mayFederate(unescapeLocalpart(fromJid.local), fromJid.domain)) {
    return step('policy.sender', false, `${cmd.from} may not federate over XMPP (policy: Lync EnableXmppAccess)`), done();
  }
  step('policy.sender', true, `${cmd.from} → ${formatJid(fromJid)} (RFC 7247 §6.4) may federate`);

  const to = parseJid(cmd.to);
  if (!to.ok || to.value.local === undefined) return step('policy.partner', false, `${cmd.to} is not a user JID (RFC 7622)`), done();
  const toJid = to.value;
  if (policy.ourDomains.has(toJid.domain)) return step('policy.partner', false, `${toJid.domain} is our own domain, not an XMPP partner`), done();
  const partner = policy.partnerFor(toJid.domain);
  if (partner === 'not-allowed') {
    return step('policy.partner', false, `${toJid.domain} is not an allowed partner (not in partners[], openFederation.enabled is false)`), done();
  }
  step('policy.partner', true, `${toJid.domain}: ${partner.source === 'listed' ? 'listed partner' : 'open federation'}, tls ${partner.tls}, sasl ${partner.sasl}, dialback ${partner.dialback}`);

  // 2. DNS the way the edge does it (net/resolve-targets.ts), then the addresses of those targets.
  // Every DNS query bounded by what is left of --timeout (the system resolver alone may take 2 × 5 s).
  const resolver = boundedResolver(Math.max(100, deadline - Date.now()));
  const targets = await resolveS2STargets(toJid.domain, { resolver, ...(partner.proxyFqdn ? { proxyFqdn: partner.proxyFqdn } : {}) });
  const how = partner.proxyFqdn ? `proxyFqdn ${partner.proxyFqdn} (no SRV lookup)` : 'SRV _xmpps-server/_xmpp-server, else A';
  if (targets.length === 0) return step('dns', false, `${toJid.domain} publishes no XMPP server-to-server service (${how})`), done();
  const resolved: string[] = [];
  for (const t of targets.slice(0, 4)) {
    const a = await lookupAddresses(t.host, Math.max(100, deadline - Date.now()));
    resolved.push(`${t.host}:${t.port}${t.directTls ? ' (direct TLS)' : ''} → ${a.addresses.length ? a.addresses.join(', ') : `unresolvable (${a.error ?? 'no address'})`}`);
  }
  if (resolved.every((r) => r.includes('unresolvable'))) return step('dns', false, `${how}: ${resolved.join('; ')}`), done();
  step('dns', true, `${how}: ${resolved.join('; ')}`);
  if (partner.dialback) {
    step('note', undefined, `with dialback ${toJid.domain} calls back ${fromJid.domain}'s authoritative server: the running gateway must answer (XEP-0185)`);
  }

  // 3. The real edge, listener not started; its log lines are the steps.
  const lines: EdgeLogLine[] = [];
  const logger = pino({ level: 'debug', base: null }, { write: (s: string) => void lines.push(JSON.parse(s) as EdgeLogLine) });
  const deps = edgeDepsFromConfig(config, logger);
  const edge: S2SEdge = createS2SEdge({ ...deps, resolver, connectTimeoutMs: Math.min(deps.connectTimeoutMs ?? 10_000, Math.max(100, deadline - Date.now())) });
  const id = `test-im-${randomBytes(6).toString('hex')}`;
  const errors: XmlElement[] = [];
  edge.onStanza((e) => { if (e.attrs.id === id && e.attrs.type === 'error') errors.push(e); });
  const message = el('message', { from: formatJid(fromJid), to: formatJid(toJid), type: 'chat', id }, el('body', {}, cmd.text));
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await Promise.race([
      edge.sendConfirmed(message),
      new Promise<RouteResult>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, condition: 'remote-server-timeout', text: `not sent within --timeout ${cmd.timeoutMs / 1000} s` }), Math.max(0, deadline - Date.now()));
      }),
    ]);
    clearTimeout(timer);
    steps.push(...stepsFromEdgeLog(lines, toJid.domain, started));
    if (!result.ok) {
      const pending = edge.streams().find((x) => x.direction === 'outbound' && x.remote === toJid.domain && !x.established);
      if (pending && !lines.some((l) => l.msg === 'authenticated')) {
        const why = partner.dialback ? `: no dialback verdict (db:result, XEP-0220 §2.1.3) from ${toJid.domain}` : '';
        step('auth', false, `not authenticated within --timeout ${cmd.timeoutMs / 1000} s${why}`);
      }
      step('stanza', false, `not sent: <${result.condition}/> — ${result.text}`);
      if (partner.dialback && !lines.some((l) => l.msg === 'authenticated')) {
        step('note', undefined, `dialback needs the running gateway: is ${fromJid.domain}:5269 (its SRV/A target) up and reachable from ${toJid.domain}?`);
      }
      return done({ stanza: serializeXml(message) });
    }
    step('stanza', true, `<message type='chat' id='${id}'/> written on an authenticated stream`);
    const seen = lines.length;
    await sleep(Math.min(LINGER_MS, deadline - Date.now()));
    steps.push(...stepsFromEdgeLog(lines.slice(seen), toJid.domain, started));
    for (const e of errors) step('error', false, `error stanza back: <${stanzaCondition(e)}/>`);
    const s = edge.streams().find((x) => x.direction === 'outbound' && x.remote === toJid.domain);
    if (s && s.inDoubt === 0) step('confirm', true, `${toJid.domain} acknowledged the stanza (XEP-0198)`);
    else if (s) step('confirm', undefined, `no stream error within ${LINGER_MS} ms; no XEP-0198 ack here: ${toJid.domain}'s answers (XEP-0199 ping, error stanzas) go to ${fromJid.domain}'s listener, the running gateway`);
    return done({ stanza: serializeXml(message), streams: edge.streams() });
  } finally {
    clearTimeout(timer);
    let stopTimer: NodeJS.Timeout | undefined;
    await Promise.race([edge.stop(), new Promise<void>((r) => { stopTimer = setTimeout(r, STOP_MS); })]);
    clearTimeout(stopTimer);
  }
}

/** RFC 6120 §8.3.3: the defined condition of an error stanza. */
function stanzaCondition(e: XmlElement): string {
  const err = childElements(e).find((c) => localName(c) === 'error');
  const cond = err ? childElements(err).find((c) => namespaceOf(c) === NS_STANZA_ERRORS && localName(c) !== 'text') : undefined;
  return cond ? localName(cond) : 'undefined-condition';
}

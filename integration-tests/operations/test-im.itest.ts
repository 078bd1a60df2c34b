/**
 * `test-im` (issue #9, Lync Test-CsXmppIM) against real peers: one real
 * <message type='chat'/> over federation through our S2S edge, and the
 * failing step named for each broken setup — no route (nothing listening,
 * unresolvable), TLS failure (TLS and SASL Required vs a peer whose
 * certificate we cannot verify), partner not allowed, sender not allowed,
 * and dialback with no running gateway to answer the peer's verification
 * (XEP-0220 §2.1.2).
 */
import type { Element } from '@xmpp/xml';
import { EXIT_STEP_FAILED } from '../../bin/commands/command-context';
import type { Step } from '../../bin/commands/test-im-report';
import { OPS, PARTNERS, TEST_MS, runProcess, useOpsLab } from './ops-lab';

const lab = useOpsLab();
const FROM = `sip:alice@${OPS.gateway.domain}`;
const ROMEO = `${OPS.ejabberd.user}@${OPS.ejabberd.domain}`;
const JULIET = `${OPS.prosody.user}@${OPS.prosody.domain}`;

const bodyIs = (text: string) => (e: Element): boolean => e.is('message') && e.getChildText('body') === text;

async function testImJson(argv: readonly string[]): Promise<{ code: number; steps: Step[] }> {
  const r = await lab.cli(['test-im', ...argv, '--json']);
  return { code: r.code, steps: (JSON.parse(r.out) as { steps: Step[] }).steps };
}
const step = (steps: readonly Step[], name: Step['step']): Step[] => steps.filter((s) => s.step === name);

describe('test-im against real ejabberd (SASL EXTERNAL) and Prosody (dialback)', () => {
  it('ejabberd, strict: TCP, TLS with a valid certificate, SASL EXTERNAL (XEP-0178), the stanza written; romeo receives it from alice@gw.ops.test (exit 0)', async () => {
    const text = `test-im strict ${Date.now()}`;
    const got = lab.romeo.waitForStanza(bodyIs(text), 20_000);
    const r = await lab.cli(['test-im', '--from', FROM, '--to', ROMEO, '--text', text, '-c', lab.config('healthy'), '--timeout', '15']);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    const order = ['policy.sender', 'policy.partner', 'dns', 'tcp', 'tls', 'auth', 'stanza'];
    const seen = lines.map((l) => /^[✓✗·] +\d+ ms  (\S+)/.exec(l)?.[1]).filter((s): s is string => s !== undefined && order.includes(s));
    expect(seen).toEqual(order);
    expect(r.out).toMatch(/^✓ +\d+ ms  tcp +connected to 127\.0\.32\.2$/m);
    expect(r.out).toMatch(/^✓ +\d+ ms  tls +TLS established; certificate chain valid, names ejabberd\.ops\.test: yes \(RFC 6125\)$/m);
    expect(r.out).toMatch(/^✓ +\d+ ms  auth +authenticated with SASL EXTERNAL \(XEP-0178\) over TLS$/m);
    expect(r.out).toMatch(/^✓ +\d+ ms  stanza +<message type='chat' id='test-im-[0-9a-f]+'\/> written on an authenticated stream$/m);
    expect(r.out).toMatch(/^✓ test-im passed$/m);
    const m = await got;
    expect(String(m.attrs.from).split('/')[0]).toBe(`alice@${OPS.gateway.domain}`);
    expect(m.attrs.type).toBe('chat');
  }, TEST_MS);

  it('as a process (bin/drachtio-xmpp-gateway.ts): test-im exits 0 by itself once done, nothing left holding the event loop (no forced exit)', async () => {
    const text = `test-im process ${Date.now()}`;
    const got = lab.romeo.waitForStanza(bodyIs(text), 30_000);
    const r = await runProcess(['test-im', '--from', FROM, '--to', ROMEO, '--text', text, '-c', lab.config('process'), '--timeout', '15'], 40_000);
    expect(r.stderr).not.toMatch(/forcing exit/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^✓ test-im passed$/m);
    await got;
  }, TEST_MS);

  it('Prosody, dialback with nobody answering for gw.ops.test: the authentication step fails and the report says dialback needs the running gateway (exit 4)', async () => {
    const r = await lab.cli(['test-im', '--from', FROM, '--to', JULIET, '-c', lab.config('no-gateway'), '--timeout', '6']);
    expect(r.code).toBe(EXIT_STEP_FAILED);
    expect(r.out).toMatch(/^✓ +\d+ ms  tls /m);
    expect(r.out).toMatch(/^✗ +\d+ ms  (auth|error) .*dialback/m);
    expect(r.out).toMatch(/^✗ +\d+ ms  stanza +not sent/m);
    expect(r.out).toMatch(/dialback needs the running gateway/);
  }, TEST_MS);

  it('Prosody, dialback with the running gateway answering db:verify from the shared secret (XEP-0185): authenticated with dialback, juliet receives the message (exit 0)', async () => {
    const file = lab.config('with-gateway');
    await lab.startGateway(file);
    try {
      const text = `test-im dialback ${Date.now()}`;
      const got = lab.juliet.waitForStanza(bodyIs(text), 20_000);
      const { code, steps } = await testImJson(['--from', FROM, '--to', JULIET, '--text', text, '-c', file, '--timeout', '15']);
      expect(code).toBe(0);
      expect(step(steps, 'auth').map((s) => s.text)).toEqual([expect.stringMatching(/dialback \(XEP-0220\) over TLS/)]);
      expect(step(steps, 'stanza').map((s) => s.ok)).toEqual([true]);
      expect((await got).attrs.type).toBe('chat');
    } finally {
      await lab.stopGateway();
    }
  }, TEST_MS);

  it('TLS failure: without the lab CA in our trust anchors, TLS and SASL Required (no dialback) refuse the peer\'s certificate (exit 4)', async () => {
    const file = lab.config('untrusted', (raw) => { delete raw.gateway.s2s.caFile; });
    const got = lab.romeo.waitForStanza(bodyIs('never'), 3000).then(() => 'delivered', () => 'not delivered');
    const { code, steps } = await testImJson(['--from', FROM, '--to', ROMEO, '--text', 'never', '-c', file, '--timeout', '10']);
    expect(code).toBe(EXIT_STEP_FAILED);
    expect(step(steps, 'tls')[0]?.text).toMatch(/certificate chain invalid \(\S+\)/);
    expect(step(steps, 'error').map((s) => s.text)).toEqual([expect.stringMatching(/policy-violation — the certificate of ejabberd\.ops\.test is not valid/)]);
    expect(step(steps, 'stanza').map((s) => s.ok)).toEqual([false]);
    expect(await got).toBe('not delivered');
  }, TEST_MS);

  it('a stream error from the peer is reported with its condition: ejabberd does not serve nohost.ops.test and answers <host-unknown/> (RFC 6120 §4.9.3.6) (exit 4)', async () => {
    const file = lab.config('host-unknown', (raw) => { raw.partners.push({ ...PARTNERS.ejabberd, domain: 'nohost.ops.test' }); });
    const { code, steps } = await testImJson(['--from', FROM, '--to', 'romeo@nohost.ops.test', '-c', file, '--timeout', '10']);
    expect(code).toBe(EXIT_STEP_FAILED);
    expect(step(steps, 'tcp').map((s) => s.ok)).toEqual([true]);
    expect(step(steps, 'error').map((s) => s.text)).toEqual([expect.stringMatching(/^the peer closed the stream with <host-unknown\/>/)]);
    expect(step(steps, 'stanza').map((s) => s.ok)).toEqual([false]);
  }, TEST_MS);

  it('no route, nothing listening: the TCP step fails with remote-server-not-found (exit 4)', async () => {
    const file = lab.config('closed', (raw) => { raw.partners.push({ domain: OPS.closed.domain, tls: 'Optional', sasl: 'NotSupported', dialback: true, proxyFqdn: `${OPS.closed.address}:5269` }); });
    const { code, steps } = await testImJson(['--from', FROM, '--to', `nobody@${OPS.closed.domain}`, '-c', file, '--timeout', '10']);
    expect(code).toBe(EXIT_STEP_FAILED);
    expect(step(steps, 'tcp')).toEqual([expect.objectContaining({ ok: false, text: expect.stringMatching(/remote-server-not-found.*ECONNREFUSED/) })]);
    expect(step(steps, 'stanza')[0]?.text).toMatch(/<remote-server-not-found\/>/);
  }, TEST_MS);

  it('no route, unresolvable: a partner with no SRV and no address fails at the DNS step, before any connection (exit 4)', async () => {
    const file = lab.config('unresolvable', (raw) => { raw.partners.push({ domain: 'nowhere.invalid', tls: 'Optional', sasl: 'NotSupported', dialback: true }); });
    const { code, steps } = await testImJson(['--from', FROM, '--to', 'nobody@nowhere.invalid', '-c', file, '--timeout', '10']);
    expect(code).toBe(EXIT_STEP_FAILED);
    expect(steps.map((s) => [s.step, s.ok])).toEqual([['policy.sender', true], ['policy.partner', true], ['dns', false]]);
    expect(step(steps, 'dns')[0]?.text).toMatch(/nowhere\.invalid:5269 → unresolvable/);
  }, TEST_MS);

  it('partner not allowed: refused by policy before any network step (exit 4)', async () => {
    const { code, steps } = await testImJson(['--from', FROM, '--to', 'someone@stranger.ops.test', '-c', lab.config('stranger')]);
    expect(code).toBe(EXIT_STEP_FAILED);
    expect(steps.map((s) => [s.step, s.ok])).toEqual([['policy.sender', true], ['policy.partner', false]]);
    expect(steps[1]?.text).toMatch(/stranger\.ops\.test is not an allowed partner/);
  }, TEST_MS);

  it('a SIP user our policy does not let federate (Lync EnableXmppAccess false) is refused first (exit 4)', async () => {
    const file = lab.config('bob-denied', (raw) => { raw.policy = { default: true, users: { [`bob@${OPS.gateway.domain}`]: false } }; });
    const { code, steps } = await testImJson(['--from', `sip:bob@${OPS.gateway.domain}`, '--to', ROMEO, '-c', file]);
    expect(code).toBe(EXIT_STEP_FAILED);
    expect(steps).toEqual([expect.objectContaining({ step: 'policy.sender', ok: false, text: expect.stringMatching(/may not federate/) })]);
  }, TEST_MS);
});

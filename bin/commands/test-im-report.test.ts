import { formatSteps, stepsFromEdgeLog, testFailed, type EdgeLogLine, type Step } from './test-im-report';

const T0 = 1_700_000_000_000;
const line = (dt: number, msg: string, extra: Partial<EdgeLogLine> = {}): EdgeLogLine => ({ time: T0 + dt, msg, dir: 'out', remote: 'peer.example', ...extra });

describe('stepsFromEdgeLog: the edge\'s pino lines (adapters/xmpp-s2s) become test-im steps', () => {
  it('a healthy SASL EXTERNAL stream: TCP, TLS with the certificate verdict, authentication, in order, with times since the start', () => {
    const steps = stepsFromEdgeLog([
      line(20, 'outbound connection opened', { ip: '192.0.2.7', secure: false }),
      line(60, 'tls established', { cert: { chain: 'valid', identity: 'valid' } }),
      line(90, 'authenticated', { mechanism: 'EXTERNAL', secure: true }),
      line(91, 'in-doubt tracking started', { confirmations: 'fence' }),
    ], 'peer.example', T0);
    expect(steps).toEqual([
      { step: 'tcp', ok: true, atMs: 20, text: 'connected to 192.0.2.7' },
      { step: 'tls', ok: true, atMs: 60, text: 'TLS established; certificate chain valid, names peer.example: yes (RFC 6125)' },
      { step: 'auth', ok: true, atMs: 90, text: 'authenticated with SASL EXTERNAL (XEP-0178) over TLS' },
    ]);
  });

  it.each<[string, EdgeLogLine, Partial<Step>]>([
    ['no connection (RFC 6120 §3.2 targets exhausted)', line(5, 'outbound connection failed', { dir: undefined, condition: 'remote-server-not-found', err: 'connect ECONNREFUSED' }),
      { step: 'tcp', ok: false, text: 'no connection (remote-server-not-found): connect ECONNREFUSED' }],
    ['our policy refused the certificate', line(5, 'closing stream with error', { condition: 'policy-violation', text: 'the certificate of peer.example is not valid' }),
      { step: 'error', ok: false, text: 'we closed the stream: policy-violation — the certificate of peer.example is not valid' }],
    ['the peer sent a stream error (RFC 6120 §4.9.3)', line(5, 'stream closed', { condition: 'host-unknown', byPeer: true }),
      { step: 'error', ok: false, text: 'the peer closed the stream with <host-unknown/> (RFC 6120 §4.9.3)' }],
    ['dialback refused (XEP-0220 §2.1.3 type=invalid)', line(5, 'dialback not accepted', { type: 'invalid' }),
      { step: 'auth', ok: false, text: 'dialback not accepted by the peer (type invalid)' }],
    ['an untrusted chain is reported with OpenSSL\'s reason', line(5, 'tls established', { cert: { chain: 'invalid', identity: 'valid', chainError: 'SELF_SIGNED_CERT_IN_CHAIN' } }),
      { step: 'tls', ok: true, text: 'TLS established; certificate chain invalid (SELF_SIGNED_CERT_IN_CHAIN), names peer.example: yes (RFC 6125)' }],
  ])('%s', (_n, l, expected) => {
    expect(stepsFromEdgeLog([l], 'peer.example', T0)).toEqual([expect.objectContaining({ ...expected, atMs: 5 })]);
  });

  it('ignores inbound streams, other remote domains, our own graceful close and unrelated lines', () => {
    expect(stepsFromEdgeLog([
      line(1, 'outbound connection opened', { remote: 'other.example' }),
      line(2, 'authenticated', { dir: 'in', mechanism: 'dialback' }),
      line(3, 'stream closed', { byPeer: false }),
      line(4, 'in-doubt tracking started'),
    ], 'peer.example', T0)).toEqual([]);
  });
});

describe('formatSteps', () => {
  it('one line per step with ✓/✗/·, right-aligned times and a verdict; a failed step fails the test', () => {
    const steps: Step[] = [
      { step: 'dns', ok: true, atMs: 3, text: 'ok' },
      { step: 'note', ok: undefined, atMs: 3, text: 'context' },
      { step: 'tcp', ok: false, atMs: 1200, text: 'refused' },
    ];
    expect(testFailed(steps)).toBe(true);
    expect(formatSteps('test-im a → b', steps)).toBe(
      'test-im a → b\n' +
      '✓    3 ms  dns            ok\n' +
      '·    3 ms  note           context\n' +
      '✗ 1200 ms  tcp            refused\n' +
      '✗ test-im failed\n');
    expect(formatSteps('t', steps.slice(0, 2)).endsWith('✓ test-im passed\n')).toBe(true);
  });
});

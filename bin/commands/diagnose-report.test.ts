import { failed, findingsJson, formatFindings, srvText, type Finding } from './diagnose-report';

describe('diagnose report', () => {
  const fs: Finding[] = [
    { check: 'tls.starttls', status: 'pass', text: 'STARTTLS offered' },
    { check: 'dns.ours.srv', status: 'warn', text: 'no SRV for us' },
    { check: 'tls.certificate', status: 'info', text: 'certificate: …' },
  ];

  it('one line per finding (✓ pass, ✗ fail, ! warn, · info); warnings and context do not fail federation', () => {
    expect(failed(fs)).toBe(false);
    expect(formatFindings('p.example', fs)).toBe('diagnose p.example\n✓ STARTTLS offered\n! no SRV for us\n· certificate: …\n✓ federation with p.example should work\n');
  });

  it('any fail gives the negative verdict with the count, and ok:false in the JSON document', () => {
    const bad = [...fs, { check: 'policy.partner', status: 'fail' as const, text: 'not a partner' }];
    expect(formatFindings('p.example', bad)).toMatch(/✗ not a partner\n✗ federation with p\.example will not work: 1 problem\(s\) above\n$/);
    expect(JSON.parse(findingsJson('p.example', bad, { targets: [] }))).toEqual({ domain: 'p.example', ok: false, findings: bad, targets: [] });
  });

  it.each([
    [{ records: [], error: 'ENOTFOUND' }, 'none (ENOTFOUND)'],
    [{ records: [{ target: 'xmpp.p.example.', port: 5269, priority: 0, weight: 5 }] }, 'xmpp.p.example:5269 (priority 0, weight 5)'],
  ])('SRV answer %j reads %s (RFC 2782 fields)', (answer, text) => {
    expect(srvText(answer)).toBe(text);
  });
});

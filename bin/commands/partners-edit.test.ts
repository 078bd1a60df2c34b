import { editPartners } from './partners-edit';

const FILE = `# our gateway
gateway:
  domains: [sip.test]
partners:
  # the lab peer
  - domain: peer.test   # primary
    tls: Optional
  - domain: other.test
    additionalDomains: [extra.other.test]
`;

describe('partners edits keep the file an operator wrote (comments, order) and change only what was asked (issue #9)', () => {
  it('add appends a partner with the given keys and keeps every comment', () => {
    const out = editPartners(FILE, { action: 'add', domain: 'New.Test.', fields: { tls: 'Required', dialback: false, connectionLimit: 5 } });
    expect(out).toContain('# our gateway');
    expect(out).toContain('# the lab peer');
    expect(out).toContain('# primary');
    expect(out).toMatch(/- domain: new\.test\n\s+tls: Required\n\s+dialback: false\n\s+connectionLimit: 5\n$/);
  });

  it('set changes the named keys of the partner found by domain or additional domain, nothing else', () => {
    const out = editPartners(FILE, { action: 'set', domain: 'extra.other.test', fields: { sasl: 'Optional' } });
    expect(out).toContain('  - domain: other.test\n    additionalDomains: [ extra.other.test ]\n    sasl: Optional\n');
    expect(out).toContain('  - domain: peer.test # primary\n    tls: Optional\n');
  });

  it('remove deletes exactly that partner', () => {
    const out = editPartners(FILE, { action: 'remove', domain: 'peer.test' });
    expect(out).not.toContain('peer.test');
    expect(out).toContain('other.test');
  });

  it.each([
    [{ action: 'add' as const, domain: 'peer.test', fields: {} }, 'peer.test is already a partner (use: partners set peer.test …)'],
    [{ action: 'set' as const, domain: 'nobody.test', fields: {} }, 'nobody.test is not a partner in this file'],
    [{ action: 'remove' as const, domain: 'nobody.test' }, 'nobody.test is not a partner in this file'],
  ])('refuses %j', (edit, message) => {
    expect(() => editPartners(FILE, edit)).toThrow(message);
  });

  it('creates the partners list when the file has none', () => {
    expect(editPartners('gateway:\n  domains: [sip.test]\n', { action: 'add', domain: 'a.test', fields: {} })).toContain('partners:\n  - domain: a.test\n');
  });
});

import { mayFederate, type XmppAccessPolicy } from './xmpp-access';

const policy: XmppAccessPolicy = {
  default: false,
  domains: { 'example.com': true, 'closed.example.com': false },
  users: { 'alice@closed.example.com': true, 'mallory@example.com': false },
};

describe('mayFederate: Lync EnableXmppAccess scopes, most specific wins (anchors §1.4)', () => {
  it.each([
    ['user entry true overrides a false domain', 'alice', 'closed.example.com', true],
    ['user entry false overrides a true domain', 'mallory', 'example.com', false],
    ['domain entry true applies to other users', 'bob', 'example.com', true],
    ['domain entry false applies to other users', 'carol', 'closed.example.com', false],
    ['unlisted domain falls back to the global default (False)', 'dave', 'other.example.org', false],
    ['domain compared case-insensitively', 'bob', 'EXAMPLE.com', true],
    ['trailing dot on the domain is ignored', 'mallory', 'example.com.', false],
    ['user part compared case-sensitively (RFC 3261 §19.1.4)', 'Alice', 'closed.example.com', false],
    ['prototype names are not entries', 'constructor', 'constructor', false],
  ])('%s', (_name, user, domain, expected) => {
    expect(mayFederate(policy, { user, domain })).toBe(expected);
  });

  it('global default true lets unlisted users federate', () => {
    expect(mayFederate({ default: true, domains: {}, users: {} }, { user: 'x', domain: 'y.example' })).toBe(true);
  });
});

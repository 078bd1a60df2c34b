import { streamHeader, validateInboundHeader, validateResponseHeader } from './header';

const LOCAL = new Set(['gw.test', 'gw2.test']);
const base = {
  xmlns: 'jabber:server', 'xmlns:stream': 'http://etherx.jabber.org/streams', 'xmlns:db': 'jabber:server:dialback',
  from: 'peer.test', to: 'gw.test', version: '1.0',
};
const without = (k: keyof typeof base) => Object.fromEntries(Object.entries(base).filter(([key]) => key !== k));

describe('validateInboundHeader (RFC 6120 §4.7, §4.8, §4.9.3)', () => {
  it('accepts a well-formed S2S header and normalises the domains', () => {
    expect(validateInboundHeader('stream:stream', { ...base, from: 'Peer.Test.', to: 'GW.test' }, LOCAL))
      .toEqual({ ok: true, value: { local: 'gw.test', remote: 'peer.test' } });
  });

  it.each([
    ['wrong stream namespace (§4.8.1)', 'stream:stream', { ...base, 'xmlns:stream': 'urn:x' }, 'invalid-namespace'],
    ['wrong root element (§4.8.1)', 'stream:flow', base, 'invalid-namespace'],
    ['jabber:client content namespace (§4.8.2)', 'stream:stream', { ...base, xmlns: 'jabber:client' }, 'invalid-namespace'],
    ['missing version (§4.7.5)', 'stream:stream', without('version'), 'unsupported-version'],
    ['version 2.0 (§4.7.5)', 'stream:stream', { ...base, version: '2.0' }, 'unsupported-version'],
    ['missing to (§4.9.3.7)', 'stream:stream', without('to'), 'improper-addressing'],
    ['to a domain we do not serve (§4.9.3.6)', 'stream:stream', { ...base, to: 'other.test' }, 'host-unknown'],
    ['to a JID instead of a domain (§4.9.3.6)', 'stream:stream', { ...base, to: 'u@gw.test' }, 'host-unknown'],
    ['missing from on S2S (§4.7.1)', 'stream:stream', without('from'), 'improper-addressing'],
    ['from that is not a domain (§4.9.3.7)', 'stream:stream', { ...base, from: 'a b' }, 'improper-addressing'],
    ['from one of our own domains (§4.9.3.9)', 'stream:stream', { ...base, from: 'gw2.test' }, 'invalid-from'],
  ])('refuses %s', (_name, name, attrs, condition) => {
    const r = validateInboundHeader(name, attrs as Record<string, string>, LOCAL);
    expect(r.ok ? 'ok' : r.error.condition).toBe(condition);
  });

  it('refuses a restart whose from/to differ from the first header (RFC 6120 §4.3.3)', () => {
    const r = validateInboundHeader('stream:stream', { ...base, to: 'gw2.test' }, LOCAL, { local: 'gw.test', remote: 'peer.test' });
    expect(r.ok ? 'ok' : r.error.condition).toBe('improper-addressing');
  });
});

describe('validateResponseHeader (our outbound stream, RFC 6120 §4.7.3)', () => {
  it('returns the stream id', () => {
    expect(validateResponseHeader('stream:stream', { ...base, from: 'peer.test', id: 'abc' }, 'peer.test')).toEqual({ ok: true, value: { id: 'abc' } });
  });
  it.each([
    ['no id', { ...base, from: 'peer.test' }, 'invalid-xml'],
    ['from another domain', { ...base, from: 'evil.test', id: 'x' }, 'invalid-from'],
    ['version 0.9', { ...base, version: '0.9', id: 'x' }, 'unsupported-version'],
  ])('refuses a response with %s', (_n, attrs, condition) => {
    const r = validateResponseHeader('stream:stream', attrs, 'peer.test');
    expect(r.ok ? 'ok' : r.error.condition).toBe(condition);
  });
});

describe('streamHeader', () => {
  it('declares jabber:server, the stream and dialback prefixes and version 1.0 (RFC 6120 §4.7, XEP-0220 §2.1)', () => {
    expect(streamHeader({ from: 'gw.test', to: 'peer.test', id: 'i1' })).toBe(
      "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' " +
      "xmlns:db='jabber:server:dialback' from='gw.test' to='peer.test' id='i1' version='1.0'>");
  });
  it("escapes attribute values", () => {
    expect(streamHeader({ from: "a'b" })).toContain("from='a&apos;b'");
  });
});

import { jidToSipUri, sipUriToJid } from './address-mapping';
import { mulberry32, PRINTABLE_POOL, randomText } from './__tests__/random-text';
import { formatJid, type Jid, makeJid } from './jid';
import { canonicalPercentEncoding, SIP_PARAM_SAFE, SIP_USER_SAFE } from './percent-encoding';
import { formatSipUri, getUriParam, parseSipUri } from './sip-uri';
import { escapeLocalpart, unescapeLocalpart } from './xep0106';

const jidText = (uri: string): string => {
  const r = sipUriToJid(uri);
  if (!r.ok) throw new Error(`${uri}: ${r.error.code} ${r.error.detail}`);
  return formatJid(r.value);
};

describe('RFC 7247 §6.4 / §6.5 examples', () => {
  it.each([
    ["sip:o'malley@sip.example", 'o\\27malley@sip.example'],
    ['sip:foo@sip.example;gr=bar', 'foo@sip.example/bar'],
    ['sip:m&m@xmpp.example', 'm\\26m@xmpp.example'],
    ['sip:baz@xmpp.example;gr=qux', 'baz@xmpp.example/qux'],
  ])('%s ⇄ %s', (uri, jid) => {
    expect(jidText(uri)).toBe(jid);
    expect(jidToSipUri(jid)).toEqual({ ok: true, value: uri });
  });
});

describe('RFC 7247 §6.4 SIP → XMPP', () => {
  it.each([
    ['drops the scheme for im: (step 1)', 'im:juliet@example.com', 'juliet@example.com'],
    ['drops the scheme for pres: (step 1)', 'pres:juliet@example.com', 'juliet@example.com'],
    ['percent-decodes then XEP-0106-escapes & \' / (steps 3, 5)', 'sip:a%26b%27c%2Fd@x.example', 'a\\26b\\27c\\2fd@x.example'],
    ['escapes the full XEP-0106 set that decoding can produce (§6.2 step 3)',
      'sip:a%20b%22c%3Ad%3Ce%3Ef%40g@x.example', 'a\\20b\\22c\\3ad\\3ce\\3ef\\40g@x.example'],
    ['escapes a decoded backslash only before an escape code (XEP-0106 §3.2)', 'sip:c%3A%5C5commas%5Cnet@x.example', 'c\\3a\\5c5commas\\net@x.example'],
    ['reads the decoded octets as UTF-8 (step 4)', 'sip:caf%C3%A9%F0%9F%98%80@x.example', 'café😀@x.example'],
    ['keeps characters the localpart allows (§6.2 step 2)', 'sip:a!$(),;=?*+~_-.b@x.example', 'a!$(),;=?*+~_-.b@x.example'],
    ['lowercases the domain and keeps it otherwise (§6)', 'sip:Alice@Atlanta.EXAMPLE', 'Alice@atlanta.example'],
    ['keeps an IPv6 literal domain', 'sip:a@[2001:DB8::1]:5060', 'a@[2001:db8::1]'],
    ['maps a percent-decoded gr to the resource (§6.3, step 8)', 'sip:a@x.example;gr=urn:uuid:f81d%20x%C3%A9', 'a@x.example/urn:uuid:f81d xé'],
    ['finds GR case-insensitively among other parameters', 'sip:a@x.example;transport=tcp;GR=r1;lr', 'a@x.example/r1'],
    ['gives a bare JID for a valueless ;gr (temporary GRUU, §6.3)', 'sip:tgruu.7hs==jd7vnzga5w7fajsc7-ajd6fabz0f8g5@x.example;gr', 'tgruu.7hs==jd7vnzga5w7fajsc7-ajd6fabz0f8g5@x.example'],
    ['maps a URI without user part to a domain JID', 'sip:x.example', 'x.example'],
    ['does not carry port, transport or headers into the JID', 'sip:a@x.example:5070;transport=tls?subject=hi', 'a@x.example'],
  ])('%s: %s → %s', (_n, uri, jid) => {
    expect(jidText(uri)).toBe(jid);
  });

  it('accepts a parsed SipUri as well as text', () => {
    const u = parseSipUri('sip:foo@sip.example;gr=bar');
    if (!u.ok) throw new Error(u.error.detail);
    expect(sipUriToJid(u.value)).toEqual({ ok: true, value: { local: 'foo', domain: 'sip.example', resource: 'bar' } });
  });
});

describe('RFC 7247 §8: SIPS URIs are never mapped to XMPP', () => {
  it.each(['sips:alice@example.com', 'SIPS:alice@example.com', 'sips:example.com;gr=x'])('%s → sips-not-mapped', (uri) => {
    const r = sipUriToJid(uri);
    expect(!r.ok && r.error.code).toBe('sips-not-mapped');
  });

  it('refuses a parsed sips: SipUri object too', () => {
    const r = sipUriToJid({ scheme: 'sips', user: 'a', host: 'example.com', params: [], headers: [] });
    expect(!r.ok && r.error.code).toBe('sips-not-mapped');
  });
});

describe('RFC 7247 §6.4: bad SIP input is a typed error, never a throw', () => {
  it.each([
    ['an empty string', 'invalid-sip-uri', ''],
    ['a malformed URI', 'invalid-sip-uri', 'sip:a@@b'],
    ['a bad escape', 'invalid-sip-uri', 'sip:a%ZZ@x.example'],
    ['an http URI', 'invalid-sip-uri', 'http://x.example/'],
    ['invalid UTF-8 after decoding', 'invalid-percent-encoding', 'sip:a%C3@x.example'],
    ['an encoded surrogate', 'invalid-percent-encoding', 'sip:%ED%A0%80@x.example'],
    ['invalid UTF-8 in gr', 'invalid-percent-encoding', 'sip:a@x.example;gr=%FF'],
    ['a decoded leading space (XEP-0106 §3.2)', 'localpart-unmappable', 'sip:%20alice@x.example'],
    ['a decoded trailing space (XEP-0106 §3.2)', 'localpart-unmappable', 'sip:alice%20@x.example'],
    ['a decoded NUL', 'invalid-jid', 'sip:a%00b@x.example'],
    ['a decoded CR LF', 'invalid-jid', 'sip:a%0D%0Ab@x.example'],
    ['a decoded no-break space', 'invalid-jid', 'sip:a%C2%A0b@x.example'],
    ['a control character in gr', 'invalid-jid', 'sip:a@x.example;gr=a%07b'],
    ['a 2000-byte user part', 'invalid-jid', `sip:${'u'.repeat(2000)}@x.example`],
    ['a user part over 1023 octets once escaped', 'invalid-jid', `sip:${'%27'.repeat(400)}@x.example`],
  ])('refuses %s → %s', (_n, code, uri) => {
    const r = sipUriToJid(uri);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe(code);
  });
});

describe('RFC 7247 §6.5 XMPP → SIP', () => {
  it.each([
    ['unescapes then percent-encodes a space (steps 3, 5)', 'a\\20b@x.example', 'sip:a%20b@x.example'],
    ['unescapes all ten XEP-0106 sequences', 'a\\22\\26\\27\\2f\\3a\\3c\\3e\\40\\5c20@x.example', 'sip:a%22&\'/%3A%3C%3E%40%5C20@x.example'],
    ['percent-encodes non-ASCII as UTF-8 (step 5)', 'café😀@x.example', 'sip:caf%C3%A9%F0%9F%98%80@x.example'],
    ['percent-encodes #', 'a#b@x.example', 'sip:a%23b@x.example'],
    ['percent-encodes %', 'a%b@x.example', 'sip:a%25b@x.example'],
    ['percent-encodes [ and ]', 'a[b]@x.example', 'sip:a%5Bb%5D@x.example'],
    ['percent-encodes a literal backslash', 'a\\b@x.example', 'sip:a%5Cb@x.example'],
    ['percent-encodes ^', 'a^b@x.example', 'sip:a%5Eb@x.example'],
    ['percent-encodes `', 'a`b@x.example', 'sip:a%60b@x.example'],
    ['percent-encodes { | }', 'a{|}b@x.example', 'sip:a%7B%7C%7Db@x.example'],
    ['keeps RFC 3261 user-unreserved and mark characters', 'a!$(),;=?*+~_-.b@x.example', 'sip:a!$(),;=?*+~_-.b@x.example'],
    ['percent-encodes the resource in ;gr= (step 8)', 'a@x.example/home phone;é', 'sip:a@x.example;gr=home%20phone%3B%C3%A9'],
    ['maps a domain JID to a user-less URI', 'x.example', 'sip:x.example'],
    ['keeps an IPv6 domain literal', 'a@[::1]/r', 'sip:a@[::1];gr=r'],
  ])('%s: %s → %s', (_n, jid, uri) => {
    expect(jidToSipUri(jid)).toEqual({ ok: true, value: uri });
  });

  it.each([
    ['sips by policy (step 4)', { scheme: 'sips' as const }, 'a.b@x.example/r', 'sips:a.b@x.example;gr=r'],
    ['im: encodes ( ) , . ; [ \\ ] (step 5)', { scheme: 'im' as const }, 'a(b),c.d;e[f\\g]h@x.example', 'im:a%28b%29%2Cc%2Ed%3Be%5Bf%5Cg%5Dh@x.example'],
    ['pres: keeps atext like # and {', { scheme: 'pres' as const }, 'a#{b}\\27c@x.example', "pres:a#{b}'c@x.example"],
    ['im: without the resource when asked', { scheme: 'im' as const, includeResource: false }, 'a@x.example/r', 'im:a@x.example'],
    ['sip: without the resource when asked', { includeResource: false }, 'a@x.example/r', 'sip:a@x.example'],
  ])('%s', (_n, opts, jid, uri) => {
    expect(jidToSipUri(jid, opts)).toEqual({ ok: true, value: uri });
  });

  it.each([
    ['an empty string', 'invalid-jid', ''],
    ['a malformed JID', 'invalid-jid', 'a@b@x.example'],
    ['a 2000-byte localpart', 'invalid-jid', `${'a'.repeat(2000)}@x.example`],
    ['a control character', 'invalid-jid', 'a\u0001@x.example'],
    ['a non-ASCII domain (domain mapping is out of scope, §6)', 'domain-not-representable', 'a@café.example'],
  ])('refuses %s → %s', (_n, code, jid) => {
    const r = jidToSipUri(jid);
    expect(!r.ok && r.error.code).toBe(code);
  });

  it('re-validates a hand-built Jid object instead of trusting it', () => {
    const bad: Jid = { local: 'a@evil.example', domain: 'x.example' };
    expect(!jidToSipUri(bad).ok && (jidToSipUri(bad) as { error: { code: string } }).error.code).toBe('invalid-jid');
    expect(jidToSipUri({ domain: '' }).ok).toBe(false);
  });

  it('refuses a resource for im:/pres: rather than dropping it silently (§6.3)', () => {
    const r = jidToSipUri('a@x.example/r', { scheme: 'pres' });
    expect(!r.ok && r.error.code).toBe('resource-not-representable');
  });
});

/** The canonical form used to compare URIs: escapes normalised (RFC 3261 §19.1.4). */
function canonicalUri(text: string): string {
  const u = parseSipUri(text);
  if (!u.ok) throw new Error(`${text}: ${u.error.detail}`);
  const canon = (s: string, safe: string): string => {
    const c = canonicalPercentEncoding(s, safe);
    if (!c.ok) throw new Error(c.error.detail);
    return c.value;
  };
  const gr = getUriParam(u.value, 'gr')?.value;
  return formatSipUri({
    ...u.value,
    host: u.value.host.toLowerCase(),
    ...(u.value.user === undefined ? {} : { user: canon(u.value.user, SIP_USER_SAFE) }),
    params: gr === undefined ? [] : [{ name: 'gr', value: canon(gr, SIP_PARAM_SAFE) }],
  });
}

/** Spells `raw` the way a SIP peer might: safe characters raw or escaped, hex in either case. */
function noisyEncode(raw: string, safe: string, rand: () => number): string {
  let out = '';
  for (const ch of raw) {
    if (ch.length === 1 && safe.includes(ch) && rand() < 0.7) {
      out += ch;
      continue;
    }
    const hex = Array.from(new TextEncoder().encode(ch), (b) => `%${b.toString(16).padStart(2, '0')}`).join('');
    out += rand() < 0.5 ? hex : hex.toUpperCase();
  }
  return out;
}

describe('RFC 7247 §6.4 ∘ §6.5 round trips (seeded properties)', () => {
  it.each(["o'malley", 'foo', 'm&m', 'baz'])('SIP→JID→SIP keeps the RFC 7247 example user %j', (user) => {
    const uri = `sip:${user}@sip.example`;
    const j = sipUriToJid(uri);
    if (!j.ok) throw new Error(j.error.detail);
    expect(jidToSipUri(j.value)).toEqual({ ok: true, value: uri });
  });

  it('SIP→JID→SIP gives the same URI for 2000 random printable Unicode user parts', () => {
    const rand = mulberry32(7247);
    let mapped = 0;
    for (let i = 0; i < 2000; i++) {
      const raw = randomText(rand, PRINTABLE_POOL, 24);
      const gr = rand() < 0.3 ? randomText(rand, PRINTABLE_POOL, 12) : undefined;
      const uri = `sip:${noisyEncode(raw, SIP_USER_SAFE, rand)}@sip.example${gr === undefined ? '' : `;gr=${noisyEncode(gr, SIP_PARAM_SAFE, rand)}`}`;
      const j = sipUriToJid(uri);
      if (raw.startsWith(' ') || raw.endsWith(' ')) {
        expect(!j.ok && j.error.code).toBe('localpart-unmappable');
        continue;
      }
      if (!j.ok) throw new Error(`case ${i} ${uri}: ${j.error.code} ${j.error.detail}`);
      expect(unescapeLocalpart(j.value.local as string)).toBe(raw);
      expect(j.value.resource).toBe(gr);
      const back = jidToSipUri(j.value);
      if (!back.ok) throw new Error(`case ${i} ${uri}: ${back.error.detail}`);
      expect(canonicalUri(back.value)).toBe(canonicalUri(uri));
      mapped++;
    }
    expect(mapped).toBeGreaterThan(1800);
  });

  it.each(['sip', 'im'] as const)('JID→SIP→JID gives the same JID for 2000 random localparts (%s:)', (scheme) => {
    const rand = mulberry32(scheme === 'sip' ? 6122 : 3860);
    for (let i = 0; i < 2000; i++) {
      const raw = randomText(rand, PRINTABLE_POOL, 24).trim() || 'x';
      const local = escapeLocalpart(raw);
      if (!local.ok) throw new Error(local.error.detail);
      const resource = scheme === 'sip' && rand() < 0.4 ? randomText(rand, PRINTABLE_POOL, 12) : undefined;
      const jid = makeJid({ local: local.value, domain: 'xmpp.example', resource });
      if (!jid.ok) throw new Error(`case ${i}: ${jid.error.detail}`);
      const uri = jidToSipUri(jid.value, { scheme });
      if (!uri.ok) throw new Error(`case ${i}: ${uri.error.detail}`);
      expect(parseSipUri(uri.value).ok).toBe(true);
      expect(sipUriToJid(uri.value)).toEqual({ ok: true, value: jid.value });
    }
  });
});

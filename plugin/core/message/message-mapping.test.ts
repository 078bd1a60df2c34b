import type { MessageStanza } from '../stanza/stanza';
import { serializeXml } from '../xml/serialize-xml';
import { sipMessageToStanza, stanzaToSipMessage } from './message-mapping';
import { estimateSipMessageBytes, exceedsPagerModeLimit } from './pager-mode-size';
import type { SipMessageOut, SipMessageRequest } from './sip-message';

const X2S = { fromUri: 'sip:juliet@example.com;gr=balcony', toUri: 'sip:romeo@example.net' };
const base: MessageStanza = { kind: 'message', from: 'juliet@example.com/balcony', to: 'romeo@example.net', id: 'x1', body: 'Art thou not Romeo?' };
const toSip = (s: Partial<MessageStanza>) => stanzaToSipMessage({ ...base, ...s }, X2S);

describe('RFC 7572 §4 Table 1: XMPP → SIP', () => {
  it.each<[string, Partial<MessageStanza>, (o: SipMessageOut) => unknown, unknown]>([
    ['<body/> → MESSAGE body (text/plain)', { body: 'hello' }, (o) => [o.body, o.headers['Content-Type']], ['hello', 'text/plain;charset=UTF-8']],
    ['<subject/> → Subject', { subject: 'Question' }, (o) => o.headers.Subject, 'Question'],
    ['<thread/> → Call-ID', { thread: 'e0ffe42b28561960c6b12b944a092794b9683a38' }, (o) => o.headers['Call-ID'], 'e0ffe42b28561960c6b12b944a092794b9683a38'],
    ['from → From (resource as GRUU)', {}, (o) => o.from.uri, 'sip:juliet@example.com;gr=balcony'],
    ['id → transaction identifier', { id: 'x42' }, (o) => o.stanzaId, 'x42'],
    ['to → To and Request-URI', {}, (o) => [o.to.uri, o.requestUri], ['sip:romeo@example.net', 'sip:romeo@example.net']],
    ['type → no mapping', { type: 'chat' }, (o) => o, stanzaToSipMessageValue({ type: 'normal' })],
    ['xml:lang → Content-Language', { lang: 'en-GB' }, (o) => o.headers['Content-Language'], 'en-GB'],
  ])('%s', (_row, patch, pick, expected) => {
    const r = toSip(patch);
    expect(r.ok).toBe(true);
    if (r.ok) expect(pick(r.value)).toEqual(expected);
  });

  it('sends no Call-ID, Subject or Content-Language when the stanza has none (the SIP stack generates a Call-ID)', () => {
    const r = toSip({});
    expect(r.ok && r.value.headers).toEqual({ 'Content-Type': 'text/plain;charset=UTF-8' });
  });

  it('RFC 3261 §25.1: %-escapes <thread/> characters that are not allowed in a Call-ID', () => {
    const r = toSip({ thread: 'a b@c%d\u00e9' });
    expect(r.ok && r.value.headers['Call-ID']).toBe('a%20b%40c%25d%C3%A9');
  });

  it('never lets a subject break the header block (CR/LF injection)', () => {
    const r = toSip({ subject: 'hi\r\nVia: SIP/2.0/UDP evil' });
    expect(r.ok && r.value.headers.Subject).toBe('hi Via: SIP/2.0/UDP evil');
  });

  it('RFC 7572 §8: refuses an xml:lang that is not a language tag', () => {
    const r = toSip({ lang: 'en\r\nX: y' });
    expect(!r.ok && r.error.code).toBe('invalid-header');
  });

  it.each<[string, Partial<MessageStanza>, string]>([
    ['a message of type error', { type: 'error' }, 'not-mappable'],
    ['a groupchat message', { type: 'groupchat' }, 'not-mappable'],
    ['a receipt without body', { body: undefined, receiptFor: 'm1' }, 'no-content'],
    ['RFC 7573 §6.1: a bare <gone/>', { body: undefined, chatState: 'gone' }, 'no-content'],
  ])('refuses %s', (_n, patch, code) => {
    const r = toSip(patch);
    expect(!r.ok && r.error.code).toBe(code);
  });

  it('RFC 7573 §6 Table 4: a bodiless <composing/> becomes an isComposing MESSAGE with state active', () => {
    const r = toSip({ body: undefined, chatState: 'composing' });
    expect(r.ok && r.value.headers['Content-Type']).toBe('application/im-iscomposing+xml');
    expect(r.ok && r.value.body).toContain('<state>active</state>');
  });
});

describe('RFC 7572 §6: 1300-byte pager-mode limit (RFC 3428 §6)', () => {
  it('answers policy-violation when the estimated MESSAGE exceeds 1300 bytes', () => {
    const r = toSip({ body: 'x'.repeat(1200) });
    expect(!r.ok && r.error.code).toBe('policy-violation');
  });

  it('accepts the same message when a TCP-capable proxy lifts the limit', () => {
    expect(stanzaToSipMessage({ ...base, body: 'x'.repeat(1200) }, X2S, { maxSipMessageBytes: Infinity }).ok).toBe(true);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const ascii = toSip({ body: 'a'.repeat(400) });
    const multi = toSip({ body: '\u00e9'.repeat(400) });
    expect(ascii.ok && multi.ok && estimateSipMessageBytes(multi.value) - estimateSipMessageBytes(ascii.value)).toBe(400);
  });

  it('finds the boundary: the largest accepted body gives an estimate of exactly 1300 bytes', () => {
    const probe = toSip({ body: '' });
    expect(probe.ok).toBe(true);
    if (!probe.ok) return;
    const overhead = estimateSipMessageBytes(probe.value);
    // Content-Length goes from "0" (1 digit) to a 3-digit length: 2 more bytes.
    const fits = 1300 - overhead - 2;
    const atLimit = toSip({ body: 'x'.repeat(fits) });
    const over = toSip({ body: 'x'.repeat(fits + 1) });
    expect(atLimit.ok && estimateSipMessageBytes(atLimit.value)).toBe(1300);
    expect(!over.ok && over.error.code).toBe('policy-violation');
    expect(atLimit.ok && exceedsPagerModeLimit(atLimit.value)).toBe(false);
  });

  it('estimates at least the size of the MESSAGE a SIP stack really sends, and not much more', () => {
    const r = toSip({ body: 'hi' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    // What drachtio/sofia put on the wire for this stanza (Via with an IPv4 host, 16-char tag, generated Call-ID).
    const wire = [
      'MESSAGE sip:romeo@example.net SIP/2.0',
      'Via: SIP/2.0/UDP 192.0.2.10:5060;rport;branch=z9hG4bKa8Bc3Ud7e9F0g1H2i',
      'Max-Forwards: 70',
      'From: <sip:juliet@example.com;gr=balcony>;tag=Ke8rN3gXp0aQ4y1B',
      'To: <sip:romeo@example.net>',
      'Call-ID: 5b1f2a9e-3c2d-4e6f-8a7b-9c0d1e2f3a4b',
      'CSeq: 25432 MESSAGE',
      'Content-Type: text/plain;charset=UTF-8',
      'Content-Length: 2',
      '',
      'hi',
    ].join('\r\n');
    const actual = Buffer.byteLength(wire);
    expect(estimateSipMessageBytes(r.value)).toBeGreaterThanOrEqual(actual);
    expect(estimateSipMessageBytes(r.value)).toBeLessThan(actual * 1.25);
  });
});

const S2X = { from: 'romeo@example.net/dr4hcr0st3lup4c', to: 'juliet@example.com' };
const req: SipMessageRequest = {
  requestUri: 'sip:juliet@example.com',
  from: { uri: 'sip:romeo@example.net;gr=dr4hcr0st3lup4c', tag: '49583' },
  to: { uri: 'sip:juliet@example.com' },
  callId: 'Hr0zny9l3@example.net',
  cseq: 1,
  contentType: 'text/plain',
  body: 'Neither, fair saint, if either thee dislike.',
};

describe('RFC 7572 §5 Table 2: SIP → XMPP', () => {
  it.each<[string, Partial<SipMessageRequest>, (s: MessageStanza) => unknown, unknown]>([
    ['Call-ID → <thread/>', {}, (s) => s.thread, 'Hr0zny9l3@example.net'],
    ['Content-Language → xml:lang', { contentLanguage: 'en' }, (s) => s.lang, 'en'],
    ['CSeq → (no mapping)', { cseq: 99 }, (s) => s, sipMessageToStanzaValue({ cseq: 1 })],
    ['From → from (full JID with GRUU resource, from the caller)', {}, (s) => s.from, 'romeo@example.net/dr4hcr0st3lup4c'],
    ['Subject → <subject/>', { subject: 'Hi' }, (s) => s.subject, 'Hi'],
    ['Request-URI/To → to', {}, (s) => s.to, 'juliet@example.com'],
    ['body → <body/>', {}, (s) => s.body, 'Neither, fair saint, if either thee dislike.'],
    ['transaction identifier → id', {}, (s) => s.id, 'tx-1'],
  ])('%s', (_row, patch, pick, expected) => {
    const r = sipMessageToStanza({ ...req, ...patch }, S2X, 'tx-1');
    expect(r.ok).toBe(true);
    if (r.ok) expect(pick(r.value)).toEqual(expected);
  });

  it('§5: a pager-mode message has no type (i.e. normal)', () => {
    const r = sipMessageToStanza(req, S2X, 'tx-1');
    expect(r.ok && r.value.type).toBeUndefined();
  });

  it('§8 / RFC 3261 §20.13: uses the first tag of a Content-Language list', () => {
    const r = sipMessageToStanza({ ...req, contentLanguage: 'fr, en' }, S2X, 'tx-1');
    expect(r.ok && r.value.lang).toBe('fr');
  });

  it('§7: text/html becomes XHTML-IM plus a plain <body/>', () => {
    const r = sipMessageToStanza({ ...req, contentType: 'text/html; charset=utf-8', body: '<p>Hi <b>there</b></p>' }, S2X, 'tx-1');
    expect(r.ok && r.value.body).toBe('Hi there');
    expect(r.ok && r.value.html && serializeXml(r.value.html)).toBe('<body xmlns="http://www.w3.org/1999/xhtml"><p>Hi <strong>there</strong></p></body>');
  });

  it('RFC 3862: message/cpim is unwrapped; the CPIM Subject is used when SIP has none', () => {
    const body = 'From: <sip:romeo@example.net>\r\nTo: <sip:juliet@example.com>\r\nSubject: From CPIM\r\n\r\nContent-Type: text/plain\r\n\r\nwrapped';
    const r = sipMessageToStanza({ ...req, contentType: 'message/cpim', body }, S2X, 'tx-1');
    expect(r.ok && [r.value.body, r.value.subject]).toEqual(['wrapped', 'From CPIM']);
  });

  it('RFC 7573 §6 Table 3: isComposing active becomes <composing/> without a body', () => {
    const body = '<?xml version="1.0"?><isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>active</state></isComposing>';
    const r = sipMessageToStanza({ ...req, contentType: 'application/im-iscomposing+xml', body }, S2X, 'tx-1');
    expect(r.ok && r.value).toMatchObject({ chatState: 'composing' });
    expect(r.ok && r.value.body).toBeUndefined();
  });

  it.each<[string, Partial<SipMessageRequest>, string]>([
    ['§7: an unsupported media type', { contentType: 'image/png', body: 'PNG' }, 'unsupported-media'],
    ['a non-UTF-8 charset', { contentType: 'text/plain; charset=iso-8859-1' }, 'unsupported-charset'],
    ['an empty body', { body: '' }, 'no-content'],
    ['a malformed Content-Language', { contentLanguage: '@@' }, 'invalid-header'],
    ['a Call-ID with a NUL (not XML text)', { callId: 'a\u0000b' }, 'invalid-text'],
    ['an IMDN (mapped by the receipts code, issue #5)', {
      contentType: 'message/cpim',
      body: 'NS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: n1\r\n\r\nContent-Type: message/imdn+xml\r\nContent-Disposition: notification\r\n\r\n<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>m1</message-id><datetime>2008-04-04T12:16:49Z</datetime><delivery-notification><status><delivered/></status></delivery-notification></imdn>',
    }, 'not-mappable'],
  ])('refuses %s', (_n, patch, code) => {
    const r = sipMessageToStanza({ ...req, ...patch }, S2X, 'tx-1');
    expect(!r.ok && r.error.code).toBe(code);
  });
});

function stanzaToSipMessageValue(patch: Partial<MessageStanza>): SipMessageOut | undefined {
  const r = toSip(patch);
  return r.ok ? r.value : undefined;
}
function sipMessageToStanzaValue(patch: Partial<SipMessageRequest>): MessageStanza | undefined {
  const r = sipMessageToStanza({ ...req, ...patch }, S2X, 'tx-1');
  return r.ok ? r.value : undefined;
}

import { parseXmlDocument } from '../xml/parse-xml-document';
import { serializeXml } from '../xml/serialize-xml';
import { el, type XmlElement } from '../xml/xml-element';
import type { Stanza } from './stanza';
import { decodeStanza, encodeStanza, errorReplyFor } from './stanza-codec';
import { stanzaError } from './stanza-error';

/** Parses a stanza as it would arrive inside a jabber:server stream. */
function parse(xml: string): XmlElement {
  const r = parseXmlDocument(`<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'>${xml}</stream:stream>`);
  if (!r.ok) throw new Error(r.error.detail);
  return r.value.children.find((c): c is XmlElement => typeof c !== 'string')!;
}
const decode = (xml: string) => decodeStanza(parse(xml));

describe('decodeStanza: message (RFC 6121 §5.2, XEP-0071/0085/0184)', () => {
  it('reads type, body, subject, thread, lang, chat state and receipt request', () => {
    const r = decode(
      `<message from='juliet@example.com/balcony' to='romeo@example.net' id='m1' type='chat' xml:lang='en'>
         <subject>Hi</subject><body>Art thou not Romeo?</body><thread>t-1</thread>
         <active xmlns='http://jabber.org/protocol/chatstates'/><request xmlns='urn:xmpp:receipts'/></message>`,
    );
    expect(r).toEqual({
      ok: true,
      value: {
        kind: 'message', from: 'juliet@example.com/balcony', to: 'romeo@example.net', id: 'm1', type: 'chat', lang: 'en',
        subject: 'Hi', body: 'Art thou not Romeo?', thread: 't-1', chatState: 'active', receiptRequest: true,
      },
    });
  });

  it('RFC 6121 §5.2.3: picks the body without xml:lang, keeps other-language bodies as extensions', () => {
    const r = decode(`<message xml:lang='en'><body xml:lang='de'>Hallo</body><body>Hello</body></message>`);
    expect(r.ok && r.value.kind === 'message' && r.value.body).toBe('Hello');
    expect(r.ok && r.value.extensions?.map((e) => e.attrs['xml:lang'])).toEqual(['de']);
  });

  it('XEP-0184: reads <received id/>', () => {
    const r = decode(`<message id='r2'><received xmlns='urn:xmpp:receipts' id='m1'/></message>`);
    expect(r.ok && r.value.kind === 'message' && r.value.receiptFor).toBe('m1');
  });

  it('RFC 6121 §5.2.2: an unknown message type is treated as normal (type absent)', () => {
    const r = decode(`<message type='bogus'><body>x</body></message>`);
    expect(r.ok && r.value.type).toBeUndefined();
  });

  it('XEP-0071 §9/§10: the XHTML-IM body is sanitised on the way in', () => {
    const r = decode(
      `<message><body>hi</body><html xmlns='http://jabber.org/protocol/xhtml-im'><body xmlns='http://www.w3.org/1999/xhtml'><p onclick='evil()' style='color: red; position: fixed'>hi <a href='javascript:alert(1)'>x</a><script>evil()</script></p></body></html></message>`,
    );
    expect(r.ok).toBe(true);
    if (!r.ok || r.value.kind !== 'message') return;
    expect(serializeXml(r.value.html!)).toBe('<body xmlns="http://www.w3.org/1999/xhtml"><p style="color: red">hi x</p></body>');
  });

  it('keeps unknown children as extensions, with their namespace', () => {
    const r = decode(`<message><body>x</body><foo xmlns='urn:example:foo'>bar</foo></message>`);
    expect(r.ok && r.value.extensions?.[0]).toMatchObject({ name: 'foo', ns: 'urn:example:foo' });
  });
});

describe('decodeStanza: errors (RFC 6120 §8.3)', () => {
  it('reads type, condition, text with its lang and by', () => {
    const r = decode(
      `<message type='error' id='e1' from='example.net'><error type='cancel' by='example.net'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>down</text></error></message>`,
    );
    expect(r.ok && r.value.error).toEqual({ type: 'cancel', condition: 'service-unavailable', text: 'down', textLang: 'en', by: 'example.net' });
  });

  it.each(['gone', 'redirect'])('§8.3.3: <%s/> carries the alternate address as its text', (cond) => {
    const r = decode(`<iq type='error' id='i1'><error type='modify'><${cond} xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>xmpp:new@example.org</${cond}></error></iq>`);
    expect(r.ok && r.value.error?.alternateAddress).toBe('xmpp:new@example.org');
  });

  it.each([
    ['type="error" without <error/>', `<message type='error'/>`, 'bad-error'],
    ['an unknown error condition', `<message type='error'><error type='cancel'><made-up xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>`, 'bad-error'],
    ['an unknown error type', `<message type='error'><error type='fatal'><gone xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>`, 'bad-error'],
  ])('refuses %s', (_n, xml, code) => {
    const r = decode(xml);
    expect(!r.ok && r.error.code).toBe(code);
  });
});

describe('decodeStanza: presence (RFC 6121 §4.7)', () => {
  it('reads type, show, status and priority', () => {
    const r = decode(`<presence from='a@b/c' xml:lang='en'><show>dnd</show><status xml:lang='fr'>occupé</status><status>busy</status><priority>-128</priority></presence>`);
    expect(r.ok && r.value).toMatchObject({ kind: 'presence', show: 'dnd', status: 'busy', priority: -128 });
    expect(r.ok && r.value.extensions).toHaveLength(1);
  });

  it.each([
    ['an unknown type (§4.7.1)', `<presence type='online'/>`, 'invalid-type'],
    ['an unknown show (§4.7.2.1)', `<presence><show>busy</show></presence>`, 'invalid-value'],
    ['priority 128 (§4.7.2.3)', `<presence><priority>128</priority></presence>`, 'invalid-value'],
    ['priority -129', `<presence><priority>-129</priority></presence>`, 'invalid-value'],
    ['a non-integer priority', `<presence><priority>1.5</priority></presence>`, 'invalid-value'],
  ])('refuses %s', (_n, xml, code) => {
    const r = decode(xml);
    expect(!r.ok && r.error.code).toBe(code);
  });
});

describe('decodeStanza: iq (RFC 6120 §8.2.3)', () => {
  it('reads the single payload of a get', () => {
    const r = decode(`<iq type='get' id='v1' to='example.net'><query xmlns='jabber:iq:version'/></iq>`);
    expect(r.ok && r.value.kind === 'iq' && r.value.payload).toMatchObject({ name: 'query', ns: 'jabber:iq:version' });
  });

  it('accepts an empty result', () => {
    expect(decode(`<iq type='result' id='v1'/>`)).toEqual({ ok: true, value: { kind: 'iq', type: 'result', id: 'v1' } });
  });

  it.each([
    ['an iq without id', `<iq type='get'><ping xmlns='urn:xmpp:ping'/></iq>`, 'missing-id'],
    ['an iq without type', `<iq id='x'><ping xmlns='urn:xmpp:ping'/></iq>`, 'invalid-type'],
    ['an unknown iq type', `<iq id='x' type='put'><ping xmlns='urn:xmpp:ping'/></iq>`, 'invalid-type'],
    ['a get without payload', `<iq id='x' type='get'/>`, 'bad-payload'],
    ['a set with two payloads', `<iq id='x' type='set'><a xmlns='urn:a'/><b xmlns='urn:b'/></iq>`, 'bad-payload'],
  ])('refuses %s', (_n, xml, code) => {
    const r = decode(xml);
    expect(!r.ok && r.error.code).toBe(code);
  });
});

describe('decodeStanza: namespace and name', () => {
  it('accepts jabber:client', () => {
    expect(decodeStanza(el('message', { xmlns: 'jabber:client' }, el('body', {}, 'x'))).ok).toBe(true);
  });
  it.each([
    ['no namespace', el('message', {}), 'bad-namespace'],
    ['another namespace', el('message', { xmlns: 'urn:other' }), 'bad-namespace'],
    ['a non-stanza element', el('foo', { xmlns: 'jabber:server' }), 'unknown-stanza'],
  ])('refuses %s', (_n, e, code) => {
    const r = decodeStanza(e);
    expect(!r.ok && r.error.code).toBe(code);
  });
});

describe('encodeStanza ⇄ decodeStanza round trip', () => {
  const cases: Array<[string, Stanza]> = [
    ['a full chat message', {
      kind: 'message', from: 'a@b/c', to: 'd@e', id: 'm1', type: 'chat', lang: 'en', subject: 's', body: 'b <&> "q"',
      thread: 't', chatState: 'composing', receiptRequest: true,
      html: el('body', { xmlns: 'http://www.w3.org/1999/xhtml' }, el('p', {}, 'b ', el('strong', {}, 'x'))),
    }],
    ['a receipt', { kind: 'message', id: 'r', receiptFor: 'm1' }],
    ['a message error with alternate address', {
      kind: 'message', from: 'd@e', to: 'a@b/c', id: 'm1', type: 'error', body: 'b',
      error: { type: 'modify', condition: 'redirect', alternateAddress: 'xmpp:x@y', text: 'moved', textLang: 'en', by: 'e' },
    }],
    ['a presence', { kind: 'presence', from: 'a@b/c', show: 'away', status: 'out', priority: 5 }],
    ['a presence subscription', { kind: 'presence', to: 'a@b', type: 'subscribe' }],
    ['an iq get', { kind: 'iq', id: 'i', type: 'get', payload: el('ping', { xmlns: 'urn:xmpp:ping' }) }],
    ['an iq error', { kind: 'iq', id: 'i', type: 'error', error: stanzaError('service-unavailable') }],
  ];

  it.each(cases)('%s survives encode → decode', (_n, s) => {
    expect(decodeStanza(encodeStanza(s))).toEqual({ ok: true, value: s });
  });

  it.each(cases)('%s survives encode → serialize → parse → decode', (_n, s) => {
    const text = serializeXml(encodeStanza(s, { ns: 'jabber:client' }));
    const parsed = parseXmlDocument(text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const back = decodeStanza(parsed.value);
    expect(back.ok).toBe(true);
    // Parsed elements carry resolved namespaces; compare through the serialiser.
    if (back.ok) expect(serializeXml(encodeStanza(back.value, { ns: 'jabber:client' }))).toBe(text);
  });

  it('uses jabber:server unless told otherwise', () => {
    expect(encodeStanza({ kind: 'message' }).attrs.xmlns).toBe('jabber:server');
    expect(encodeStanza({ kind: 'message' }, { ns: 'jabber:client' }).attrs.xmlns).toBe('jabber:client');
  });

  it('RFC 6120 §8.3.2: the <error/> is the last child, condition in the stanzas namespace', () => {
    const e = encodeStanza({ kind: 'iq', id: 'i', type: 'error', payload: el('q', { xmlns: 'urn:q' }), error: stanzaError('bad-request') });
    expect(serializeXml(e)).toBe(
      '<iq xmlns="jabber:server" id="i" type="error"><q xmlns="urn:q"/><error type="modify"><bad-request xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>',
    );
  });
});

describe('errorReplyFor (RFC 6120 §8.3.1)', () => {
  const e = stanzaError('service-unavailable');

  it('swaps from/to, keeps id and content, sets type error', () => {
    const reply = errorReplyFor({ kind: 'message', from: 'a@b/c', to: 'd@e', id: 'm1', type: 'chat', body: 'hi', receiptRequest: true }, e);
    expect(reply).toEqual({ kind: 'message', from: 'd@e', to: 'a@b/c', id: 'm1', type: 'error', body: 'hi', error: e });
  });

  it('answers an iq get with an iq error carrying the payload', () => {
    const payload = el('ping', { xmlns: 'urn:xmpp:ping' });
    expect(errorReplyFor({ kind: 'iq', from: 'a@b', to: 'c@d', id: 'i', type: 'get', payload }, e)).toEqual({
      kind: 'iq', from: 'c@d', to: 'a@b', id: 'i', type: 'error', payload, error: e,
    });
  });

  it('answers a presence subscribe with a presence error', () => {
    expect(errorReplyFor({ kind: 'presence', from: 'a@b', to: 'c@d', type: 'subscribe' }, e)).toMatchObject({ type: 'error', to: 'a@b' });
  });

  it.each<[string, Stanza]>([
    ['a message error', { kind: 'message', type: 'error', error: e }],
    ['a presence error', { kind: 'presence', type: 'error', error: e }],
    ['an iq error', { kind: 'iq', id: 'i', type: 'error', error: e }],
    ['an iq result', { kind: 'iq', id: 'i', type: 'result' }],
  ])('never bounces %s', (_n, s) => {
    expect(errorReplyFor(s, e)).toBeUndefined();
  });
});

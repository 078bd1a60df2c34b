/**
 * Attack tests for the message bodies and headers that cross the gateway:
 * HTML from SIP becoming XHTML-IM (XEP-0071 §10 security), XHTML-IM from
 * XMPP re-filtered, XMPP fields becoming SIP header values (RFC 3261 §25.1:
 * no CR/LF injection), and oversized or hostile bodies from SIP (RFC 7572 §7).
 */
import { jidToSipUri } from '../address/address-mapping';
import type { MessageStanza } from '../stanza/stanza';
import { parseXmlDocument } from '../xml/parse-xml-document';
import { serializeXml } from '../xml/serialize-xml';
import { htmlToXhtmlIm } from './html-to-xhtml-im';
import { stanzaToSipMessage } from './message-mapping';
import { decodeSipContent } from './sip-content';
import { sanitizeXhtmlBody } from './xhtml-im-sanitize';

/** Nothing executable or fetching may survive: no script, no handler, no javascript:/data:, no CSS url()/expression. */
const DANGEROUS = /<script|<img|<iframe|<svg|<style|<object|\son[a-z]+=|javascript:|data:|vbscript:|url\(|expression|behavior/i;

describe('security: HTML from SIP → XHTML-IM (XEP-0071 §10, RFC 7572 §7)', () => {
  it.each([
    '<img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href=" JaVaScRiPt:alert(1)">x</a>',
    '<a href="data:text/html,&lt;script&gt;">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<p style="color: red; behavior: url(x.htc)">x</p>',
    '<p style="color: expr/**/ession(alert(1))">x</p>',
    '<svg><script>alert(1)</script></svg>',
    '<b onclick="alert(1)" onmouseover="alert(2)">x</b>',
    '<scr<script>ipt>alert(1)</script>',
    '<math><mtext></p><script>alert(1)</script>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<iframe srcdoc="<script>alert(1)</script>">',
    '</script><script>alert(1)</script>',
    '<table><tr><td><script>alert(1)</script></td></tr></table>',
    '<object data="evil.swf"></object><embed src="evil.swf">',
    '<form action="http://evil"><input name=x></form>',
    '<base href="http://evil/"><link rel=stylesheet href="http://evil/x.css">',
  ])('strips active content from %s', (html) => {
    const r = htmlToXhtmlIm(html);
    const out = r.ok ? serializeXml(r.value.html) : '';
    expect(out).not.toMatch(DANGEROUS);
  });

  it('keeps a harmless link and style but escapes text that looks like markup', () => {
    const r = htmlToXhtmlIm('<p style="color: red">&lt;script&gt;</p><a href="https://example.test/">x</a>');
    expect(r.ok && serializeXml(r.value.html)).toBe(
      '<body xmlns="http://www.w3.org/1999/xhtml"><p style="color: red">&lt;script&gt;</p><a href="https://example.test/">x</a></body>');
  });

  it('refuses a DOCTYPE with an internal subset (the XXE vector) as restricted-xml', () => {
    const r = htmlToXhtmlIm('<!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]><p>&x;</p>');
    expect(!r.ok && r.error.code).toBe('restricted-xml');
  });

  it('fails safely (too-complex) on hostile nesting instead of overflowing the stack', () => {
    const r = htmlToXhtmlIm('<span>'.repeat(5_000));
    expect(!r.ok && r.error.code).toBe('too-complex');
  });
});

describe('security: XHTML-IM from XMPP is re-filtered (XEP-0071 §9, §10)', () => {
  const body = (inner: string) => {
    const r = parseXmlDocument(`<body xmlns='http://www.w3.org/1999/xhtml'>${inner}</body>`);
    if (!r.ok) throw new Error(r.error.detail);
    return r.value;
  };
  it.each([
    "<script>alert(1)</script>",
    "<p onclick='alert(1)'>x</p>",
    "<a href='javascript:alert(1)'>x</a>",
    "<img src='http://tracker.test/pixel.gif'/>",
    "<p style='background-image: url(http://tracker.test/)'>x</p>",
    "<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
    "<x:script xmlns:x='http://www.w3.org/1999/xhtml'>alert(1)</x:script>",
    "<p xmlns='urn:evil'><script>alert(1)</script></p>",
  ])('removes active or remote content from %s', (inner) => {
    const out = sanitizeXhtmlBody(body(inner));
    expect(out === undefined ? '' : serializeXml(out)).not.toMatch(DANGEROUS);
  });
});

describe('security: XMPP fields never inject SIP headers (RFC 3261 §25.1, RFC 7572 §4)', () => {
  const addrs = { fromUri: 'sip:juliet@xmpp.example;gr=balcony', toUri: 'sip:romeo@sip.example' };
  const msg = (over: Partial<MessageStanza>): MessageStanza => ({ kind: 'message', from: 'juliet@xmpp.example/balcony', to: 'romeo@sip.example', body: 'hi', ...over });
  const headersOf = (over: Partial<MessageStanza>) => {
    const r = stanzaToSipMessage(msg(over), addrs);
    return r.ok ? r.value.headers : undefined;
  };
  const noBreaks = (v: string | undefined) => expect(v ?? '').not.toMatch(/[\r\n\u0000]/);

  it('flattens CR/LF and controls in <subject/> so no header can be appended', () => {
    const h = headersOf({ subject: 'hello\r\nX-Injected: 1\r\n\r\nfake body' });
    noBreaks(h?.Subject);
    expect(h?.Subject).toBe('hello X-Injected: 1 fake body');
  });

  it('escapes CR/LF and separators in <thread/> before it becomes the Call-ID', () => {
    const h = headersOf({ thread: 'abc\r\nVia: SIP/2.0/UDP evil.test;branch=z9hG4bK1' });
    noBreaks(h?.['Call-ID']);
    expect(h?.['Call-ID']).not.toMatch(/\s/);
  });

  it('refuses an xml:lang carrying CR/LF rather than copying it into Content-Language', () => {
    const r = stanzaToSipMessage(msg({ lang: 'en\r\nX-Injected: 1' }), addrs);
    expect(!r.ok && r.error.code).toBe('invalid-header');
  });

  it.each([
    ['a resource with URI delimiters', 'juliet@xmpp.example/r>;lr;maddr=evil.test'],
    ['a resource that looks like a name-addr', 'juliet@xmpp.example/<sip:evil@evil.test>'],
    ['a resource with a quote', 'juliet@xmpp.example/r"x'],
  ])('percent-encodes %s in the GRUU so the From URI cannot be broken out of', (_n, jid) => {
    const r = jidToSipUri(jid);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toMatch(/^sip:juliet@xmpp\.example;gr=[^<>";\s]+$/);
  });

  it('refuses a JID whose resource carries CR/LF (RFC 7622 §3.4)', () => {
    expect(jidToSipUri('juliet@xmpp.example/r\r\nX-Injected: 1').ok).toBe(false);
  });
});

describe('security: hostile SIP bodies (RFC 7572 §7, RFC 3862, RFC 5438)', () => {
  it.each([
    ['an oversized text/plain body', 'text/plain;charset=UTF-8', 'x'.repeat(70 * 1024), 'too-big'],
    ['an oversized CPIM body', 'message/cpim', `From: <sip:a@b>\r\n\r\nContent-Type: text/plain\r\n\r\n${'x'.repeat(70 * 1024)}`, 'too-big'],
    ['a NUL in text/plain', 'text/plain;charset=UTF-8', 'a\u0000b', 'invalid-text'],
    ['isComposing with a billion-laughs DOCTYPE', 'application/im-iscomposing+xml', '<!DOCTYPE x [<!ENTITY a "a">]><isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>&a;</state></isComposing>', 'restricted-xml'],
    ['a CPIM-wrapped IMDN with an external entity', 'message/cpim', 'From: <sip:a@b>\r\n\r\nContent-Type: message/imdn+xml\r\n\r\n<!DOCTYPE imdn [<!ENTITY x SYSTEM "file:///etc/passwd">]><imdn xmlns="urn:ietf:params:xml:ns:imdn">&x;</imdn>', 'restricted-xml'],
    ['CPIM nested in CPIM', 'message/cpim', 'From: <sip:a@b>\r\n\r\nContent-Type: message/cpim\r\n\r\nFrom: <sip:c@d>\r\n\r\nContent-Type: text/plain\r\n\r\nhi', 'cpim-nested'],
    ['a body with an unsupported charset', 'text/plain;charset=UTF-7', '+ADw-script+AD4-', 'unsupported-charset'],
  ])('refuses %s with a typed error (never a throw)', (_n, contentType, body, code) => {
    const r = decodeSipContent(contentType, body);
    expect(!r.ok && r.error.code).toBe(code);
  });
});

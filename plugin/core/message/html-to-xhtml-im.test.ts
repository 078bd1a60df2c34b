import { serializeXml } from '../xml/serialize-xml';
import { el } from '../xml/xml-element';
import { htmlToXhtmlIm } from './html-to-xhtml-im';
import { sanitizeXhtmlBody } from './xhtml-im-sanitize';

const B = '<body xmlns="http://www.w3.org/1999/xhtml">';
function convert(html: string) {
  const r = htmlToXhtmlIm(html);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.detail}`);
  return { xhtml: serializeXml(r.value.html), text: r.value.text };
}

describe('text/html → XHTML-IM (RFC 7572 §7, XEP-0071 §7 recommended profile)', () => {
  it.each([
    ['keeps profile elements', '<p>a <strong>b</strong> <em>c</em> <code>d</code> <q>e</q> <cite>f</cite></p>',
      `${B}<p>a <strong>b</strong> <em>c</em> <code>d</code> <q>e</q> <cite>f</cite></p></body>`],
    ['maps b/i/div onto strong/em/p', '<div><b>x</b><i>y</i></div>', `${B}<p><strong>x</strong><em>y</em></p></body>`],
    ['keeps lists and blockquote', '<ul><li>1</li><li>2</li></ul><blockquote>q</blockquote>',
      `${B}<ul><li>1</li><li>2</li></ul><blockquote>q</blockquote></body>`],
    ['keeps br as an empty element', 'a<br>b', `${B}a<br/>b</body>`],
    ['drops <script> with its content', '<p>hi<script>alert(1)</script></p>', `${B}<p>hi</p></body>`],
    ['drops <style>, <iframe> and <img>', '<style>p{}</style><iframe src="x">f</iframe><img src="http://t/x.png">ok', `${B}ok</body>`],
    ['drops on* handlers and class/id', '<p onclick="x()" onmouseover="y()" class="c" id="i">t</p>', `${B}<p>t</p></body>`],
    ['unwraps a javascript: link', '<a href="javascript:alert(1)">x</a>', `${B}x</body>`],
    ['unwraps a link hiding javascript: behind whitespace', '<a href="java\tscript:alert(1)">x</a>', `${B}x</body>`],
    ['unwraps data: and relative links', '<a href="data:text/html,x">a</a><a href="/etc">b</a>', `${B}ab</body>`],
    ['keeps http/https/mailto/xmpp/sip links', '<a href="https://e.org/">w</a><a href="xmpp:a@b">x</a><a href="sip:a@b">s</a><a href="mailto:a@b">m</a>',
      `${B}<a href="https://e.org/">w</a><a href="xmpp:a@b">x</a><a href="sip:a@b">s</a><a href="mailto:a@b">m</a></body>`],
    ['keeps only whitelisted CSS (XEP-0071 §7)', '<span style="color: red; position: absolute; font-weight: bold">x</span>',
      `${B}<span style="color: red; font-weight: bold">x</span></body>`],
    ['drops CSS url() and expression()', '<span style="background-color: url(http://t/x); color: expression(alert(1))">x</span>', `${B}<span>x</span></body>`],
    ['unwraps html/body and drops head', '<!DOCTYPE html><html><head><title>T</title></head><body><p>x</p></body></html>', `${B}<p>x</p></body>`],
    ['decodes HTML entities once (never expands custom ones)', '<p>&lt;b&gt; &amp;amp; &eacute; &x;</p>', `${B}<p>&lt;b&gt; &amp;amp; é &amp;x;</p></body>`],
    ['closes unbalanced HTML', '<p><strong>x', `${B}<p><strong>x</strong></p></body>`],
  ])('%s', (_n, html, xhtml) => {
    expect(convert(html).xhtml).toBe(xhtml);
  });

  it.each([
    ['collapses white space', '<p>a\n   b</p>', 'a b'],
    ['puts blocks and br on their own lines', '<p>one</p><p>two<br>three</p>', 'one\ntwo\nthree'],
    ['lists items', '<ul><li>a</li><li>b</li></ul>', '- a\n- b'],
    ['shows a link target that differs from its text (XEP-0071 §8)', '<a href="https://e.org/">site</a>', 'site <https://e.org/>'],
    ['does not repeat a link target equal to its text', '<a href="https://e.org/">https://e.org/</a>', 'https://e.org/'],
    ['leaves out dropped content', 'a<script>b</script>c', 'ac'],
  ])('plain-text fallback body %s', (_n, html, text) => {
    expect(convert(html).text).toBe(text);
  });

  it.each([
    ['a DOCTYPE with an internal subset', '<!DOCTYPE x [<!ENTITY a "boom">]><p>&a;</p>', 'restricted-xml'],
    ['a 2 MB body (refused before parsing)', `<p>${'x'.repeat(2 * 1024 * 1024)}</p>`, 'too-big'],
    ['binary garbage with control characters', '\u0000\u0001<p>\u0002</p>', 'invalid-text'],
    ['hostile nesting', '<span>'.repeat(5000), 'too-complex'],
  ])('refuses %s', (_n, html, code) => {
    const r = htmlToXhtmlIm(html);
    expect(!r.ok && r.error.code).toBe(code);
  });

  it('tolerates HTML that is not XML (unquoted attributes, unclosed tags)', () => {
    expect(convert('<p style=color:red>a<p>b').xhtml).toBe(`${B}<p style="color: red">a</p><p>b</p></body>`);
  });
});

describe('sanitizeXhtmlBody (XEP-0071 §9, §10): XHTML-IM from XMPP', () => {
  it('drops elements in foreign namespaces with their content', () => {
    const body = el('body', { xmlns: 'http://www.w3.org/1999/xhtml' }, 'a', { name: 'svg', attrs: {}, children: ['x'], ns: 'http://www.w3.org/2000/svg' });
    expect(serializeXml(sanitizeXhtmlBody(body)!)).toBe(`${B}a</body>`);
  });

  it('is idempotent', () => {
    const once = sanitizeXhtmlBody(el('body', {}, el('p', { style: 'color: red; x: y' }, el('b', {}, 'x'))))!;
    expect(sanitizeXhtmlBody(once)).toEqual(once);
  });

  it('gives up (undefined) on nesting deeper than the limit', () => {
    let e = el('span', {}, 'x');
    for (let i = 0; i < 100; i++) e = el('span', {}, e);
    expect(sanitizeXhtmlBody(el('body', {}, e))).toBeUndefined();
  });
});

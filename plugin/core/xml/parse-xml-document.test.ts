import { parseXmlDocument } from './parse-xml-document';
import { findChild, textOf } from './xml-element';

describe('parseXmlDocument', () => {
  it('returns plain data with namespaces resolved from ancestors', () => {
    const r = parseXmlDocument(
      '<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="pres:a@b"><tuple id="t1"><status><basic>open</basic></status></tuple></presence>',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.name).toBe('presence');
    expect(r.value.attrs.entity).toBe('pres:a@b');
    const tuple = findChild(r.value, 'tuple', 'urn:ietf:params:xml:ns:pidf');
    expect(tuple?.attrs.id).toBe('t1');
    expect(textOf(findChild(findChild(tuple!, 'status')!, 'basic'))).toBe('open');
  });

  it('keeps text and child order and unescapes references', () => {
    const r = parseXmlDocument('<p>a &lt;<b>x</b>c &#x263A;</p>');
    expect(r.ok && r.value.children).toEqual(['a <', { name: 'b', attrs: {}, children: ['x'] }, 'c ☺']);
  });

  it.each([
    ['a DOCTYPE with entities (XXE)', '<!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><p>&x;</p>', 'restricted-xml'],
    ['mismatched tags', '<a><b></a></b>', 'not-well-formed'],
    ['an unterminated document', '<a><b>', 'not-well-formed'],
    ['an empty body', '   ', 'empty'],
    ['not XML at all', 'hello world', 'not-well-formed'],
    ['a 2 MB document', `<a>${'x'.repeat(2 * 1024 * 1024)}</a>`, 'stanza-too-big'],
  ])('refuses %s with %s', (_n, input, code) => {
    const r = parseXmlDocument(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe(code);
  });
});

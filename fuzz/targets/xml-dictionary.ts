/** Tokens that reach the restricted-XML and limit checks (RFC 6120 §11.1, §13.12) quickly. */
export const XML_DICTIONARY: readonly string[] = [
  '<', '>', '</', '/>', '<?xml version="1.0"?>', '<?pi x?>', '<!--', '-->', '<!DOCTYPE x [<!ENTITY e "v">]>', '<![CDATA[', ']]>',
  '&amp;', '&lt;', '&#x0;', '&#65;', '&e;', 'xmlns=', 'xmlns:x=', ' a="1"', " a='2'", '"', "'", '=', ':', '\u0000', '\uFFFE', '\uD800',
  '\u00e9', '✓', '😀', '\r\n', '\t', 'x'.repeat(300),
];

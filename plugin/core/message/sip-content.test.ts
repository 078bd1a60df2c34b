import { decodeSipContent } from './sip-content';

describe('decodeSipContent: dispatch by Content-Type (RFC 7572 §7)', () => {
  it('decodes IMDN inside CPIM (RFC 5438 §7.1.1.1)', () => {
    const body = [
      'From: <sip:bob@example.com>', 'To: <sip:alice@example.net>', 'NS: imdn <urn:ietf:params:imdn>', 'imdn.Message-ID: n1',
      'DateTime: 2008-04-04T12:16:49Z', '', 'Content-Type: message/imdn+xml', 'Content-Disposition: notification', '',
      '<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>m1</message-id><datetime>2008-04-04T12:16:49Z</datetime><delivery-notification><status><delivered/></status></delivery-notification></imdn>',
    ].join('\r\n');
    const r = decodeSipContent('message/cpim', body);
    expect(r.ok && r.value.kind === 'imdn' && r.value.imdn.notification).toEqual({ kind: 'delivery', status: 'delivered' });
  });

  it('decodes text/html wrapped in CPIM', () => {
    const r = decodeSipContent('message/cpim', 'From: <sip:a@b>\r\n\r\nContent-Type: text/html\r\n\r\n<b>x</b>');
    expect(r.ok && r.value.kind === 'text' && r.value.text).toBe('x');
  });

  it.each([
    ['a body without Content-Type (RFC 3261 §20.15)', undefined, 'hi', 'invalid-header'],
    ['an empty MESSAGE without Content-Type', undefined, '', 'no-content'],
    ['a malformed Content-Type', 'text', 'hi', 'invalid-header'],
    ['a bare message/imdn+xml (needs CPIM)', 'message/imdn+xml', '<imdn/>', 'unsupported-media'],
    ['application/pidf+xml', 'application/pidf+xml', '<presence/>', 'unsupported-media'],
    ['text/html in a foreign charset', 'text/html; charset=koi8-r', '<p>x</p>', 'unsupported-charset'],
    ['CPIM without headers', 'message/cpim', '\r\nContent-Type: text/plain\r\n\r\nx', 'cpim-no-headers'],
    ['CPIM wrapping text/plain with a NUL', 'message/cpim', 'From: <sip:a@b>\r\n\r\nContent-Type: text/plain\r\n\r\na\u0000', 'invalid-text'],
    ['isComposing that is not XML', 'application/im-iscomposing+xml', '<isComposing', 'not-well-formed'],
    ['isComposing with a DOCTYPE', 'application/im-iscomposing+xml', '<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>', 'restricted-xml'],
    ['any 2 MB body, refused before parsing', 'application/im-iscomposing+xml', `<a>${'x'.repeat(2 * 1024 * 1024)}</a>`, 'too-big'],
    ['binary garbage as text/plain', 'text/plain', '\u0000\u0001\u0002\u00fe\u00ff', 'invalid-text'],
  ])('refuses %s', (_n, ct, body, code) => {
    const r = decodeSipContent(ct, body);
    expect(!r.ok && r.error.code).toBe(code);
  });

  it('honours a configured body limit', () => {
    const r = decodeSipContent('text/plain', 'x'.repeat(101), { maxBodyBytes: 100 });
    expect(!r.ok && r.error.code).toBe('too-big');
  });

  it('keeps U+FFFD left by a lenient UTF-8 decoder (it is valid text)', () => {
    const r = decodeSipContent('text/plain', 'caf\ufffd');
    expect(r.ok && r.value.kind === 'text' && r.value.text).toBe('caf\ufffd');
  });
});

describe('decodeSipContent: bodies whose bytes were not UTF-8 (RFC 3629; RFC 7572 §7)', () => {
  it.each<[string, string, string]>([
    ['text/plain;charset=UTF-8', '\uFFFD(', 'invalid-text'],
    ['text/plain', '\uFFFD(', 'invalid-text'],
    ['text/html', '<p>\uFFFD</p>', 'invalid-text'],
    ['message/cpim', 'From: <sip:a@b>\r\nTo: <sip:c@d>\r\n\r\nContent-Type: text/plain\r\n\r\n\uFFFD(', 'invalid-text'],
    ['text/plain;charset=ISO-8859-1', 'caf\uFFFD', 'unsupported-charset'], // 415 first: the sender can fix its charset
    ['application/octet-stream', '\uFFFD', 'unsupported-media'],
  ])('%s → %s', (contentType, body, code) => {
    const r = decodeSipContent(contentType, body, { notUtf8: true });
    expect(r.ok ? 'ok' : r.error.code).toBe(code);
  });
});


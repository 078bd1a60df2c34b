import { buildCpim, cpimHeaderValues, parseCpim } from './cpim';

const CRLF = (lines: string[]) => lines.join('\r\n');

// RFC 3862 §6 example, trimmed to what the gateway reads.
const EXAMPLE = CRLF([
  'From: MR SANDERS <im:piglet@100akerwood.com>',
  'To: Depressed Donkey <im:eeyore@100akerwood.com>',
  'DateTime: 2000-12-13T13:40:00-08:00',
  'Subject: the weather will be fine today',
  'Subject:;lang=fr beau temps prevu pour aujourd\'hui',
  'NS: MyFeatures <mid:MessageFeatures@id.foo.com>',
  'Require: MyFeatures.VitalMessageOption',
  'MyFeatures.VitalMessageOption: Confirmation-requested',
  '',
  'Content-type: text/plain',
  'Content-ID: <1234567890@foo.com>',
  '',
  'Here is the text of my message.',
]);

describe('parseCpim (RFC 3862 §2-§4)', () => {
  it('reads From, To, DateTime, Subject, NS and the encapsulated content', () => {
    const r = parseCpim(EXAMPLE);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.from).toEqual({ uri: 'im:piglet@100akerwood.com', displayName: 'MR SANDERS' });
    expect(r.value.to).toEqual([{ uri: 'im:eeyore@100akerwood.com', displayName: 'Depressed Donkey' }]);
    expect(r.value.dateTime).toBe('2000-12-13T13:40:00-08:00');
    expect(r.value.subject).toBe('the weather will be fine today');
    expect(r.value.headers.find((h) => h.lang === 'fr')?.value).toBe("beau temps prevu pour aujourd'hui");
    expect(r.value.ns).toEqual({ MyFeatures: 'mid:MessageFeatures@id.foo.com' });
    expect(cpimHeaderValues(r.value, 'mid:MessageFeatures@id.foo.com', 'VitalMessageOption')).toEqual(['Confirmation-requested']);
    expect(r.value.contentType.essence).toBe('text/plain');
    expect(r.value.contentHeaders['content-id']).toBe('<1234567890@foo.com>');
    expect(r.value.body).toBe('Here is the text of my message.');
  });

  it('accepts LF-only line ends and keeps the content byte-exact (including its own blank lines)', () => {
    const r = parseCpim('From: <sip:a@b>\n\nContent-Type: text/plain\n\nline1\r\n\r\nline3\n');
    expect(r.ok && r.value.body).toBe('line1\r\n\r\nline3\n');
  });

  it('§2.3: unescapes header values', () => {
    const r = parseCpim(CRLF(['From: "A \\"B\\"" <sip:a@b>', 'Subject: tab\\there \\u00e9', '', 'Content-Type: text/plain', '', 'x']));
    expect(r.ok && [r.value.from?.displayName, r.value.subject]).toEqual(['A "B"', 'tab\there é']);
  });

  it.each([
    ['without message headers', CRLF(['', 'Content-Type: text/plain', '', 'x']), 'cpim-no-headers'],
    ['that is just text', 'hello there', 'cpim-no-headers'],
    ['that is empty', '', 'cpim-no-headers'],
    ['missing the blank line before the MIME headers', CRLF(['From: <sip:a@b>', 'Content-Type: text/plain', '', 'x']), 'cpim-malformed'],
    ['missing the blank line after the MIME headers', CRLF(['From: <sip:a@b>', '', 'Content-Type: text/plain']), 'cpim-malformed'],
    ['with a garbage header line', CRLF(['From: <sip:a@b>', 'no colon here', '', 'Content-Type: text/plain', '', 'x']), 'cpim-malformed'],
    ['without a Content-Type', CRLF(['From: <sip:a@b>', '', 'Content-ID: <x>', '', 'x']), 'cpim-malformed'],
    ['nesting message/cpim', CRLF(['From: <sip:a@b>', '', 'Content-Type: message/cpim', '', 'From: <sip:c@d>']), 'cpim-nested'],
    ['carrying image/png', CRLF(['From: <sip:a@b>', '', 'Content-Type: image/png', '', '\u0089PNG']), 'unsupported-media'],
    ['carrying multipart/mixed', CRLF(['From: <sip:a@b>', '', 'Content-Type: multipart/mixed; boundary=x', '', '--x']), 'unsupported-media'],
    ['with a base64 transfer encoding', CRLF(['From: <sip:a@b>', '', 'Content-Type: text/plain', 'Content-Transfer-Encoding: base64', '', 'aGk=']), 'unsupported-media'],
    ['of 2 MB (refused before parsing)', 'From: <sip:a@b>\r\n\r\nContent-Type: text/plain\r\n\r\n' + 'x'.repeat(2 * 1024 * 1024), 'too-big'],
  ])('refuses CPIM %s', (_n, body, code) => {
    const r = parseCpim(body);
    expect(!r.ok && r.error.code).toBe(code);
  });
});

describe('buildCpim', () => {
  it('round-trips through parseCpim, escaping line breaks so headers cannot be injected', () => {
    const text = buildCpim({
      from: { uri: 'sip:a@b', displayName: 'A "x"' },
      to: [{ uri: 'sip:c@d' }],
      dateTime: '2024-01-01T00:00:00Z',
      subject: 'two\r\nTo: <sip:evil@x>',
      ns: { imdn: 'urn:ietf:params:imdn' },
      headers: [{ name: 'imdn.Message-ID', value: 'm1' }],
      contentType: 'text/plain;charset=UTF-8',
      body: 'hello',
    });
    const r = parseCpim(text);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.from).toEqual({ uri: 'sip:a@b', displayName: 'A "x"' });
    expect(r.value.to).toEqual([{ uri: 'sip:c@d' }]);
    expect(r.value.subject).toBe('two\r\nTo: <sip:evil@x>');
    expect(cpimHeaderValues(r.value, 'urn:ietf:params:imdn', 'Message-ID')).toEqual(['m1']);
    expect(r.value.body).toBe('hello');
  });
});

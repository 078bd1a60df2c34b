import { parseCpim } from './cpim';
import { buildDeliveryNotification, buildImdn, imdnRequestHeaders, parseImdn, readImdnRequest, type ImdnDocument } from './imdn';
import { buildCpim } from './cpim';

const NS = 'urn:ietf:params:xml:ns:imdn';
const doc = (status: string, kind = 'delivery') =>
  `<?xml version="1.0" encoding="UTF-8"?><imdn xmlns="${NS}"><message-id>34jk324j</message-id><datetime>2008-04-04T12:16:49-07:00</datetime><recipient-uri>im:bob@example.com</recipient-uri><original-recipient-uri>im:bob@example.com</original-recipient-uri><${kind}-notification><status><${status}/></status></${kind}-notification></imdn>`;

describe('message/imdn+xml (RFC 5438 §7.2)', () => {
  it.each(['delivered', 'failed', 'forbidden', 'error'])('reads a delivery notification with status %s', (status) => {
    const r = parseImdn(doc(status));
    expect(r).toEqual({
      ok: true,
      value: {
        messageId: '34jk324j', datetime: '2008-04-04T12:16:49-07:00', recipientUri: 'im:bob@example.com',
        originalRecipientUri: 'im:bob@example.com', notification: { kind: 'delivery', status },
      },
    });
  });

  it('reads a display notification', () => {
    expect(parseImdn(doc('displayed', 'display')).ok && parseImdn(doc('displayed', 'display'))).toMatchObject({ value: { notification: { kind: 'display', status: 'displayed' } } });
  });

  it('round-trips build → parse', () => {
    const d: ImdnDocument = { messageId: 'm<1>', datetime: '2024-01-01T00:00:00Z', notification: { kind: 'delivery', status: 'delivered' } };
    expect(parseImdn(buildImdn(d))).toEqual({ ok: true, value: d });
  });

  it.each([
    ['a status not defined for delivery', doc('displayed'), 'invalid-document'],
    ['a missing message-id', `<imdn xmlns="${NS}"><datetime>2008-04-04T12:16:49Z</datetime><delivery-notification><status><delivered/></status></delivery-notification></imdn>`, 'invalid-document'],
    ['a bad datetime', doc('delivered').replace('2008-04-04T12:16:49-07:00', 'now'), 'invalid-document'],
    ['no notification', `<imdn xmlns="${NS}"><message-id>a</message-id><datetime>2008-04-04T12:16:49Z</datetime></imdn>`, 'invalid-document'],
    ['a DOCTYPE (never expanded)', `<!DOCTYPE imdn [<!ENTITY x SYSTEM "file:///etc/passwd">]>${doc('delivered')}`, 'restricted-xml'],
    ['text that is not XML', 'delivered', 'not-well-formed'],
  ])('refuses %s', (_n, text, code) => {
    const r = parseImdn(text);
    expect(!r.ok && r.error.code).toBe(code);
  });
});

describe('IMDN CPIM headers (RFC 5438 §6)', () => {
  it('reads imdn.Message-ID and Disposition-Notification whatever the prefix', () => {
    const text = buildCpim({
      from: { uri: 'sip:a@b' }, to: [{ uri: 'sip:c@d' }], dateTime: '2024-01-01T00:00:00Z',
      ns: { x: 'urn:ietf:params:imdn' },
      headers: [{ name: 'x.Message-ID', value: 'abc' }, { name: 'X.Disposition-Notification', value: 'positive-delivery, Display, bogus' }],
      contentType: 'text/plain', body: 'hi',
    });
    const c = parseCpim(text);
    expect(c.ok && readImdnRequest(c.value)).toEqual({ messageId: 'abc', dispositions: ['positive-delivery', 'display'], dateTime: '2024-01-01T00:00:00Z' });
  });

  it('returns undefined when no imdn.Message-ID is present', () => {
    const c = parseCpim('From: <sip:a@b>\r\n\r\nContent-Type: text/plain\r\n\r\nhi');
    expect(c.ok && readImdnRequest(c.value)).toBeUndefined();
  });

  it('builds request headers that read back', () => {
    const c = parseCpim(buildCpim({ ...imdnRequestHeaders('id1', ['positive-delivery', 'negative-delivery']), contentType: 'text/plain', body: 'x' }));
    expect(c.ok && readImdnRequest(c.value)).toEqual({ messageId: 'id1', dispositions: ['positive-delivery', 'negative-delivery'] });
  });
});

describe('buildDeliveryNotification (RFC 5438 §7.1.1.1, §7.2.1.1)', () => {
  const input = {
    originalMessageId: 'm1', originalDateTime: '2024-01-01T00:00:00Z', notificationId: 'n1',
    from: { uri: 'sip:bob@example.com' }, to: { uri: 'sip:alice@example.net' },
    now: new Date(Date.UTC(2024, 0, 1, 0, 0, 5)), status: 'delivered' as const,
  };

  it('wraps the IMDN in CPIM with its own Message-ID, the time given, and Content-Disposition: notification', () => {
    const r = buildDeliveryNotification(input);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const c = parseCpim(r.value);
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    expect(c.value.dateTime).toBe('2024-01-01T00:00:05.000Z');
    expect(readImdnRequest(c.value)?.messageId).toBe('n1');
    expect(c.value.contentType.essence).toBe('message/imdn+xml');
    expect(c.value.contentHeaders['content-disposition']).toBe('notification');
    expect(parseImdn(c.value.body)).toEqual({
      ok: true,
      value: { messageId: 'm1', datetime: '2024-01-01T00:00:00Z', recipientUri: 'sip:bob@example.com', notification: { kind: 'delivery', status: 'delivered' } },
    });
  });

  it('is deterministic: same input, same bytes', () => {
    expect(buildDeliveryNotification(input)).toEqual(buildDeliveryNotification(input));
  });

  it('returns an error (does not throw) for an invalid Date', () => {
    const r = buildDeliveryNotification({ ...input, now: new Date(NaN) });
    expect(!r.ok && r.error.code).toBe('invalid-document');
  });
});

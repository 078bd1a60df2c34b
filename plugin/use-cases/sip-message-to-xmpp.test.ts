import { stanzaError, type StanzaErrorCondition } from '../core/stanza/stanza-error';
import type { MessageStanza } from '../core/stanza/stanza';
import { testDeps } from './__tests__/fakes';
import { cpimWithImdn, imdnNotification, IS_COMPOSING_ACTIVE, sipMessage } from './__tests__/sip-builders';
import { handleSipMessage } from './sip-message-to-xmpp';

const onlyStanza = (d: ReturnType<typeof testDeps>): MessageStanza => {
  expect(d.xmpp.sent).toHaveLength(1);
  const s = d.xmpp.sent[0]!;
  if (s.kind !== 'message') throw new Error(`expected a message, got ${s.kind}`);
  return s;
};

describe('handleSipMessage: relayed message (RFC 7572 §5 Table 2)', () => {
  it('answers 202 Accepted once the stanza is on an authenticated stream (RFC 3428 §7)', async () => {
    const d = testDeps();
    const a = await handleSipMessage(sipMessage({ contentLanguage: 'en', subject: 'Hi' }), d);
    expect(a).toEqual({ status: 202, reason: 'Accepted' });
    expect(onlyStanza(d)).toEqual({
      kind: 'message', id: 'id-1', from: 'alice@sip.example', to: 'romeo@xmpp.example',
      thread: 'call-1@sip.example', lang: 'en', subject: 'Hi', body: 'Hello Romeo',
    });
  });

  it('sends no type (pager mode MUST be absent/normal, RFC 7572 §5) and keeps the body byte-exact', async () => {
    const d = testDeps();
    const body = `é ✓ 😀 שלום < & ' "`;
    await handleSipMessage(sipMessage({ body }), d);
    const s = onlyStanza(d);
    expect(s.type).toBeUndefined();
    expect(s.body).toBe(body);
  });

  it('remembers the sent stanza id with the SIP sender for a later error (RFC 6120 §8.3)', async () => {
    const d = testDeps();
    await handleSipMessage(sipMessage(), d);
    expect(d.correlations.toXmpp.get('id-1')).toEqual({
      stanzaId: 'id-1', content: 'message', xmppFrom: 'alice@sip.example', xmppTo: 'romeo@xmpp.example',
      sipSender: { uri: 'sip:alice@sip.example', displayName: 'Alice' },
    });
  });

  it('maps isComposing to a XEP-0085 chat state without a body (RFC 7573 §6 Table 3)', async () => {
    const d = testDeps();
    const a = await handleSipMessage(sipMessage({ contentType: 'application/im-iscomposing+xml', body: IS_COMPOSING_ACTIVE }), d);
    expect(a.status).toBe(202);
    const s = onlyStanza(d);
    expect([s.chatState, s.body, s.receiptRequest]).toEqual(['composing', undefined, undefined]);
    expect(d.correlations.toXmpp.get('id-1')?.content).toBe('chat-state');
  });

  it('turns an IMDN positive-delivery request into a XEP-0184 <request/> and remembers the IMDN Message-ID (RFC 5438 §6)', async () => {
    const d = testDeps();
    await handleSipMessage(sipMessage(cpimWithImdn('positive-delivery, negative-delivery')), d);
    const s = onlyStanza(d);
    expect([s.body, s.receiptRequest]).toEqual(['Hello Romeo', true]);
    expect(d.correlations.toXmpp.get('id-1')?.imdn).toEqual({
      messageId: 'imdn-msg-1', dateTime: '2025-01-02T03:04:00Z', positiveDelivery: true, negativeDelivery: true,
    });
  });

  it('asks for no receipt when only negative-delivery is requested', async () => {
    const d = testDeps();
    await handleSipMessage(sipMessage(cpimWithImdn('negative-delivery')), d);
    expect(onlyStanza(d).receiptRequest).toBeUndefined();
  });

  it('never logs the body unless logMessageBodies is on (Lync EnableLoggingAllMessageBodies)', async () => {
    const quiet = testDeps();
    await handleSipMessage(sipMessage({ body: 'secret words' }), quiet);
    expect(JSON.stringify(quiet.log.lines)).not.toContain('secret words');
    const loud = testDeps({ logMessageBodies: true });
    await handleSipMessage(sipMessage({ body: 'secret words' }), loud);
    expect(JSON.stringify(loud.log.lines)).toContain('secret words');
  });
});

describe('handleSipMessage: S2S delivery failure → SIP status (RFC 7247 §7.1)', () => {
  it.each<[StanzaErrorCondition, 'does-not-exist' | 'cannot-resolve' | undefined, number]>([
    ['remote-server-not-found', undefined, 404],
    ['remote-server-not-found', 'cannot-resolve', 408],
    ['remote-server-timeout', undefined, 408],
    ['not-authorized', undefined, 403],
    ['policy-violation', undefined, 403],
    ['resource-constraint', undefined, 500],
    ['internal-server-error', undefined, 500],
  ])('%s (cause %s) → %i, and the correlation is dropped', async (condition, cause, status) => {
    const d = testDeps();
    d.xmpp.next = { ok: false, error: stanzaError(condition), ...(cause ? { remoteServerCause: cause } : {}) };
    const a = await handleSipMessage(sipMessage(), d);
    expect(a.status).toBe(status);
    expect(d.correlations.toXmpp.size).toBe(0);
    expect(d.log.lines.some((l) => l.level === 'warn' && l.obj.condition === condition)).toBe(true);
  });

  it('an edge that rejects instead of reporting still gets the SIP transaction answered (500)', async () => {
    const d = testDeps();
    d.xmpp.sendStanza = () => Promise.reject(new Error('boom'));
    expect((await handleSipMessage(sipMessage(), d)).status).toBe(500);
  });
});

describe('handleSipMessage: bodies the core refuses (RFC 3261 §21.4, RFC 7572 §7)', () => {
  it.each<[string, Partial<Parameters<typeof sipMessage>[0]>, number]>([
    ['unsupported media type → 415', { contentType: 'application/pdf', body: '%PDF' }, 415],
    ['unsupported charset → 415', { contentType: 'text/plain;charset=ISO-8859-1', body: 'x' }, 415],
    ['body over 64 KiB → 413', { body: 'x'.repeat(64 * 1024 + 1) }, 413],
    ['malformed isComposing XML → 400', { contentType: 'application/im-iscomposing+xml', body: '<isComposing' }, 400],
    ['NUL in text → 400 (not XML-safe)', { body: 'a\u0000b' }, 400],
    ['body without Content-Type → 400 (RFC 3261 §20.15)', { contentType: undefined, body: 'hi' }, 400],
    ['empty body → 488 (nothing to translate)', { body: '' }, 488],
  ])('%s', async (_name, over, status) => {
    const d = testDeps();
    const a = await handleSipMessage(sipMessage(over), d);
    expect(a.status).toBe(status);
    expect(d.xmpp.sent).toHaveLength(0);
    expect(d.correlations.toXmpp.size).toBe(0);
  });

  it('a 415 lists what the gateway accepts (RFC 3261 §21.4.13)', async () => {
    const a = await handleSipMessage(sipMessage({ contentType: 'image/png', body: 'x' }), testDeps());
    expect(a.headers?.Accept).toContain('text/plain');
  });

  it('refuses before decoding: an untrusted source never gets a content error', async () => {
    const a = await handleSipMessage(sipMessage({ source: { address: '192.0.2.1' }, contentType: 'image/png' }), testDeps());
    expect(a.status).toBe(403);
  });
});

describe('handleSipMessage: SIP IMDN delivery notification → XEP-0184 receipt (RFC 5438 §7.2.1.1, XEP-0184 §4)', () => {
  const sentToSip = {
    imdnMessageId: 'gw-imdn-7', stanzaId: 'romeo-msg-1', xmppSender: 'romeo@xmpp.example/balcony',
    xmppRecipient: 'alice@sip.example', sipRecipientUri: 'sip:alice@sip.example',
  };

  it('delivered → <received id=original/> from our user to the XMPP sender, answered 202', async () => {
    const d = testDeps();
    d.correlations.rememberSentToSip('gw-imdn-7', sentToSip);
    const a = await handleSipMessage(sipMessage({ requestUri: 'sip:romeo@xmpp.example;gr=balcony', ...imdnNotification('gw-imdn-7', 'delivered') }), d);
    expect(a.status).toBe(202);
    expect(onlyStanza(d)).toEqual({ kind: 'message', from: 'alice@sip.example', to: 'romeo@xmpp.example/balcony', id: 'id-1', receiptFor: 'romeo-msg-1' });
    expect(d.correlations.toSip.size).toBe(0);
  });

  it('failed → an error stanza for the original id (recipient-unavailable)', async () => {
    const d = testDeps();
    d.correlations.rememberSentToSip('gw-imdn-7', sentToSip);
    await handleSipMessage(sipMessage(imdnNotification('gw-imdn-7', 'failed')), d);
    const s = onlyStanza(d);
    expect([s.type, s.id, s.error?.condition, s.to]).toEqual(['error', 'romeo-msg-1', 'recipient-unavailable', 'romeo@xmpp.example/balcony']);
  });

  it.each(['forbidden', 'error'] as const)('%s (about the notification, not the message) → nothing to XMPP, 200', async (status) => {
    const d = testDeps();
    d.correlations.rememberSentToSip('gw-imdn-7', sentToSip);
    expect((await handleSipMessage(sipMessage(imdnNotification('gw-imdn-7', status)), d)).status).toBe(200);
    expect(d.xmpp.sent).toHaveLength(0);
  });

  it('an IMDN for an unknown message is consumed with 200 and logged, never relayed', async () => {
    const d = testDeps();
    expect((await handleSipMessage(sipMessage(imdnNotification('nope', 'delivered')), d)).status).toBe(200);
    expect(d.xmpp.sent).toHaveLength(0);
    expect(d.log.lines.some((l) => l.obj.imdnMessageId === 'nope')).toBe(true);
  });

  it('an IMDN from a user other than the recipient is refused (403) and the correlation kept', async () => {
    const d = testDeps();
    d.correlations.rememberSentToSip('gw-imdn-7', sentToSip);
    const a = await handleSipMessage(sipMessage({ from: '<sip:bob@sip.example>;tag=b', ...imdnNotification('gw-imdn-7', 'delivered') }), d);
    expect(a.status).toBe(403);
    expect(d.xmpp.sent).toHaveLength(0);
    expect(d.correlations.toSip.has('gw-imdn-7')).toBe(true);
  });
});

describe('handleSipMessage: a body that was not valid UTF-8 (RFC 7572 §7, RFC 3629)', () => {
  it.each<[string, string, number]>([
    ['charset=UTF-8', 'text/plain;charset=UTF-8', 400],
    ['no charset', 'text/plain', 400],
    ['an unsupported charset', 'text/plain;charset=windows-1252', 415],
  ])('with %s is refused with %d and nothing is sent to XMPP (no U+FFFD relayed)', async (_n, contentType, status) => {
    const d = testDeps();
    const a = await handleSipMessage(sipMessage({ contentType, body: '\uFFFD(', bodyNotUtf8: true }), d);
    expect(a.status).toBe(status);
    expect(d.xmpp.sent).toEqual([]);
  });
});


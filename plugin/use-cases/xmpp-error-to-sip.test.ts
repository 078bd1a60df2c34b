import { parseCpim } from '../core/message/cpim';
import { parseImdn } from '../core/message/imdn';
import { stanzaError } from '../core/stanza/stanza-error';
import type { MessageStanza } from '../core/stanza/stanza';
import { testDeps } from './__tests__/fakes';
import { cpimWithImdn, IS_COMPOSING_ACTIVE, sipMessage } from './__tests__/sip-builders';
import { handleSipMessage } from './sip-message-to-xmpp';
import { handleXmppErrorStanza } from './xmpp-error-to-sip';

const errorFor = (id: string | undefined, over: Partial<MessageStanza> = {}): MessageStanza => ({
  kind: 'message', type: 'error', from: 'romeo@xmpp.example', to: 'alice@sip.example', ...(id ? { id } : {}),
  error: stanzaError('recipient-unavailable', 'Romeo is offline'), ...over,
});

describe('handleXmppErrorStanza: a later error stanza reaches the SIP sender (issue #5, RFC 6120 §8.3)', () => {
  it('plain-text notice from the XMPP address when no IMDN was asked for', async () => {
    const d = testDeps();
    await handleSipMessage(sipMessage(), d);
    const out = await handleXmppErrorStanza(errorFor('id-1'), d);
    expect(out).toEqual({ kind: 'notified', notice: 'text', status: 200 });
    expect(d.sip.sent).toEqual([{
      requestUri: 'sip:alice@sip.example',
      from: { uri: 'sip:romeo@xmpp.example' },
      to: { uri: 'sip:alice@sip.example', displayName: 'Alice' },
      contentType: 'text/plain;charset=UTF-8',
      headers: {},
      body: 'Message to romeo@xmpp.example could not be delivered: recipient-unavailable (Romeo is offline)',
    }]);
    expect(d.log.lines.some((l) => l.level === 'info' && l.obj.notice === 'text')).toBe(true);
  });

  it('IMDN failed notification when the sender asked for negative-delivery (RFC 5438 §7.2.1.1)', async () => {
    const d = testDeps();
    await handleSipMessage(sipMessage(cpimWithImdn('positive-delivery, negative-delivery', 'alice-42')), d);
    const out = await handleXmppErrorStanza(errorFor('id-1', { from: 'xmpp.example' }), d);
    expect(out).toEqual({ kind: 'notified', notice: 'imdn', status: 200 });
    const m = d.sip.sent[0]!;
    expect([m.contentType, m.requestUri, m.from.uri]).toEqual(['message/cpim', 'sip:alice@sip.example', 'sip:romeo@xmpp.example']);
    const cpim = parseCpim(m.body);
    expect(cpim.ok).toBe(true);
    if (!cpim.ok) return;
    expect(cpim.value.contentHeaders['content-disposition']).toBe('notification');
    const imdn = parseImdn(cpim.value.body);
    expect(imdn.ok && [imdn.value.messageId, imdn.value.datetime, imdn.value.notification]).toEqual([
      'alice-42', '2025-01-02T03:04:00Z', { kind: 'delivery', status: 'failed' },
    ]);
  });

  it('a plain notice when only positive-delivery was asked for (no negative IMDN was requested)', async () => {
    const d = testDeps();
    await handleSipMessage(sipMessage(cpimWithImdn('positive-delivery')), d);
    expect(await handleXmppErrorStanza(errorFor('id-1'), d)).toMatchObject({ notice: 'text' });
  });

  it('logs a notice SIP refused, and sends nothing back to XMPP', async () => {
    const d = testDeps();
    await handleSipMessage(sipMessage(), d);
    d.sip.next = { status: 480, reason: 'Temporarily Unavailable' };
    expect(await handleXmppErrorStanza(errorFor('id-1'), d)).toEqual({ kind: 'notified', notice: 'text', status: 480 });
    expect(d.xmpp.sent).toHaveLength(1); // only the original message
    expect(d.log.lines.some((l) => l.level === 'warn' && l.obj.status === 480)).toBe(true);
  });

  it('consumes the correlation: a second error for the same id is dropped', async () => {
    const d = testDeps();
    await handleSipMessage(sipMessage(), d);
    await handleXmppErrorStanza(errorFor('id-1'), d);
    expect(await handleXmppErrorStanza(errorFor('id-1'), d)).toEqual({ kind: 'dropped', reason: 'unknown-id' });
    expect(d.sip.sent).toHaveLength(1);
  });
});

describe('handleXmppErrorStanza: never loop an error (RFC 6120 §8.3.1)', () => {
  it.each<[string, MessageStanza, string]>([
    ['unknown id', errorFor('never-sent'), 'unknown-id'],
    ['no id at all', errorFor(undefined), 'no-id'],
    ['from a domain the message did not go to', errorFor('id-1', { from: 'evil.example' }), 'wrong-sender'],
  ])('%s: logged and dropped, nothing sent to either side', async (_name, stanza, reason) => {
    const d = testDeps();
    await handleSipMessage(sipMessage(), d);
    const out = await handleXmppErrorStanza(stanza, d);
    expect(out).toEqual({ kind: 'dropped', reason });
    expect(d.sip.sent).toHaveLength(0);
    expect(d.xmpp.sent).toHaveLength(1); // the original message only: no error answered with an error
    expect(d.log.lines.some((l) => l.obj.stanzaId === stanza.id && /dropped|ignored/.test(l.msg))).toBe(true);
  });

  it('a forged error does not cancel the real one: the correlation survives', async () => {
    const d = testDeps();
    await handleSipMessage(sipMessage(), d);
    await handleXmppErrorStanza(errorFor('id-1', { from: 'evil.example' }), d);
    expect(await handleXmppErrorStanza(errorFor('id-1'), d)).toMatchObject({ kind: 'notified' });
  });

  it('an error about a chat-state notification is logged, not reported as an undelivered message', async () => {
    const d = testDeps();
    await handleSipMessage(sipMessage({ contentType: 'application/im-iscomposing+xml', body: IS_COMPOSING_ACTIVE }), d);
    expect(await handleXmppErrorStanza(errorFor('id-1'), d)).toEqual({ kind: 'dropped', reason: 'chat-state' });
    expect(d.sip.sent).toHaveLength(0);
  });

  it('an error without <text/> names the condition only, and a long text is cut to fit pager mode', async () => {
    const d = testDeps();
    await handleSipMessage(sipMessage(), d);
    await handleSipMessage(sipMessage(), d);
    await handleXmppErrorStanza(errorFor('id-1', { error: stanzaError('item-not-found') }), d);
    await handleXmppErrorStanza(errorFor('id-2', { error: stanzaError('item-not-found', 'x'.repeat(5000)) }), d);
    expect(d.sip.sent[0]!.body).toBe('Message to romeo@xmpp.example could not be delivered: item-not-found');
    expect(Buffer.byteLength(d.sip.sent[1]!.body)).toBeLessThan(400);
  });
});

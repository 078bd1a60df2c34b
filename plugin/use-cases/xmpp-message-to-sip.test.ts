import { parseCpim, cpimHeaderValues } from '../core/message/cpim';
import { IMDN_HEADER_NS, parseImdn } from '../core/message/imdn';
import { parseIsComposing } from '../core/message/is-composing';
import type { MessageStanza } from '../core/stanza/stanza';
import { stanzaError, type StanzaErrorCondition } from '../core/stanza/stanza-error';
import { testDeps } from './__tests__/fakes';
import { cpimWithImdn, imdnNotification, sipMessage } from './__tests__/sip-builders';
import type { GatewayPolicy } from './ports';
import { handleSipMessage } from './sip-message-to-xmpp';
import { handleXmppMessage, type XmppToSipDeps } from './xmpp-message-to-sip';

const deps = (policy: Partial<GatewayPolicy> = {}) => ({ ...testDeps(policy), chatStates: new Map() }) satisfies XmppToSipDeps;
const chat = (over: Partial<MessageStanza> = {}): MessageStanza => ({
  kind: 'message', type: 'chat', id: 'romeo-1', from: 'romeo@xmpp.example/balcony', to: 'alice@sip.example', body: 'Hello Alice', ...over,
});

describe('handleXmppMessage: relayed to SIP (RFC 7572 §4 Table 1)', () => {
  it('sends a MESSAGE From the sender with its resource as GRUU, To/Request-URI the user', async () => {
    const d = deps();
    const out = await handleXmppMessage(chat({ thread: 'th-1', subject: 'Hi', lang: 'en' }), d);
    expect(out).toEqual({ kind: 'sent', status: 200 });
    expect(d.sip.sent).toEqual([{
      requestUri: 'sip:alice@sip.example',
      from: { uri: 'sip:romeo@xmpp.example;gr=balcony' },
      to: { uri: 'sip:alice@sip.example' },
      contentType: 'text/plain;charset=UTF-8',
      headers: { Subject: 'Hi', 'Content-Language': 'en', 'Call-ID': 'th-1' },
      body: 'Hello Alice',
    }]);
  });

  it('XEP-0106 escaped localparts become SIP user parts (RFC 7247 §6.5)', async () => {
    const d = deps();
    await handleXmppMessage(chat({ from: 'm\\26m@xmpp.example/x', to: 'o\\27malley@sip.example' }), d);
    expect([d.sip.sent[0]!.from.uri, d.sip.sent[0]!.requestUri]).toEqual(["sip:m&m@xmpp.example;gr=x", "sip:o'malley@sip.example"]);
  });

  it('never fakes a XEP-0184 receipt from a 200 OK (issue #5)', async () => {
    const d = deps();
    await handleXmppMessage(chat({ receiptRequest: true }), d);
    expect(d.xmpp.sent).toHaveLength(0);
  });
});

describe('handleXmppMessage: refusals before SIP (RFC 6120 §8.3.3, Lync policy)', () => {
  it.each<[string, Partial<MessageStanza>, Partial<GatewayPolicy>, StanzaErrorCondition]>([
    ['malformed to', { to: 'alice@' }, {}, 'jid-malformed'],
    ['a domain we do not serve', { to: 'bob@other.example' }, {}, 'item-not-found'],
    ['sender domain not an allowed partner', { from: 'eve@jabber.example.org/r' }, {}, 'policy-violation'],
    ['the gateway domain itself', { to: 'sip.example' }, {}, 'service-unavailable'],
    ['a user not allowed to federate', { to: 'mallory@sip.example' }, {}, 'forbidden'],
    ['groupchat (no MUC yet, RFC 7702 not implemented)', { type: 'groupchat' }, {}, 'feature-not-implemented'],
  ])('%s → <%s/> error reply, no SIP request', async (_name, over, policy, condition) => {
    const d = deps(policy);
    const s = chat(over);
    const out = await handleXmppMessage(s, d);
    expect(out).toEqual({ kind: 'refused', condition, bounced: true });
    expect(d.sip.sent).toHaveLength(0);
    expect(d.xmpp.sent).toHaveLength(1);
    expect(d.xmpp.sent[0]).toMatchObject({ kind: 'message', type: 'error', id: 'romeo-1', from: s.to, to: s.from, error: { condition } });
  });

  it('type=error goes to the error use-case and is never answered (RFC 6120 §8.3.1)', async () => {
    const d = deps();
    const out = await handleXmppMessage(chat({ type: 'error', id: 'unknown', error: stanzaError('item-not-found') }), d);
    expect(out).toEqual({ kind: 'error-stanza', outcome: { kind: 'dropped', reason: 'unknown-id' } });
    expect(d.xmpp.sent).toHaveLength(0);
    expect(d.sip.sent).toHaveLength(0);
  });

  it('a message with nothing to translate is logged and dropped, not bounced', async () => {
    const d = deps();
    const { body: _b, ...noBody } = chat();
    expect(await handleXmppMessage(noBody, d)).toEqual({ kind: 'suppressed', reason: 'no-content' });
    expect(d.xmpp.sent).toHaveLength(0);
    expect(d.log.lines.some((l) => l.msg.includes('nothing to translate'))).toBe(true);
  });
});

describe('handleXmppMessage: SIP final failure → error stanza (RFC 7247 §7.2 Table 3)', () => {
  it.each<[number, string, StanzaErrorCondition]>([
    [404, 'Not Found', 'item-not-found'],
    [480, 'Temporarily Unavailable', 'recipient-unavailable'],
    [486, 'Busy Here', 'recipient-unavailable'],
    [408, 'Request Timeout', 'remote-server-timeout'],
    [403, 'Forbidden', 'forbidden'],
    [415, 'Unsupported Media Type', 'not-acceptable'],
    [500, 'Server Internal Error', 'internal-server-error'],
    [503, 'Service Unavailable', 'internal-server-error'],
    [603, 'Decline', 'recipient-unavailable'],
    [499, 'Whatever', 'bad-request'],
  ])('%i %s → <%s/> to the XMPP sender, reason as <text/>', async (status, reason, condition) => {
    const d = deps();
    d.sip.next = { status, reason };
    const out = await handleXmppMessage(chat(), d);
    expect(out).toEqual({ kind: 'sip-failed', status, condition, bounced: true });
    expect(d.xmpp.sent[0]).toMatchObject({
      type: 'error', id: 'romeo-1', from: 'alice@sip.example', to: 'romeo@xmpp.example/balcony', body: 'Hello Alice',
      error: { condition, text: reason },
    });
  });

  it('a 302 with Contact becomes <redirect/> carrying the new address', async () => {
    const d = deps();
    d.sip.next = { status: 302, reason: 'Moved Temporarily', contact: 'sip:alice@new.example' };
    await handleXmppMessage(chat(), d);
    expect(d.xmpp.sent[0]?.error).toMatchObject({ condition: 'redirect', alternateAddress: 'sip:alice@new.example' });
  });

  it('a SIP adapter that rejects still gets the sender an error (500 → internal-server-error)', async () => {
    const d = deps();
    d.sip.sendMessage = () => Promise.reject(new Error('drachtio gone'));
    expect(await handleXmppMessage(chat(), d)).toMatchObject({ kind: 'sip-failed', status: 500, condition: 'internal-server-error' });
  });

  it('a headline failure is logged, not bounced (RFC 6121 §5.2.2: no reply expected)', async () => {
    const d = deps();
    d.sip.next = { status: 480, reason: 'Temporarily Unavailable' };
    expect(await handleXmppMessage(chat({ type: 'headline' }), d)).toMatchObject({ kind: 'sip-failed', bounced: false });
    expect(d.xmpp.sent).toHaveLength(0);
    expect(d.log.lines.some((l) => l.level === 'warn' && l.obj.status === 480)).toBe(true);
  });
});

describe('handleXmppMessage: RFC 7572 §6 1300-byte rule', () => {
  const big = 'x'.repeat(1200);
  it('refuses with <policy-violation/> when the MESSAGE would exceed 1300 bytes', async () => {
    const d = deps();
    expect(await handleXmppMessage(chat({ body: big }), d)).toEqual({ kind: 'refused', condition: 'policy-violation', bounced: true });
    expect(d.sip.sent).toHaveLength(0);
  });

  it('sends it when the proxy is TCP-capable', async () => {
    const d = deps({ proxyIsTcpCapable: true });
    expect(await handleXmppMessage(chat({ body: big }), d)).toEqual({ kind: 'sent', status: 200 });
    expect(d.sip.sent[0]!.body).toBe(big);
  });

  it('counts the CPIM wrapper a receipt request adds', async () => {
    const fits = 'y'.repeat(800); // ~1220 bytes plain; the CPIM/IMDN headers push it past 1300
    const plain = deps();
    expect((await handleXmppMessage(chat({ body: fits }), plain)).kind).toBe('sent');
    const wrapped = deps();
    expect(await handleXmppMessage(chat({ body: fits, receiptRequest: true }), wrapped)).toMatchObject({ kind: 'refused', condition: 'policy-violation' });
    expect(wrapped.correlations.toSip.size).toBe(0);
  });
});

describe('receipts both ways (XEP-0184 ⇄ RFC 5438 IMDN)', () => {
  it('XMPP <request/> → CPIM MESSAGE with positive-delivery; the SIP IMDN comes back as <received/>', async () => {
    const d = deps();
    await handleXmppMessage(chat({ receiptRequest: true }), d);
    const m = d.sip.sent[0]!;
    expect(m.contentType).toBe('message/cpim');
    const cpim = parseCpim(m.body);
    if (!cpim.ok) throw new Error(cpim.error.detail);
    expect(cpim.value.body).toBe('Hello Alice');
    expect(cpimHeaderValues(cpim.value, IMDN_HEADER_NS, 'Disposition-Notification')).toEqual(['positive-delivery']);
    const imdnId = cpimHeaderValues(cpim.value, IMDN_HEADER_NS, 'Message-ID')[0]!;
    expect(d.correlations.toSip.get(imdnId)).toMatchObject({ stanzaId: 'romeo-1', xmppSender: 'romeo@xmpp.example/balcony' });

    const a = await handleSipMessage(sipMessage({ requestUri: 'sip:romeo@xmpp.example;gr=balcony', ...imdnNotification(imdnId, 'delivered') }), d);
    expect(a.status).toBe(202);
    expect(d.xmpp.sent).toEqual([expect.objectContaining({ to: 'romeo@xmpp.example/balcony', from: 'alice@sip.example', receiptFor: 'romeo-1' })]);
  });

  it('a SIP failure forgets the IMDN correlation (the sender got an error instead)', async () => {
    const d = deps();
    d.sip.next = { status: 480, reason: 'Temporarily Unavailable' };
    await handleXmppMessage(chat({ receiptRequest: true }), d);
    expect(d.correlations.toSip.size).toBe(0);
  });

  it('XMPP <received/> for a SIP message that asked for positive-delivery → IMDN delivered to the SIP sender', async () => {
    const d = deps();
    await handleSipMessage(sipMessage(cpimWithImdn('positive-delivery', 'alice-77')), d); // stanza id-1 to romeo
    const out = await handleXmppMessage({ kind: 'message', id: 'r-1', from: 'romeo@xmpp.example/balcony', to: 'alice@sip.example', receiptFor: 'id-1' }, d);
    expect(out).toEqual({ kind: 'receipt', receipt: { kind: 'relayed', status: 200 } });
    const m = d.sip.sent[0]!;
    expect([m.requestUri, m.from.uri, m.contentType]).toEqual(['sip:alice@sip.example', 'sip:romeo@xmpp.example', 'message/cpim']);
    const cpim = parseCpim(m.body);
    if (!cpim.ok) throw new Error(cpim.error.detail);
    const imdn = parseImdn(cpim.value.body);
    expect(imdn.ok && [imdn.value.messageId, imdn.value.notification.status]).toEqual(['alice-77', 'delivered']);
  });

  it.each<[string, Partial<MessageStanza>, string]>([
    ['unknown id', { receiptFor: 'never' }, 'unknown-id'],
    ['from someone other than the recipient', { from: 'tybalt@xmpp.example/x' }, 'wrong-sender'],
  ])('a receipt %s is logged and dropped', async (_name, over, reason) => {
    const d = deps();
    await handleSipMessage(sipMessage(cpimWithImdn('positive-delivery')), d);
    const out = await handleXmppMessage({ kind: 'message', from: 'romeo@xmpp.example/b', to: 'alice@sip.example', receiptFor: 'id-1', ...over }, d);
    expect(out).toEqual({ kind: 'receipt', receipt: { kind: 'dropped', reason } });
    expect(d.sip.sent).toHaveLength(0);
  });

  it('a receipt for a SIP message that asked for no IMDN is consumed without a notification', async () => {
    const d = deps();
    await handleSipMessage(sipMessage(), d);
    const out = await handleXmppMessage({ kind: 'message', from: 'romeo@xmpp.example/b', to: 'alice@sip.example', receiptFor: 'id-1' }, d);
    expect(out).toEqual({ kind: 'receipt', receipt: { kind: 'dropped', reason: 'not-requested' } });
    expect(d.sip.sent).toHaveLength(0);
  });
});

describe('chat states → isComposing, rate limited (RFC 3994, RFC 7573 §6 Table 4)', () => {
  const cs = (chatState: MessageStanza['chatState']): MessageStanza => {
    const { body: _b, ...rest } = chat({ chatState });
    return rest;
  };

  it('composing → one isComposing active with <refresh>, repeats suppressed, paused → idle', async () => {
    const d = deps();
    expect((await handleXmppMessage(cs('composing'), d)).kind).toBe('sent');
    d.clock.advance(5_000);
    expect(await handleXmppMessage(cs('composing'), d)).toEqual({ kind: 'suppressed', reason: 'rate-limited' });
    expect((await handleXmppMessage(cs('paused'), d)).kind).toBe('sent');
    expect(await handleXmppMessage(cs('active'), d)).toEqual({ kind: 'suppressed', reason: 'duplicate' });
    const docs = d.sip.sent.map((m) => {
      expect(m.contentType).toBe('application/im-iscomposing+xml');
      const p = parseIsComposing(m.body);
      if (!p.ok) throw new Error(p.error.detail);
      return p.value;
    });
    expect(docs).toEqual([{ state: 'active', refresh: 60 }, { state: 'idle' }]);
  });

  it('a content message ends composing at the receiver, so the next composing is sent at once', async () => {
    const d = deps();
    await handleXmppMessage(cs('composing'), d);
    await handleXmppMessage(chat({ chatState: 'active' }), d);
    expect((await handleXmppMessage(cs('composing'), d)).kind).toBe('sent');
    expect(d.sip.sent).toHaveLength(3);
  });

  it('a failed isComposing is logged, not bounced to XMPP', async () => {
    const d = deps();
    d.sip.next = { status: 480, reason: 'Temporarily Unavailable' };
    expect(await handleXmppMessage(cs('composing'), d)).toMatchObject({ kind: 'sip-failed', bounced: false });
    expect(d.xmpp.sent).toHaveLength(0);
  });

  it('<gone/> sends nothing (no isComposing equivalent, RFC 7573 §6.1)', async () => {
    const d = deps();
    expect(await handleXmppMessage(cs('gone'), d)).toEqual({ kind: 'suppressed', reason: 'gone' });
    expect(d.sip.sent).toHaveLength(0);
  });
});

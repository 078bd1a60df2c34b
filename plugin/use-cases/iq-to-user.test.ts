import type { IqStanza } from '../core/stanza/stanza';
import { CHATSTATES_NS, RECEIPTS_NS } from '../core/stanza/stanza-codec';
import { childElements, el } from '../core/xml/xml-element';
import { testDeps, testPolicy } from './__tests__/fakes';
import { answerIqToUser, DISCO_INFO_NS, handleIqToUser, PING_NS } from './iq-to-user';

const iq = (over: Partial<IqStanza> = {}): IqStanza => ({
  kind: 'iq', type: 'get', id: 'q1', from: 'romeo@xmpp.example/balcony', to: 'alice@sip.example', payload: el('ping', { xmlns: PING_NS }), ...over,
});
const disco = (over: Partial<IqStanza> = {}) => iq({ payload: el('query', { xmlns: DISCO_INFO_NS }), ...over });
const features = (r: IqStanza | undefined) => childElements(r?.payload ?? el('x')).filter((c) => c.name === 'feature').map((c) => c.attrs.var);
const identity = (r: IqStanza | undefined) => childElements(r?.payload ?? el('x')).find((c) => c.name === 'identity')?.attrs;

describe('answerIqToUser: every IQ request gets an answer (RFC 6120 §8.2.3)', () => {
  it('XEP-0199 ping → empty result, addresses swapped, same id', () => {
    expect(answerIqToUser(iq(), testPolicy())).toEqual({ kind: 'iq', type: 'result', id: 'q1', from: 'alice@sip.example', to: 'romeo@xmpp.example/balcony' });
  });

  it.each<[string, IqStanza, string]>([
    ['vCard (vcard-temp)', iq({ payload: el('vCard', { xmlns: 'vcard-temp' }) }), 'service-unavailable'],
    ['software version', iq({ payload: el('query', { xmlns: 'jabber:iq:version' }) }), 'service-unavailable'],
    ['disco#items', iq({ payload: el('query', { xmlns: 'http://jabber.org/protocol/disco#items' }) }), 'service-unavailable'],
    ['a set', iq({ type: 'set', payload: el('query', { xmlns: 'jabber:iq:roster' }) }), 'service-unavailable'],
    ['ping to a user not allowed to federate (same answer: no account disclosure)', iq({ to: 'mallory@sip.example' }), 'service-unavailable'],
    ['ping to a domain we do not serve', iq({ to: 'bob@other.example' }), 'service-unavailable'],
    ['disco#info for an unknown node (XEP-0030 §3.1)', disco({ payload: el('query', { xmlns: DISCO_INFO_NS, node: 'x' }) }), 'item-not-found'],
  ])('%s → <%s/> error', (_name, q, condition) => {
    const r = answerIqToUser(q, testPolicy());
    expect(r).toMatchObject({ kind: 'iq', type: 'error', id: 'q1', from: q.to, to: q.from, error: { condition } });
  });

  it.each<[string, string, Record<string, string>, string[]]>([
    ['the gateway domain', 'sip.example', { category: 'server', type: 'im' }, [DISCO_INFO_NS, PING_NS]],
    ['a bare user JID (the account)', 'alice@sip.example', { category: 'account', type: 'registered' }, [DISCO_INFO_NS, PING_NS]],
    ['a full JID (a SIP instance)', 'alice@sip.example/urn:uuid:1', { category: 'client', type: 'pc' }, [DISCO_INFO_NS, PING_NS, RECEIPTS_NS, CHATSTATES_NS]],
  ])('disco#info on %s → identity and the features the gateway translates (XEP-0030)', (_name, to, id, feats) => {
    const r = answerIqToUser(disco({ to }), testPolicy());
    expect(r?.type).toBe('result');
    expect(identity(r)).toMatchObject(id);
    expect(features(r)).toEqual(feats);
  });

  it.each(['result', 'error'] as const)('an IQ %s is never answered (RFC 6120 §8.2.3, §8.3.1)', (type) => {
    expect(answerIqToUser(iq({ type }), testPolicy())).toBeUndefined();
  });
});

describe('handleIqToUser', () => {
  it('sends the answer through the edge and reports it', async () => {
    const d = testDeps();
    expect(await handleIqToUser(iq(), d)).toEqual({ kind: 'answered', type: 'result', delivered: true });
    expect(d.xmpp.sent).toHaveLength(1);
  });

  it('logs an answer the edge could not send', async () => {
    const d = testDeps();
    d.xmpp.next = { ok: false, error: { type: 'cancel', condition: 'remote-server-not-found' } };
    expect(await handleIqToUser(iq({ payload: el('vCard', { xmlns: 'vcard-temp' }) }), d)).toEqual({ kind: 'answered', type: 'error', delivered: false });
    expect(d.log.lines.some((l) => l.level === 'warn')).toBe(true);
  });

  it('sends nothing for a result', async () => {
    const d = testDeps();
    expect(await handleIqToUser(iq({ type: 'result' }), d)).toEqual({ kind: 'ignored' });
    expect(d.xmpp.sent).toHaveLength(0);
  });
});

import { stanzaError, type StanzaErrorCondition } from '../core/stanza/stanza-error';
import { deliveryFailureAnswer } from './delivery-failure-status';

describe('deliveryFailureAnswer: S2S delivery failure → SIP final response (RFC 7247 §7.1 Table 2)', () => {
  it.each<[StanzaErrorCondition, 'full' | 'bare', 'does-not-exist' | 'cannot-resolve' | undefined, number]>([
    ['remote-server-not-found', 'bare', undefined, 404],
    ['remote-server-not-found', 'bare', 'does-not-exist', 404],
    ['remote-server-not-found', 'bare', 'cannot-resolve', 408],
    ['remote-server-timeout', 'bare', undefined, 408],
    ['not-authorized', 'bare', undefined, 403],
    ['registration-required', 'full', undefined, 403],
    ['policy-violation', 'bare', undefined, 403],
    ['resource-constraint', 'bare', undefined, 500],
    ['internal-server-error', 'bare', undefined, 500],
    ['service-unavailable', 'bare', undefined, 403],
    ['item-not-found', 'full', undefined, 404],
    ['item-not-found', 'bare', undefined, 604],
    ['recipient-unavailable', 'full', undefined, 480],
  ])('%s (to a %s JID, cause %s) → %i', (condition, addressedTo, cause, status) => {
    expect(deliveryFailureAnswer(stanzaError(condition), addressedTo, cause).status).toBe(status);
  });

  it('never answers 503 for service-unavailable (RFC 7247 §7.1: NOT RECOMMENDED)', () => {
    expect(deliveryFailureAnswer(stanzaError('service-unavailable'), 'full').status).not.toBe(503);
  });

  it('carries the stanza error <text/> as the Reason-Phrase (RFC 7247 §7)', () => {
    expect(deliveryFailureAnswer(stanzaError('remote-server-timeout', 'no stream to xmpp.example'), 'bare')).toEqual({
      status: 408,
      reason: 'no stream to xmpp.example',
    });
  });

  it('a redirect with a new address becomes 302 with a Contact (RFC 7247 §7.1)', () => {
    const e = { ...stanzaError('redirect'), alternateAddress: 'sip:romeo@new.example' };
    expect(deliveryFailureAnswer(e, 'bare')).toEqual({ status: 302, reason: 'Moved Temporarily', headers: { Contact: '<sip:romeo@new.example>' } });
  });
});

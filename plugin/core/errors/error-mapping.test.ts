import { STANZA_ERROR_CONDITIONS, stanzaError, type StanzaErrorCondition } from '../stanza/stanza-error';
import { sipStatusToXmppError, xmppErrorToSipStatus } from './error-mapping';
import { standardReasonPhrase } from './sip-reason-phrases';

describe('RFC 7247 §7.1 Table 2: XMPP error → SIP status', () => {
  // One row per Table 2 entry and addressing mode; [condition, addressedTo, status, standard reason].
  it.each<[StanzaErrorCondition, 'full' | 'bare', number, string]>([
    ['bad-request', 'full', 400, 'Bad Request'],
    ['bad-request', 'bare', 400, 'Bad Request'],
    ['conflict', 'full', 400, 'Bad Request'],
    ['conflict', 'bare', 400, 'Bad Request'],
    ['feature-not-implemented', 'full', 405, 'Method Not Allowed'],
    ['feature-not-implemented', 'bare', 501, 'Not Implemented'],
    ['forbidden', 'full', 403, 'Forbidden'],
    ['forbidden', 'bare', 603, 'Decline'],
    ['gone', 'full', 410, 'Gone'],
    ['gone', 'bare', 410, 'Gone'],
    ['internal-server-error', 'full', 500, 'Server Internal Error'],
    ['internal-server-error', 'bare', 500, 'Server Internal Error'],
    ['item-not-found', 'full', 404, 'Not Found'],
    ['item-not-found', 'bare', 604, 'Does Not Exist Anywhere'],
    ['jid-malformed', 'full', 400, 'Bad Request'],
    ['jid-malformed', 'bare', 400, 'Bad Request'],
    ['not-acceptable', 'full', 406, 'Not Acceptable'],
    ['not-acceptable', 'bare', 606, 'Not Acceptable'],
    ['not-allowed', 'full', 403, 'Forbidden'],
    ['not-allowed', 'bare', 403, 'Forbidden'],
    ['not-authorized', 'full', 401, 'Unauthorized'],
    ['not-authorized', 'bare', 401, 'Unauthorized'],
    ['policy-violation', 'full', 403, 'Forbidden'],
    ['policy-violation', 'bare', 403, 'Forbidden'],
    ['recipient-unavailable', 'full', 480, 'Temporarily Unavailable'],
    ['recipient-unavailable', 'bare', 600, 'Busy Everywhere'],
    ['redirect', 'full', 302, 'Moved Temporarily'],
    ['redirect', 'bare', 302, 'Moved Temporarily'],
    ['registration-required', 'full', 407, 'Proxy Authentication Required'],
    ['registration-required', 'bare', 407, 'Proxy Authentication Required'],
    ['remote-server-not-found', 'full', 404, 'Not Found'],
    ['remote-server-not-found', 'bare', 404, 'Not Found'],
    ['remote-server-timeout', 'full', 408, 'Request Timeout'],
    ['remote-server-timeout', 'bare', 408, 'Request Timeout'],
    ['resource-constraint', 'full', 500, 'Server Internal Error'],
    ['resource-constraint', 'bare', 500, 'Server Internal Error'],
    ['service-unavailable', 'full', 403, 'Forbidden'],
    ['service-unavailable', 'bare', 403, 'Forbidden'],
    ['subscription-required', 'full', 400, 'Bad Request'],
    ['subscription-required', 'bare', 400, 'Bad Request'],
    ['undefined-condition', 'full', 400, 'Bad Request'],
    ['undefined-condition', 'bare', 400, 'Bad Request'],
    ['unexpected-request', 'full', 491, 'Request Pending'],
    ['unexpected-request', 'bare', 491, 'Request Pending'],
  ])('<%s/> to a %s JID → %i %s', (condition, addressedTo, status, reason) => {
    expect(xmppErrorToSipStatus(condition, { addressedTo })).toEqual({ status, reason });
  });

  it('covers every RFC 6120 §8.3.3 condition with a 3xx–6xx status', () => {
    for (const c of STANZA_ERROR_CONDITIONS) {
      for (const addressedTo of ['full', 'bare'] as const) {
        const { status } = xmppErrorToSipStatus(c, { addressedTo });
        expect(status >= 300 && status <= 699).toBe(true);
      }
    }
  });

  it('service-unavailable is not 503 (§7.1: NOT RECOMMENDED; 503 means "server overloaded, fail over")', () => {
    for (const addressedTo of ['full', 'bare'] as const) {
      expect(xmppErrorToSipStatus('service-unavailable', { addressedTo }).status).not.toBe(503);
    }
  });

  it('gone with a new address → 301 with that address as Contact (§7.1 MUST)', () => {
    expect(xmppErrorToSipStatus('gone', { addressedTo: 'bare', alternateAddress: 'sip:new@x.example' })).toEqual({
      status: 301,
      reason: 'Moved Permanently',
      contact: 'sip:new@x.example',
    });
  });

  it('gone/redirect take the new address from a StanzaError too', () => {
    const gone = { ...stanzaError('gone'), alternateAddress: 'xmpp:new@x.example' };
    expect(xmppErrorToSipStatus(gone, { addressedTo: 'full' })).toMatchObject({ status: 301, contact: 'xmpp:new@x.example' });
    const redirect = { ...stanzaError('redirect'), alternateAddress: 'sip:other@x.example' };
    expect(xmppErrorToSipStatus(redirect, { addressedTo: 'full' })).toEqual({
      status: 302,
      reason: 'Moved Temporarily',
      contact: 'sip:other@x.example',
    });
  });

  it('remote-server-not-found → 408 when the cause is "cannot resolve" (§7.1)', () => {
    const opts = { addressedTo: 'bare' as const, remoteServerCause: 'cannot-resolve' as const };
    expect(xmppErrorToSipStatus('remote-server-not-found', opts)).toEqual({ status: 408, reason: 'Request Timeout' });
    expect(xmppErrorToSipStatus('remote-server-not-found', { ...opts, remoteServerCause: 'does-not-exist' }).status).toBe(404);
  });

  it('uses the XMPP <text/> as the Reason-Phrase when present (§7)', () => {
    expect(xmppErrorToSipStatus(stanzaError('forbidden', 'Blocked by policy'), { addressedTo: 'bare' })).toEqual({
      status: 603,
      reason: 'Blocked by policy',
    });
    expect(xmppErrorToSipStatus('item-not-found', { addressedTo: 'full', text: 'No such user' }).reason).toBe('No such user');
  });

  it('never lets CR/LF or controls from <text/> into the Reason-Phrase (RFC 3261 §25.1)', () => {
    const r = xmppErrorToSipStatus('bad-request', { addressedTo: 'full', text: 'bad\r\nVia: SIP/2.0/UDP evil\u0000' });
    expect(r.reason).toBe('bad Via: SIP/2.0/UDP evil');
    expect(xmppErrorToSipStatus('bad-request', { addressedTo: 'full', text: ' \r\n ' }).reason).toBe('Bad Request');
  });
});

describe('RFC 7247 §7.2 Table 3: SIP status → XMPP error', () => {
  // One row per Table 3 entry: [status, condition, RFC 6120 default type].
  it.each<[number, StanzaErrorCondition, string]>([
    [300, 'redirect', 'modify'],
    [301, 'gone', 'cancel'],
    [302, 'redirect', 'modify'],
    [305, 'redirect', 'modify'],
    [380, 'not-acceptable', 'modify'],
    [400, 'bad-request', 'modify'],
    [401, 'not-authorized', 'auth'],
    [402, 'bad-request', 'modify'],
    [403, 'forbidden', 'auth'],
    [404, 'item-not-found', 'cancel'],
    [405, 'feature-not-implemented', 'cancel'],
    [406, 'not-acceptable', 'modify'],
    [407, 'registration-required', 'auth'],
    [408, 'remote-server-timeout', 'wait'],
    [410, 'gone', 'cancel'],
    [413, 'policy-violation', 'modify'],
    [414, 'policy-violation', 'modify'],
    [415, 'not-acceptable', 'modify'],
    [416, 'not-acceptable', 'modify'],
    [420, 'feature-not-implemented', 'cancel'],
    [421, 'not-acceptable', 'modify'],
    [423, 'resource-constraint', 'wait'],
    [430, 'recipient-unavailable', 'wait'],
    [439, 'feature-not-implemented', 'cancel'],
    [440, 'policy-violation', 'modify'],
    [480, 'recipient-unavailable', 'wait'],
    [481, 'item-not-found', 'cancel'],
    [482, 'not-acceptable', 'modify'],
    [483, 'not-acceptable', 'modify'],
    [484, 'item-not-found', 'cancel'],
    [485, 'item-not-found', 'cancel'],
    [486, 'recipient-unavailable', 'wait'],
    [487, 'recipient-unavailable', 'wait'],
    [488, 'not-acceptable', 'modify'],
    [489, 'policy-violation', 'modify'],
    [491, 'unexpected-request', 'wait'],
    [493, 'bad-request', 'modify'],
    [500, 'internal-server-error', 'cancel'],
    [501, 'feature-not-implemented', 'cancel'],
    [502, 'remote-server-not-found', 'cancel'],
    [503, 'internal-server-error', 'cancel'],
    [504, 'remote-server-timeout', 'wait'],
    [505, 'not-acceptable', 'modify'],
    [513, 'policy-violation', 'modify'],
    [600, 'recipient-unavailable', 'wait'],
    [603, 'recipient-unavailable', 'wait'],
    [604, 'item-not-found', 'cancel'],
    [606, 'not-acceptable', 'modify'],
  ])('%i → <%s/> type=%s', (status, condition, type) => {
    expect(sipStatusToXmppError(status)).toEqual({ ok: true, value: { type, condition } });
  });

  it.each<[number, StanzaErrorCondition]>([
    [303, 'redirect'],
    [399, 'redirect'],
    [409, 'bad-request'],
    [412, 'bad-request'],
    [422, 'bad-request'],
    [429, 'bad-request'],
    [499, 'bad-request'],
    [555, 'internal-server-error'],
    [580, 'internal-server-error'],
    [599, 'internal-server-error'],
    [607, 'recipient-unavailable'],
    [608, 'recipient-unavailable'],
    [699, 'recipient-unavailable'],
  ])('class default (§7.2): unlisted %i → <%s/>', (status, condition) => {
    const r = sipStatusToXmppError(status);
    expect(r.ok && r.value.condition).toBe(condition);
  });

  it('503 is not service-unavailable (§7.2: 503 → internal-server-error)', () => {
    const r = sipStatusToXmppError(503, 'Service Unavailable');
    expect(r.ok && r.value.condition).not.toBe('service-unavailable');
    expect(r.ok && r.value.condition).toBe('internal-server-error');
  });

  it('carries the Reason-Phrase into <text/> (§7)', () => {
    expect(sipStatusToXmppError(486, 'Busy Here')).toEqual({
      ok: true,
      value: { type: 'wait', condition: 'recipient-unavailable', text: 'Busy Here' },
    });
    expect(sipStatusToXmppError(404, '  ')).toEqual({ ok: true, value: { type: 'cancel', condition: 'item-not-found' } });
  });

  it('301 → gone with the Contact as the new address; other 3xx → redirect with it', () => {
    expect(sipStatusToXmppError(301, 'Moved Permanently', { contact: 'sip:new@x.example' })).toEqual({
      ok: true,
      value: { type: 'cancel', condition: 'gone', text: 'Moved Permanently', alternateAddress: 'sip:new@x.example' },
    });
    const r = sipStatusToXmppError(302, undefined, { contact: 'sip:b@x.example' });
    expect(r.ok && r.value).toEqual({ type: 'modify', condition: 'redirect', alternateAddress: 'sip:b@x.example' });
    const gone = sipStatusToXmppError(410, undefined, { contact: 'sip:b@x.example' });
    expect(gone.ok && gone.value).toEqual({ type: 'cancel', condition: 'gone' });
  });

  it.each([100, 180, 183, 200, 202, 299])('%i has no XMPP error equivalent (§7) → no-mapping', (status) => {
    const r = sipStatusToXmppError(status);
    expect(!r.ok && r.error.code).toBe('no-mapping');
  });

  it.each([0, 99, 700, 1000, -404, 404.5, Number.NaN])('refuses %p as not a SIP status', (status) => {
    const r = sipStatusToXmppError(status);
    expect(!r.ok && r.error.code).toBe('invalid-status');
  });
});

describe('standard SIP reason phrases (RFC 3261 §21)', () => {
  it.each([
    [200, 'OK'],
    [302, 'Moved Temporarily'],
    [404, 'Not Found'],
    [481, 'Call/Transaction Does Not Exist'],
    [503, 'Service Unavailable'],
    [604, 'Does Not Exist Anywhere'],
    [499, 'Client Error'],
    [599, 'Server Error'],
  ])('%i → %s', (status, phrase) => {
    expect(standardReasonPhrase(status)).toBe(phrase);
  });
});

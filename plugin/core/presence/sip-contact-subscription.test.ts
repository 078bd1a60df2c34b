import type { PresenceStanza, PresenceType } from '../stanza/stanza';
import {
  onSipNotify,
  onSipSubscribeResponse,
  onXmppPresenceToSipContact,
  pollState,
  type SipNotify,
  type SipSubscriptionState,
} from './sip-contact-subscription';
import { sipSubscribe, xmppPresence, type PresenceAction } from './subscription-actions';
import type { SubscriptionState } from './subscription-headers';

const PIDF_OPEN_AWAY = `<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:romeo@example.net'><tuple id='t'><status><basic>open</basic><show xmlns='jabber:client'>away</show></status><note>out</note></tuple></presence>`;
const fresh: SipSubscriptionState = { mode: 'subscribe', authorized: false, userAvailable: true };
const authorized: SipSubscriptionState = { mode: 'subscribe', authorized: true, userAvailable: true };
const stanza = (type?: PresenceType): PresenceStanza => (type ? { kind: 'presence', type } : { kind: 'presence' });
const sub = (s: Partial<SubscriptionState> & Pick<SubscriptionState, 'state'>): SubscriptionState => ({ params: {}, ...s });
const notify = (s: Partial<SubscriptionState> & Pick<SubscriptionState, 'state'>, body?: string): SipNotify =>
  body === undefined ? { subscriptionState: sub(s) } : { subscriptionState: sub(s), body };
const awayPresence: PresenceAction = { action: 'xmpp-presence', presence: { kind: 'presence', show: 'away', status: 'out' } };
const unavailable = xmppPresence('unavailable');

describe('XMPP user → SIP contact: presence stanzas (RFC 8048 §5.2, §7)', () => {
  it.each<[string, PresenceType | undefined, SipSubscriptionState | undefined, SipSubscriptionState | undefined, PresenceAction[]]>([
    ['§5.2.1 subscribe → SUBSCRIBE Event presence, Accept pidf, Expires 3600 in a new dialog', 'subscribe', undefined,
      { mode: 'subscribe', authorized: false, userAvailable: false }, [sipSubscribe('new', 3600)]],
    ['§5.2.1 subscribe again → refresh in the dialog and wait for NOTIFY active to answer `subscribed`', 'subscribe', authorized,
      { mode: 'subscribe', authorized: false, userAvailable: true }, [sipSubscribe('existing', 3600)]],
    ['§5.2.3 unsubscribe → SUBSCRIBE Expires 0 in the dialog', 'unsubscribe', authorized,
      { ...authorized, mode: 'unsubscribe' }, [sipSubscribe('existing', 0)]],
    ['§5.2.3 unsubscribe without a SIP subscription → `unsubscribed` at once', 'unsubscribe', undefined, undefined, [xmppPresence('unsubscribed')]],
    ['§7 probe → SUBSCRIBE Expires 0 in a NEW dialog, the subscription untouched', 'probe', authorized, authorized, [sipSubscribe('new', 0)]],
    ['§5.2.2 initial presence → re-SUBSCRIBE', undefined, { ...authorized, userAvailable: false }, authorized, [sipSubscribe('existing', 3600)]],
    ['§5.2.2 a later available presence → no re-SUBSCRIBE (no amplification, §8.1)', undefined, authorized, authorized, []],
    ['unavailable → remembered, so the next available is initial again', 'unavailable', authorized, { ...authorized, userAvailable: false }, []],
    ['available with no SIP subscription → nothing', undefined, undefined, undefined, []],
    ['subscribed belongs to the SIP watcher side → nothing here', 'subscribed', authorized, authorized, []],
  ])('%s', (_n, type, before, after, actions) => {
    expect(onXmppPresenceToSipContact(stanza(type), before)).toEqual({ state: after, actions });
  });

  it('SUBSCRIBE actions carry Event: presence and Accept: application/pidf+xml', () => {
    expect(onXmppPresenceToSipContact(stanza('subscribe'), undefined).actions[0]).toMatchObject({ event: 'presence', accept: 'application/pidf+xml', delaySeconds: 0 });
  });
});

describe('XMPP user → SIP contact: SUBSCRIBE responses (RFC 8048 §5.2.1–§5.2.3)', () => {
  it.each<[string, number, SipSubscriptionState, Partial<{ expires: number; minExpires: number; retryAfter: number; inDialog: boolean }>, SipSubscriptionState | undefined, PresenceAction[]]>([
    ['§5.2.1 2xx → neutral towards XMPP, refresh scheduled before expiry', 200, fresh, { expires: 3600 }, fresh, [sipSubscribe('existing', 3600, 3240)]],
    ['2xx without Expires → assumes the 3600 s asked for', 202, fresh, {}, fresh, [sipSubscribe('existing', 3600, 3240)]],
    ['2xx granting 0 s → nothing to refresh', 200, fresh, { expires: 0 }, fresh, []],
    ['1xx → nothing', 180, fresh, {}, fresh, []],
    ['§5.2.2 403 → authorization permanently cancelled: `unsubscribed`', 403, fresh, {}, undefined, [xmppPresence('unsubscribed')]],
    ['§5.2.2 489 on an authorized subscription → `unavailable` then `unsubscribed`', 489, authorized, { inDialog: true }, undefined, [unavailable, xmppPresence('unsubscribed')]],
    ['§5.2.2 603 → permanent cancel', 603, authorized, {}, undefined, [unavailable, xmppPresence('unsubscribed')]],
    ['§5.2.2 423 → transient: retry with Min-Expires, authorization kept', 423, authorized, { minExpires: 7200, inDialog: true }, authorized, [sipSubscribe('existing', 7200)]],
    ['423 with a Min-Expires below 3600 → retry with 3600', 423, fresh, { minExpires: 60 }, fresh, [sipSubscribe('new', 3600)]],
    ['§5.2.2 481 → transient: subscription gone, re-SUBSCRIBE in a new dialog', 481, authorized, { inDialog: true }, authorized, [sipSubscribe('new', 3600)]],
    ['a failed refresh (408) → retry later, authorization kept', 408, authorized, { inDialog: true }, authorized, [sipSubscribe('existing', 3600, 300)]],
    ['a failed refresh with Retry-After → retry then', 503, authorized, { inDialog: true, retryAfter: 30 }, authorized, [sipSubscribe('existing', 3600, 30)]],
    ['an initial SUBSCRIBE failing (404) → subscribe-failed for the RFC 7247 §7.2 error', 404, fresh, {}, undefined, [{ action: 'subscribe-failed', status: 404 }]],
    ['§5.2.3 200 to the unsubscribe → `unsubscribed`', 200, { ...authorized, mode: 'unsubscribe' }, { inDialog: true }, undefined, [xmppPresence('unsubscribed')]],
    ['§5.2.3 481 to the unsubscribe → `unsubscribed` (nothing left to end)', 481, { ...authorized, mode: 'unsubscribe' }, { inDialog: true }, undefined, [xmppPresence('unsubscribed')]],
    ['§7 200 to the probe → wait for its NOTIFY', 200, pollState(), {}, pollState(), []],
    ['§7 failed probe → unknown, i.e. `unavailable`', 480, pollState(), {}, undefined, [unavailable]],
    ['§7 403 to the probe → permanent cancel', 403, pollState(), {}, undefined, [xmppPresence('unsubscribed')]],
  ])('%s', (_n, status, state, extra, after, actions) => {
    expect(onSipSubscribeResponse({ status, inDialog: false, ...extra }, state)).toEqual({ state: after, actions });
  });

  it('applies the refresh cap (Lync SubscriptionRefreshInterval) to a long grant', () => {
    expect(onSipSubscribeResponse({ status: 200, expires: 86400, inDialog: false }, fresh, { refreshCapSeconds: 3600 }).actions).toEqual([sipSubscribe('existing', 3600, 3240)]);
  });
});

describe('XMPP user → SIP contact: NOTIFY (RFC 8048 §5.2.1, RFC 6665 §4.1.3)', () => {
  it.each<[string, SipNotify, SipSubscriptionState, SipSubscriptionState | undefined, PresenceAction[]]>([
    ['§5.2.1 pending → silence towards XMPP (MUST)', notify({ state: 'pending' }), fresh, fresh, []],
    ['pending with expires → only the refresh is rescheduled', notify({ state: 'pending', expires: 600 }), fresh, fresh, [sipSubscribe('existing', 3600, 540)]],
    ['§5.2.1 first active → `subscribed`, then the presence from the body', notify({ state: 'active' }, PIDF_OPEN_AWAY), fresh, authorized, [xmppPresence('subscribed'), awayPresence]],
    ['§5.2.1 first active with an empty body → `subscribed`, then unavailable (unknown/closed)', notify({ state: 'active' }, ''), fresh, authorized, [xmppPresence('subscribed'), unavailable]],
    ['later active → presence only', notify({ state: 'active' }, PIDF_OPEN_AWAY), authorized, authorized, [awayPresence]],
    ['active with expires → presence and a rescheduled refresh', notify({ state: 'active', expires: 1800 }, PIDF_OPEN_AWAY), authorized, authorized, [awayPresence, sipSubscribe('existing', 3600, 1620)]],
    ['terminated;reason=rejected → `unavailable`, `unsubscribed`', notify({ state: 'terminated', reason: 'rejected' }), authorized, undefined, [unavailable, xmppPresence('unsubscribed')]],
    ['terminated;reason=rejected while pending → a denial: `unsubscribed` only', notify({ state: 'terminated', reason: 'rejected' }), fresh, undefined, [xmppPresence('unsubscribed')]],
    ['terminated;reason=noresource → permanent like rejected', notify({ state: 'terminated', reason: 'noresource' }), authorized, undefined, [unavailable, xmppPresence('unsubscribed')]],
    ['terminated;reason=timeout → re-SUBSCRIBE at once in a new dialog, authorization kept', notify({ state: 'terminated', reason: 'timeout' }), authorized, authorized, [sipSubscribe('new', 3600, 0)]],
    ['terminated;reason=deactivated → re-SUBSCRIBE at once', notify({ state: 'terminated', reason: 'deactivated', retryAfter: 99 }), authorized, authorized, [sipSubscribe('new', 3600, 0)]],
    ['terminated;reason=probation;retry-after=120 → re-SUBSCRIBE after 120 s', notify({ state: 'terminated', reason: 'probation', retryAfter: 120 }), authorized, authorized, [sipSubscribe('new', 3600, 120)]],
    ['terminated;reason=probation without retry-after → the default retry delay', notify({ state: 'terminated', reason: 'probation' }), authorized, authorized, [sipSubscribe('new', 3600, 300)]],
    ['terminated;reason=giveup while pending → re-SUBSCRIBE, still silent', notify({ state: 'terminated', reason: 'giveup' }), fresh, fresh, [sipSubscribe('new', 3600, 0)]],
    ['terminated without reason → re-SUBSCRIBE after retry-after', notify({ state: 'terminated', retryAfter: 10 }), authorized, authorized, [sipSubscribe('new', 3600, 10)]],
    ['terminated;reason=invariant → final state forwarded, no re-SUBSCRIBE', notify({ state: 'terminated', reason: 'invariant' }, PIDF_OPEN_AWAY), authorized, undefined, [awayPresence]],
    ['terminated;reason=timeout with a final body → presence, then re-SUBSCRIBE', notify({ state: 'terminated', reason: 'timeout' }, PIDF_OPEN_AWAY), authorized, authorized, [awayPresence, sipSubscribe('new', 3600, 0)]],
    ['§7 NOTIFY of a probe → presence only, never `subscribed` or a re-SUBSCRIBE', notify({ state: 'terminated', reason: 'timeout' }, PIDF_OPEN_AWAY), pollState(), undefined, [awayPresence]],
    ['§7 empty NOTIFY of a probe → unavailable', notify({ state: 'terminated', reason: 'timeout' }, ''), pollState(), undefined, [unavailable]],
    ['§7 probe pending → silence', notify({ state: 'pending' }), pollState(), pollState(), []],
    ['§5.2.3 terminating NOTIFY before the 200 to the unsubscribe → `unsubscribed` (the 200 then finds nothing)', notify({ state: 'terminated', reason: 'timeout' }), { ...authorized, mode: 'unsubscribe' }, undefined, [xmppPresence('unsubscribed')]],
  ])('%s', (_n, n, state, after, actions) => {
    expect(onSipNotify(n, state)).toEqual({ state: after, actions });
  });

  it('uses Content-Language for the presence xml:lang (RFC 8048 §6.3)', () => {
    const r = onSipNotify({ ...notify({ state: 'active' }, PIDF_OPEN_AWAY), contentLanguage: 'en' }, authorized);
    expect(r.actions).toEqual([{ action: 'xmpp-presence', presence: { kind: 'presence', show: 'away', status: 'out', lang: 'en' } }]);
  });

  it.each([
    ['a DOCTYPE', '<!DOCTYPE presence><presence/>', 'restricted-xml'],
    ['a Lync category document', `<categories xmlns='http://schemas.microsoft.com/2006/09/sip/categories'/>`, 'not-pidf'],
  ])('reports a NOTIFY body with %s instead of dropping it, still sending `subscribed`', (_n, body, code) => {
    const r = onSipNotify(notify({ state: 'active' }, body), fresh);
    expect(r.state).toEqual(authorized);
    expect(r.actions).toEqual([xmppPresence('subscribed'), { action: 'invalid-notify-body', error: expect.objectContaining({ code }) }]);
  });
});

import type { PresenceStanza } from '../stanza/stanza';
import { BARESIP_AWAY, BARESIP_BUSY } from './__fixtures__/baresip';
import { BRIA_AWAY, BRIA_DND_UNICODE, BRIA_IDLE, BRIA_ON_THE_PHONE } from './__fixtures__/bria';
import { JITSI_AWAY, JITSI_BUSY, JITSI_IN_A_MEETING, JITSI_OFFLINE, JITSI_ONLINE } from './__fixtures__/jitsi';
import { LINPHONE_AWAY_WITH_NOTE, LINPHONE_OFFLINE, LINPHONE_ON_THE_PHONE, LINPHONE_ONLINE, LINPHONE_VACATION } from './__fixtures__/linphone';
import { MICROSOFT_APPEAR_OFFLINE, MICROSOFT_BE_RIGHT_BACK, MICROSOFT_IN_A_MEETING, MICROSOFT_PRESENTING } from './__fixtures__/microsoft';
import { OTHER_ACTIVITY, RFC4480_RICH, TUPLE_LEVEL_ACTIVITY } from './__fixtures__/rfc4480';
import { ZOIPER_DND, ZOIPER_LUNCH } from './__fixtures__/zoiper';
import { parsePidf, RPID_NS } from './pidf';
import { presenceFromNotifyBody, type PidfToPresenceOptions } from './presence-mapping';

// Bodies in the shapes SIP clients send (representative, see __fixtures__/README.md)
// → the XMPP presence the gateway emits, every field compared (type, show,
// status, xml:lang, priority): toEqual fails on a missing as on an extra field.
const P = (p: Omit<PresenceStanza, 'kind'>): PresenceStanza => ({ kind: 'presence', ...p });

describe('SIP client PIDF → XMPP presence (RFC 8048 §6.3 with RFC 4480 activities)', () => {
  it.each<[string, string, PidfToPresenceOptions, PresenceStanza]>([
    ['Linphone on the phone: person activity, no note → dnd + phrase', LINPHONE_ON_THE_PHONE, {}, P({ show: 'dnd', status: 'On the phone', lang: 'en' })],
    ['Linphone away with a French dm:note → away, the note, its xml:lang', LINPHONE_AWAY_WITH_NOTE, {}, P({ show: 'away', status: 'Parti déjeuner, de retour à 14 h', lang: 'fr' })],
    ['Linphone vacation → xa', LINPHONE_VACATION, {}, P({ show: 'xa', status: 'On vacation', lang: 'en' })],
    ['Linphone online (no person) → available, nothing invented', LINPHONE_ONLINE, {}, P({})],
    ['Linphone offline → unavailable', LINPHONE_OFFLINE, {}, P({ type: 'unavailable' })],
    ['Jitsi in a meeting (tuple note) → dnd, tuple note, Content-Language', JITSI_IN_A_MEETING, { contentLanguage: 'en' }, P({ show: 'dnd', status: 'In a meeting', lang: 'en' })],
    ['Jitsi away → away', JITSI_AWAY, {}, P({ show: 'away', status: 'Away' })],
    ['Jitsi busy → dnd', JITSI_BUSY, {}, P({ show: 'dnd', status: 'Busy' })],
    ['Jitsi online → available with its note', JITSI_ONLINE, {}, P({ status: 'Online' })],
    ['Jitsi offline → unavailable with its note', JITSI_OFFLINE, {}, P({ type: 'unavailable', status: 'Offline' })],
    ['Bria on the phone, contact priority 0.8 → dnd, priority 102', BRIA_ON_THE_PHONE, {}, P({ show: 'dnd', status: 'On the phone', priority: 102 })],
    ['Bria away → away', BRIA_AWAY, {}, P({ show: 'away', status: 'Away', priority: 102 })],
    ['Bria idle (user-input, no activity) → away without a status', BRIA_IDLE, {}, P({ show: 'away', priority: 102 })],
    ['Bria busy with a Unicode German note → dnd, note, de', BRIA_DND_UNICODE, {}, P({ show: 'dnd', status: 'Bitte nicht stören – Kundentermin ☎', lang: 'de', priority: 102 })],
    ['Zoiper lunch with a tuple note → away, the note', ZOIPER_LUNCH, {}, P({ show: 'away', status: 'Out to lunch' })],
    ['Zoiper do not disturb → dnd', ZOIPER_DND, {}, P({ show: 'dnd', status: 'Do not disturb' })],
    ['baresip busy, person before tuple, CRLF → dnd + phrase', BARESIP_BUSY, {}, P({ show: 'dnd', status: 'Busy', lang: 'en' })],
    ['baresip away → away + phrase', BARESIP_AWAY, {}, P({ show: 'away', status: 'Away', lang: 'en' })],
    ['Microsoft in a meeting (activity in tuple <status>), priority 1 → dnd, 127, en-US', MICROSOFT_IN_A_MEETING, {}, P({ show: 'dnd', status: 'In a meeting until 3 PM', lang: 'en-US', priority: 127 })],
    ['Microsoft be right back → away', MICROSOFT_BE_RIGHT_BACK, { contentLanguage: 'en-US' }, P({ show: 'away', status: 'Be right back', lang: 'en-US', priority: 127 })],
    ['Microsoft presenting, no note → dnd + phrase', MICROSOFT_PRESENTING, {}, P({ show: 'dnd', status: 'Giving a presentation', lang: 'en', priority: 127 })],
    ['Microsoft appear offline: closed wins over busy, and no "Busy" phrase on offline', MICROSOFT_APPEAR_OFFLINE, {}, P({ type: 'unavailable', priority: 127 })],
    ['RFC 4480-style rich body: person away, tuple notes in en and fr, first note', RFC4480_RICH, {}, P({ show: 'away', status: "Don't Disturb Please!", lang: 'en', priority: 102 })],
    ['RFC 4480-style rich body with a French reader → the fr note', RFC4480_RICH, { preferredLanguage: 'fr' }, P({ show: 'away', status: "Ne dérangez pas, s'il vous plaît", lang: 'fr', priority: 102 })],
    ['activity as a direct child of <tuple> (steering) → dnd, "Driving"', TUPLE_LEVEL_ACTIVITY, {}, P({ show: 'dnd', status: 'Driving', lang: 'en', priority: 64 })],
    ['<rpid:other> only → available, its text and xml:lang as status', OTHER_ACTIVITY, {}, P({ status: 'Trabajando desde casa', lang: 'es' })],
  ])('%s', (_n, body, opts, expected) => {
    expect(presenceFromNotifyBody(body, opts)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['Linphone', LINPHONE_ON_THE_PHONE],
    ['Jitsi', JITSI_IN_A_MEETING],
    ['Bria', BRIA_ON_THE_PHONE],
    ['Zoiper', ZOIPER_LUNCH],
    ['baresip', BARESIP_BUSY],
    ['Microsoft', MICROSOFT_IN_A_MEETING],
  ])('parses the %s shape without warnings and no longer lists RPID activities as ignored', (_n, body) => {
    const r = parsePidf(body);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.warnings).toBeUndefined();
    expect(r.value.ignored ?? []).not.toContain(`{${RPID_NS}}activities`);
  });

  it('lists the RPID elements it does not map (mood, place-is, sphere, device user-input) as ignored', () => {
    const r = parsePidf(RFC4480_RICH);
    expect(r.ok && r.value.ignored).toEqual([
      `{${RPID_NS}}mood`,
      `{${RPID_NS}}place-is`,
      `{${RPID_NS}}sphere`,
      `{${RPID_NS}}user-input`,
      '{urn:ietf:params:xml:ns:pidf:data-model}deviceID',
    ]);
    expect(r.ok && [r.value.person, r.value.personNotes, r.value.tuples[0]?.rpidClass]).toEqual([
      { activities: ['away'], rpidClass: 'calendar' },
      [{ text: 'Scoring 120' }, { text: 'Far away' }],
      'assistant',
    ]);
  });
});

describe('bad NOTIFY bodies → a typed error, never a throw (RFC 8048 §5.2.1 callers answer it)', () => {
  it.each([
    ['malformed PIDF (unclosed <tuple>)', 'not-well-formed', `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b"><tuple id="t"><status><basic>open</basic></status></presence>`],
    ['mismatched RPID tags', 'not-well-formed', LINPHONE_ON_THE_PHONE.replace('</rpid:activities>', '</rpid:activity>')],
    ['a 1 MB PIDF (over the 64 KiB document limit)', 'stanza-too-big', LINPHONE_AWAY_WITH_NOTE.replace('Parti déjeuner', 'x'.repeat(1024 * 1024))],
    ['a DOCTYPE with an entity (XXE / billion laughs)', 'restricted-xml', `<?xml version="1.0"?><!DOCTYPE presence [<!ENTITY a "aaaaaaaa">]>${LINPHONE_ONLINE.slice(LINPHONE_ONLINE.indexOf('<presence'))}`],
    ['an entity reference in a note', 'restricted-xml', JITSI_AWAY.replace('<note>Away</note>', '<note>&a;</note>')],
    ['an XML comment inside the person', 'restricted-xml', BARESIP_BUSY.replace('<rpid:busy/>', '<rpid:busy/><!-- x -->')],
    ['an RPID document whose root is not PIDF <presence>', 'not-pidf', `<rpid:activities xmlns:rpid="${RPID_NS}"><rpid:busy/></rpid:activities>`],
  ])('%s → %s', (_n, code, body) => {
    let r: ReturnType<typeof presenceFromNotifyBody> | undefined;
    expect(() => (r = presenceFromNotifyBody(body))).not.toThrow();
    expect(r).toEqual({ ok: false, error: expect.objectContaining({ code }) });
  });
});

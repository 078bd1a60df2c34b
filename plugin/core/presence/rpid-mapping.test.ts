import type { PresenceShow, PresenceStanza } from '../stanza/stanza';
import { buildPidf, parsePidf, RPID_ACTIVITIES, RPID_NS, type PidfDocument, type RpidActivity } from './pidf';
import { aggregateResources, pidfToPresence, pidfToPresencePerTuple, presenceFromNotifyBody, presenceToPidf } from './presence-mapping';

const PIDF = 'urn:ietf:params:xml:ns:pidf';
const DM = 'urn:ietf:params:xml:ns:pidf:data-model';
/** A PIDF body: `tuple` goes inside <tuple id='t'>, `person` inside <dm:person>, `rest` after them. */
const body = (tuple: string, person?: string, rest = '') =>
  `<presence xmlns='${PIDF}' xmlns:dm='${DM}' xmlns:rpid='${RPID_NS}' entity='sip:romeo@example.net'>` +
  `<tuple id='t'>${tuple}</tuple>${person !== undefined ? `<dm:person id='p'>${person}</dm:person>` : ''}${rest}</presence>`;
const OPEN = '<status><basic>open</basic></status>';
const acts = (...a: string[]) => `<rpid:activities>${a.map((x) => (x.startsWith('<') ? x : `<rpid:${x}/>`)).join('')}</rpid:activities>`;
const map = (b: string) => {
  const r = presenceFromNotifyBody(b);
  if (!r.ok) throw new Error(r.error.detail);
  return r.value;
};

describe('RFC 4480 §3.2 activity → XMPP <show/> and status phrase (the gateway table, rpid-mapping.ts)', () => {
  // Written out here rather than read from ACTIVITY_TO_XMPP, so a change to the table must change this test.
  const expected: Record<RpidActivity, [PresenceShow | undefined, string | undefined]> = {
    busy: ['dnd', 'Busy'],
    'on-the-phone': ['dnd', 'On the phone'],
    meeting: ['dnd', 'In a meeting'],
    presentation: ['dnd', 'Giving a presentation'],
    performance: ['dnd', 'Performing'],
    'in-transit': ['dnd', 'In transit'],
    steering: ['dnd', 'Driving'],
    worship: ['dnd', 'At worship'],
    away: ['away', 'Away'],
    appointment: ['away', 'At an appointment'],
    breakfast: ['away', 'Having breakfast'],
    lunch: ['away', 'At lunch'],
    dinner: ['away', 'Having dinner'],
    meal: ['away', 'Having a meal'],
    shopping: ['away', 'Shopping'],
    spectator: ['away', 'Watching an event'],
    playing: ['away', 'Playing'],
    tv: ['away', 'Watching TV'],
    vacation: ['xa', 'On vacation'],
    holiday: ['xa', 'On holiday'],
    travel: ['xa', 'Travelling'],
    sleeping: ['xa', 'Sleeping'],
    'permanent-absence': ['xa', 'Permanently absent'],
    working: [undefined, 'Working'],
    'looking-for-work': [undefined, 'Looking for work'],
    unknown: [undefined, undefined],
  };

  it('covers every activity RFC 4480 enumerates', () => {
    expect(Object.keys(expected).sort()).toEqual([...RPID_ACTIVITIES].sort());
  });

  it.each(RPID_ACTIVITIES.map((a) => [a, ...expected[a]] as const))('<rpid:%s/> in the person → show %s, status %s', (activity, show, phrase) => {
    const p = map(body(OPEN, acts(activity)));
    expect(p).toEqual({ kind: 'presence', ...(show ? { show } : {}), ...(phrase ? { status: phrase, lang: 'en' } : {}) });
  });
});

describe('which RPID data decides <show/> (precedence, pidf-to-presence.ts)', () => {
  it.each<[string, string, Omit<PresenceStanza, 'kind'>]>([
    ['basic closed → unavailable whatever the activities', body('<status><basic>closed</basic></status>', acts('busy')), { type: 'unavailable' }],
    ['basic absent → unavailable whatever the activities', body('', acts('away')), { type: 'unavailable' }],
    ['an embedded jabber:client <show> (RFC 8048 §6.2) wins over activities, and no phrase is added', body(`<status><basic>open</basic><show xmlns='jabber:client'>xa</show></status>`, acts('busy')), { show: 'xa' }],
    ['embedded chat wins over a person "busy"', body(`<status><basic>open</basic><show xmlns='jabber:client'>chat</show></status>`, acts('busy')), { show: 'chat' }],
    ['tuple activities override the person’s (busy over away)', body(`<status><basic>open</basic>${acts('busy')}</status>`, acts('away')), { show: 'dnd', status: 'Busy', lang: 'en' }],
    ['tuple activities override the person’s even when they imply no show (working over busy)', body(`<status><basic>open</basic>${acts('working')}</status>`, acts('busy')), { status: 'Working', lang: 'en' }],
    ['several activities: the least available wins (lunch + on-the-phone → dnd)', body(OPEN, acts('lunch', 'on-the-phone')), { show: 'dnd', status: 'On the phone', lang: 'en' }],
    ['several activities: xa beats away (away + sleeping)', body(OPEN, acts('away', 'sleeping')), { show: 'xa', status: 'Sleeping', lang: 'en' }],
    ['several activities of one rank: document order (shopping before away)', body(OPEN, acts('shopping', 'away')), { show: 'away', status: 'Shopping', lang: 'en' }],
    ['activities in two <dm:person> elements are merged', body(OPEN, acts('away'), `<dm:person id='q'>${acts('meeting')}</dm:person>`), { show: 'dnd', status: 'In a meeting', lang: 'en' }],
    ['user-input idle, no activity → away, no status', body(OPEN, '<rpid:user-input>idle</rpid:user-input>'), { show: 'away' }],
    ['user-input idle under an activity with a show → the activity', body(OPEN, `${acts('busy')}<rpid:user-input>idle</rpid:user-input>`), { show: 'dnd', status: 'Busy', lang: 'en' }],
    ['user-input idle with "working" (no show) → away, the phrase stays', body(OPEN, `${acts('working')}<rpid:user-input>idle</rpid:user-input>`), { show: 'away', status: 'Working', lang: 'en' }],
    ['user-input active → available', body(OPEN, '<rpid:user-input>active</rpid:user-input>'), {}],
    ['tuple user-input idle (inside <status>) → away', body(`<status><basic>open</basic><rpid:user-input>idle</rpid:user-input></status>`), { show: 'away' }],
    ['<rpid:unknown/> → nothing derived', body(OPEN, acts('unknown')), {}],
    ['<rpid:other> with busy → dnd, the other text as status (the user’s own words)', body(OPEN, acts('busy', "<rpid:other xml:lang='it'>In laboratorio</rpid:other>")), { show: 'dnd', status: 'In laboratorio', lang: 'it' }],
    ['an activity RFC 4480 does not define is skipped, the known one still maps', body(OPEN, acts('hiking', 'away')), { show: 'away', status: 'Away', lang: 'en' }],
  ])('%s', (_n, b, expected) => {
    expect(map(b)).toEqual({ kind: 'presence', ...expected });
  });
});

describe('which note becomes <status/> (tuple, person, document, device, <other>, phrase)', () => {
  const personBusy = (notes: string) => `${acts('busy', "<rpid:other>Other text</rpid:other>")}${notes}`;
  it.each<[string, string, string, string | undefined]>([
    ['the tuple note first', body(`${OPEN}<note>tuple</note>`, personBusy('<dm:note>person</dm:note>'), '<note>document</note>'), 'tuple', undefined],
    ['the tuple’s <rpid:note> counts as a tuple note', body(`${OPEN}<rpid:note>tuple rpid</rpid:note>`, personBusy('<dm:note>person</dm:note>')), 'tuple rpid', undefined],
    ['then the person’s <dm:note>', body(OPEN, personBusy('<dm:note>person</dm:note>'), '<note>document</note>'), 'person', undefined],
    ['then the person’s <rpid:note> (written directly in <dm:person> by some UAs)', body(OPEN, personBusy("<rpid:note xml:lang='nl'>bezet</rpid:note>"), '<note>document</note>'), 'bezet', 'nl'],
    ['then an <rpid:note> inside <rpid:activities>', body(OPEN, acts('busy', '<rpid:note>activity note</rpid:note>'), '<note>document</note>'), 'activity note', undefined],
    ['then the document note', body(OPEN, personBusy(''), '<note>document</note>'), 'document', undefined],
    ['then the device note', body(OPEN, personBusy(''), "<dm:device id='d'><dm:note>device</dm:note></dm:device>"), 'device', undefined],
    ['then the <other> text', body(OPEN, personBusy('')), 'Other text', undefined],
    ['a whitespace-only note does not count: falls through to the phrase', body(`${OPEN}<note>  </note>`, acts('busy')), 'Busy', 'en'],
  ])('%s', (_n, b, status, lang) => {
    expect(map(b)).toEqual({ kind: 'presence', show: 'dnd', status, ...(lang ? { lang } : {}) });
  });

  it('keeps the note in the reader’s language when the person has several (xml:lang kept)', () => {
    const b = body(OPEN, `${acts('meeting')}<dm:note xml:lang='en'>Meeting</dm:note><dm:note xml:lang='de'>Besprechung</dm:note>`);
    expect(presenceFromNotifyBody(b, { preferredLanguage: 'de-AT' })).toEqual({ ok: true, value: { kind: 'presence', show: 'dnd', status: 'Besprechung', lang: 'de' } });
  });

  it('gives no phrase on unavailable presence (no <show/> to explain), but keeps a real note', () => {
    expect(map(body('<status><basic>closed</basic></status>', acts('vacation')))).toEqual({ kind: 'presence', type: 'unavailable' });
    expect(map(body('<status><basic>closed</basic></status>', `${acts('vacation')}<dm:note>Back on Monday</dm:note>`))).toEqual({ kind: 'presence', type: 'unavailable', status: 'Back on Monday' });
  });
});

describe('several tuples with RPID (RFC 8048 §6.3: the most available one)', () => {
  const two = (a: string, b: string, person = '') =>
    `<presence xmlns='${PIDF}' xmlns:dm='${DM}' xmlns:rpid='${RPID_NS}' entity='sip:r@e'>` +
    `<tuple id='a'><status><basic>open</basic>${a}</status><note>a</note></tuple>` +
    `<tuple id='b'><status><basic>open</basic>${b}</status><note>b</note></tuple>${person}</presence>`;

  it('ranks tuples by the show their activities imply (a phone call on one device, the other free)', () => {
    expect(map(two(acts('on-the-phone'), ''))).toEqual({ kind: 'presence', status: 'b' });
  });

  it('ranks by the derived show: away beats dnd', () => {
    expect(map(two(acts('busy'), acts('away')))).toEqual({ kind: 'presence', show: 'away', status: 'b' });
  });

  it('pidfToPresencePerTuple applies the person’s activities to every tuple without its own', () => {
    const doc = parsePidf(two('', acts('sleeping'), `<dm:person id='p'>${acts('meeting')}</dm:person>`));
    expect(doc.ok && pidfToPresencePerTuple(doc.value)).toEqual([
      { resource: 'a', presence: { kind: 'presence', show: 'dnd', status: 'a' } },
      { resource: 'b', presence: { kind: 'presence', show: 'xa', status: 'b' } },
    ]);
  });
});

describe('XMPP → SIP: RPID person activities next to the embedded <show> (RFC 4480 §3.2, RFC 8048 §6.2)', () => {
  const personOf = (b: string) => {
    const r = parsePidf(b);
    if (!r.ok) throw new Error(r.error.detail);
    expect(r.value.warnings).toBeUndefined();
    return r.value.person;
  };
  it.each<[string, Omit<PresenceStanza, 'kind'>, RpidActivity[] | undefined]>([
    ['dnd → busy', { show: 'dnd' }, ['busy']],
    ['away → away', { show: 'away' }, ['away']],
    ['xa → away (RPID has no extended away)', { show: 'xa' }, ['away']],
    ['chat → no activity (available)', { show: 'chat' }, undefined],
    ['no show → no activity (available)', {}, undefined],
    ['unavailable → no activity (basic closed says it)', { type: 'unavailable', show: 'dnd' }, undefined],
  ])('%s', (_n, stanza, activities) => {
    const r = presenceToPidf({ kind: 'presence', from: 'juliet@example.com/balcony', ...stanza }, 'pres:juliet@example.com');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(personOf(r.value.body)).toEqual(activities ? { activities } : undefined);
    expect(r.value.document.tuples[0]?.show).toBe(stanza.type ? undefined : stanza.show);
  });

  it('declares the data-model and RPID namespaces on <dm:person>, activities before notes (RFC 4479 schema)', () => {
    const out = buildPidf({ entity: 'sip:a@b', tuples: [], notes: [], person: { activities: ['busy'] }, personNotes: [{ text: 'n' }] });
    expect(out).toContain(
      `<dm:person xmlns:dm="${DM}" xmlns:rpid="${RPID_NS}" id="ID-person"><rpid:activities><rpid:busy/></rpid:activities><dm:note>n</dm:note></dm:person>`,
    );
  });

  it('derives the person activity from the most available open resource of an aggregate', () => {
    const agg = (m: Array<[string, Omit<PresenceStanza, 'kind'>]>) =>
      personOf(aggregateResources(new Map(m.map(([r, p]) => [r, { kind: 'presence', ...p } as PresenceStanza])), 'sip:j@e').notification.body);
    expect(agg([['desk', { show: 'dnd' }], ['phone', { show: 'xa' }]])).toEqual({ activities: ['away'] });
    expect(agg([['desk', { show: 'dnd' }], ['phone', {}]])).toBeUndefined();
    expect(agg([['desk', { show: 'dnd' }], ['phone', { type: 'unavailable' }]])).toEqual({ activities: ['busy'] });
    expect(agg([['desk', { type: 'unavailable' }]])).toBeUndefined();
  });

  it('a UA that reads only RPID sees the state: the body without the embedded <show> still maps back to the show', () => {
    const r = presenceToPidf({ kind: 'presence', from: 'j@e/r', show: 'dnd' }, 'sip:j@e');
    const rpidOnly = r.ok ? r.value.body.replace(/<show xmlns="jabber:client">dnd<\/show>/, '') : '';
    expect(rpidOnly).not.toContain('jabber:client');
    expect(map(rpidOnly)).toEqual({ kind: 'presence', show: 'dnd', status: 'Busy', lang: 'en' });
  });

  it('writes tuple activities and <other> inside <status> so a document round-trips', () => {
    const doc: PidfDocument = {
      entity: 'sip:a@b',
      tuples: [{ id: 't', basic: 'open', notes: [], activities: ['meeting', 'lunch'], otherActivities: [{ lang: 'fr', text: 'réunion' }] }],
      notes: [],
      person: { activities: ['away'], otherActivities: [{ text: 'x' }] },
    };
    const r = parsePidf(buildPidf(doc));
    expect(r.ok && { tuples: r.value.tuples, person: r.value.person, ignored: r.value.ignored }).toEqual({ tuples: doc.tuples, person: doc.person, ignored: undefined });
  });

  it('maps a NOTIFY without tuples but with person activities to unavailable, without a phrase', () => {
    expect(pidfToPresence({ entity: 'sip:a@b', tuples: [], notes: [], person: { activities: ['busy'] } })).toEqual({ kind: 'presence', type: 'unavailable' });
  });
});

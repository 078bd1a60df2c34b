import type { PresenceStanza, PresenceType } from '../stanza/stanza';
import { parsePidf, type PidfDocument, type PidfTuple } from './pidf';
import {
  aggregateResources,
  pidfToPresence,
  pidfToPresencePerTuple,
  presenceFromNotifyBody,
  presenceToPidf,
  resourceOfJid,
} from './presence-mapping';

const ENTITY = 'pres:juliet@example.com';
const pres = (p: Omit<PresenceStanza, 'kind'>): PresenceStanza => ({ kind: 'presence', from: 'juliet@example.com/orchard', ...p });
const tupleOf = (p: PresenceStanza): PidfTuple => {
  const r = presenceToPidf(p, ENTITY);
  if (!r.ok) throw new Error(r.error.detail);
  return r.value.document.tuples[0]!;
};

describe('RFC 8048 §6.2 Table 1: XMPP presence → PIDF', () => {
  it.each<[string, Omit<PresenceStanza, 'kind'>, Partial<PidfTuple>]>([
    ['XMPP resource → tuple id "ID-<resource>"', {}, { id: 'ID-orchard' }],
    ['no type → <basic>open</basic>', {}, { basic: 'open' }],
    ['type unavailable → <basic>closed</basic>', { type: 'unavailable' }, { basic: 'closed' }],
    ['<status/> → <note/> with the stanza xml:lang', { status: 'Sleeping', lang: 'en' }, { notes: [{ lang: 'en', text: 'Sleeping' }] }],
    ['<status/> without xml:lang → <note/> without xml:lang', { status: 'Sleeping' }, { notes: [{ text: 'Sleeping' }] }],
    ['<show/> → <show xmlns="jabber:client"> inside <status>', { show: 'away' }, { show: 'away' }],
    ['<priority/> 127 → contact priority 1', { priority: 127 }, { priority: 1 }],
    ['<priority/> 0 → contact priority 0', { priority: 0 }, { priority: 0 }],
    ['<priority/> 1 → contact priority 0.007 (the RFC example)', { priority: 1 }, { priority: 0.007 }],
  ])('%s', (_n, stanza, expected) => {
    expect(tupleOf(pres(stanza))).toMatchObject(expected);
  });

  it.each([-1, -128])('a negative <priority/> (%i) MUST NOT be mapped', (priority) => {
    const r = presenceToPidf(pres({ priority }), ENTITY);
    expect(r.ok && r.value.document.tuples[0]).not.toHaveProperty('priority');
    expect(r.ok && r.value.body).not.toContain('priority');
  });

  it.each([128, 1.5, Number.NaN])('an out-of-range or non-integer <priority/> (%p) is not mapped', (priority) => {
    expect(tupleOf(pres({ priority }))).not.toHaveProperty('priority');
  });

  it('xml:lang → Content-Language, returned next to the body', () => {
    const r = presenceToPidf(pres({ status: 'Schlafen', lang: 'de' }), ENTITY);
    expect(r.ok && { lang: r.value.contentLanguage, type: r.value.contentType }).toEqual({ lang: 'de', type: 'application/pidf+xml' });
  });

  it('writes the example NOTIFY body: show embedded in <status>, entity from the caller, plus the RFC 4480 person activity', () => {
    const r = presenceToPidf(pres({ show: 'away', status: 'Sleeping', lang: 'en' }), ENTITY);
    expect(r.ok && r.value.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="pres:juliet@example.com">' +
        '<tuple id="ID-orchard"><status><basic>open</basic><show xmlns="jabber:client">away</show></status>' +
        '<note xml:lang="en">Sleeping</note></tuple>' +
        '<dm:person xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" id="ID-person">' +
        '<rpid:activities><rpid:away/></rpid:activities></dm:person></presence>',
    );
  });

  it('drops <show/> from an unavailable presence (show qualifies availability, RFC 6121 §4.7.2.1)', () => {
    expect(tupleOf(pres({ type: 'unavailable', show: 'dnd' }))).not.toHaveProperty('show');
  });

  it('writes the caller-supplied contact URI and timestamp (the core has no clock)', () => {
    const r = presenceToPidf(pres({ priority: 5 }), ENTITY, {
      contactFor: (res) => `sip:juliet@example.com;gr=${res}`,
      timestamp: '2016-12-01T10:00:00Z',
    });
    expect(r.ok && r.value.document.tuples[0]).toMatchObject({ contact: 'sip:juliet@example.com;gr=orchard', timestamp: '2016-12-01T10:00:00Z' });
  });

  it.each<PresenceType>(['subscribe', 'subscribed', 'unsubscribe', 'unsubscribed', 'probe', 'error'])(
    'type %s is not a notification (only no type / unavailable map)',
    (type) => {
      const r = presenceToPidf(pres({ type }), ENTITY);
      expect(r).toEqual({ ok: false, error: expect.objectContaining({ code: 'not-a-notification', type }) });
    },
  );

  it.each([
    ['a resource starting with a digit', 'juliet@example.com/1234', 'ID-1234'],
    ['a resource with space, slash and underscore', 'juliet@example.com/my phone/x_y', 'ID-my_20_phone_2f_x_5f_y'],
    ['a bare JID', 'juliet@example.com', 'ID-'],
  ])('makes %s an xs:ID-safe, reversible tuple id', (_n, from, id) => {
    const t = tupleOf({ kind: 'presence', from });
    expect(t.id).toBe(id);
    const back = pidfToPresencePerTuple({ entity: ENTITY, tuples: [t], notes: [] })[0];
    expect(back?.resource).toBe(resourceOfJid(from));
  });
});

describe('RFC 8048 §6.2: each XMPP resource yields a separate tuple (aggregateResources)', () => {
  const resources = new Map<string, PresenceStanza>([
    ['phone', pres({ show: 'away', lang: 'en' })],
    ['desktop', pres({ status: 'here', lang: 'en', priority: 10 })],
    ['tablet', pres({ type: 'unavailable', lang: 'en' })],
    ['weird', pres({ type: 'subscribe' })],
  ]);

  it('builds one tuple per notification resource, sorted by resource, and reports the skipped ones', () => {
    const r = aggregateResources(resources, ENTITY);
    expect(r.notification.document.tuples.map((t) => [t.id, t.basic])).toEqual([
      ['ID-desktop', 'open'],
      ['ID-phone', 'open'],
      ['ID-tablet', 'closed'],
    ]);
    expect(r.skipped).toEqual(['weird']);
    expect(r.notification.contentLanguage).toBe('en');
  });

  it('gives the same body whatever the insertion order', () => {
    const reversed = new Map([...resources].reverse());
    expect(aggregateResources(reversed, ENTITY).notification.body).toBe(aggregateResources(resources, ENTITY).notification.body);
  });

  it('sets no Content-Language when resources disagree (each note keeps its own xml:lang)', () => {
    const mixed = new Map([['a', pres({ lang: 'en' })], ['b', pres({ lang: 'fr' })]]);
    expect(aggregateResources(mixed, ENTITY).notification).not.toHaveProperty('contentLanguage');
  });

  it('turns the aggregate back into the most available resource on the SIP→XMPP side', () => {
    const doc = parsePidf(aggregateResources(resources, ENTITY).notification.body);
    expect(doc.ok && pidfToPresence(doc.value)).toEqual({ kind: 'presence', status: 'here', priority: 10, lang: 'en' });
  });
});

const doc = (tuples: PidfTuple[], extra: Partial<PidfDocument> = {}): PidfDocument => ({ entity: 'sip:romeo@example.net', tuples, notes: [], ...extra });
const tuple = (t: Partial<PidfTuple>): PidfTuple => ({ id: 't', notes: [], ...t });

describe('RFC 8048 §6.3 Table 2: PIDF → XMPP presence', () => {
  it.each<[string, PidfTuple, PresenceStanza]>([
    ['<basic>open</basic> → presence without type', tuple({ basic: 'open' }), { kind: 'presence' }],
    ['<basic>closed</basic> → type unavailable', tuple({ basic: 'closed' }), { kind: 'presence', type: 'unavailable' }],
    ['basic absent or unknown → type unavailable', tuple({}), { kind: 'presence', type: 'unavailable' }],
    ['<note/> → <status/>', tuple({ basic: 'open', notes: [{ text: 'at lunch' }] }), { kind: 'presence', status: 'at lunch' }],
    ['embedded <show/> → <show/>', tuple({ basic: 'open', show: 'xa' }), { kind: 'presence', show: 'xa' }],
    ['embedded <show/> on a closed tuple → no <show/>', tuple({ basic: 'closed', show: 'xa' }), { kind: 'presence', type: 'unavailable' }],
    ['contact priority 1 → <priority>127</priority>', tuple({ basic: 'open', priority: 1 }), { kind: 'presence', priority: 127 }],
    ['contact priority 0.5 → <priority>64</priority>', tuple({ basic: 'open', priority: 0.5 }), { kind: 'presence', priority: 64 }],
    ['contact priority 0.007 → <priority>1</priority>', tuple({ basic: 'open', priority: 0.007 }), { kind: 'presence', priority: 1 }],
  ])('%s', (_n, t, expected) => {
    expect(pidfToPresence(doc([t]))).toEqual(expected);
  });

  it('Content-Language → xml:lang', () => {
    expect(pidfToPresence(doc([tuple({ basic: 'open', notes: [{ text: 'hi' }] })]), { contentLanguage: 'en' })).toEqual({
      kind: 'presence',
      status: 'hi',
      lang: 'en',
    });
  });

  it.each([
    ['the preferred language', { preferredLanguage: 'fr', contentLanguage: 'en' }, 'bonjour', 'fr'],
    ['the preferred language by primary subtag', { preferredLanguage: 'fr-CA' }, 'bonjour', 'fr'],
    ['Content-Language when nothing is preferred', { contentLanguage: 'de' }, 'hallo', 'de'],
    ['the note without xml:lang otherwise', {}, 'plain', undefined],
  ])('picks the note in %s', (_n, opts, status, lang) => {
    const notes = [{ lang: 'de', text: 'hallo' }, { text: 'plain' }, { lang: 'fr', text: 'bonjour' }];
    const p = pidfToPresence(doc([tuple({ basic: 'open', notes })]), opts);
    expect([p.status, p.lang]).toEqual([status, lang ?? (opts as { contentLanguage?: string }).contentLanguage]);
  });

  it.each([
    ['document-level notes', { notes: [{ text: 'doc' }] }, 'doc'],
    ['RFC 4479 person notes', { personNotes: [{ text: 'person' }] }, 'person'],
    ['RFC 4479 device notes', { deviceNotes: [{ text: 'device' }] }, 'device'],
  ])('falls back to %s when the tuple has none', (_n, extra, status) => {
    expect(pidfToPresence(doc([tuple({ basic: 'open' })], extra)).status).toBe(status);
  });

  it('maps a PIDF with no tuples to unavailable (nothing says the contact is available)', () => {
    expect(pidfToPresence(doc([], { notes: [{ text: 'moved' }] }))).toEqual({ kind: 'presence', type: 'unavailable', status: 'moved' });
  });
});

describe('RFC 8048 §6.3: several tuples → the most available one', () => {
  it.each<[string, PidfTuple[], string]>([
    ['open beats closed', [tuple({ id: 'a', basic: 'closed', priority: 1 }), tuple({ id: 'b', basic: 'open' })], 'b'],
    ['open beats unknown basic', [tuple({ id: 'a', priority: 1 }), tuple({ id: 'b', basic: 'open', show: 'dnd' })], 'b'],
    ['chat beats no show', [tuple({ id: 'a', basic: 'open' }), tuple({ id: 'b', basic: 'open', show: 'chat' })], 'b'],
    ['no show beats away', [tuple({ id: 'a', basic: 'open', show: 'away' }), tuple({ id: 'b', basic: 'open' })], 'b'],
    ['away beats xa', [tuple({ id: 'a', basic: 'open', show: 'xa' }), tuple({ id: 'b', basic: 'open', show: 'away' })], 'b'],
    ['xa beats dnd', [tuple({ id: 'a', basic: 'open', show: 'dnd' }), tuple({ id: 'b', basic: 'open', show: 'xa' })], 'b'],
    ['then the higher priority', [tuple({ id: 'a', basic: 'open', priority: 0.2 }), tuple({ id: 'b', basic: 'open', priority: 0.9 })], 'b'],
    ['then document order', [tuple({ id: 'a', basic: 'open' }), tuple({ id: 'b', basic: 'open' })], 'a'],
  ])('%s', (_n, tuples, winner) => {
    const labelled = tuples.map((t) => ({ ...t, notes: [{ text: t.id }] }));
    expect(pidfToPresence(doc(labelled)).status).toBe(winner);
  });

  it('pidfToPresencePerTuple gives one presence per tuple with the resource from the tuple id', () => {
    const out = pidfToPresencePerTuple(doc([tuple({ id: 'ID-my_20_phone', basic: 'open' }), tuple({ id: 'a8098a', basic: 'closed' })]));
    expect(out).toEqual([
      { resource: 'my phone', presence: { kind: 'presence' } },
      { resource: 'a8098a', presence: { kind: 'presence', type: 'unavailable' } },
    ]);
  });
});

describe('NOTIFY body → presence (RFC 8048 §5.2.1: an empty body means unknown or closed)', () => {
  it.each([
    ['no body', undefined],
    ['a zero-length body', ''],
    ['a whitespace-only body', '  \r\n'],
  ])('maps %s to unavailable', (_n, body) => {
    expect(presenceFromNotifyBody(body)).toEqual({ ok: true, value: { kind: 'presence', type: 'unavailable' } });
  });

  it('refuses a body that is not PIDF with a typed error', () => {
    const r = presenceFromNotifyBody('<!DOCTYPE x><x/>');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('restricted-xml');
  });
});

describe('round trip presence → PIDF → presence (RFC 8048 §6.2 then §6.3)', () => {
  it.each<Omit<PresenceStanza, 'kind' | 'from'>>([
    {},
    { show: 'chat' },
    { show: 'away', status: 'Sleeping', lang: 'en' },
    { show: 'xa', priority: 0 },
    { show: 'dnd', status: 'meeting <b> & "quotes"', priority: 127, lang: 'fr' },
    { priority: 63 },
    { type: 'unavailable' },
    { type: 'unavailable', status: 'gone home', lang: 'en' },
  ])('keeps show/status/priority/open-closed of %p', (stanza) => {
    const out = presenceToPidf({ kind: 'presence', from: 'a@b/r', ...stanza }, ENTITY);
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    const back = presenceFromNotifyBody(out.value.body, out.value.contentLanguage ? { contentLanguage: out.value.contentLanguage } : {});
    expect(back).toEqual({ ok: true, value: { kind: 'presence', ...stanza } });
  });
});

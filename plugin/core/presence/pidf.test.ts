import { buildPidf, parsePidf, type PidfDocument } from './pidf';

const PIDF = 'urn:ietf:params:xml:ns:pidf';

// The shape of RFC 8048 §6.2's example NOTIFY body (show embedded in <status>).
const RFC8048_EXAMPLE = `<?xml version='1.0' encoding='UTF-8'?>
<presence xmlns='${PIDF}' entity='pres:juliet@example.com'>
  <tuple id='ID-orchard'>
    <status>
      <basic>open</basic>
      <show xmlns='jabber:client'>away</show>
    </status>
    <contact priority='0.5'>sip:juliet@example.com;gr=orchard</contact>
    <note xml:lang='en'>Sleeping</note>
    <timestamp>2016-12-01T10:00:00Z</timestamp>
  </tuple>
</presence>`;

describe('parsePidf (RFC 3863 §4.1, RFC 8048 §6.2 show extension)', () => {
  it('reads entity, tuple id, basic, embedded jabber:client show, contact priority, note with xml:lang and timestamp', () => {
    const r = parsePidf(RFC8048_EXAMPLE);
    expect(r).toEqual({
      ok: true,
      value: {
        entity: 'pres:juliet@example.com',
        notes: [],
        tuples: [
          {
            id: 'ID-orchard',
            basic: 'open',
            show: 'away',
            contact: 'sip:juliet@example.com;gr=orchard',
            priority: 0.5,
            notes: [{ lang: 'en', text: 'Sleeping' }],
            timestamp: '2016-12-01T10:00:00Z',
          },
        ],
      },
    });
  });

  it('accepts a prefixed PIDF namespace because it matches on the resolved namespace', () => {
    const r = parsePidf(
      `<pidf:presence xmlns:pidf='${PIDF}' entity='sip:a@b'><pidf:tuple id='t1'><pidf:status><pidf:basic>closed</pidf:basic></pidf:status><pidf:note>gone</pidf:note></pidf:tuple></pidf:presence>`,
    );
    expect(r.ok && r.value.tuples).toEqual([{ id: 't1', basic: 'closed', notes: [{ text: 'gone' }] }]);
  });

  it('inherits xml:lang from <presence> and reads document, RFC 4479 person and device notes', () => {
    const r = parsePidf(
      `<presence xmlns='${PIDF}' xmlns:dm='urn:ietf:params:xml:ns:pidf:data-model' entity='sip:a@b' xml:lang='fr'>
        <tuple id='t'><status><basic>open</basic></status><note>en ligne</note></tuple>
        <note>document</note>
        <dm:person id='p'><dm:note xml:lang='de'>Mittag</dm:note></dm:person>
        <dm:device id='d'><dm:deviceID>urn:x</dm:deviceID><dm:note>phone</dm:note></dm:device>
      </presence>`,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.tuples[0]?.notes).toEqual([{ lang: 'fr', text: 'en ligne' }]);
    expect(r.value.notes).toEqual([{ lang: 'fr', text: 'document' }]);
    expect(r.value.personNotes).toEqual([{ lang: 'de', text: 'Mittag' }]);
    expect(r.value.deviceNotes).toEqual([{ lang: 'fr', text: 'phone' }]);
    expect(r.value.ignored).toEqual(['{urn:ietf:params:xml:ns:pidf:data-model}deviceID']);
  });

  it('reads RPID activities and class, and lists the RPID and other extensions it does not interpret instead of dropping them unseen', () => {
    const r = parsePidf(
      `<presence xmlns='${PIDF}' xmlns:rpid='urn:ietf:params:xml:ns:pidf:rpid' entity='sip:a@b'>
        <tuple id='t'><status><basic>open</basic><rpid:x/></status><rpid:class>c</rpid:class></tuple>
        <rpid:activities><rpid:away/></rpid:activities>
        <rpid:mood><rpid:happy/></rpid:mood>
      </presence>`,
    );
    expect(r.ok && r.value.ignored).toEqual(['{urn:ietf:params:xml:ns:pidf:rpid}x', '{urn:ietf:params:xml:ns:pidf:rpid}mood']);
    expect(r.ok && [r.value.tuples[0]?.rpidClass, r.value.person]).toEqual(['c', { activities: ['away'] }]);
  });

  it('returns a document with no tuples for a PIDF without tuples (RFC 3863 allows zero)', () => {
    const r = parsePidf(`<presence xmlns='${PIDF}' entity='sip:a@b'/>`);
    expect(r).toEqual({ ok: true, value: { entity: 'sip:a@b', tuples: [], notes: [] } });
  });

  it.each([
    ['above 1', '1.5'],
    ['negative', '-0.1'],
    ['four decimals', '0.1234'],
    ['not a number', 'high'],
    ['1 with a non-zero decimal', '1.001'],
  ])('drops an invalid contact priority (%s) with an invalid-priority warning, keeping the rest of the tuple', (_n, value) => {
    const r = parsePidf(`<presence xmlns='${PIDF}' entity='sip:a@b'><tuple id='t'><status><basic>open</basic></status><contact priority='${value}'>sip:a@b</contact></tuple></presence>`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.tuples[0]).toEqual({ id: 't', basic: 'open', contact: 'sip:a@b', notes: [] });
    expect(r.value.warnings?.map((w) => w.code)).toEqual(['invalid-priority']);
  });

  it.each(['0', '0.', '0.5', '0.125', '1', '1.000'])('accepts the qvalue priority %s (RFC 3261 §25.1)', (value) => {
    const r = parsePidf(`<presence xmlns='${PIDF}' entity='sip:a@b'><tuple id='t'><contact priority='${value}'>x</contact></tuple></presence>`);
    expect(r.ok && r.value.tuples[0]?.priority).toBe(Number(value));
  });

  it.each([
    ['an unknown basic value', `<status><basic>busy</basic></status>`, 'unknown-basic'],
    ['an upper-case basic value', `<status><basic>OPEN</basic></status>`, 'unknown-basic'],
    ['an unknown show value', `<status><basic>open</basic><show xmlns='jabber:client'>lunch</show></status>`, 'unknown-show'],
  ])('ignores %s with a warning rather than guessing', (_n, status, code) => {
    const r = parsePidf(`<presence xmlns='${PIDF}' entity='sip:a@b'><tuple id='t'>${status}</tuple></presence>`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.tuples[0]?.basic === 'open' || r.value.tuples[0]?.basic === undefined).toBe(true);
    expect(r.value.tuples[0]?.show).toBeUndefined();
    expect(r.value.warnings?.map((w) => w.code)).toEqual([code]);
  });

  it('warns about a missing entity, a tuple without id and a repeated tuple id', () => {
    const r = parsePidf(`<presence xmlns='${PIDF}'><tuple><status/></tuple><tuple id='a'/><tuple id='a'/></presence>`);
    expect(r.ok && r.value.warnings?.map((w) => w.code)).toEqual(['missing-entity', 'missing-tuple-id', 'duplicate-tuple-id']);
  });

  it.each([
    ['text that is not XML', 'not-well-formed', 'open'],
    ['a DOCTYPE (XXE / billion laughs)', 'restricted-xml', `<!DOCTYPE presence [<!ENTITY x "y">]><presence xmlns='${PIDF}' entity='a'/>`],
    ['an internal entity reference', 'restricted-xml', `<presence xmlns='${PIDF}' entity='a'><note>&x;</note></presence>`],
    ['a comment', 'restricted-xml', `<presence xmlns='${PIDF}' entity='a'><!-- c --></presence>`],
    ['a 2 MB document, refused by the size guard before the parser builds it', 'stanza-too-big', `<presence xmlns='${PIDF}' entity='a'><note>${'x'.repeat(2 * 1024 * 1024)}</note></presence>`],
    ['an empty body', 'empty', '  '],
    ['a well-formed document in another namespace', 'not-pidf', `<presence xmlns='jabber:client'/>`],
    ['a non-presence root in the PIDF namespace', 'not-pidf', `<tuple xmlns='${PIDF}' id='a'/>`],
    ['an unterminated document', 'not-well-formed', `<presence xmlns='${PIDF}' entity='a'><tuple>`],
  ])('refuses %s with a typed %s error, never throwing', (_n, code, text) => {
    const r = parsePidf(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe(code);
  });
});

describe('buildPidf (RFC 3863 schema order, RFC 8048 §6.2)', () => {
  const doc: PidfDocument = {
    entity: 'pres:juliet@example.com',
    tuples: [{ id: 'ID-orchard', basic: 'open', show: 'dnd', priority: 0.007, notes: [{ lang: 'en', text: 'a <b> & "c"' }], timestamp: '2016-12-01T10:00:00Z' }],
    notes: [],
  };

  it('writes the XML declaration, the PIDF namespace and the show inside <status> in jabber:client', () => {
    expect(buildPidf(doc)).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="pres:juliet@example.com">' +
        '<tuple id="ID-orchard"><status><basic>open</basic><show xmlns="jabber:client">dnd</show></status>' +
        '<contact priority="0.007">pres:juliet@example.com</contact>' +
        '<note xml:lang="en">a &lt;b&gt; &amp; "c"</note><timestamp>2016-12-01T10:00:00Z</timestamp></tuple></presence>',
    );
  });

  it('parses back to the same document', () => {
    const r = parsePidf(buildPidf(doc));
    expect(r.ok && r.value.tuples).toEqual([{ ...doc.tuples[0], contact: 'pres:juliet@example.com' }]);
  });

  it('turns a tuple id that is not an xs:ID (leading digit, spaces) into an "ID-" id', () => {
    const out = buildPidf({ entity: 'sip:a@b', tuples: [{ id: '1 phone', basic: 'closed', notes: [] }], notes: [] });
    expect(out).toContain('<tuple id="ID-1_20_phone">');
  });

  it('does not write a priority outside 0..1', () => {
    const out = buildPidf({ entity: 'sip:a@b', tuples: [{ id: 'a', priority: 2, notes: [] }], notes: [] });
    expect(out).not.toContain('priority');
  });

  it('writes document notes and RFC 4479 person notes so they survive a round trip', () => {
    const out = buildPidf({ entity: 'sip:a@b', tuples: [], notes: [{ text: 'doc' }], personNotes: [{ lang: 'de', text: 'p' }] });
    const r = parsePidf(out);
    expect(r.ok && [r.value.notes, r.value.personNotes]).toEqual([[{ text: 'doc' }], [{ lang: 'de', text: 'p' }]]);
  });
});

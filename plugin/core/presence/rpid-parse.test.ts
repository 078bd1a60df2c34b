import { parsePidf, RPID_NS } from './pidf';

const PIDF = 'urn:ietf:params:xml:ns:pidf';
const DM = 'urn:ietf:params:xml:ns:pidf:data-model';
const doc = (inner: string) => `<presence xmlns='${PIDF}' xmlns:dm='${DM}' xmlns:rpid='${RPID_NS}' entity='sip:a@b'>${inner}</presence>`;
const parse = (inner: string) => {
  const r = parsePidf(doc(inner));
  if (!r.ok) throw new Error(r.error.detail);
  return r.value;
};

describe('parsePidf reads RPID (RFC 4480): strict about XML, lenient about values', () => {
  it('reads person activities in document order without repeats, <other> with xml:lang, class and user-input', () => {
    const d = parse(
      `<dm:person id='p' xml:lang='sv'><rpid:activities><rpid:meeting/><rpid:lunch/><rpid:meeting/><rpid:other>fika</rpid:other></rpid:activities>` +
        `<rpid:class>work</rpid:class><rpid:user-input idle-threshold='600'>idle</rpid:user-input></dm:person>`,
    );
    expect(d.person).toEqual({ activities: ['meeting', 'lunch'], otherActivities: [{ lang: 'sv', text: 'fika' }], userInput: 'idle', rpidClass: 'work' });
    expect(d.warnings).toBeUndefined();
    expect(d.ignored).toBeUndefined();
  });

  it.each([
    ['inside <status> (RFC 4479 service status)', `<tuple id='t'><status><basic>open</basic><rpid:activities><rpid:busy/></rpid:activities></status></tuple>`],
    ['as a direct child of <tuple> (some UAs)', `<tuple id='t'><status><basic>open</basic></status><rpid:activities><rpid:busy/></rpid:activities></tuple>`],
  ])('reads tuple activities %s', (_n, inner) => {
    expect(parse(inner).tuples[0]).toEqual({ id: 't', basic: 'open', notes: [], activities: ['busy'] });
  });

  it('reads RPID written directly under <presence> as the person’s (it can only describe the presentity)', () => {
    expect(parse(`<rpid:activities><rpid:away/></rpid:activities>`).person).toEqual({ activities: ['away'] });
  });

  it('puts <rpid:note> (in activities or directly in the person) with the person notes, keeping xml:lang', () => {
    const d = parse(`<dm:person id='p'><rpid:activities xml:lang='en'><rpid:note>Far away</rpid:note><rpid:away/></rpid:activities><rpid:note xml:lang='pt'>Longe</rpid:note></dm:person>`);
    expect(d.personNotes).toEqual([{ lang: 'en', text: 'Far away' }, { lang: 'pt', text: 'Longe' }]);
  });

  it.each([
    ['an activity RFC 4480 does not define', `<dm:person id='p'><rpid:activities><rpid:hiking/><rpid:away/></rpid:activities></dm:person>`, 'unknown-activity', { activities: ['away'] }],
    ['activity text instead of elements', `<dm:person id='p'><rpid:activities>busy</rpid:activities></dm:person>`, 'unknown-activity', undefined],
    ['an upper-case activity (XML names are case-sensitive)', `<dm:person id='p'><rpid:activities><rpid:Busy/></rpid:activities></dm:person>`, 'unknown-activity', undefined],
    ['a user-input other than active/idle', `<dm:person id='p'><rpid:user-input>asleep</rpid:user-input></dm:person>`, 'unknown-user-input', undefined],
  ])('keeps the document and warns about %s (never an error)', (_n, inner, code, person) => {
    const d = parse(inner);
    expect(d.person).toEqual(person);
    expect(d.warnings?.map((w) => w.code)).toEqual([code]);
  });

  it('lists an activity from another namespace (a schema ##other extension) as ignored, not as a warning', () => {
    const d = parse(`<dm:person id='p'><rpid:activities><x:gaming xmlns:x='urn:example:x'/><rpid:playing/></rpid:activities></dm:person>`);
    expect([d.person, d.ignored, d.warnings]).toEqual([{ activities: ['playing'] }, ['{urn:example:x}gaming'], undefined]);
  });

  it('matches RPID by namespace, not prefix: activities in an unrelated namespace stay ignored', () => {
    const d = parse(`<dm:person id='p'><a:activities xmlns:a='urn:example:not-rpid'><a:busy/></a:activities></dm:person>`);
    expect([d.person, d.ignored]).toEqual([undefined, ['{urn:example:not-rpid}activities']]);
  });

  it('lets "active" win over "idle" across persons (someone is using a device)', () => {
    const d = parse(`<dm:person id='p'><rpid:user-input>active</rpid:user-input></dm:person><dm:person id='q'><rpid:user-input>idle</rpid:user-input></dm:person>`);
    expect(d.person).toEqual({ userInput: 'active' });
  });
});

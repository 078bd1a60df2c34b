import { buildIsComposing, parseIsComposing } from './is-composing';

const NS = 'urn:ietf:params:xml:ns:im-iscomposing';
const doc = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<isComposing xmlns="${NS}">${inner}</isComposing>`;

describe('application/im-iscomposing+xml (RFC 3994 §7)', () => {
  it('reads state, lastactive, contenttype and refresh', () => {
    expect(parseIsComposing(doc('<state>active</state><lastactive>2003-01-27T10:43:00Z</lastactive><contenttype>text/plain</contenttype><refresh>90</refresh>'))).toEqual({
      ok: true, value: { state: 'active', lastActive: '2003-01-27T10:43:00Z', contentType: 'text/plain', refresh: 90 },
    });
  });

  it('round-trips build → parse', () => {
    const c = { state: 'idle' as const, lastActive: '2024-05-01T12:00:00+02:00', contentType: 'text/html' };
    expect(parseIsComposing(buildIsComposing(c))).toEqual({ ok: true, value: c });
  });

  it.each([
    ['an unknown state', doc('<state>typing</state>'), 'invalid-document'],
    ['a missing state', doc('<refresh>60</refresh>'), 'invalid-document'],
    ['a wrong namespace', '<isComposing xmlns="urn:other"><state>active</state></isComposing>', 'invalid-document'],
    ['a zero refresh', doc('<state>active</state><refresh>0</refresh>'), 'invalid-document'],
    ['a bad lastactive', doc('<state>idle</state><lastactive>yesterday</lastactive>'), 'invalid-document'],
    ['a DOCTYPE (never expanded)', `<!DOCTYPE isComposing [<!ENTITY x "active">]><isComposing xmlns="${NS}"><state>&x;</state></isComposing>`, 'restricted-xml'],
    ['text that is not XML', 'state=active', 'not-well-formed'],
    ['an empty body', '', 'not-well-formed'],
    ['binary garbage', '\u0000\u00ff\u0001<', 'not-well-formed'],
    ['a 2 MB document (refused before parsing)', doc(`<state>active</state><contenttype>${'x'.repeat(2 * 1024 * 1024)}</contenttype>`), 'too-big'],
  ])('refuses %s', (_n, text, code) => {
    const r = parseIsComposing(text);
    expect(!r.ok && r.error.code).toBe(code);
  });
});

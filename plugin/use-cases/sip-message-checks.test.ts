import { testPolicy } from './__tests__/fakes';
import { sipMessage } from './__tests__/sip-builders';
import { admitSipMessage } from './sip-message-checks';
import type { InboundSipMessage } from './sip-request';

type Mutator = (r: InboundSipMessage) => InboundSipMessage;
/** One way to fail each check, in the issue's order (issue #5, "SIP → XMPP"). */
const FAIL: ReadonlyArray<[string, Mutator]> = [
  ['1 source trust', (r) => ({ ...r, source: { address: '192.0.2.66' } })],
  ['2 Max-Forwards', (r) => ({ ...r, maxForwards: '0' })],
  ['3 sips', (r) => ({ ...r, to: '<sips:romeo@xmpp.example>' })],
  ['4 sender policy', (r) => ({ ...r, from: '<sip:mallory@sip.example>;tag=m' })],
  ['5 destination partner', (r) => ({ ...r, requestUri: 'sip:juliet@jabber.example.org' })],
];
const EXPECTED: Record<string, [number, string]> = {
  '1 source trust': [403, 'Source Not Trusted'],
  '2 Max-Forwards': [483, 'Too Many Hops'],
  '3 sips': [416, 'SIPS Not Gatewayed To XMPP'],
  '4 sender policy': [403, 'Sender Not Allowed To Federate'],
  '5 destination partner': [403, 'Domain Not An Allowed Partner'],
};

describe('admitSipMessage: checks run in the issue #5 order, each with its own response', () => {
  it.each(FAIL.map(([name], i) => [name, i] as const))('check %s wins over every later failing check', (name, i) => {
    // Fail this check AND all later ones: only this check's answer may come out.
    const req = FAIL.slice(i).reduce((r, [, m]) => m(r), sipMessage());
    const r = admitSipMessage(req, testPolicy());
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect([r.error.status, r.error.reason]).toEqual(EXPECTED[name]);
  });

  it('admits a request that passes every check', () => {
    const r = admitSipMessage(sipMessage(), testPolicy());
    expect(r.ok && r.value.partner.domain).toBe('xmpp.example');
  });
});

describe('admitSipMessage: each check on its own', () => {
  it.each<[string, Partial<InboundSipMessage>, number]>([
    ['missing Max-Forwards is tolerated', { maxForwards: undefined }, 0],
    ['Max-Forwards 1 passes (RFC 5393 §4.1)', { maxForwards: '1' }, 0],
    ['Max-Forwards 0 → 483 Too Many Hops (RFC 3261 §16.6, RFC 5393)', { maxForwards: ' 0 ' }, 483],
    ['malformed Max-Forwards → 400', { maxForwards: 'seventy' }, 400],
    ['sips: Request-URI → 416 (RFC 7247 §8 MUST NOT translate)', { requestUri: 'sips:romeo@xmpp.example' }, 416],
    ['sips: To with a display name → 416 (RFC 7247 §8)', { to: '"Romeo" <SIPS:romeo@xmpp.example>' }, 416],
    ['tel: Request-URI → 416 (RFC 3261 §8.2.2.1)', { requestUri: 'tel:+15551234567' }, 416],
    ['im: Request-URI is mapped (RFC 7247 §6.4 step 1)', { requestUri: 'im:romeo@xmpp.example' }, 0],
    ['malformed From → 400', { from: '<sip:alice@sip.example' }, 400],
    ['From in a foreign SIP domain → 403', { from: '<sip:eve@elsewhere.example>;tag=e' }, 403],
    ['From without user part → 403', { from: '<sip:sip.example>;tag=x' }, 403],
    ['sender not allowed by EnableXmppAccess → 403 (Lync §1.4)', { from: 'sip:mallory@sip.example;tag=m' }, 403],
    ['sips: From is the same user and is admitted', { from: '<sips:alice@sip.example>;tag=a' }, 0],
    ['malformed Request-URI → 400', { requestUri: 'sip:romeo@xmpp..example' }, 400],
    ['Request-URI without user part → 484 Address Incomplete', { requestUri: 'sip:xmpp.example' }, 484],
    ['Request-URI with bad %-encoding → 400', { requestUri: 'sip:ro%ZZmeo@xmpp.example' }, 400],
    ['destination in our own domain → 404 (not an XMPP destination)', { requestUri: 'sip:bob@SIP.example' }, 404],
    ['destination domain not an allowed partner → 403 (Lync allowed partners)', { requestUri: 'sip:juliet@jabber.example.org' }, 403],
  ])('%s', (_name, over, status) => {
    const r = admitSipMessage(sipMessage(over), testPolicy());
    expect(r.ok ? 0 : r.error.status).toBe(status);
  });
});

describe('admitSipMessage: address mapping (RFC 7247 §6.4, RFC 7572 §5)', () => {
  it.each<[string, Partial<InboundSipMessage>, string, string]>([
    ['bare From without GRUU', {}, 'alice@sip.example', 'romeo@xmpp.example'],
    ['GRUU in From becomes the resource', { from: '<sip:alice@sip.example;gr=urn:uuid:f81d4fae>;tag=1' }, 'alice@sip.example/urn:uuid:f81d4fae', 'romeo@xmpp.example'],
    ['GRUU from a Contact for the same AOR', { contact: '<sip:alice@sip.example;gr=phone1>' }, 'alice@sip.example/phone1', 'romeo@xmpp.example'],
    ['Contact of another AOR is not a GRUU of the sender', { contact: '<sip:bob@sip.example;gr=phone1>' }, 'alice@sip.example', 'romeo@xmpp.example'],
    ['XEP-0106 escaping of the user part', { requestUri: "sip:o'malley@xmpp.example" }, 'alice@sip.example', 'o\\27malley@xmpp.example'],
    ['%-decoding then escaping', { requestUri: 'sip:m%26m@xmpp.example' }, 'alice@sip.example', 'm\\26m@xmpp.example'],
  ])('%s', (_name, over, from, to) => {
    const r = admitSipMessage(sipMessage(over), testPolicy());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const fmt = (j: { local?: string; domain: string; resource?: string }) => `${j.local}@${j.domain}${j.resource ? `/${j.resource}` : ''}`;
    expect([fmt(r.value.xmppFrom), fmt(r.value.xmppTo)]).toEqual([from, to]);
  });
});

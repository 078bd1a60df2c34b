/**
 * SIP → XMPP through the whole gateway (issue #5): sipp UAC → drachtio target →
 * srf middleware → use-case → S2S edge → real ejabberd / Prosody → logged-in client.
 *
 * RFC 7572 §5 (text/plain body carried unchanged, no type or type=normal),
 * RFC 7247 §6.3 / XEP-0106 (user parts escaped), RFC 3428 §7 (202 once the
 * stanza is on an authenticated stream).
 */
import xml, { type Element } from '@xmpp/xml';
import { E2E, PEER_KINDS, START_MS, STOP_MS, startE2ELab, type E2ELab, type PeerKind } from './e2e-lab';
import { describeSipp, finalStatus, proxyUas, receivedRequests, sendSipMessage, tracedMessages } from './sip-side';

/** 2-, 3- and 4-byte UTF-8, right-to-left Hebrew and Arabic, and every XML-special character. */
const BODY = `é ✓ 😀 שלום مرحبا < & ' " > done`;

const DELIVERY_MS = 15_000;

const fromAlice = (e: Element): boolean => e.is('message') && String(e.attrs.from ?? '').startsWith('alice@sip.test') && e.getChild('body') !== undefined;
const withBody = (text: string) => (e: Element): boolean => fromAlice(e) && e.getChildText('body') === text;

let lab: E2ELab;

beforeAll(async () => {
  lab = await startE2ELab({ label: 'sip-to-xmpp', peers: PEER_KINDS });
}, START_MS);

afterAll(async () => { await lab?.stop(); }, STOP_MS);

describe.each<PeerKind>(PEER_KINDS)('SIP MESSAGE → client on %s (RFC 7572 §5, RFC 3428 §7)', (kind) => {
  const domain = () => E2E[kind].domain;

  it.each(['u1', 't1'] as const)('a non-ASCII, XML-special text/plain body arrives byte-exact and sipp gets 202 (transport %s)', async (transport) => {
    const body = `${BODY} ${kind} ${transport}`;
    const uac = await sendSipMessage(lab.target, { ruri: `sip:romeo@${domain()}`, body, expect: 202, transport });
    expect({ status: finalStatus(uac), exit: uac.exitCode }).toEqual({ status: 202, exit: 0 });
    const sent = tracedMessages(uac.messages).find((m) => m.direction === 'sent');
    expect(sent?.body).toEqual(Buffer.from(body, 'utf8')); // what crossed the SIP wire
    const got = await lab.peer(kind).client('romeo').waitForStanza(withBody(body), DELIVERY_MS);
    expect(Buffer.from(got.getChildText('body') ?? '', 'utf8')).toEqual(Buffer.from(body, 'utf8'));
    // RFC 7572 §5: no type or normal; the sender is our user (GRUU resource only when known)
    expect(got.attrs.type === undefined || got.attrs.type === 'normal').toBe(true);
    expect(String(got.attrs.from).split('/')[0]).toBe('alice@sip.test');
    expect(got.getChildText('thread')).toBe(sent?.header('Call-ID')); // RFC 7572 §5 Table 2: Call-ID → <thread/>
  }, 40_000);

  it.each([
    ["o'malley", 'o\\27malley'],
    ['m&m', 'm\\26m'],
  ])('a Request-URI user %s reaches the XEP-0106 account %s (RFC 7247 §6.3)', async (sipUser, account) => {
    const body = `to ${sipUser} via ${kind}: ${BODY}`;
    const uac = await sendSipMessage(lab.target, { ruri: `sip:${sipUser}@${domain()}`, body, expect: 202 });
    expect(uac.exitCode).toBe(0);
    const got = await lab.peer(kind).client(account).waitForStanza(withBody(body), DELIVERY_MS);
    expect(String(got.attrs.to).split('/')[0]).toBe(`${account}@${domain()}`);
    expect(Buffer.from(got.getChildText('body') ?? '', 'utf8')).toEqual(Buffer.from(body, 'utf8'));
  }, 40_000);
});


describe('SIP MESSAGE the gateway cannot relay gets the mapped SIP answer (issue #5 checks, RFC 7247 §7.1)', () => {
  it.each([
    ['a domain that is not an allowed partner', 'sip:bob@not-a-partner.test', '<sip:alice@sip.test>', 403],
    ['an allowed partner whose server is unreachable (remote-server-not-found)', `sip:bob@${E2E.down.domain}`, '<sip:alice@sip.test>', 404],
    ['a sender not allowed to federate (EnableXmppAccess false)', `sip:romeo@${E2E.ejabberd.domain}`, '<sip:mallory@sip.test>', 403],
    ['a sender that is not one of our users', `sip:romeo@${E2E.ejabberd.domain}`, '<sip:eve@elsewhere.test>', 403],
  ])('%s → %s from %s answers %s', async (_what, ruri, from, status) => {
    const uac = await sendSipMessage(lab.target, { ruri, from, body: 'should not be relayed', expect: status });
    expect({ status: finalStatus(uac), exit: uac.exitCode, sipp: uac.exitCode === 0 ? '' : describeSipp(uac) }).toEqual({ status, exit: 0, sipp: '' });
  }, 30_000);

  it('nothing reached the XMPP clients for the refused messages', () => {
    for (const kind of PEER_KINDS) {
      const leaked = lab.peer(kind).client('romeo').received.filter((e) => e.getChildText('body') === 'should not be relayed');
      expect(leaked).toEqual([]);
    }
  });
});

describe.each<PeerKind>(PEER_KINDS)('an error stanza that comes back later reaches the SIP sender (%s; RFC 6120 §8.3, RFC 5438)', (kind) => {
  const domain = () => E2E[kind].domain;

  it('a MESSAGE to an account that does not exist is accepted (202), then a plain-text failure notice comes from that address', async () => {
    const uas = await proxyUas(lab.proxyPort, 200, 'OK');
    try {
      const uac = await sendSipMessage(lab.target, { ruri: `sip:nobody@${domain()}`, body: 'anyone there?', expect: 202 });
      expect({ status: finalStatus(uac), exit: uac.exitCode }).toEqual({ status: 202, exit: 0 });
      const r = await uas.done;
      const [notice, ...more] = receivedRequests(r);
      expect(more).toEqual([]);
      expect(notice?.startLine).toBe('MESSAGE sip:alice@sip.test SIP/2.0');
      expect(notice?.header('From')).toMatch(new RegExp(`^<sip:nobody@${domain().replace(/\./g, '\\.')}>;tag=`));
      expect(notice?.header('To')).toMatch(/^<sip:alice@sip\.test>/);
      expect(notice?.header('Content-Type')).toMatch(/^text\/plain/i);
      // ejabberd and Prosody answer a message to a nonexistent account with service-unavailable (RFC 6121 §8.5.1)
      expect(notice?.body.toString('utf8')).toMatch(new RegExp(`^Message to nobody@${domain().replace(/\./g, '\\.')} could not be delivered: service-unavailable`));
    } finally {
      await uas.stop();
    }
  }, 40_000);

  it('with negative-delivery requested in CPIM, the failure comes back as an RFC 5438 IMDN "failed" notification', async () => {
    const uas = await proxyUas(lab.proxyPort, 200, 'OK');
    try {
      const messageId = `e2e-neg-${kind}-${Date.now()}`;
      const uac = await sendSipMessage(lab.target, {
        ruri: `sip:nobody@${domain()}`, contentType: 'message/cpim', expect: 202,
        body: cpimText({ from: 'sip:alice@sip.test', to: `sip:nobody@${domain()}`, messageId, dispositions: 'positive-delivery, negative-delivery', text: 'hello?' }),
      });
      expect(uac.exitCode).toBe(0);
      const [imdn] = receivedRequests(await uas.done);
      expect(imdn?.header('Content-Type')).toMatch(/^message\/cpim/i);
      const body = imdn?.body.toString('utf8') ?? '';
      expect(body).toMatch(/Content-Disposition:\s*notification/i);
      expect(body).toContain(`<message-id>${messageId}</message-id>`);
      expect(body).toMatch(/<delivery-notification>\s*<status>\s*<failed\s*\/>/);
    } finally {
      await uas.stop();
    }
  }, 40_000);
});

describe.each<PeerKind>(PEER_KINDS)('typing and receipts SIP → XMPP (%s; RFC 3994 ⇄ XEP-0085, RFC 5438 ⇄ XEP-0184)', (kind) => {
  const domain = () => E2E[kind].domain;

  it('an isComposing "active" MESSAGE becomes a <composing/> chat state', async () => {
    const uac = await sendSipMessage(lab.target, {
      ruri: `sip:romeo@${domain()}`, contentType: 'application/im-iscomposing+xml', expect: 202,
      body: '<?xml version="1.0" encoding="UTF-8"?>\n<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>active</state><contenttype>text/plain</contenttype><refresh>60</refresh></isComposing>',
    });
    expect(uac.exitCode).toBe(0);
    const got = await lab.peer(kind).client('romeo').waitForStanza(
      (e) => e.is('message') && String(e.attrs.from ?? '').startsWith('alice@sip.test') && e.getChild('composing', CHATSTATES) !== undefined, DELIVERY_MS);
    expect(got.getChild('body')).toBeUndefined();
  }, 30_000);

  it('a CPIM message asking positive-delivery carries a XEP-0184 <request/>; the client receipt comes back as an IMDN "delivered"', async () => {
    const client = lab.peer(kind).client('romeo');
    const messageId = `e2e-pos-${kind}-${Date.now()}`;
    const text = `receipt please ✓ ${kind}`;
    const uac = await sendSipMessage(lab.target, {
      ruri: `sip:romeo@${domain()}`, contentType: 'message/cpim', expect: 202,
      body: cpimText({ from: 'sip:alice@sip.test', to: `sip:romeo@${domain()}`, messageId, dispositions: 'positive-delivery', text }),
    });
    expect(uac.exitCode).toBe(0);
    const got = await client.waitForStanza(withBody(text), DELIVERY_MS);
    expect(got.getChild('request', RECEIPTS)).toBeDefined();
    expect(got.attrs.id).toBeTruthy();
    const uas = await proxyUas(lab.proxyPort, 200, 'OK');
    try {
      await client.send(xml('message', { to: String(got.attrs.from), id: `rcpt-${Date.now()}` }, xml('received', { xmlns: RECEIPTS, id: String(got.attrs.id) })));
      const [imdn] = receivedRequests(await uas.done);
      expect(imdn?.startLine).toBe('MESSAGE sip:alice@sip.test SIP/2.0');
      expect(imdn?.header('From')).toMatch(new RegExp(`^<sip:romeo@${domain().replace(/\./g, '\\.')}>`));
      const body = imdn?.body.toString('utf8') ?? '';
      expect(body).toContain(`<message-id>${messageId}</message-id>`);
      expect(body).toMatch(/<delivery-notification>\s*<status>\s*<delivered\s*\/>/);
    } finally {
      await uas.stop();
    }
  }, 40_000);
});

const CHATSTATES = 'http://jabber.org/protocol/chatstates';
const RECEIPTS = 'urn:xmpp:receipts';

/** An RFC 3862 message/cpim body with RFC 5438 §6 IMDN request headers around a text/plain part. */
function cpimText(o: { from: string; to: string; messageId: string; dispositions: string; text: string }): string {
  return [
    `From: <${o.from}>`, `To: <${o.to}>`, `DateTime: ${new Date().toISOString()}`,
    'NS: imdn <urn:ietf:params:imdn>', `imdn.Message-ID: ${o.messageId}`, `imdn.Disposition-Notification: ${o.dispositions}`,
    '', 'Content-Type: text/plain;charset=UTF-8', '', o.text,
  ].join('\n');
}

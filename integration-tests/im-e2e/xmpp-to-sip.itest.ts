/**
 * XMPP → SIP through the whole gateway (issue #5): a client on real ejabberd /
 * Prosody → S2S → edge → stanza dispatcher → use-case → drachtio target →
 * the gateway's SIP proxy, played by a sipp UAS.
 *
 * RFC 7572 §4 (From with ;gr=resource, text/plain body unchanged), RFC 7247
 * §7.2 Table 3 (SIP failures and no answer as stanza errors), RFC 7572 §6
 * (1300-byte pager-mode rule without a TCP-capable proxy).
 */
import xml, { type Element } from '@xmpp/xml';
import { E2E, PEER_KINDS, START_MS, STOP_MS, startE2ELab, type E2ELab, type PeerKind } from './e2e-lab';
import { describeSipp, proxyUas, receivedRequests, sendSipMessage, silentProxyUas, type TracedSip } from './sip-side';

const BODY = `é ✓ 😀 שלום مرحبا < & ' " > from XMPP`;
const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const CHATSTATES = 'http://jabber.org/protocol/chatstates';
const RECEIPTS = 'urn:xmpp:receipts';
/** The double gives up after this; a real drachtio-server after RFC 3261's 32 s. */
const SHORT_TIMER_F_MS = 4000;

let lab: E2ELab;

beforeAll(async () => {
  lab = await startE2ELab({ label: 'xmpp-to-sip', peers: PEER_KINDS, timerFMs: SHORT_TIMER_F_MS });
}, START_MS);

afterAll(async () => { await lab?.stop(); }, STOP_MS);

const errorFor = (id: string) => (e: Element): boolean => e.is('message') && e.attrs.type === 'error' && e.attrs.id === id;
const conditionOf = (e: Element): string | undefined => e.getChild('error')?.children.find((c): c is Element => typeof c !== 'string' && c.attrs.xmlns === STANZAS)?.name;

/** Sends from the peer's client and returns the one MESSAGE the proxy UAS got. */
async function relayOne(kind: PeerKind, status: number, reason: string, send: (to: string) => Promise<string>): Promise<{ id: string; req: TracedSip | undefined; all: TracedSip[] }> {
  const uas = await proxyUas(lab.proxyPort, status, reason);
  try {
    const id = await send('alice@sip.test');
    const r = await uas.done;
    const all = receivedRequests(r);
    if (all.length === 0) throw new Error(`the proxy UAS received nothing (${kind}):\n${describeSipp(r)}\n${lab.log.tail()}`);
    return { id, req: all[0], all };
  } finally {
    await uas.stop();
  }
}

describe.each<PeerKind>(PEER_KINDS)('client on %s → SIP user (RFC 7572 §4)', (kind) => {
  const client = () => lab.peer(kind).client('romeo');

  it('the proxy receives the mapped MESSAGE: From with ;gr=resource, Call-ID from <thread/>, text/plain body byte-exact', async () => {
    const c = client();
    const thread = `thread-${kind}-${Date.now()}`;
    const { id, req, all } = await relayOne(kind, 200, 'OK', (to) => c.sendMessage(to, BODY, { children: [xml('thread', {}, thread)] }));
    expect(all).toHaveLength(1);
    expect(req?.startLine).toBe('MESSAGE sip:alice@sip.test SIP/2.0');
    const resource = c.jid.split('/')[1] ?? '';
    expect(resource).not.toBe('');
    expect(req?.header('From')).toMatch(new RegExp(`^<sip:romeo@${E2E[kind].domain.replace(/\./g, '\\.')};gr=${resource}>;tag=`));
    expect(req?.header('To')).toMatch(/^<sip:alice@sip\.test>/);
    expect(req?.header('Content-Type')).toMatch(/^text\/plain;\s*charset=UTF-8$/i);
    expect(req?.body).toEqual(Buffer.from(BODY, 'utf8'));
    expect(req?.header('Call-ID')).toBe(thread); // RFC 7572 §4 Table 1: <thread/> → Call-ID
    // 200 OK: no error comes back, and no receipt is faked from it (none was asked for)
    await expect(c.waitForStanza(errorFor(id), 1500)).rejects.toThrow(/no matching stanza/);
  }, 40_000);

  it.each([
    [404, 'Not Found', 'item-not-found'],
    [480, 'Temporarily Unavailable', 'recipient-unavailable'],
    [503, 'Service Unavailable', 'internal-server-error'], // RFC 7247 §7.2: NOT service-unavailable
  ])('SIP %s %s comes back as <%s/> (RFC 7247 §7.2)', async (status, reason, condition) => {
    const c = client();
    const { id } = await relayOne(kind, status, reason, (to) => c.sendMessage(to, `will fail with ${status}`));
    const e = await c.waitForStanza(errorFor(id), 15_000);
    expect(String(e.attrs.from)).toMatch(/^alice@sip\.test/);
    expect(conditionOf(e)).toBe(condition);
  }, 40_000);

  it('no SIP answer at all (Timer F) comes back as <remote-server-timeout/> (RFC 7247 §7.2 408)', async () => {
    const c = client();
    const uas = await silentProxyUas(lab.proxyPort, lab.timerFMs + 10_000);
    try {
      const id = await c.sendMessage('alice@sip.test', 'nobody will answer');
      const e = await c.waitForStanza(errorFor(id), lab.timerFMs + 8000);
      expect(conditionOf(e)).toBe('remote-server-timeout');
    } finally {
      await uas.stop();
    }
  }, 80_000);

  it('a user not allowed to federate gets <forbidden/>, and nothing is sent to SIP', async () => {
    const c = client();
    const id = await c.sendMessage('mallory@sip.test', 'hello mallory');
    const e = await c.waitForStanza(errorFor(id), 15_000);
    expect(conditionOf(e)).toBe('forbidden');
    expect(lab.log.lines.filter((l) => l.stanzaId === id && l.requestUri !== undefined)).toEqual([]); // never reached SipOut
  }, 30_000);

  it('a message too big for UDP pager mode gets <policy-violation/> (RFC 7572 §6, proxy without TCP)', async () => {
    const c = client();
    const id = await c.sendMessage('alice@sip.test', 'x'.repeat(1400));
    const e = await c.waitForStanza(errorFor(id), 15_000);
    expect(conditionOf(e)).toBe('policy-violation');
  }, 30_000);
});

describe.each<PeerKind>(PEER_KINDS)('typing and receipts XMPP → SIP (%s; XEP-0085 ⇄ RFC 3994, XEP-0184 ⇄ RFC 5438)', (kind) => {
  const client = () => lab.peer(kind).client('romeo');

  it('a standalone <composing/> becomes an isComposing "active" MESSAGE', async () => {
    const c = client();
    const { req } = await relayOne(kind, 200, 'OK', async (to) => {
      const id = `cs-${Date.now()}`;
      await c.send(xml('message', { to, type: 'chat', id }, xml('composing', { xmlns: CHATSTATES })));
      return id;
    });
    expect(req?.header('Content-Type')).toMatch(/^application\/im-iscomposing\+xml/i);
    expect(req?.body.toString('utf8')).toMatch(/<state>\s*active\s*<\/state>/);
  }, 40_000);

  it('a <request/> becomes a CPIM MESSAGE asking positive-delivery; the SIP user\'s IMDN comes back as <received/>', async () => {
    const c = client();
    const text = `receipt please ${kind} ✓`;
    const { id, req } = await relayOne(kind, 200, 'OK', (to) => c.sendMessage(to, text, { children: [xml('request', { xmlns: RECEIPTS })] }));
    expect(req?.header('Content-Type')).toMatch(/^message\/cpim/i);
    const cpim = req?.body.toString('utf8') ?? '';
    expect(cpim).toMatch(/imdn\.Disposition-Notification:\s*positive-delivery/);
    expect(cpim.endsWith(text)).toBe(true);
    const messageId = /imdn\.Message-ID:\s*(\S+)/.exec(cpim)?.[1] ?? '';
    expect(messageId).not.toBe('');
    // 200 OK alone never produces a receipt (issue #5)
    const receiptFor = (e: Element) => e.is('message') && e.getChild('received', RECEIPTS)?.attrs.id === id;
    await expect(c.waitForStanza(receiptFor, 1000)).rejects.toThrow(/no matching stanza/);

    const uac = await sendSipMessage(lab.target, {
      ruri: `sip:romeo@${E2E[kind].domain}`, contentType: 'message/cpim', expect: 202,
      body: imdnDelivered({ from: 'sip:alice@sip.test', to: `sip:romeo@${E2E[kind].domain}`, messageId }),
    });
    expect(uac.exitCode).toBe(0);
    const receipt = await c.waitForStanza(receiptFor, 15_000);
    expect(String(receipt.attrs.from)).toMatch(/^alice@sip\.test/);
  }, 40_000);
});

/** RFC 5438 §7.1.1.1 / §7.2.1.1: a delivery notification as a SIP user agent writes it. */
function imdnDelivered(o: { from: string; to: string; messageId: string }): string {
  const xmlDoc = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<imdn xmlns="urn:ietf:params:xml:ns:imdn">',
    `<message-id>${o.messageId}</message-id>`,
    `<datetime>${new Date().toISOString()}</datetime>`,
    `<recipient-uri>${o.from}</recipient-uri>`,
    '<delivery-notification><status><delivered/></status></delivery-notification>',
    '</imdn>',
  ].join('\n');
  return [
    `From: <${o.from}>`, `To: <${o.to}>`, `DateTime: ${new Date().toISOString()}`,
    'NS: imdn <urn:ietf:params:imdn>', `imdn.Message-ID: notif-${Date.now()}`,
    '', 'Content-Type: message/imdn+xml', 'Content-Disposition: notification', '', xmlDoc,
  ].join('\n');
}

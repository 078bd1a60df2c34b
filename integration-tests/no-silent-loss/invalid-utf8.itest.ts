/**
 * Issue #11: SIP bodies that are not valid UTF-8 are refused (RFC 7572 §7,
 * RFC 3629: 400; a charset we do not take: 415), never relayed with U+FFFD,
 * over UDP and TCP through the drachtio target. Nothing reaches the XMPP
 * user, and the S2S stream to the peer stays up (a bad byte in a stanza
 * would make the peer close the whole stream with not-well-formed).
 */
import { E2E, START_MS, STOP_MS, startE2ELab, type E2ELab } from '../im-e2e/e2e-lab';
import { sendRawMessage } from './raw-sip-client';

let lab: E2ELab;

beforeAll(async () => {
  lab = await startE2ELab({ label: 'invalid-utf8', peers: ['ejabberd'] });
}, START_MS);

afterAll(async () => { await lab?.stop(); }, STOP_MS);

const RURI = `sip:romeo@${E2E.ejabberd.domain}`;
const marked = (mark: string, bytes: number[]) => Buffer.concat([Buffer.from(`${mark} `), Buffer.from(bytes)]);
const outStreamEvents = () => lab.log.lines.filter((l) => l.remote === E2E.ejabberd.domain && l.dir === 'out' && (l.msg === 'stream closed' || l.msg === 'in-doubt tracking started')).length;

describe.each(['udp', 'tcp'] as const)('over %s', (transport) => {
  it('a valid body is relayed first (the S2S stream is up)', async () => {
    const status = await sendRawMessage(lab.target.sipHost, lab.target.sipPort, transport, { ruri: RURI, contentType: 'text/plain;charset=UTF-8', body: Buffer.from(`valid ${transport} é`) });
    expect(status).toBe(202);
    await lab.peer('ejabberd').client().waitForStanza((e) => e.is('message') && e.getChildText('body') === `valid ${transport} é`, 10_000);
  }, 30_000);

  it.each<[string, string, number[], number]>([
    ['C3 28: a lead byte followed by ASCII (RFC 3629 §3)', 'text/plain;charset=UTF-8', [0xc3, 0x28], 400],
    ['C3 28 without a charset parameter (UTF-8 assumed)', 'text/plain', [0xc3, 0x28], 400],
    ['C0 AF: an overlong encoding of "/" (RFC 3629 §10)', 'text/plain;charset=UTF-8', [0xc0, 0xaf], 400],
    ['ED A0 80: a lone surrogate encoded as UTF-8 (RFC 3629 §3)', 'text/plain;charset=UTF-8', [0xed, 0xa0, 0x80], 400],
    ['00: a NUL (valid UTF-8, not an XML 1.0 Char)', 'text/plain;charset=UTF-8', [0x61, 0x00, 0x62], 400],
    ['E9 with charset=ISO-8859-1 (a charset we do not take)', 'text/plain;charset=ISO-8859-1', [0x63, 0x61, 0x66, 0xe9], 415],
  ])('%s → refused, nothing reaches XMPP, the stream stays up', async (_name, contentType, bytes, expected) => {
    const mark = `bad-${transport}-${bytes.map((b) => b.toString(16)).join('')}`;
    const before = outStreamEvents();
    const status = await sendRawMessage(lab.target.sipHost, lab.target.sipPort, transport, { ruri: RURI, contentType, body: marked(mark, bytes) });
    expect(status).toBe(expected);
    // A valid message after it is delivered on the same stream: nothing was sent before it that the peer refused.
    const after = `after ${mark}`;
    expect(await sendRawMessage(lab.target.sipHost, lab.target.sipPort, transport, { ruri: RURI, contentType: 'text/plain', body: Buffer.from(after) })).toBe(202);
    const client = lab.peer('ejabberd').client();
    await client.waitForStanza((e) => e.is('message') && e.getChildText('body') === after, 10_000);
    expect(client.received.filter((e) => (e.getChildText('body') ?? '').startsWith(mark))).toEqual([]);
    expect(outStreamEvents()).toBe(before); // no stream closed, none opened
  }, 30_000);
});

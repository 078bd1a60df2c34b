/**
 * Self-test of the peer lab (CA, /etc/hosts names, ejabberd and Prosody
 * configs): the two real servers federate with each other over S2S, in
 * dialback mode (STARTTLS with an untrusted cert, then XEP-0220) and in strict
 * mode (PKIX with the lab CA, SASL EXTERNAL per XEP-0178 — neither side loads
 * a dialback fallback it could use), and a message body survives byte-exact.
 * If this fails, gateway end-to-end failures say nothing about the gateway.
 */
import type { Element } from '@xmpp/xml';
import { labPki, type LabPki } from '../harness/lab-ca';
import { startEjabberd } from '../harness/ejabberd';
import { LAB_HOSTS, mapHosts, type HostsMapping } from '../harness/hosts';
import { startProsody } from '../harness/prosody';
import { connectClient, type LabClient } from '../harness/xmpp-client';
import { LAB_ADDRESSES, LAB_DOMAINS, stopAllPeers, type PeerHandle, type PeerMode } from '../harness/xmpp-peers';

// Multi-byte UTF-8 (2, 3 and 4 bytes) and every character XML must escape in text.
const BODY = `é ✓ 😀 and < & ' "`;

let hosts: HostsMapping | undefined;
let pki: LabPki;

beforeAll(() => {
  hosts = mapHosts(LAB_HOSTS);
  pki = labPki(LAB_HOSTS.map((h) => h.name));
});
afterAll(() => { hosts?.remove(); });

const START_MS = 60_000;
const DELIVERY_MS = 20_000;

function bodyFrom(from: string) {
  return (el: Element): boolean => el.is('message') && String(el.attrs.from ?? '').startsWith(`${from}/`) && el.getChild('body') !== undefined;
}

// What ejabberd 23.01 logs for each S2S direction once authenticated; proves the mode really took effect
// (a lab CA trusted by mistake would turn "dialback" into EXTERNAL and the delivery would still pass).
const MECHANISM: Record<'dialback' | 'strict', string> = { dialback: 'dialback', strict: 'EXTERNAL' };

describe.each<'dialback' | 'strict'>(['dialback', 'strict'])('ejabberd.test ⇄ prosody.test over S2S, %s mode (RFC 6120 §5/§13.7, XEP-0220, XEP-0178)', (mode: PeerMode & keyof typeof MECHANISM) => {
  const clients: LabClient[] = [];
  let ejabberd: PeerHandle;
  let alice: LabClient;
  let carol: LabClient;

  beforeAll(async () => {
    const t0 = Date.now();
    const [ej, pr] = await Promise.all([
      startEjabberd({ domain: LAB_DOMAINS.ejabberd, address: LAB_ADDRESSES.ejabberd, mode, pki, users: [{ user: 'alice', password: 'alice-pw' }] })
        .then((p) => { console.log(`[lab] ejabberd ${mode} ready in ${Date.now() - t0} ms`); return p; }),
      startProsody({ domain: LAB_DOMAINS.prosody, address: LAB_ADDRESSES.prosody, mode, pki, users: [{ user: 'carol', password: 'carol-pw' }] })
        .then((p) => { console.log(`[lab] prosody ${mode} ready in ${Date.now() - t0} ms`); return p; }),
    ]);
    ejabberd = ej;
    alice = await connectClient({ service: ej.c2sService, caPem: ej.caPem, domain: ej.domain, username: 'alice', password: 'alice-pw' });
    clients.push(alice);
    carol = await connectClient({ service: pr.c2sService, caPem: pr.caPem, domain: pr.domain, username: 'carol', password: 'carol-pw' });
    clients.push(carol);
    for (const c of clients) { await c.fetchRoster(); await c.sendPresence(); }
  }, START_MS);

  // stopAllPeers also stops a peer whose start was still running when a hook timed out.
  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.stop()));
    await stopAllPeers();
  }, START_MS);

  it('carries a non-ASCII, XML-special body from ejabberd to prosody byte-exact', async () => {
    const t = Date.now();
    await alice.sendMessage(carol.bareJid, BODY);
    const got = await carol.waitForStanza(bodyFrom(alice.bareJid), DELIVERY_MS - 2000);
    console.log(`[lab] ${mode}: first delivery ejabberd→prosody (new S2S) in ${Date.now() - t} ms`);
    expect(Buffer.from(got.getChildText('body') ?? '', 'utf8')).toEqual(Buffer.from(BODY, 'utf8'));
  }, DELIVERY_MS);

  it('carries the same body from prosody to ejabberd byte-exact', async () => {
    const t = Date.now();
    await carol.sendMessage(alice.bareJid, BODY);
    const got = await alice.waitForStanza(bodyFrom(carol.bareJid), DELIVERY_MS - 2000);
    console.log(`[lab] ${mode}: first delivery prosody→ejabberd in ${Date.now() - t} ms`);
    expect(Buffer.from(got.getChildText('body') ?? '', 'utf8')).toEqual(Buffer.from(BODY, 'utf8'));
  }, DELIVERY_MS);

  it(`authenticated both S2S directions with ${MECHANISM[mode]}`, () => {
    const log = ejabberd.logs();
    expect(log).toContain(`Accepted outbound s2s ${MECHANISM[mode]} authentication ejabberd.test -> prosody.test`);
    expect(log).toContain(`Accepted inbound s2s ${MECHANISM[mode]} authentication prosody.test -> ejabberd.test`);
  });
});

import { formatJid } from '../../plugin/core/address/jid';
import { jidToSipUri, sipUriToJid } from '../../plugin/core/address/address-mapping';
import { measure } from '../harness';
import { expectOk, toEntry, type Suite } from '../suite';

/**
 * RFC 7247 §6.4/§6.5 address mapping, done for From and To of every message
 * and presence that crosses the gateway. The mix has plain user parts and
 * ones that need percent-decoding plus XEP-0106 escaping (apostrophe, space,
 * '@', '&', non-ASCII), with and without a GRUU (`;gr=`, §6.3).
 * The list length is a power of two so picking the next input is a mask.
 */
const SIP_URIS = [
  'sip:juliet@capulet.example',
  'sip:romeo@montague.example;gr=balcony',
  "sip:d'artagnan@musketeers.example",
  'sip:john%20doe@example.com',
  'sip:user%40host@example.org;gr=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
  'sip:alice@example.com;transport=tcp',
  'sip:jos%C3%A9.garc%C3%ADa@example.es',
  'sip:at%26t@carrier.example;gr=phone',
] as const;
const MASK = SIP_URIS.length - 1;

const TO_JID = 'address-mapping/sip-uri-to-jid';
const TO_SIP = 'address-mapping/jid-to-sip-uri';
/** Batches are multiples of the mix length, so every sample maps each input equally often. */
const OPTS = { minSamples: 8, maxSamples: 30, maxTimeMs: 2000 } as const;
const ESCAPED = 'mix of 8: 3 plain, 5 percent-encoded and/or XEP-0106-escaped, 3 with ;gr=';

export const suite: Suite = {
  group: 'address-mapping',
  benchmarks: [
    {
      name: TO_JID,
      run() {
        for (const u of SIP_URIS) expectOk(`${TO_JID} ${u}`, sipUriToJid(u));
        let i = 0;
        const m = measure(TO_JID, () => sipUriToJid(SIP_URIS[i++ & MASK]!), { ...OPTS, batch: 10_000 });
        return toEntry(m, { group: 'address-mapping', description: `sipUriToJid (RFC 7247 §6.4), ${ESCAPED}`, op: 'one SIP URI string to Jid' });
      },
    },
    {
      name: TO_SIP,
      run() {
        // The JID strings a peer would send: the images of the SIP URIs above.
        const jids = SIP_URIS.map((u) => formatJid(expectOk(TO_SIP, sipUriToJid(u))));
        for (const j of jids) expectOk(`${TO_SIP} ${j}`, jidToSipUri(j));
        let i = 0;
        const m = measure(TO_SIP, () => jidToSipUri(jids[i++ & MASK]!), { ...OPTS, batch: 16_000 });
        return toEntry(m, { group: 'address-mapping', description: `jidToSipUri (RFC 7247 §6.5), ${ESCAPED}`, op: 'one JID string to SIP URI' });
      },
    },
  ],
};

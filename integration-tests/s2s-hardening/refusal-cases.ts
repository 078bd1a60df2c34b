/**
 * The refusal classes of issue #10, shared by shed.itest.ts and
 * bench/s2s-shed.ts.
 */
import { HEADER } from './hostile-peer';

/**
 * Each refusal class: what the peer sends first (answered with our features
 * when it is a valid header), the offending bytes, and the condition RFC
 * 6120 §4.9.3 prescribes.
 */
export const REFUSAL_CASES: ReadonlyArray<readonly [string, string | undefined, string | Buffer, string]> = [
  ['not-well-formed: mismatched tags (§4.9.3.13)', HEADER(), '<message></presence>', 'not-well-formed'],
  ['restricted-xml: a comment (§4.9.3.18, §11.1)', HEADER(), '<!-- hi -->', 'restricted-xml'],
  ['unsupported-encoding: bytes that are not UTF-8 (§4.9.3.22, §11.6)', HEADER(), Buffer.from([0x3c, 0xff, 0xfe, 0x3e]), 'unsupported-encoding'],
  ['policy-violation: a stanza over maxStanzaBytesPreAuth (§4.9.3.14, §13.12)', HEADER(), `<message>${'x'.repeat(9000)}</message>`, 'policy-violation'],
  ['policy-violation: a domain that is not a federated partner (§4.9.3.14)', undefined, HEADER('stranger.test'), 'policy-violation'],
  ['not-authorized: a stanza before authentication (§4.9.3.12, §4.3.2)', HEADER(), "<message from='a@peer.test' to='b@gw.test'><body>x</body></message>", 'not-authorized'],
  ['host-unknown: a domain we do not serve (§4.9.3.6)', undefined, HEADER('peer.test', 'elsewhere.test'), 'host-unknown'],
  ['invalid-namespace: jabber:client (§4.9.3.10)', undefined, HEADER().replace("xmlns='jabber:server'", "xmlns='jabber:client'"), 'invalid-namespace'],
  ['unsupported-version: version 2.0 (§4.9.3.25, §4.7.5)', undefined, HEADER().replace(" version='1.0'>", " version='2.0'>"), 'unsupported-version'],
  ['improper-addressing: no from (§4.9.3.7)', undefined, HEADER().replace(" from='peer.test'", ''), 'improper-addressing'],
  ['invalid-from: one of our own domains (§4.9.3.9)', undefined, HEADER('gw.test'), 'invalid-from'],
];

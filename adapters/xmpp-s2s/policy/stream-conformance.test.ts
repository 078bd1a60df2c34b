import type { PartnerPolicy } from './partner-policy';
import { nonConformance } from './stream-conformance';

const P = (o: Partial<PartnerPolicy>): PartnerPolicy => ({ tls: 'Optional', sasl: 'Optional', dialback: true, keepAlive: false, connectionLimit: 20, ...o });
const S = (auth: string, secure: boolean, established = true) => ({ remote: 'peer.test', auth, secure, established });

describe('a reload keeps streams that still conform and names why the others must close (issue #9; RFC 6120 §4.9.3.14)', () => {
  it.each([
    ['dialback over TLS, settings unchanged', S('dialback', true), P({}), undefined],
    ['EXTERNAL over TLS, TLS and SASL now Required', S('EXTERNAL', true), P({ tls: 'Required', sasl: 'Required', dialback: false }), undefined],
    ['partner removed', S('dialback', true), undefined, 'peer.test is no longer an allowed partner'],
    ['plain dialback stream, TLS now Required', S('dialback', false), P({ tls: 'Required' }), 'TLS is now Required with peer.test and this stream is not encrypted'],
    ['encrypted stream, TLS now NotSupported', S('dialback', true), P({ tls: 'NotSupported', sasl: 'NotSupported' }), 'TLS is now NotSupported with peer.test'],
    ['dialback stream, dialback now off', S('dialback', true), P({ dialback: false }), 'dialback is no longer allowed with peer.test'],
    ['dialback stream, TLS and SASL now Required (Lync: "dialback won\'t operate")', S('dialback', true), P({ tls: 'Required', sasl: 'Required' }), 'dialback is no longer allowed with peer.test'],
    ['dialback stream, SASL now Required', S('dialback', true), P({ sasl: 'Required' }), 'SASL is now Required with peer.test and this stream used dialback'],
    ['EXTERNAL stream, SASL now NotSupported', S('EXTERNAL', true), P({ sasl: 'NotSupported' }), 'SASL EXTERNAL is no longer allowed with peer.test'],
    ['a stream still negotiating is checked when it authenticates', S('none', false, false), undefined, undefined],
  ])('%s', (_what, stream, policy, why) => {
    expect(nonConformance(stream, policy)).toBe(why);
  });
});

import { decideExternalAuth } from './sasl-external';

const VALID = { chain: 'valid', identity: 'valid' } as const;
const ctx = { offered: true, secure: true, remote: 'peer.test', certificate: VALID };
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('SASL EXTERNAL on the receiving side (RFC 6120 §6.5, XEP-0178, Prosody mod_saslauth ladder)', () => {
  it.each([
    ['another mechanism', { mechanism: 'PLAIN', initialResponse: '' }, ctx, 'invalid-mechanism'],
    ['EXTERNAL that was not offered', { mechanism: 'EXTERNAL', initialResponse: '' }, { ...ctx, offered: false }, 'invalid-mechanism'],
    ['EXTERNAL on a plain stream', { mechanism: 'EXTERNAL', initialResponse: '' }, { ...ctx, secure: false }, 'encryption-required'],
    ['a response that is not base64', { mechanism: 'EXTERNAL', initialResponse: '!!' }, ctx, 'incorrect-encoding'],
    ['an authzid of another domain', { mechanism: 'EXTERNAL', initialResponse: b64('evil.test') }, ctx, 'invalid-authzid'],
    ['a certificate whose name does not match', { mechanism: 'EXTERNAL', initialResponse: '=' }, { ...ctx, certificate: { chain: 'valid', identity: 'invalid' } }, 'not-authorized'],
    ['an untrusted chain', { mechanism: 'EXTERNAL', initialResponse: '=' }, { ...ctx, certificate: { chain: 'invalid', identity: 'valid' } }, 'not-authorized'],
  ])('refuses %s', (_n, req, c, failure) => {
    expect(decideExternalAuth(req, c as never)).toEqual({ ok: false, failure });
  });

  it.each([['an empty response', ''], ["'=' (no authzid)", '='], ['the peer domain as authzid', b64('peer.test')]])(
    'accepts %s with a valid certificate', (_n, initialResponse) => {
      expect(decideExternalAuth({ mechanism: 'EXTERNAL', initialResponse }, ctx)).toEqual({ ok: true });
    });
});

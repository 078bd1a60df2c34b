/** The real-server switch's environment parsing (DRACHTIO, DRACHTIO_SIP). */
import { parseDrachtioEnv } from './env';

describe('parseDrachtioEnv', () => {
  it.each([
    ['unset', {}, { kind: 'unset' }],
    ['empty', { DRACHTIO: '' }, { kind: 'unset' }],
    ['admin only: SIP defaults to host:5060', { DRACHTIO: '127.0.0.1:9022:cymru' },
      { kind: 'real', value: { adminHost: '127.0.0.1', adminPort: 9022, secret: 'cymru', sipHost: '127.0.0.1', sipPort: 5060 } }],
    ['secret containing ":"', { DRACHTIO: '127.0.0.2:9022:a:b', DRACHTIO_SIP: '127.0.0.3:5080' },
      { kind: 'real', value: { adminHost: '127.0.0.2', adminPort: 9022, secret: 'a:b', sipHost: '127.0.0.3', sipPort: 5080 } }],
  ] as const)('%s', (_name, env, expected) => {
    expect(parseDrachtioEnv(env)).toEqual(expected);
  });

  it.each([
    ['no secret', { DRACHTIO: '127.0.0.1:9022' }],
    ['port not a number', { DRACHTIO: '127.0.0.1:x:cymru' }],
    ['port out of range', { DRACHTIO: '127.0.0.1:70000:cymru' }],
    ['bad DRACHTIO_SIP', { DRACHTIO: '127.0.0.1:9022:cymru', DRACHTIO_SIP: '127.0.0.1' }],
  ] as const)('reports %s as invalid instead of guessing', (_name, env) => {
    expect(parseDrachtioEnv(env).kind).toBe('invalid');
  });
});

import net from 'node:net';
import { openS2SConnection } from './connect';
import { createS2SListener } from './listener';
import { retryDelayMs } from './backoff';
import { startTestDnsServer } from './__tests__/dns-server';

describe('openS2SConnection', () => {
  it('connects to the first target that accepts and hands over the socket', async () => {
    const accepted: net.Socket[] = [];
    const l = await createS2SListener({ host: '127.0.0.1', port: 0, onSocket: (s) => accepted.push(s) });
    try {
      const c = await openS2SConnection('peer.test', { proxyFqdn: `127.0.0.1:${l.port}`, connectTimeoutMs: 2000 });
      expect(c.secure).toBe(false);
      expect(c.target).toEqual({ host: '127.0.0.1', port: l.port, directTls: false });
      c.socket.destroy();
    } finally {
      await l.close({ force: true });
    }
  });

  it('fails with remote-server-not-found when every target refuses (RFC 6120 §8.3.3.15)', async () => {
    // Bind then close to get a port that is certainly closed.
    const probe = await createS2SListener({ host: '127.0.0.1', port: 0, onSocket: () => undefined });
    const port = probe.port;
    await probe.close();
    await expect(openS2SConnection('peer.test', { proxyFqdn: `127.0.0.1:${port}`, connectTimeoutMs: 2000 })).rejects.toMatchObject({
      name: 'S2SConnectError',
      condition: 'remote-server-not-found',
    });
  });

  it('fails with remote-server-timeout when a target accepts TCP but never completes TLS (XEP-0368, RFC 6120 §8.3.3.16)', async () => {
    const silent = await createS2SListener({ host: '127.0.0.1', port: 0, onSocket: () => undefined });
    const dns = await startTestDnsServer({
      srv: { '_xmpps-server._tcp.slow.test': [{ name: '127.0.0.1', port: silent.port, priority: 1, weight: 0 }] },
    });
    try {
      await expect(openS2SConnection('slow.test', { resolver: dns.resolver, connectTimeoutMs: 300 })).rejects.toMatchObject({
        name: 'S2SConnectError',
        condition: 'remote-server-timeout',
      });
    } finally {
      await dns.stop();
      await silent.close({ force: true });
    }
  });
});

describe('retryDelayMs (randomised backoff, ejabberd s2s_max_retry_delay)', () => {
  it.each([
    [0, 0, 500],
    [0, 1, 1000],
    [3, 0, 4000],
    [3, 1, 8000],
    [20, 1, 300000],
    [20, 0, 150000],
  ])('attempt %i with random %d waits %i ms', (attempt, r, ms) => {
    expect(retryDelayMs(attempt, 300000, () => r)).toBe(ms);
  });
});

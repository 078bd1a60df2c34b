/**
 * The wiretap on a trivial TCP echo server: every read is recorded per direction,
 * bytes pass unchanged, and the recorded chunks split into admin-protocol frames.
 */
import net from 'node:net';
import { startWiretap } from './wiretap';

function echoServer(): Promise<net.Server> {
  const srv = net.createServer((s) => s.on('data', (b) => s.write(b)));
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv)));
}

describe('wiretap (port of wiretap-proxy.js)', () => {
  it('forwards bytes unchanged and records each direction as frames, keeping UTF-8 byte lengths', async () => {
    const srv = await echoServer();
    const tap = await startWiretap({ targetHost: '127.0.0.1', targetPort: (srv.address() as net.AddressInfo).port });
    const client = net.connect({ host: tap.host, port: tap.port });
    const received: Buffer[] = [];
    client.on('data', (b) => received.push(b));
    try {
      const payloads = ['id-1|ping', 'id-2|sip||\r\nMESSAGE sip:x SIP/2.0\r\n\r\nhéllo ✓'];
      const wire = payloads.map((p) => `${Buffer.byteLength(p)}#${p}`).join('');
      await new Promise<void>((r) => client.once('connect', () => r()));
      client.write(wire.slice(0, 5)); // a frame prefix split across writes
      await new Promise((r) => setTimeout(r, 50));
      client.write(wire.slice(5));
      await tap.waitFor((s) => s.frames.filter((f) => f.dir === 'srv->app').length === 2, 3000, 'two echoed frames');
      expect(Buffer.concat(received).toString('utf8')).toBe(wire);
      const { frames, problems } = tap.split();
      expect(problems).toEqual([]);
      for (const dir of ['app->srv', 'srv->app'] as const) {
        const fs = frames.filter((f) => f.dir === dir);
        expect(fs.map((f) => f.meta[1])).toEqual(['ping', 'sip']);
        expect(fs[1]?.sip).toBe('MESSAGE sip:x SIP/2.0\r\n\r\nhéllo ✓');
        expect(fs[1]?.len).toBe(Buffer.byteLength(payloads[1] ?? ''));
      }
      expect(frames.find((f) => f.dir === 'app->srv')?.chunks.length).toBe(2); // the first frame spans both writes
      expect(tap.events().map((e) => e.event).slice(0, 2)).toEqual(['open', 'upstream-connected']);
    } finally {
      client.destroy();
      await tap.stop();
      await new Promise((r) => srv.close(r));
    }
  });

  it('waitFor gives up after its bound', async () => {
    const srv = await echoServer();
    const tap = await startWiretap({ targetHost: '127.0.0.1', targetPort: (srv.address() as net.AddressInfo).port });
    try {
      await expect(tap.waitFor(() => false, 100, 'nothing')).rejects.toThrow(/timed out after 100 ms waiting for nothing/);
    } finally {
      await tap.stop();
      await new Promise((r) => srv.close(r));
    }
  });
});

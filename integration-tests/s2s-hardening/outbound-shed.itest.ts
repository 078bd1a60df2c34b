/**
 * Issue #10, the other direction: a hostile RECEIVING server that our edge
 * connects to (outbound stream). When it sends something we must refuse,
 * we send the stream error, </stream:stream>, and close the TCP connection
 * at once (RFC 6120 §4.9.1.1), without waiting closeTimeoutMs for its
 * answer; the stanza that opened the stream is reported failed to its
 * sender, never dropped silently (RFC 7247 §7).
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import { el } from '../../plugin/core/xml/xml-element';
import { HOSTILE_SERVER_ADDRESS, startGateway } from './loopback-edges';

const BOUND_MS = 500;
const RESPONSE_HEADER = (extra = '') =>
  `<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' ` +
  `xmlns:db='jabber:server:dialback' from='hostile.test' to='gw.test' id='h1' version='1.0'${extra}>`;

interface Observed { text: string; offendingAt?: number; finAt?: number }

/** A receiving server that answers our header with `answer`, then never closes its side. */
async function hostileServer(answer: string): Promise<{ port: number; seen: Observed[]; close(): Promise<void> }> {
  const seen: Observed[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    sockets.add(s);
    const o: Observed = { text: '' };
    seen.push(o);
    const decoder = new StringDecoder('utf8');
    s.on('error', () => undefined);
    s.on('data', (d: Buffer) => {
      const first = o.text === '';
      o.text += decoder.write(d);
      if (first) {
        o.offendingAt = performance.now();
        s.write(answer);
      }
    });
    s.on('end', () => { o.finAt ??= performance.now(); });
    s.on('close', () => { o.finAt ??= performance.now(); sockets.delete(s); });
  });
  await new Promise<void>((r) => server.listen(0, HOSTILE_SERVER_ADDRESS, () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    seen,
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

describe('an outbound stream to a hostile receiving server is shed at once after our stream error (RFC 6120 §4.9.1.1)', () => {
  it.each([
    ['not-well-formed XML (§4.9.3.13)', 'not-well-formed', `${RESPONSE_HEADER()}<stream:features></dialback>`],
    ['a response header in jabber:client (§4.8.2)', 'invalid-namespace', RESPONSE_HEADER().replace("xmlns='jabber:server'", "xmlns='jabber:client'")],
    ['a response header from another domain (§4.7.1)', 'invalid-from', RESPONSE_HEADER().replace("from='hostile.test'", "from='other.test'")],
    ['a response header without a stream id (§4.7.3)', 'invalid-xml', RESPONSE_HEADER().replace(" id='h1'", '')],
  ])('%s: we answer with %s, our FIN arrives under 500 ms, the stanza is reported failed', async (_name, condition, answer) => {
    const hostile = await hostileServer(answer);
    const gw = await startGateway({ targets: { 'hostile.test': hostile.port } });
    try {
      const verdict = await gw.edge.sendConfirmed(el('message', { from: 'bob@gw.test/r', to: 'eve@hostile.test', type: 'chat', id: 'm1' }, el('body', {}, 'x')));
      expect(verdict.ok).toBe(false);
      const o = hostile.seen[0] as Observed;
      const deadline = performance.now() + 2 * BOUND_MS;
      while (o.finAt === undefined && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(o.text).toContain(`<stream:error><${condition} `);
      expect(o.text.endsWith('</stream:stream>')).toBe(true);
      expect((o.finAt ?? Infinity) - (o.offendingAt ?? 0)).toBeLessThan(BOUND_MS);
    } finally {
      await gw.edge.stop();
      await hostile.close();
    }
  });
});

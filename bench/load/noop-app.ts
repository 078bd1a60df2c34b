/**
 * The no-op ceiling of issue #12: a drachtio-srf app that answers every MESSAGE 200 and does
 * nothing else, in its own process, on the same drachtio and under the same sipp steps as the
 * gateway. Whatever rate it is not clean at is drachtio's (or sipp's, or the machine's) limit.
 *
 *   npx tsx bench/load/noop-app.ts host port secret       # prints `NOOP {"pid":…}` once routed
 *
 * With a fifth argument (a SIP URI) it is the relay ceiling instead: each MESSAGE is sent on
 * to that URI with srf.request (callback form, PROTOCOL-NOTES Q1: the promise form drops a
 * response in the same chunk as the echo) and answered with the relayed final status.
 */
import type Srf from 'drachtio-srf';
import { connectSrf } from '../../integration-tests/harness/srf-app';

type Relay = { request(uri: string, o: Record<string, unknown>, cb: (err: Error | null, req?: { on(ev: 'response', h: (r: { status: number }) => void): void }) => void): unknown };
const relayTo = (srf: () => Srf, uri: string) => (req: Srf.SrfRequest, res: Srf.SrfResponse): void => {
  (srf() as unknown as Relay).request(uri, {
    method: 'MESSAGE', headers: { 'Content-Type': req.get('Content-Type') ?? 'text/plain', From: req.get('From') ?? '<sip:relay@127.0.0.1>' }, body: req.body,
  }, (err, out) => {
    if (err || !out) { res.send(503); return; }
    out.on('response', (r) => { if (r.status >= 200) res.send(r.status); });
  });
};

async function main(): Promise<void> {
  const [host, port, secret, relayUri] = process.argv.slice(2);
  if (!host || !port || !secret) throw new Error('usage: noop-app host port secret');
  let answered = 0;
  let srf: Srf | undefined;
  const relay = relayUri ? relayTo(() => srf!, relayUri) : undefined;
  const app = await connectSrf({ adminHost: host, adminPort: Number(port), secret }, {
    routes: { message: (req, res) => { answered += 1; if (relay) relay(req, res); else res.send(200); } },
  });
  srf = app.srf;
  process.stdout.write(`NOOP ${JSON.stringify({ pid: process.pid })}\n`);
  const stop = (): void => {
    process.stderr.write(`noop app answered ${answered}\n`);
    void app.disconnect().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.on('SIGTERM', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

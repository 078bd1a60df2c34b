/**
 * The no-op ceiling of issue #12: a drachtio-srf app that answers every MESSAGE 200 and does
 * nothing else, in its own process, on the same drachtio and under the same sipp steps as the
 * gateway. Whatever rate it is not clean at is drachtio's (or sipp's, or the machine's) limit.
 *
 *   npx tsx bench/load/noop-app.ts host port secret       # prints `NOOP {"pid":…}` once routed
 */
import { connectSrf } from '../../integration-tests/harness/srf-app';

async function main(): Promise<void> {
  const [host, port, secret] = process.argv.slice(2);
  if (!host || !port || !secret) throw new Error('usage: noop-app host port secret');
  let answered = 0;
  const app = await connectSrf({ adminHost: host, adminPort: Number(port), secret }, {
    routes: { message: (_req, res) => { answered += 1; res.send(200); } },
  });
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

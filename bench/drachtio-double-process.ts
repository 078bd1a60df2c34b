/**
 * The drachtio-server test double (integration-tests/drachtio-double) in a process of its
 * own (issue #12): a load benchmark measures the gateway's CPU apart from the double's.
 * Prints one line `DOUBLE {"adminHost",…}` once listening, stops on SIGTERM/SIGINT or when
 * stdin closes (its parent died), so it never outlives the bench.
 *
 *   npx tsx bench/drachtio-double-process.ts [host] [secret]     # default 127.0.35.10 cymru
 */
import { startDrachtioDouble } from '../integration-tests/drachtio-double';

async function main(): Promise<void> {
  const host = process.argv[2] ?? '127.0.35.10';
  const secret = process.argv[3] ?? 'cymru';
  const d = await startDrachtioDouble({ host, secret });
  process.stdout.write(`DOUBLE ${JSON.stringify({ adminHost: d.adminHost, adminPort: d.adminPort, secret: d.secret, sipHost: d.sipHost, sipPort: d.sipPort, pid: process.pid })}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    const hard = setTimeout(() => process.exit(0), 3000);
    hard.unref();
    void d.stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

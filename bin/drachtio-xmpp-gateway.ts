#!/usr/bin/env node
import { EXIT_RUNTIME, main } from './cli';

/**
 * How long the process may linger after main() has finished. stop() closes every socket
 * and timer the gateway opened, so Node normally exits at once; if something still holds
 * the event loop (a bug), a supervisor (systemd, Docker, Kubernetes) must still see the
 * exit code in bounded time (issue #14), and the line below says it had to be forced.
 */
const EXIT_GRACE_MS = 5_000;

function exitWithin(code: number): void {
  process.exitCode = code;
  setTimeout(() => {
    process.stderr.write(`drachtio-xmpp-gateway: still running ${EXIT_GRACE_MS / 1000} s after finishing; forcing exit ${code}\n`);
    process.exit(code);
  }, EXIT_GRACE_MS).unref(); // unref: it never keeps an otherwise finished process alive
}

/**
 * SIGHUP from the first moment: Node's default for it is to die without a word, and a
 * reload request (logrotate, `systemctl reload`) must never stop the gateway (issue #14).
 * Until main() has a logger (while the configuration loads) a line on stderr says it was
 * ignored; from then on main()'s handler logs it. Signal listeners do not keep Node alive.
 */
let reloadHandler: (() => void) | undefined;
process.on('SIGHUP', () => {
  if (reloadHandler) reloadHandler();
  else process.stderr.write('drachtio-xmpp-gateway: SIGHUP ignored (reload is not supported yet)\n');
});
const onReloadRequest = (cb: () => void): (() => void) => {
  reloadHandler = cb;
  return () => {
    if (reloadHandler === cb) reloadHandler = undefined;
  };
};

// The only place that sets the exit code; main() itself never exits.
main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, onReloadRequest }).then(exitWithin, (e: unknown) => {
  process.stderr.write(`drachtio-xmpp-gateway: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  exitWithin(EXIT_RUNTIME);
});

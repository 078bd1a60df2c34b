import type { Log } from '../../plugin/use-cases/ports';

/**
 * Drives the presence service's sweep (heartbeat, adoption, expiries,
 * refreshes) on a timer: the use-case has no timers of its own. One tick at a
 * time; a tick that fails is logged and the next one runs as usual.
 */
export function startPresenceTicker(tick: () => Promise<void>, everyMs: number, log: Log): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = tick()
      .catch((e: unknown) => log.error({ err: String(e) }, 'presence sweep failed'))
      .finally(() => {
        running = undefined;
      });
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

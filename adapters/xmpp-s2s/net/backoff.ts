/**
 * Randomised reconnect delay. ejabberd picks the next attempt uniformly in
 * [0, s2s_max_retry_delay] (ejabberd_s2s_out:get_delay/0); we grow the window
 * exponentially from 1 s so a brief outage heals quickly, cap it at maxMs, and
 * use "equal jitter" (half fixed, half random) so many gateways restarting at
 * once do not reconnect in lock-step and no delay is ever zero.
 */
export function retryDelayMs(attempt: number, maxMs: number, random: () => number): number {
  const a = Math.max(0, Math.min(30, Math.floor(attempt)));
  const window = Math.min(maxMs, 1000 * 2 ** a);
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(window / 2 + (window / 2) * r);
}

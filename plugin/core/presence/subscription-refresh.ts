/**
 * Subscription timing and SUBSCRIBE response classes.
 *
 * RFC 8048 §5.2.2: the gateway owns the SIP subscription's lifetime and
 * refreshes it before it expires. Lync Server's SubscriptionRefreshInterval
 * (Set-CsXmppGatewayConfiguration, default 28800 s = 8 h) caps how long a
 * presence subscription may go unrefreshed; we apply the same cap.
 */
export const DEFAULT_SUBSCRIPTION_REFRESH_CAP_SECONDS = 8 * 3600;

/** Delay before retrying after a transient failure without Retry-After (implementation choice). */
export const DEFAULT_RETRY_SECONDS = 300;

/**
 * Seconds from now until the refresh SUBSCRIBE should be sent, or undefined
 * when nothing is to be refreshed (granted expiry 0 or not a number).
 *
 *   effective = min(expiresGranted, cap)
 *   margin    = clamp(floor(effective / 10), 5, 600)     10 %, at least 5 s, at most 10 min
 *   delay     = max(1, effective - margin)
 *
 * e.g. 3600 → 3240, 28800 (or more, capped) → 28200, 60 → 54, 8 → 3, 2 → 1.
 * The margin covers a retransmitted SUBSCRIBE (RFC 3261 Timer F = 32 s) for the
 * usual hour-long subscriptions without refreshing short ones too eagerly.
 */
export function refreshDelaySeconds(
  expiresGranted: number,
  capSeconds: number = DEFAULT_SUBSCRIPTION_REFRESH_CAP_SECONDS,
): number | undefined {
  if (!Number.isFinite(expiresGranted) || expiresGranted <= 0) return undefined;
  const cap = Number.isFinite(capSeconds) && capSeconds > 0 ? capSeconds : DEFAULT_SUBSCRIPTION_REFRESH_CAP_SECONDS;
  const effective = Math.floor(Math.min(expiresGranted, cap));
  if (effective <= 0) return undefined;
  const margin = Math.min(600, Math.max(5, Math.floor(effective / 10)));
  return Math.max(1, effective - margin);
}

export type SubscribeResponseClass = 'provisional' | 'ok' | 'transient' | 'permanent';

/**
 * RFC 8048 §5.2.2: 403, 489 and 603 mean the authorization is permanently
 * cancelled; 423 (Interval Too Brief) and 481 (no such subscription) are
 * transient and the authorization is kept. Every other final status is
 * transient as well (RFC 8048 names no other permanent ones); mapping the
 * status to an XMPP error is RFC 7247 §7.2's table, not this function's.
 * A status outside 100..699 is treated as transient: never cancel an
 * authorization on input we cannot read.
 */
export function classifySubscribeResponse(status: number): SubscribeResponseClass {
  if (!Number.isInteger(status) || status < 100 || status > 699) return 'transient';
  if (status < 200) return 'provisional';
  if (status < 300) return 'ok';
  if (status === 403 || status === 489 || status === 603) return 'permanent';
  return 'transient';
}

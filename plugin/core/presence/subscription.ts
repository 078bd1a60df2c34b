/**
 * RFC 8048 §5 (subscriptions) and §7 (polling) as pure decisions over small
 * per-dialog states, one file per direction:
 * - sip-contact-subscription.ts: XMPP user → SIP contact (§5.2, probe → SUBSCRIBE Expires 0);
 * - sip-watcher-subscription.ts: SIP user → XMPP contact (§5.3, Expires 0 → probe);
 * - subscription-headers.ts: Event / Subscription-State / Expires (RFC 6665 §8.2);
 * - subscription-refresh.ts: refresh timing (Lync 8 h cap) and response classes;
 * - subscription-actions.ts: the actions they return, as data.
 */
export * from './subscription-actions';
export * from './subscription-headers';
export * from './subscription-refresh';
export * from './sip-contact-subscription';
export * from './sip-watcher-subscription';

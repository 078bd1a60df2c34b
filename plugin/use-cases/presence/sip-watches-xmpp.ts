/**
 * A SIP user watches an XMPP contact: the gateway is the SIP notifier
 * (RFC 8048 §5.3, §7). The decisions are the core's
 * (core/presence/sip-watcher-subscription.ts); this module loads and stores
 * the WatcherRecord of the dialog, runs the decision, and carries out its
 * actions over the ports, one dialog at a time (KeyedSerial).
 */
import { jidToSipUri } from '../../core/address/address-mapping';
import { bareJid, formatJid, parseJid } from '../../core/address/jid';
import { acceptsPidf } from '../../core/presence/accept-header';
import { PIDF_MEDIA_TYPE } from '../../core/presence/pidf';
import { aggregateResources, type PidfNotification } from '../../core/presence/presence-mapping';
import {
  onFetchTimeout,
  onSipSubscribe,
  onSipSubscriptionExpired,
  onXmppPresenceForSipWatcher,
  type SipWatcherState,
} from '../../core/presence/sip-watcher-subscription';
import type { PresenceAction, Transition } from '../../core/presence/subscription-actions';
import { formatSubscriptionStateHeader, isPresenceEvent, parseEventHeader, parseExpiresHeader } from '../../core/presence/subscription-headers';
import type { PresenceStanza } from '../../core/stanza/stanza';
import { sendStanzaSafely } from '../port-calls';
import type { InboundSipSubscribe, SubscribeAnswer, WatcherRecord } from '../presence-ports';
import { admitSipMessage } from '../sip-message-checks';
import { answer } from '../sip-request';
import type { KeyedSerial } from './keyed-serial';
import type { PresenceDeps } from './presence-deps';

/**
 * The PIDF entity for an XMPP contact: its pres: URI (RFC 3863 §4.1.1, RFC 8048 §6.2), with
 * the XEP-0106 escapes undone and URI escaping applied (RFC 7247 §6.3) — `o\27malley@x`
 * is `pres:o'malley@x`; a backslash is not a URI character (RFC 3986 §2).
 */
export function presentityUri(contactJid: string): string {
  const uri = jidToSipUri(contactJid, { scheme: 'pres' });
  return uri.ok ? uri.value : `pres:${contactJid}`;
}

/** The cache key of what one contact told one watcher: directed presence must not reach another watcher (§8.2). */
export const cacheKey = (watcherJid: string, contactJid: string): string => `${watcherJid}|${contactJid}`;

export class SipWatchesXmpp {
  constructor(
    private readonly deps: PresenceDeps,
    private readonly serial: KeyedSerial,
  ) {}

  /** SUBSCRIBE from a SIP user (new dialog or in-dialog refresh / Expires: 0). */
  async onSubscribe(s: InboundSipSubscribe): Promise<SubscribeAnswer> {
    const { deps } = this;
    const event = parseEventHeader(s.event ?? '');
    // RFC 6665 §8.3.2 / §7.2.2: an event package we do not serve is 489, listing what we do.
    if (!event.ok || !isPresenceEvent(event.value)) return answer(489, 'Bad Event', { 'Allow-Events': 'presence' });
    // RFC 6665 §3.1.2, RFC 3261 §21.4.7: every NOTIFY body is PIDF; a watcher that accepts none gets 406.
    if (!acceptsPidf(s.accept)) return answer(406, 'Not Acceptable', { Accept: PIDF_MEDIA_TYPE });
    let expires: number | undefined;
    if (s.expires !== undefined) {
      const e = parseExpiresHeader(s.expires);
      if (!e.ok) return answer(400, 'Invalid Expires');
      expires = e.value;
    }
    if (s.dialogId !== undefined) return this.inDialog(s.dialogId, expires);

    const admitted = admitSipMessage(s, deps.policy);
    if (!admitted.ok) {
      deps.log.info({ status: admitted.error.status, callId: s.callId }, 'SIP SUBSCRIBE refused');
      return admitted.error;
    }
    const watcherJid = formatJid(bareJid(admitted.value.xmppFrom));
    const contactJid = formatJid(bareJid(admitted.value.xmppTo));
    if (!deps.limiter.allow(`subscribe:${watcherJid}`)) return answer(503, 'Subscription Rate Exceeded', { 'Retry-After': '60' });
    const entity = presentityUri(contactJid);
    const current = this.current(watcherJid, contactJid, entity);
    const t = onSipSubscribe(expires === undefined ? {} : { expires }, undefined, this.ctx(entity, current));
    const now = deps.clock.now().getTime();
    const sender = admitted.value.sender.uri;
    return {
      ...answer(200, 'OK', { Expires: String(t.expires) }),
      accepted: async (dialogId: string) => {
        const base: Omit<WatcherRecord, 'state'> = {
          dialogId,
          watcherUri: `sip:${sender.user ?? ''}@${sender.host}`,
          watcherJid,
          contactJid,
          entity,
          expiresAt: t.state?.phase === 'fetching' ? now + deps.options.fetchTimeoutMs : now + t.expires * 1000,
          owner: deps.options.nodeId,
        };
        // Lync PublicUnverified: a SIP user who asked for a contact's presence has reached out first.
        await deps.store.recordInterest({ localUser: watcherJid, remoteContact: contactJid, kind: 'subscribed', at: now }).catch((e: unknown) => {
          deps.log.warn({ err: String(e) }, 'presence store: could not record interest');
        });
        await this.serial.run(dialogId, () => this.apply(base, t));
        deps.log.info({ dialogId, watcher: watcherJid, contact: contactJid, expires: t.expires }, 'SIP watcher subscribed to XMPP contact');
      },
    };
  }

  private async inDialog(dialogId: string, expires: number | undefined): Promise<SubscribeAnswer> {
    const rec = await this.deps.store.getWatcher(dialogId);
    // RFC 6665 §4.2.1.2: a refresh of a subscription we do not know is 481; the watcher starts anew.
    if (!rec) return answer(481, 'Subscription Does Not Exist');
    const t = onSipSubscribe(expires === undefined ? {} : { expires }, rec.state, this.ctx(rec.entity, this.current(rec.watcherJid, rec.contactJid, rec.entity)));
    const now = this.deps.clock.now().getTime();
    return {
      ...answer(200, 'OK', { Expires: String(t.expires) }),
      accepted: (id: string) =>
        this.serial.run(id || dialogId, () => this.apply({ ...rec, expiresAt: now + t.expires * 1000 }, t)),
    };
  }

  /** Presence from an XMPP contact to one of our users (broadcast, directed, subscribed/unsubscribed, error). */
  async onPresence(p: PresenceStanza, watcherJid: string, contactJid: string, resource: string | undefined): Promise<number> {
    const { deps } = this;
    if ((p.type === undefined || p.type === 'unavailable') && !this.remember(watcherJid, contactJid, resource ?? '', p)) {
      deps.log.debug({ from: p.from, to: p.to }, 'unavailable from the bare JID while resources are known: no change');
      return 0;
    }
    // Only the addressed watcher's dialogs (RFC 8048 §8.2). Reading all of the contact's
    // watchers and filtering made a change to 1,000 watchers cost 1,000 × 1,000 rows
    // (bench/presence-fanout.ts), and missed any watcher past fanoutLimit.
    const watchers = await deps.store.watchersFor(watcherJid, contactJid, deps.options.fanoutLimit);
    await Promise.all(
      watchers.map((w) =>
        this.serial.run(w.dialogId, async () => {
          const rec = await deps.store.getWatcher(w.dialogId);
          if (!rec) return;
          const t = onXmppPresenceForSipWatcher(p, rec.state, this.ctx(rec.entity, this.current(watcherJid, contactJid, rec.entity)));
          await this.apply(rec, t);
        }),
      ),
    );
    return watchers.length;
  }

  /** Subscriptions that expired unrefreshed, and polls whose probe got no answer (§5.3.3, §7). */
  async sweep(now: number): Promise<number> {
    const { deps } = this;
    const due = await deps.store.expiredWatchers(deps.options.nodeId, now, deps.options.sweepLimit);
    for (const w of due) {
      await this.serial.run(w.dialogId, async () => {
        const rec = await deps.store.getWatcher(w.dialogId);
        if (!rec || rec.expiresAt > now) return;
        const t = rec.state.phase === 'fetching' ? onFetchTimeout(rec.state) : onSipSubscriptionExpired(rec.state, this.ctx(rec.entity, this.current(rec.watcherJid, rec.contactJid, rec.entity)));
        await this.apply(rec, t);
      });
    }
    return due.length;
  }

  /**
   * After a restart or an adoption: the contact's presence is no longer
   * cached, so ask for it (RFC 6121 §4.3 probe from the watcher's JID); the
   * answer arrives as presence and is NOTIFYed like any other change.
   */
  async resume(rec: WatcherRecord): Promise<void> {
    if (rec.state.phase !== 'active') return;
    await sendStanzaSafely(this.deps.xmpp, this.deps.log, { kind: 'presence', type: 'probe', from: rec.watcherJid, to: rec.contactJid });
  }

  private ctx(entity: string, current: PidfNotification | undefined) {
    return { entity, ...(current ? { current } : {}), maxExpires: this.deps.options.refreshCapSeconds };
  }

  private current(watcherJid: string, contactJid: string, entity: string): PidfNotification | undefined {
    const resources = this.deps.cache.get(cacheKey(watcherJid, contactJid));
    if (!resources || resources.size === 0) return undefined;
    return aggregateResources(resources, entity).notification;
  }

  /**
   * Caches one resource's presence; false when the stanza changes nothing.
   *
   * A presence from the BARE JID is not a resource of its own (it would become a bogus
   * extra tuple "ID-"): servers send `unavailable` from the bare JID when the account has
   * no available resource (RFC 6121 §4.3.2 probe answer) and Prosody also "acknowledges"
   * every inbound subscribe with one (mod_presence), which can reach us after the
   * approval and the resources' own presence. Every session that ends sends its own
   * unavailable from its full JID (RFC 6121 §4.5.2), so while resources are known a bare
   * unavailable says nothing new; and a full-JID presence supersedes any bare-JID entry.
   */
  private remember(watcherJid: string, contactJid: string, resource: string, p: PresenceStanza): boolean {
    const key = cacheKey(watcherJid, contactJid);
    const next = new Map(this.deps.cache.get(key) ?? []);
    if (resource === '') {
      if (p.type === 'unavailable' && [...next.keys()].some((r) => r !== '')) return false;
    } else {
      next.delete('');
    }
    next.set(resource, p);
    this.deps.cache.set(key, next);
    return true;
  }

  /** Persists the new state (or deletes the record) and carries out the actions in order. */
  private async apply(rec: Omit<WatcherRecord, 'state'> & { state?: SipWatcherState }, t: Transition<SipWatcherState | undefined>): Promise<void> {
    const { deps } = this;
    if (t.state) await deps.store.putWatcher({ ...rec, state: t.state } as WatcherRecord);
    else await deps.store.deleteWatcher(rec.dialogId);
    for (const a of t.actions) await this.execute(rec, a);
  }

  private async execute(rec: Omit<WatcherRecord, 'state'>, a: PresenceAction): Promise<void> {
    const { deps } = this;
    switch (a.action) {
      case 'sip-notify': {
        const remaining = Math.ceil((rec.expiresAt - deps.clock.now().getTime()) / 1000);
        const st = a.subscriptionState;
        const header = formatSubscriptionStateHeader(st.state === 'terminated' ? st : { ...st, expires: Math.max(0, remaining) });
        const r = await deps.sip.notify({
          dialogId: rec.dialogId,
          subscriptionState: header,
          ...(a.body ? { body: a.body.body, contentType: a.body.contentType } : {}),
          ...(a.body?.contentLanguage ? { contentLanguage: a.body.contentLanguage } : {}),
        });
        if (r.status === 503) {
          // RFC 5057 §5.1: 503 fails the transaction, not the dialog usage. It is also what our own
          // request gate answers when it could not send (overload, drachtio link down, shutting
          // down); the record stays, and the next change, refresh or a restart notifies again.
          deps.log.info({ dialogId: rec.dialogId, status: r.status }, 'NOTIFY not delivered (503); the SIP watcher keeps its subscription');
        } else if (r.status >= 300) {
          // RFC 6665 §4.2.2: a NOTIFY refused with 481 (or any failure but 401/407) ends the subscription.
          deps.log.info({ dialogId: rec.dialogId, status: r.status }, 'SIP watcher refused NOTIFY; subscription removed');
          if (st.state !== 'terminated') await deps.store.deleteWatcher(rec.dialogId);
        }
        return;
      }
      case 'xmpp-presence': {
        const to = parseJid(rec.contactJid);
        if (!to.ok) return;
        if (a.presence.type === 'unavailable') {
          // §5.3.3 says the SIP user went away; not while another of its dialogs (a second
          // device) still watches this contact. This dialog's record is already gone (apply).
          const others = await deps.store.watchersFor(rec.watcherJid, rec.contactJid, 2);
          if (others.some((o) => o.dialogId !== rec.dialogId)) {
            deps.log.debug({ dialogId: rec.dialogId, contact: rec.contactJid }, 'another dialog of this SIP user still watches: no unavailable');
            return;
          }
        }
        const d = await sendStanzaSafely(deps.xmpp, deps.log, { ...a.presence, from: rec.watcherJid, to: rec.contactJid });
        if (!d.ok && (a.presence.type === 'subscribe' || a.presence.type === 'probe')) {
          // Nothing is lost silently (RFC 7247 §7): a subscribe or probe that no stream could
          // carry will never be answered, so the watcher would wait (pending) until expiry.
          // Treat it as the error presence the contact's server would have sent (§5.3.1):
          // pending → NOTIFY terminated;reason=giveup, a poll → terminated;reason=timeout.
          deps.log.info({ dialogId: rec.dialogId, contact: rec.contactJid, type: a.presence.type, condition: d.error.condition }, 'presence request to the XMPP contact undeliverable; ending the SIP subscription');
          const cur = await deps.store.getWatcher(rec.dialogId);
          if (!cur) return;
          const failed: PresenceStanza = { kind: 'presence', type: 'error', from: rec.contactJid, to: rec.watcherJid, error: d.error };
          await this.apply(cur, onXmppPresenceForSipWatcher(failed, cur.state, this.ctx(cur.entity, this.current(cur.watcherJid, cur.contactJid, cur.entity))));
        }
        return;
      }
      default:
        // sip-subscribe / subscribe-failed / invalid-notify-body belong to the other direction.
        deps.log.warn({ action: a.action, dialogId: rec.dialogId }, 'unexpected presence action for a SIP watcher');
    }
  }
}

/**
 * An XMPP user watches a SIP contact: the gateway is the SIP subscriber and
 * owns the subscription's refreshes (RFC 8048 §5.2, §7). The decisions are
 * the core's (core/presence/sip-contact-subscription.ts); this module keeps
 * the SubscriptionRecord of each (XMPP user, SIP contact) pair, runs the
 * decisions one pair at a time, and carries out their actions.
 *
 * Refreshes are not timers: a record says when it is due (`refreshAt`) and
 * the sweep sends what is due. So a restarted gateway, or another node that
 * adopted the record, refreshes it without any state in memory.
 */
import { jidToSipUri } from '../../core/address/address-mapping';
import { sipStatusToXmppError } from '../../core/errors/error-mapping';
import {
  onSipNotify,
  onSipSubscribeResponse,
  onXmppPresenceToSipContact,
  pollState,
  type SipSubscriptionState,
} from '../../core/presence/sip-contact-subscription';
import { DEFAULT_RETRY_SECONDS } from '../../core/presence/subscription-refresh';
import { DEFAULT_PRESENCE_EXPIRES, type PresenceAction, type Transition } from '../../core/presence/subscription-actions';
import { isPresenceEvent, parseEventHeader, parseSubscriptionStateHeader } from '../../core/presence/subscription-headers';
import type { PresenceStanza } from '../../core/stanza/stanza';
import { stanzaError } from '../../core/stanza/stanza-error';
import { sendStanzaSafely } from '../port-calls';
import type { InboundSipNotify, SubscribeOutcome, SubscriptionRecord } from '../presence-ports';
import { answer, type SipAnswer } from '../sip-request';
import type { KeyedSerial } from './keyed-serial';
import type { PresenceDeps } from './presence-deps';

/** Re-SUBSCRIBEs sent at once in a row (423 with a larger Min-Expires, 481) before backing off to DEFAULT_RETRY_SECONDS. */
const MAX_IMMEDIATE_RESENDS = 3;

type Pair = Pick<SubscriptionRecord, 'xmppUser' | 'sipContact' | 'sipUri'>;
const pairKey = (p: Pick<SubscriptionRecord, 'xmppUser' | 'sipContact'>): string => `${p.xmppUser}|${p.sipContact}`;

/** A §7 poll: a one-shot dialog whose single NOTIFY answers an XMPP probe. Memory only: it lives seconds. */
interface Poll extends Pair {
  state: SipSubscriptionState | undefined;
}

export class XmppWatchesSip {
  /** Dialog ids this process created and still answers for (adoption tells ours from a dead node's). */
  private readonly liveDialogs = new Map<string, string>();
  private readonly polls = new Map<string, Poll>();
  /** Immediate re-SUBSCRIBEs since the last 2xx, per pair: a notifier that answers 423 or 481 forever must not make us loop. */
  private readonly resends = new Map<string, number>();

  constructor(
    private readonly deps: PresenceDeps,
    private readonly serial: KeyedSerial,
  ) {}

  /** Presence from the XMPP user to the SIP contact: subscribe, unsubscribe, probe, available, unavailable. */
  async onPresence(p: PresenceStanza, pair: Pair): Promise<void> {
    const { deps } = this;
    if (p.type === 'probe') {
      // §8.1: probes are cheap to send and each costs a SIP dialog; cap them per XMPP user.
      if (!deps.limiter.allow(`probe:${pair.xmppUser}`)) {
        deps.log.info({ from: pair.xmppUser, to: pair.sipContact }, 'presence probe over its rate; answered from nothing');
        return;
      }
      await this.startPoll(pair);
      return;
    }
    await this.serial.run(pairKey(pair), async () => {
      const rec = await deps.store.getSubscription(pair.xmppUser, pair.sipContact);
      if (p.type === undefined && rec && !deps.limiter.allow(`refresh:${pairKey(pair)}`)) return; // §8.1 amplification cap
      const t = onXmppPresenceToSipContact(p, rec?.state);
      await this.apply(rec ?? this.fresh(pair), t);
    });
  }

  /** A NOTIFY in one of our dialogs (RFC 6665 §4.1.3). */
  async onNotify(n: InboundSipNotify): Promise<SipAnswer> {
    const { deps } = this;
    const dialogId = n.dialogId ?? dialogIdOfNotify(n);
    const event = parseEventHeader(n.event ?? '');
    if (!event.ok || !isPresenceEvent(event.value)) return answer(489, 'Bad Event', { 'Allow-Events': 'presence' });
    const ss = parseSubscriptionStateHeader(n.subscriptionState ?? '');
    if (!ss.ok) return answer(400, 'Invalid Subscription-State');
    const sipNotify = { subscriptionState: ss.value, body: n.body, ...(n.contentLanguage ? { contentLanguage: n.contentLanguage } : {}) };

    const poll = dialogId === undefined ? undefined : this.polls.get(dialogId);
    if (poll && dialogId !== undefined) {
      if (!poll.state) return answer(481, 'Subscription Does Not Exist');
      const t = onSipNotify(sipNotify, poll.state, this.refreshOpts());
      poll.state = t.state;
      if (!t.state) this.polls.delete(dialogId);
      const bad = await this.executeAll(poll, undefined, t.actions);
      return bad ? answer(400, 'Invalid PIDF Body') : answer(200, 'OK');
    }

    const key = dialogId === undefined ? undefined : this.liveDialogs.get(dialogId);
    const found = key !== undefined ? undefined : dialogId === undefined ? undefined : await deps.store.subscriptionByDialog(dialogId);
    const pk = key ?? (found ? pairKey(found) : undefined);
    if (pk === undefined || dialogId === undefined) {
      deps.log.info({ dialogId, callId: n.callId }, 'NOTIFY for an unknown subscription');
      return answer(481, 'Subscription Does Not Exist');
    }
    const [xmppUser, sipContact] = pk.split('|') as [string, string];
    return this.serial.run(pk, async () => {
      const rec = await deps.store.getSubscription(xmppUser, sipContact);
      // A NOTIFY in a dialog the record no longer uses (replaced after 481, restart, adoption) ends that dialog.
      if (!rec || rec.dialogId !== dialogId) return answer(481, 'Subscription Does Not Exist');
      const t = onSipNotify(sipNotify, rec.state, this.refreshOpts());
      const expiresAt = ss.value.expires !== undefined ? deps.clock.now().getTime() + ss.value.expires * 1000 : rec.expiresAt;
      const bad = await this.apply({ ...rec, expiresAt }, t);
      return bad ? answer(400, 'Invalid PIDF Body') : answer(200, 'OK');
    });
  }

  /** Sends the refreshes that are due (§5.2.2). */
  async sweep(now: number): Promise<number> {
    const { deps } = this;
    const due = await deps.store.dueSubscriptions(deps.options.nodeId, now, deps.options.sweepLimit);
    for (const d of due) {
      await this.serial.run(pairKey(d), async () => {
        const rec = await deps.store.getSubscription(d.xmppUser, d.sipContact);
        if (!rec || rec.refreshAt === undefined || rec.refreshAt > now) return;
        const { refreshAt: _r, ...rest } = rec;
        await deps.store.putSubscription(rest);
        this.send(rest, rec.dialogId !== undefined && this.liveDialogs.has(rec.dialogId) ? rec.dialogId : undefined, DEFAULT_PRESENCE_EXPIRES);
      });
    }
    return due.length;
  }

  /**
   * After a restart or an adoption, a record's dialog belongs to a process
   * that is gone: drachtio would route its NOTIFYs there. A new dialog from
   * this process takes over (its first NOTIFY re-sends the current presence);
   * the old one is ended best-effort.
   */
  async resume(listed: SubscriptionRecord): Promise<void> {
    if (listed.dialogId !== undefined && this.liveDialogs.has(listed.dialogId)) return;
    await this.serial.run(pairKey(listed), async () => {
      // `listed` comes from a page read before earlier records were resumed: meanwhile the
      // XMPP user may have unsubscribed (record gone) or a NOTIFY moved it on. Resuming
      // the listed copy would resurrect a dead subscription or undo the newer state.
      const rec = await this.deps.store.getSubscription(listed.xmppUser, listed.sipContact);
      if (!rec || rec.owner !== this.deps.options.nodeId || (rec.dialogId !== undefined && this.liveDialogs.has(rec.dialogId))) return;
      if (rec.state.mode === 'unsubscribe') {
        await this.deps.store.deleteSubscription(rec.xmppUser, rec.sipContact);
        await this.executeAll(rec, undefined, [{ action: 'xmpp-presence', presence: { kind: 'presence', type: 'unsubscribed' } }]);
        return;
      }
      const old = rec.dialogId;
      const { dialogId: _d, refreshAt: _r, ...rest } = rec;
      await this.deps.store.putSubscription(rest);
      this.send(rest, undefined, DEFAULT_PRESENCE_EXPIRES);
      if (old !== undefined) void this.deps.sip.subscribe({ dialogId: old, uri: rec.sipUri, from: this.fromUri(rec), expires: 0 }, () => undefined);
    });
  }

  private fresh(pair: Pair): SubscriptionRecord {
    return { ...pair, state: { mode: 'subscribe', authorized: false, userAvailable: false }, expiresAt: 0, owner: this.deps.options.nodeId };
  }

  private refreshOpts() {
    return { refreshCapSeconds: this.deps.options.refreshCapSeconds };
  }

  private fromUri(pair: Pair): string {
    const uri = jidToSipUri(pair.xmppUser, { includeResource: false });
    return uri.ok ? uri.value : `sip:${pair.xmppUser}`;
  }

  /** Persists (or deletes) and carries out the actions. Returns true when a NOTIFY body could not be read. */
  private async apply(rec: SubscriptionRecord, t: Transition<SipSubscriptionState | undefined>): Promise<boolean> {
    const { deps } = this;
    if (!t.state) {
      await deps.store.deleteSubscription(rec.xmppUser, rec.sipContact);
      if (rec.dialogId !== undefined) this.liveDialogs.delete(rec.dialogId);
    } else {
      await deps.store.putSubscription({ ...rec, state: t.state });
    }
    return this.executeAll(rec, t.state ? { ...rec, state: t.state } : undefined, t.actions);
  }

  private async executeAll(pair: Pair, rec: SubscriptionRecord | undefined, actions: ReadonlyArray<PresenceAction>): Promise<boolean> {
    const { deps } = this;
    let badBody = false;
    for (const a of actions) {
      switch (a.action) {
        case 'xmpp-presence':
          // RFC 8048 §6.3: from ← the SIP contact, to ← the XMPP user; nobody else (§8.2).
          await sendStanzaSafely(deps.xmpp, deps.log, { ...a.presence, from: pair.sipContact, to: pair.xmppUser });
          break;
        case 'sip-subscribe': {
          if (!rec) break;
          const key = pairKey(rec);
          const resends = this.resends.get(key) ?? 0;
          const delaySeconds = a.delaySeconds > 0 || resends < MAX_IMMEDIATE_RESENDS ? a.delaySeconds : DEFAULT_RETRY_SECONDS;
          if (delaySeconds > 0) {
            this.resends.delete(key);
            const next = { ...rec, refreshAt: deps.clock.now().getTime() + delaySeconds * 1000 };
            const { dialogId: _d, ...withoutDialog } = next;
            await deps.store.putSubscription(a.dialog === 'new' ? withoutDialog : next);
          } else {
            this.resends.set(key, resends + 1);
            this.send(rec, a.dialog === 'existing' ? rec.dialogId : undefined, a.expires);
          }
          break;
        }
        case 'subscribe-failed': {
          const e = sipStatusToXmppError(a.status);
          const error = e.ok ? e.value : stanzaError('service-unavailable', 'the SIP contact could not be subscribed to');
          await sendStanzaSafely(deps.xmpp, deps.log, { kind: 'presence', type: 'error', from: pair.sipContact, to: pair.xmppUser, error });
          break;
        }
        case 'invalid-notify-body':
          badBody = true;
          deps.log.warn({ code: a.error.code, detail: a.error.detail.slice(0, 200), contact: pair.sipContact }, 'NOTIFY body is not valid PIDF');
          break;
        case 'sip-notify':
          deps.log.warn({ action: a.action }, 'unexpected presence action for an XMPP watcher');
      }
    }
    return badBody;
  }

  /**
   * Sends a SUBSCRIBE without holding the pair's turn: its 200 and the
   * NOTIFYs it triggers are applied as their own steps, in arrival order.
   */
  private send(rec: SubscriptionRecord, dialogId: string | undefined, expires: number): void {
    const { deps } = this;
    const key = pairKey(rec);
    let named: string | undefined = dialogId;
    const sent = deps.sip.subscribe(
      { ...(dialogId !== undefined ? { dialogId } : {}), uri: rec.sipUri, from: this.fromUri(rec), expires },
      (id) => {
        // Called again when the request was resent as a new request (after a 503): the first dialog never formed.
        if (named !== undefined && named !== id && dialogId === undefined) this.liveDialogs.delete(named);
        named = id;
        this.liveDialogs.set(id, key);
        // The record learns its dialog in the pair's turn, ahead of any NOTIFY step queued after it.
        if (dialogId === undefined) {
          void this.serial.run(key, async () => {
            const cur = await deps.store.getSubscription(rec.xmppUser, rec.sipContact);
            if (cur) await deps.store.putSubscription({ ...cur, dialogId: id });
          });
        }
      },
    );
    void sent.then((r) => this.serial.run(key, () => this.onResponse(rec, named, dialogId !== undefined, r)));
  }

  private async onResponse(sentFor: SubscriptionRecord, dialogId: string | undefined, inDialog: boolean, r: SubscribeOutcome): Promise<void> {
    const { deps } = this;
    const rec = await deps.store.getSubscription(sentFor.xmppUser, sentFor.sipContact);
    if (!rec || (dialogId !== undefined && rec.dialogId !== undefined && rec.dialogId !== dialogId)) {
      if (dialogId !== undefined) this.liveDialogs.delete(dialogId);
      return;
    }
    if (r.status < 300) this.resends.delete(pairKey(rec));
    if (r.status >= 300) deps.log.info({ status: r.status, contact: rec.sipContact, user: rec.xmppUser }, 'SIP SUBSCRIBE failed');
    const t = onSipSubscribeResponse(
      {
        status: r.status,
        inDialog,
        ...(r.expires !== undefined ? { expires: r.expires } : {}),
        ...(r.minExpires !== undefined ? { minExpires: r.minExpires } : {}),
        ...(r.retryAfter !== undefined ? { retryAfter: r.retryAfter } : {}),
      },
      rec.state,
      this.refreshOpts(),
    );
    const expiresAt = r.status < 300 && r.expires !== undefined ? deps.clock.now().getTime() + r.expires * 1000 : rec.expiresAt;
    await this.apply({ ...rec, expiresAt }, t);
  }

  /** §7: `probe` → SUBSCRIBE Expires: 0 in a new dialog; its one NOTIFY answers the probe. */
  private async startPoll(pair: Pair): Promise<void> {
    const { deps } = this;
    let id: string | undefined;
    const r = await deps.sip.subscribe({ uri: pair.sipUri, from: this.fromUri(pair), expires: 0 }, (dialogId) => {
      id = dialogId;
      this.polls.set(dialogId, { ...pair, state: pollState() });
    });
    const poll = id === undefined ? undefined : this.polls.get(id);
    if (!poll?.state) return;
    const t = onSipSubscribeResponse({ status: r.status, inDialog: false }, poll.state, this.refreshOpts());
    if (t.state === undefined && id !== undefined) this.polls.delete(id);
    await this.executeAll(pair, undefined, t.actions);
  }
}

/** For a NOTIFY srf gave no dialog id: `<Call-ID>;from-tag=<our tag>`, our tag being the NOTIFY's To tag. */
function dialogIdOfNotify(n: InboundSipNotify): string | undefined {
  const tag = /;\s*tag=([^;>\s]+)/i.exec(n.to)?.[1];
  return tag === undefined ? undefined : `${n.callId};from-tag=${tag}`;
}

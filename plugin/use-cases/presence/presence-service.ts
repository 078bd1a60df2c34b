/**
 * Presence federation (RFC 8048) as one service: where each inbound presence
 * stanza goes, the SIP handlers srf calls, the periodic sweep, and recovery
 * after a restart or when another node died. The S2S edge has already
 * checked that `from` is authenticated on its stream and `to` is ours
 * (RFC 6120 §13.7, §4.7.1).
 */
import { jidToSipUri } from '../../core/address/address-mapping';
import { bareJid, formatJid, parseJid, type Jid } from '../../core/address/jid';
import { unescapeLocalpart } from '../../core/address/xep0106';
import { errorReplyFor } from '../../core/stanza/stanza-codec';
import type { PresenceStanza } from '../../core/stanza/stanza';
import { stanzaError, type StanzaErrorCondition } from '../../core/stanza/stanza-error';
import { sendStanzaSafely } from '../port-calls';
import type { SipPresenceHandlers } from '../presence-ports';
import { answer } from '../sip-request';
import { KeyedSerial } from './keyed-serial';
import type { PresenceDeps } from './presence-deps';
import { SipWatchesXmpp } from './sip-watches-xmpp';
import { XmppWatchesSip } from './xmpp-watches-sip';

export interface PresenceService {
  readonly handlers: SipPresenceHandlers;
  /** An authenticated inbound presence stanza addressed to one of our users. */
  onPresence(p: PresenceStanza): Promise<void>;
  /** Heartbeat, adoption of dead nodes' records, expiries and due refreshes; the adapter calls it on a timer. */
  tick(): Promise<void>;
  /** At start: takes over this node's records (and orphans) and makes their presence flow again. */
  start(): Promise<{ readonly watchers: number; readonly subscriptions: number }>;
}

const PAGE = 200;

export function createPresenceService(deps: PresenceDeps): PresenceService {
  const serial = new KeyedSerial();
  const watchers = new SipWatchesXmpp(deps, serial);
  const contacts = new XmppWatchesSip(deps, serial);
  const { log, policy, store, options } = deps;

  const refuse = async (p: PresenceStanza, condition: StanzaErrorCondition, text: string): Promise<void> => {
    log.info({ from: p.from, to: p.to, type: p.type ?? 'available', condition }, 'presence refused');
    const reply = errorReplyFor(p, stanzaError(condition, text));
    if (reply) await sendStanzaSafely(deps.xmpp, log, reply);
  };

  /** Takes every owned record that this process did not create itself back into service. */
  async function resumeOwned(): Promise<{ watchers: number; subscriptions: number }> {
    let w = 0;
    let s = 0;
    // Bounded: at most 10,000 pages of PAGE records per kind.
    for (let offset = 0, page = 0; page < 10_000; page++, offset += PAGE) {
      const recs = await store.ownedWatchers(options.nodeId, offset, PAGE);
      for (const r of recs) await watchers.resume(r);
      w += recs.length;
      if (recs.length < PAGE) break;
    }
    const subs = [];
    for (let offset = 0, page = 0; page < 10_000; page++, offset += PAGE) {
      const recs = await store.ownedSubscriptions(options.nodeId, offset, PAGE);
      subs.push(...recs);
      if (recs.length < PAGE) break;
    }
    // Resumed after paging: resuming rewrites records, which would shift the pages.
    for (const r of subs) await contacts.resume(r);
    s = subs.length;
    return { watchers: w, subscriptions: s };
  }

  async function heartbeat(): Promise<number> {
    const now = deps.clock.now().getTime();
    await store.heartbeat(options.nodeId, now + options.livenessMs);
    const adopted = await store.adoptOrphans(options.nodeId, now);
    return adopted.watchers + adopted.subscriptions;
  }

  const handlers: SipPresenceHandlers = {
    onSubscribe: (s) =>
      watchers.onSubscribe(s).catch((e: unknown) => {
        log.error({ err: String(e), callId: s.callId }, 'SUBSCRIBE handler failed');
        return answer(500, 'Server Internal Error');
      }),
    onNotify: (n) =>
      contacts.onNotify(n).catch((e: unknown) => {
        log.error({ err: String(e), callId: n.callId }, 'NOTIFY handler failed');
        return answer(500, 'Server Internal Error');
      }),
  };

  return {
    handlers,
    async onPresence(p) {
      const from = parseJid(p.from ?? '');
      const to = parseJid(p.to ?? '');
      if (!from.ok || !to.ok) return refuse(p, 'jid-malformed', 'malformed from or to address');
      if (to.value.local === undefined || !policy.ourDomains.has(to.value.domain)) {
        log.debug({ from: p.from, to: p.to }, 'presence to our domain itself ignored');
        return;
      }
      const partner = policy.partnerFor(from.value.domain);
      if (partner === 'not-allowed') return refuse(p, 'policy-violation', `${from.value.domain} is not an allowed partner`);
      // §8.1: one partner must not be able to make the gateway amplify a flood.
      if (!deps.limiter.allow(`presence:${from.value.domain}`)) return refuse(p, 'resource-constraint', 'presence rate exceeded');
      const user = formatJid(bareJid(to.value));
      const remote = formatJid(bareJid(from.value));
      if (!policy.mayFederate(unescapeLocalpart(to.value.local), to.value.domain)) {
        if (p.type === 'subscribe' || p.type === 'probe') return refuse(p, 'forbidden', 'this user does not share presence with XMPP');
        log.debug({ from: p.from, to: p.to, type: p.type ?? 'available' }, 'presence for a user without XMPP access ignored');
        return;
      }
      const sipUri = sipUriOf(to.value);
      if (sipUri === undefined) return refuse(p, 'jid-malformed', 'the address has no SIP form');
      const pair = { xmppUser: remote, sipContact: user, sipUri };
      switch (p.type) {
        case 'subscribe':
          // Lync PublicUnverified (anchors.md §1.2.1): the local user must have reached out first.
          if (partner.partnerType === 'PublicUnverified' && !(await store.hasInterest(user, remote))) {
            log.info({ from: remote, to: user, partnerType: partner.partnerType }, 'subscription request declined: the local user never contacted this address');
            await sendStanzaSafely(deps.xmpp, log, { kind: 'presence', type: 'unsubscribed', from: user, to: remote });
            return;
          }
          return contacts.onPresence(p, pair);
        case 'unsubscribe':
        case 'probe':
          return contacts.onPresence(p, pair);
        case 'subscribed':
        case 'unsubscribed':
        case 'error':
          await watchers.onPresence(p, user, remote, from.value.resource);
          return;
        case undefined:
        case 'unavailable':
          // The contact's presence for SIP watchers, and (§5.2.2) initial presence of an XMPP watcher.
          await watchers.onPresence(p, user, remote, from.value.resource);
          return contacts.onPresence(p, pair);
      }
    },
    async tick() {
      const adopted = await heartbeat();
      if (adopted > 0) {
        const r = await resumeOwned();
        log.info({ adopted, ...r }, 'presence records of a stopped node adopted');
      }
      const now = deps.clock.now().getTime();
      await watchers.sweep(now);
      await contacts.sweep(now);
    },
    async start() {
      await heartbeat();
      const r = await resumeOwned();
      log.info({ node: options.nodeId, ...r }, 'presence subscriptions resumed');
      return r;
    },
  };
}

function sipUriOf(user: Jid): string | undefined {
  const r = jidToSipUri(bareJid(user));
  return r.ok ? r.value : undefined;
}

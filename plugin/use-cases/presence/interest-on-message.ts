/**
 * Lync's PublicUnverified partners may ask for a local user's presence only
 * after the local user reached out (anchors.md §1.2.1): subscribed to the
 * contact, or sent it a message. This wraps the XmppOut port so every message
 * one of our users sends over federation is remembered as such, without the
 * messaging use-cases knowing about presence.
 */
import { bareJid, formatJid, parseJid } from '../../core/address/jid';
import type { Clock, Log, XmppOut } from '../ports';
import type { PresenceStore } from '../presence-ports';

/** Pairs already recorded by this process: one store write per pair, not per message. */
const REMEMBERED_MAX = 10_000;

export function recordingInterest(
  xmpp: XmppOut,
  store: Pick<PresenceStore, 'recordInterest'>,
  ctx: { readonly ourDomains: ReadonlySet<string>; readonly clock: Clock; readonly log: Log },
): XmppOut {
  const remembered = new Set<string>();
  return {
    async sendStanza(s) {
      const r = await xmpp.sendStanza(s);
      if (!r.ok || s.kind !== 'message' || s.type === 'error' || s.type === 'groupchat') return r;
      const from = parseJid(s.from ?? '');
      const to = parseJid(s.to ?? '');
      if (!from.ok || !to.ok || !ctx.ourDomains.has(from.value.domain)) return r;
      const localUser = formatJid(bareJid(from.value));
      const remoteContact = formatJid(bareJid(to.value));
      const key = `${localUser}|${remoteContact}`;
      if (remembered.has(key)) return r;
      if (remembered.size >= REMEMBERED_MAX) remembered.clear();
      remembered.add(key);
      store.recordInterest({ localUser, remoteContact, kind: 'messaged', at: ctx.clock.now().getTime() }).catch((e: unknown) => {
        remembered.delete(key);
        ctx.log.warn({ err: String(e) }, 'presence store: could not record interest');
      });
      return r;
    },
  };
}

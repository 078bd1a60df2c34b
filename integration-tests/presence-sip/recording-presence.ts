/**
 * A recording SipPresenceHandlers for the SIP-side presence adapter tests: it is not the
 * presence use-case (that has its own tests), only enough of a notifier / subscriber to
 * drive the adapter and middleware against a real SIPp peer and see what arrived.
 */
import type { InboundSipNotify, InboundSipSubscribe, SipPresenceHandlers, SipPresenceOut, SubscribeAnswer } from '../../plugin/use-cases/presence-ports';
import type { SipAnswer } from '../../plugin/use-cases/sip-request';

export const PIDF = (entity: string, note: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="${entity}"><tuple id="t1"><status><basic>open</basic></status><note>${note}</note></tuple></presence>`;

export interface NotifySent {
  readonly dialogId: string;
  readonly state: string;
  readonly status: number;
}

export class RecordingPresence implements SipPresenceHandlers {
  readonly subscribes: InboundSipSubscribe[] = [];
  readonly notifies: InboundSipNotify[] = [];
  readonly sent: NotifySent[] = [];
  /** Dialogs this "use-case" knows: NOTIFYs in others are answered 481 (RFC 6665 §4.1.3). */
  readonly known = new Set<string>();

  /** Where the NOTIFYs of accepted SUBSCRIBEs go (set once the node's srf is connected). */
  out: SipPresenceOut | undefined;

  async onSubscribe(s: InboundSipSubscribe): Promise<SubscribeAnswer> {
    this.subscribes.push(s);
    const expires = s.expires ?? '3600';
    // RFC 6665 §4.2.1.1: 200 or 202; uac_subscribe.xml expects 202, 200 (refresh), 202 (Expires: 0).
    const status = s.dialogId !== undefined && expires !== '0' ? 200 : 202;
    return {
      status, reason: status === 200 ? 'OK' : 'Accepted', headers: { Expires: expires },
      accepted: async (dialogId) => {
        this.known.add(dialogId);
        const state = expires === '0' ? 'terminated;reason=timeout' : `active;expires=${expires}`;
        await this.notify(dialogId, state);
      },
    };
  }

  async notify(dialogId: string, state: string): Promise<number> {
    if (!this.out) throw new Error('no SipPresenceOut to notify with');
    const active = state.startsWith('active');
    const r = await this.out.notify({
      dialogId, subscriptionState: state,
      ...(active ? { body: PIDF('pres:alice@xmpp.test', 'Grüße ✓'), contentType: 'application/pidf+xml' } : {}),
    });
    this.sent.push({ dialogId, state, status: r.status });
    return r.status;
  }

  async onNotify(n: InboundSipNotify): Promise<SipAnswer> {
    this.notifies.push(n);
    return n.dialogId !== undefined && this.known.has(n.dialogId) ? { status: 200, reason: 'OK' } : { status: 481, reason: 'Subscription Does Not Exist' };
  }
}

export async function waitUntil(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  for (let i = 0; i < 10_000 && !cond(); i++) {
    if (Date.now() >= deadline) throw new Error(`timed out after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([p, new Promise<T>((_, rej) => setTimeout(() => rej(new Error(`timed out after ${ms} ms: ${what}`)), ms).unref())]);

/** How many Dialog objects srf holds (Q7: a UAC subscription Dialog is never removed; the gateway makes none). */
export const srfDialogCount = (srf: unknown): number => (srf as { _dialogs?: Map<string, unknown> })._dialogs?.size ?? -1;

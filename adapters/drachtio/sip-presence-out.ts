import type Srf from 'drachtio-srf';
import type { Log } from '../../plugin/use-cases/ports';
import type { OutboundNotify, OutboundSubscribe, SipPresenceOut, SubscribeOutcome } from '../../plugin/use-cases/presence-ports';
import { sendSipRequest, type OutgoingSipRequest, type SentSipRequest, type SipFinalResponse } from './send-request';
import { dialogIdOfSent } from './stack-dialog-id';

export interface SipPresenceOutOptions {
  /** The SIP proxy / presence server every new SUBSCRIBE goes through (config gateway.sipProxy.uri). */
  readonly proxy: string;
  /**
   * Upper bound on waiting for a final response. drachtio answers 408 itself after Timer F
   * (32 s, RFC 3261 §17.1.2.2); this covers a drachtio connection lost mid-transaction.
   */
  readonly finalResponseTimeoutMs?: number;
  /** Test seam: how a request is sent (default: sendSipRequest over `srf`). */
  readonly send?: (r: OutgoingSipRequest) => Promise<SipFinalResponse>;
}

type Final = { readonly status: number; readonly reason: string; readonly get?: (h: string) => string | undefined };

/**
 * SipPresenceOut over drachtio-srf at the STACK-dialog level: no srf Dialog objects.
 * Why (PROTOCOL-NOTES §5):
 *  - Q2: `await srf.createUAC()` loses the first NOTIFY when drachtio delivers it in the
 *    same read as the 200. Here the dialog id is computed from the echo of our SUBSCRIBE
 *    (`<Call-ID>;from-tag=<our tag>`, §3.3) and handed to `onDialog` synchronously, inside
 *    the echo's frame handler, so the use-case knows the dialog before any NOTIFY of it;
 *    NOTIFYs then reach srf's middleware (srf has no Dialog for them) with req.stackDialogId.
 *  - Q7: srf never destroys a UAC subscription dialog; with none created, nothing leaks.
 *  - Q6: drachtio 500s a terminating NOTIFY in a UAC dialog and NOKs our 200; the
 *    middleware (plugin/middleware/notify-route.ts) shrugs that off.
 *  - A dialog id kept in the presence store lets a restarted gateway, or another node on
 *    the same drachtio-server, go on sending `sip||<dialogId>` requests in it: drachtio
 *    keeps the dialog, not the app connection.
 *
 * Never rejects: drachtio refusing → 503, drachtio not knowing the dialog → 481 (RFC 3261
 * §12.2.1.2, as the peer would say), no final response in time → 408.
 */
export function createSipPresenceOut(srf: Srf, log: Log, o: SipPresenceOutOptions): SipPresenceOut {
  const timeoutMs = o.finalResponseTimeoutMs ?? 40_000;
  const send = o.send ?? ((r: OutgoingSipRequest) => sendSipRequest(srf, r));

  async function bounded(r: OutgoingSipRequest, what: string, dialogId: string | undefined): Promise<Final> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Final>((resolve) => {
      timer = setTimeout(() => resolve({ status: 408, reason: 'Request Timeout' }), timeoutMs);
      timer.unref?.();
    });
    try {
      return await Promise.race([send(r), timeout]);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      const code = (err as Error & { code?: unknown }).code;
      if (dialogId !== undefined && (code === 'ENODIALOG' || /unable to find dialog/i.test(err.message))) {
        log.info({ dialogId, method: r.method }, `drachtio no longer knows the dialog of this ${what}`);
        return { status: 481, reason: 'Call/Transaction Does Not Exist' };
      }
      log.warn({ err: err.message, method: r.method, ...(dialogId !== undefined ? { dialogId } : { uri: r.uri }) }, `drachtio refused to send ${what}`);
      return { status: 503, reason: 'Service Unavailable' };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async subscribe(s: OutboundSubscribe, onDialog: (dialogId: string) => void): Promise<SubscribeOutcome> {
      const named = (id: string): void => {
        try {
          onDialog(id);
        } catch (e) {
          // Runs inside srf's socket reader: a throw here would take the connection down.
          log.error({ err: e, dialogId: id }, 'presence onDialog handler threw');
        }
      };
      const inDialog = s.dialogId !== undefined;
      const headers: Record<string, string> = inDialog
        ? { Event: 'presence', Accept: 'application/pidf+xml', Expires: String(s.expires) } // RFC 6665 §4.1.2.1
        : {
            From: nameAddr(s.from),
            To: nameAddr(s.uri),
            Event: 'presence', // RFC 3856 §6.3
            Accept: 'application/pidf+xml', // RFC 3856 §6.4
            Expires: String(s.expires),
            // Our Contact replaces drachtio's own (<sip:drachtio-host:port>): it becomes the
            // dialog's remote target for the notifier (RFC 6665 §4.1.2), so it must route back
            // to this drachtio-server (a GRUU the proxy resolves to it), or NOTIFYs go astray.
            ...(s.contact !== undefined ? { Contact: nameAddr(s.contact) } : {}),
          };
      const onSent = (sent: SentSipRequest): void => {
        if (s.dialogId !== undefined) return named(s.dialogId);
        const id = dialogIdOfSent(sent);
        if (id === undefined) {
          log.warn({ uri: s.uri, callId: sent.get('Call-ID') }, 'SUBSCRIBE echo without Call-ID or From tag: its NOTIFYs cannot be matched');
          return;
        }
        named(id);
      };
      const r: OutgoingSipRequest = inDialog
        ? { method: 'SUBSCRIBE', uri: '', stackDialogId: s.dialogId, headers, onSent }
        : { method: 'SUBSCRIBE', uri: s.uri, headers, proxy: o.proxy, onSent };
      const res = await bounded(r, 'SUBSCRIBE', s.dialogId);
      return {
        status: res.status,
        reason: res.reason,
        ...opt('expires', seconds(res.get?.('Expires'))),
        ...opt('minExpires', seconds(res.get?.('Min-Expires'))),
        ...opt('retryAfter', seconds(res.get?.('Retry-After'))),
      };
    },

    async notify(n: OutboundNotify): Promise<{ readonly status: number; readonly reason: string }> {
      const headers: Record<string, string> = {
        Event: 'presence', // RFC 6665 §8.2.1: the NOTIFY names the package of its subscription
        'Subscription-State': n.subscriptionState, // RFC 6665 §4.2.2, mandatory
        ...(n.contentType !== undefined ? { 'Content-Type': n.contentType } : {}),
        ...(n.contentLanguage !== undefined ? { 'Content-Language': n.contentLanguage } : {}),
      };
      const r: OutgoingSipRequest = { method: 'NOTIFY', uri: '', stackDialogId: n.dialogId, headers, ...(n.body !== undefined ? { body: n.body } : {}) };
      const res = await bounded(r, 'NOTIFY', n.dialogId);
      return { status: res.status, reason: res.reason };
    },
  };
}

/** `<uri>` unless it already is a name-addr (RFC 3261 §20.10: a URI with parameters needs the brackets). */
function nameAddr(v: string): string {
  return v.includes('<') ? v : `<${v}>`;
}

/** Delta-seconds (RFC 3261 §25.1) at the start of a header value; Retry-After may carry a comment. */
function seconds(v: string | undefined): number | undefined {
  const m = v === undefined ? null : /^\s*(\d{1,10})/.exec(v);
  return m ? Number(m[1]) : undefined;
}

function opt<K extends string>(key: K, v: number | undefined): { [P in K]?: number } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: number };
}

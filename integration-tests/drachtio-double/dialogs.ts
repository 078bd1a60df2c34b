/**
 * SUBSCRIBE dialogs (RFC 6665 §4.1.2, §4.2.1; RFC 3261 §12) as drachtio keeps them.
 * dialogId = `<Call-ID>;from-tag=<From-tag of the dialog-creating request>`
 * (PROTOCOL-NOTES §3.3): the remote watcher's tag for a UAS dialog, our own for a UAC one.
 */
import type { AdminConnection } from './admin-connection';
import { getHeader, getHeaderList, type SipRequest, type SipResponse } from './sip-message';
import { parseNameAddr, parseSipUri, tagOf, withoutTag } from './sip-syntax';

export interface Dialog {
  readonly id: string;
  readonly type: 'uas' | 'uac';
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  /** From/To values without tags, as they appear in requests we send. */
  readonly localUri: string;
  readonly remoteUri: string;
  remoteTarget: string;
  readonly routeSet: readonly string[];
  localCseq: number;
  /**
   * The app connection that owns the dialog: in-dialog requests from the network go to it.
   * The dialog lives in the server, not in the connection: it outlives the app that made it,
   * any connection may send `sip||<dialogId>` in it, and when the owner is gone the next
   * in-dialog request goes to (and is then owned by) a connected app that routes its method.
   * That is our reading of drachtio-server (ClientController keeps dialog → client and picks
   * another client for the method when that one has disconnected), not something a golden
   * trace shows.
   */
  conn: AdminConnection;
}

export const dialogIdOf = (callId: string, fromTag: string): string => `${callId};from-tag=${fromTag}`;

export class DialogStore {
  private readonly dialogs = new Map<string, Dialog>();

  add(d: Dialog): void {
    this.dialogs.set(d.id, d);
  }
  get(id: string): Dialog | undefined {
    return this.dialogs.get(id);
  }
  remove(id: string): void {
    this.dialogs.delete(id);
  }
  /** An in-dialog request from the network: its From is the remote side, its To us (§12.2.2). */
  matchIncoming(callId: string, fromTag: string | undefined, toTag: string): Dialog | undefined {
    for (const id of [dialogIdOf(callId, fromTag ?? ''), dialogIdOf(callId, toTag)]) {
      const d = this.dialogs.get(id);
      if (d && d.localTag === toTag && d.remoteTag === (fromTag ?? '')) return d;
    }
    return undefined;
  }
  clear(): void {
    this.dialogs.clear();
  }
}

const contactUri = (m: SipRequest | SipResponse): string | undefined => {
  const c = getHeaderList(m, 'contact')[0];
  return c === undefined ? undefined : parseNameAddr(c).uri;
};

/** UAS dialog from an incoming SUBSCRIBE and the 2xx we sent (RFC 3261 §12.1.1). */
export function uasDialog(req: SipRequest, localTag: string, conn: AdminConnection): Dialog | undefined {
  const callId = getHeader(req, 'call-id') ?? '';
  const from = getHeader(req, 'from') ?? '';
  const remoteTag = tagOf(from);
  const target = contactUri(req);
  if (remoteTag === undefined || target === undefined) return undefined;
  return {
    id: dialogIdOf(callId, remoteTag),
    type: 'uas',
    callId,
    localTag,
    remoteTag,
    localUri: withoutTag(getHeader(req, 'to') ?? ''),
    remoteUri: withoutTag(from),
    remoteTarget: target,
    routeSet: getHeaderList(req, 'record-route'),
    // sofia numbered the NOTIFYs of S3 2, 3, 4 after a SUBSCRIBE with CSeq 1.
    localCseq: 1,
    conn,
  };
}

/** UAC dialog from our SUBSCRIBE and its 2xx (RFC 3261 §12.1.2: route set reversed). */
export function uacDialog(req: SipRequest, res: SipResponse, cseq: number, conn: AdminConnection): Dialog | undefined {
  const callId = getHeader(req, 'call-id') ?? '';
  const localTag = tagOf(getHeader(req, 'from'));
  const remoteTag = tagOf(getHeader(res, 'to'));
  const target = contactUri(res);
  if (localTag === undefined || remoteTag === undefined || target === undefined) return undefined;
  return {
    id: dialogIdOf(callId, localTag),
    type: 'uac',
    callId,
    localTag,
    remoteTag,
    localUri: withoutTag(getHeader(req, 'from') ?? ''),
    remoteUri: withoutTag(getHeader(req, 'to') ?? ''),
    remoteTarget: target,
    routeSet: [...getHeaderList(res, 'record-route')].reverse(),
    localCseq: cseq,
    conn,
  };
}

/** A target refresh (refresh SUBSCRIBE / NOTIFY with Contact) updates the remote target (§12.2). */
export function refreshTarget(d: Dialog, m: SipRequest | SipResponse): void {
  const uri = contactUri(m);
  if (uri !== undefined && parseSipUri(uri)) d.remoteTarget = uri;
}

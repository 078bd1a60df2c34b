/**
 * A NOTIFY that overtakes the 2xx to our SUBSCRIBE (RFC 6665 §4.1.2.4: the subscriber must
 * accept it and it creates the dialog). The notifier sends it with To = our From (with our
 * tag), so it matches the SUBSCRIBE still in progress by Call-ID and that tag. The golden
 * traces never show this case; the double follows the RFC, and what drachtio-server does
 * here is our reading (sofia matches the request to the SUBSCRIBE's leg, whose dialog id is
 * `<Call-ID>;from-tag=<our tag>` either way).
 */
import type { AdminConnection } from './admin-connection';
import type { DoubleContext } from './double-context';
import { dialogIdOf, type Dialog } from './dialogs';
import { getHeader, getHeaderList, type SipRequest } from './sip-message';
import { parseCSeq, parseNameAddr, tagOf, withoutTag } from './sip-syntax';
import type { ClientTxn } from './transactions';

const pending = new WeakMap<DoubleContext, Map<string, ClientTxn>>();

function of(ctx: DoubleContext): Map<string, ClientTxn> {
  let m = pending.get(ctx);
  if (!m) pending.set(ctx, (m = new Map()));
  return m;
}

const keyOf = (t: ClientTxn): string | undefined => {
  const tag = tagOf(getHeader(t.parsed, 'from'));
  const callId = getHeader(t.parsed, 'call-id');
  return tag === undefined || callId === undefined ? undefined : dialogIdOf(callId, tag);
};

/** A new SUBSCRIBE went out: until its final response, a NOTIFY may create its dialog. */
export function trackSubscribe(ctx: DoubleContext, t: ClientTxn): void {
  const k = t.method === 'SUBSCRIBE' && t.dialogId === '' ? keyOf(t) : undefined;
  if (k !== undefined) of(ctx).set(k, t);
}

/** Its final response (or Timer F) came. */
export function untrackSubscribe(ctx: DoubleContext, t: ClientTxn): void {
  const k = keyOf(t);
  if (k !== undefined && of(ctx).get(k) === t) of(ctx).delete(k);
}

/** The dialog an early NOTIFY already created for this SUBSCRIBE, if any. */
export function earlyDialogOf(ctx: DoubleContext, t: ClientTxn): Dialog | undefined {
  const k = keyOf(t);
  return k === undefined ? undefined : ctx.dialogs.get(k);
}

/** The UAC dialog a NOTIFY creates before the 2xx (RFC 6665 §4.1.2.4, RFC 3261 §12.1.1 for the NOTIFY's UAS side). */
export function earlyDialogForNotify(ctx: DoubleContext, notify: SipRequest): Dialog | undefined {
  if (notify.method !== 'NOTIFY') return undefined;
  const callId = getHeader(notify, 'call-id');
  const ourTag = tagOf(getHeader(notify, 'to'));
  const remoteTag = tagOf(getHeader(notify, 'from'));
  const contact = getHeaderList(notify, 'contact')[0];
  if (callId === undefined || ourTag === undefined || remoteTag === undefined || contact === undefined) return undefined;
  const t = of(ctx).get(dialogIdOf(callId, ourTag));
  if (!t || t.done) return undefined;
  const conn: AdminConnection = t.conn;
  const d: Dialog = {
    id: dialogIdOf(callId, ourTag),
    type: 'uac',
    callId,
    localTag: ourTag,
    remoteTag,
    localUri: withoutTag(getHeader(t.parsed, 'from') ?? ''),
    remoteUri: withoutTag(getHeader(t.parsed, 'to') ?? ''),
    remoteTarget: parseNameAddr(contact).uri,
    routeSet: getHeaderList(notify, 'record-route'),
    localCseq: parseCSeq(getHeader(t.parsed, 'cseq'))?.seq ?? 1,
    conn,
  };
  ctx.dialogs.add(d);
  return d;
}

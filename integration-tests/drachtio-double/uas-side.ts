/**
 * Requests from the network and the app's answers to them (PROTOCOL-NOTES §3.1, §3.2, §4 S1/S3/S5).
 */
import type { AdminConnection } from './admin-connection';
import { drachtioTimeNow } from './clock';
import { localContact, sendToPeer, type DoubleContext } from './double-context';
import { refreshTarget, uasDialog, type Dialog } from './dialogs';
import { earlyDialogForNotify } from './early-notify';
import { networkRequestFrame, nokFrame, responseEchoFrame, type AppFrame } from './frames';
import { newTag, newTxnId } from './ids';
import { getHeader, getHeaderList, normalizeName, parseSipMessage, serializeSip, type SipHeader, type SipRequest } from './sip-message';
import { sofiaOrder, reencodeTopVia } from './sofia-encoding';
import { paramOf, parseCSeq, parseNameAddr, formatNameAddr, parseVia, tagOf } from './sip-syntax';
import type { InboundSip } from './sip-transport-udp';
import type { ServerTxn } from './transactions';

/** Headers drachtio takes from its transaction, not from the app's response. */
const FROM_TRANSACTION = new Set(['via', 'from', 'to', 'call-id', 'cseq', 'content-length']);

function matchKey(req: SipRequest): string | undefined {
  const top = getHeaderList(req, 'via')[0];
  const via = top === undefined ? undefined : parseVia(top);
  const branch = via ? paramOf(via.params, 'branch') : undefined;
  if (!via || branch === undefined) return undefined;
  return `${branch}|${via.host}:${via.port ?? ''}|${req.method === 'ACK' ? 'INVITE' : req.method}`;
}

/** A response built from the transaction (RFC 3261 §8.2.6): Via/From/To/Call-ID/CSeq copied. */
export function buildResponse(t: ServerTxn, status: number, reason: string, extra: readonly SipHeader[], body: Buffer): Buffer {
  const r = t.request;
  const cseq = parseCSeq(getHeader(r, 'cseq'));
  const to = formatNameAddr(parseNameAddr(getHeader(r, 'to') ?? ''), t.toTag);
  const headers: SipHeader[] = [
    ...getHeaderList(r, 'via').map((v) => ({ name: 'Via', value: v })),
    { name: 'From', value: getHeader(r, 'from') ?? '' },
    { name: 'To', value: to },
    { name: 'Call-ID', value: getHeader(r, 'call-id') ?? '' },
    { name: 'CSeq', value: cseq ? `${cseq.seq} ${cseq.method}` : getHeader(r, 'cseq') ?? '' },
    ...extra,
    { name: 'Content-Length', value: String(body.length) },
  ];
  return serializeSip(`SIP/2.0 ${status} ${reason}`, sofiaOrder(headers), body);
}

/** drachtio answering by itself (503 unrouted, 481, Q6's 500): sent, remembered, no admin traffic. */
function answerLocally(ctx: DoubleContext, t: ServerTxn, status: number, reason: string): void {
  const res = buildResponse(t, status, reason, [], Buffer.alloc(0));
  void sendToPeer(ctx, t.peer, res).catch(() => undefined);
  ctx.serverTxns.complete(t, res, lingerMs(ctx, t));
}

const lingerMs = (ctx: DoubleContext, t: ServerTxn): number => (t.peer.proto === 'udp' ? ctx.timerFMs : 0);

export function handleNetworkRequest(ctx: DoubleContext, pkt: InboundSip, original: SipRequest): void {
  const key = matchKey(original);
  const callId = getHeader(original, 'call-id');
  const from = getHeader(original, 'from');
  if (key === undefined || callId === undefined || from === undefined || !getHeader(original, 'to') || !parseCSeq(getHeader(original, 'cseq'))) {
    ctx.log(`network: dropping malformed ${original.method} from ${pkt.srcAddr}:${pkt.srcPort}`);
    return;
  }
  const existing = ctx.serverTxns.byMatchKey(key);
  if (existing) {
    // Q11: retransmissions never reach the app; after the final response they get it again.
    ctx.log(`network: discarding retransmitted request: ${callId}`);
    if (existing.finalResponse) void sendToPeer(ctx, existing.peer, existing.finalResponse).catch(() => undefined);
    return;
  }
  if (original.method === 'ACK') return; // only INVITE transactions have ACKs; none are run here
  const reencoded = reencodeTopVia(original.raw, pkt.srcAddr, pkt.srcPort);
  const parsed = parseSipMessage(reencoded);
  if (!parsed.ok || parsed.value.kind !== 'request') return;
  const req = parsed.value;
  const toTag = tagOf(getHeader(req, 'to'));
  const peer = { proto: pkt.proto, addr: pkt.srcAddr, port: pkt.srcPort };
  const dialog = toTag === undefined ? undefined : ctx.dialogs.matchIncoming(callId, tagOf(from), toTag) ?? earlyDialogForNotify(ctx, req);
  const routed = (): AdminConnection | undefined => [...ctx.conns].find((c) => c.authenticated && !c.closed && c.routes.has(req.method.toLowerCase()));
  // In a dialog: its owner while connected, else an app routing the method (see Dialog.conn).
  const conn = dialog && !dialog.conn.closed ? dialog.conn : routed();
  if (dialog && conn && conn !== dialog.conn) {
    ctx.log(`network: the app that owned dialog ${dialog.id} has gone; ${req.method} goes to another app`);
    dialog.conn = conn;
  }
  const t: ServerTxn = {
    txnId: newTxnId(), key, request: req, peer, toTag: toTag ?? newTag(), hadToTag: toTag !== undefined,
    dialogId: dialog?.id ?? '', finalResponse: undefined, ...(conn && !conn.closed ? { dispatchedTo: conn } : {}),
  };
  if (toTag !== undefined && !dialog) {
    ctx.serverTxns.add(t, false);
    answerLocally(ctx, t, 481, 'Call/Transaction Does Not Exist'); // RFC 3261 §12.2.2
    return;
  }
  if (!conn || conn.closed) {
    // Q12: "No connected clients found to handle incoming <method> request" → 503, nothing to the app.
    ctx.log(`network: no providers available for ${req.method}`);
    ctx.serverTxns.add(t, false);
    answerLocally(ctx, t, 503, 'Service Unavailable');
    return;
  }
  ctx.serverTxns.add(t, true);
  if (dialog && req.method === 'SUBSCRIBE') refreshTarget(dialog, req);
  const meta = {
    bytes: original.raw.length, proto: pkt.proto, addr: pkt.srcAddr, port: pkt.srcPort,
    time: drachtioTimeNow(), txnId: t.txnId, dialogId: t.dialogId,
  };
  // Q8: in-dialog requests carry no receivedOn tokens.
  conn.send(networkRequestFrame(meta, dialog ? undefined : { addr: ctx.host, port: ctx.sipPort }, reencoded));
  if (dialog && conn.heldForDialog === dialog.id) conn.release(); // Q2: 2xx + NOTIFY leave together
  if (dialog) maybeTerminatedNotify(ctx, dialog, t);
}

/**
 * Q6: a NOTIFY with `Subscription-State: terminated` in a UAC SUBSCRIBE dialog is passed to
 * the app, and at the same moment drachtio clears the dialog and its pending incoming
 * transactions, which answers 500 on the network; the app's later answer gets NOK.
 */
function maybeTerminatedNotify(ctx: DoubleContext, d: Dialog, t: ServerTxn): void {
  if (d.type !== 'uac' || t.request.method !== 'NOTIFY') return;
  if (!/terminated/i.test(getHeader(t.request, 'subscription-state') ?? '')) return;
  ctx.dialogs.remove(d.id);
  ctx.serverTxns.forgetId(t);
  answerLocally(ctx, t, 500, 'Internal Server Error');
}

/** `sip|<txnId>|` + a response from the app (PROTOCOL-NOTES §2; S1 #6 → #7). */
export function handleAppResponse(ctx: DoubleContext, conn: AdminConnection, frame: AppFrame, status: number, reason: string, appHeaders: readonly SipHeader[], body: Buffer): void {
  const t = ctx.serverTxns.byTxnId(frame.tokens[2] ?? '');
  if (!t || t.finalResponse) {
    conn.send(nokFrame(frame.msgId, 'Response not sent due to unknown transaction'));
    return;
  }
  const extra = appHeaders.filter((h) => !FROM_TRANSACTION.has(normalizeName(h.name)));
  let dialogId = t.dialogId;
  const createsDialog = status >= 200 && status < 300 && t.request.method === 'SUBSCRIBE' && !t.hadToTag;
  if (status >= 200 && status < 300 && t.request.method === 'SUBSCRIBE' && !extra.some((h) => normalizeName(h.name) === 'contact')) {
    extra.push({ name: 'Contact', value: localContact(ctx, t.peer.proto) });
  }
  if (createsDialog) {
    const d = uasDialog(t.request, t.toTag, conn);
    if (d) { ctx.dialogs.add(d); dialogId = d.id; }
  }
  const res = buildResponse(t, status, reason, extra, body);
  if (status >= 200) ctx.serverTxns.complete(t, res, lingerMs(ctx, t));
  sendToPeer(ctx, t.peer, res).then(
    () => conn.send(responseEchoFrame(frame.msgId, {
      bytes: res.length, addr: t.peer.addr, port: t.peer.port, time: drachtioTimeNow(), txnId: t.txnId, dialogId,
    }, res)),
    () => conn.send(nokFrame(frame.msgId, 'Failed to send response')),
  );
}

/**
 * The app a request was passed to has disconnected before answering it (issue #11: the
 * drachtio admin connection dropped mid-burst). Every such server transaction is answered
 * `503 Service Unavailable` at once, so no UAC is left to retransmit into silence until
 * its Timer F.
 *
 * Source, and what is NOT known: the golden traces (../shared/drachtio-traces) capture no
 * app dropping with a request pending, and PROTOCOL-NOTES.md says nothing about it.
 * drachtio-server's ClientController::leave (src/client-controller.cpp) only removes the
 * client; it does not itself answer the transactions routed to it, so what the real server
 * finally sends comes from elsewhere in its code or from the sofia stack and is unverified
 * here. The double answers what drachtio answers when no connected client can take a
 * request (Q12 / S5: 503, "No connected clients found"), which is also the status a UAC
 * may retry on (RFC 3261 §21.5.4); never a 408, which RFC 4320 §4.1 rules out for a
 * non-INVITE. Returns how many were answered (DoubleHooks.counters().answeredForGoneApp).
 */
export function answerRequestsOfGoneApp(ctx: DoubleContext, conn: AdminConnection): number {
  const orphans = ctx.serverTxns.unansweredFor(conn);
  for (const t of orphans) {
    ctx.log(`network: the app that was passed ${t.request.method} ${t.txnId} has disconnected; answering 503`);
    answerLocally(ctx, t, 503, 'Service Unavailable');
  }
  return orphans.length;
}

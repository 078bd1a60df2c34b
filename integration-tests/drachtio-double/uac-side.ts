/**
 * Requests the app sends (`sip||` and `sip||<dialogId>`) and the network's responses to them
 * (PROTOCOL-NOTES §2, §3.1, §3.2, §4 S2/S3/S4).
 */
import type { AdminConnection } from './admin-connection';
import { drachtioTimeNow } from './clock';
import { localContact, localVia, peerForUri, sendToPeer, type DoubleContext } from './double-context';
import { refreshTarget, uacDialog, type Dialog } from './dialogs';
import { earlyDialogOf, trackSubscribe, untrackSubscribe } from './early-notify';
import { networkResponseFrame, nokFrame, requestEchoFrame, type AppFrame } from './frames';
import { initialCseq, newBranch, newCallId, newTag, newTxnId } from './ids';
import { getHeader, getHeaderList, normalizeName, parseSipMessage, serializeSip, type SipHeader, type SipRequest, type SipResponse } from './sip-message';
import { sofiaOrder } from './sofia-encoding';
import { formatNameAddr, paramOf, parseCSeq, parseNameAddr, parseSipUri, parseVia } from './sip-syntax';
import type { InboundSip } from './sip-transport-udp';
import type { ClientTxn } from './transactions';

/** Methods on which drachtio adds its Contact (S4 #4: SUBSCRIBE; S3 #9: not on NOTIFY). */
const ADDS_CONTACT = new Set(['SUBSCRIBE', 'INVITE', 'REFER', 'REGISTER']);
/** Headers drachtio sets itself; in a dialog it also owns From/To/Call-ID/CSeq/Route. */
const ALWAYS_OURS = new Set(['via', 'content-length']);
const DIALOG_OURS = new Set(['from', 'to', 'call-id', 'cseq', 'route']);

interface Built {
  readonly uri: string;
  readonly headers: SipHeader[];
}

function buildNew(ctx: DoubleContext, app: SipRequest): Built {
  const h = (n: string): string | undefined => getHeader(app, n);
  const from = h('from') ?? `<sip:${ctx.host}:${ctx.sipPort}>`;
  const cseq = parseCSeq(h('cseq'));
  return {
    uri: app.uri,
    headers: [
      { name: 'Max-Forwards', value: h('max-forwards') ?? '70' },
      { name: 'From', value: formatNameAddr(parseNameAddr(from), newTag()) },
      { name: 'To', value: h('to') ?? `<${app.uri}>` },
      { name: 'Call-ID', value: h('call-id') ?? newCallId() },
      { name: 'CSeq', value: `${cseq?.seq ?? initialCseq(Date.now())} ${app.method}` },
    ],
  };
}

function buildInDialog(d: Dialog, app: SipRequest): Built {
  d.localCseq += 1;
  return {
    uri: d.remoteTarget,
    headers: [
      ...d.routeSet.map((r) => ({ name: 'Route', value: r })),
      { name: 'Max-Forwards', value: getHeader(app, 'max-forwards') ?? '70' },
      { name: 'From', value: `${d.localUri};tag=${d.localTag}` },
      { name: 'To', value: `${d.remoteUri};tag=${d.remoteTag}` },
      { name: 'Call-ID', value: d.callId },
      { name: 'CSeq', value: `${d.localCseq} ${app.method}` },
    ],
  };
}

/** Where to send: an explicit proxy, else the first loose-routing Route, else the Request-URI. */
function nextHop(built: Built, d: Dialog | undefined, proxy: string | undefined): string {
  if (proxy) return proxy.startsWith('sip') ? proxy : `sip:${proxy}`;
  const route = d?.routeSet[0];
  if (route !== undefined) {
    const uri = parseNameAddr(route).uri;
    if (parseSipUri(uri)?.params.has('lr')) return uri;
  }
  return built.uri;
}

export async function handleAppRequest(ctx: DoubleContext, conn: AdminConnection, frame: AppFrame, app: SipRequest): Promise<void> {
  const dialogId = frame.tokens[3] ?? '';
  const d = dialogId === '' ? undefined : ctx.dialogs.get(dialogId);
  if (dialogId !== '' && !d) {
    conn.send(nokFrame(frame.msgId, `unable to find dialog for dialog id: ${dialogId}`));
    return;
  }
  if (app.method === 'CANCEL' || app.method === 'ACK' || (frame.tokens[2] ?? '') !== '') {
    conn.send(nokFrame(frame.msgId, `drachtio double does not support ${app.method} for an existing transaction`));
    return;
  }
  const built = d ? buildInDialog(d, app) : buildNew(ctx, app);
  const peer = await peerForUri(nextHop(built, d, frame.tokens[4] || undefined));
  if (!peer) {
    conn.send(nokFrame(frame.msgId, `cannot resolve a destination for ${built.uri}`));
    return;
  }
  const branch = newBranch();
  const own = (n: string): boolean => ALWAYS_OURS.has(n) || (d !== undefined && DIALOG_OURS.has(n)) || built.headers.some((b) => normalizeName(b.name) === n);
  const appHeaders = app.headers.filter((x) => !own(normalizeName(x.name)));
  if (ADDS_CONTACT.has(app.method) && !appHeaders.some((x) => normalizeName(x.name) === 'contact')) {
    appHeaders.push({ name: 'Contact', value: localContact(ctx, peer.proto) });
  }
  const headers = sofiaOrder([
    { name: 'Via', value: localVia(ctx, peer.proto, branch) },
    ...built.headers,
    ...appHeaders,
    { name: 'Content-Length', value: String(app.body.length) },
  ]);
  const wire = serializeSip(`${app.method} ${built.uri} SIP/2.0`, headers, app.body);
  const parsed = parseSipMessage(wire);
  if (!parsed.ok || parsed.value.kind !== 'request') {
    conn.send(nokFrame(frame.msgId, 'could not build the request'));
    return;
  }
  const t: ClientTxn = {
    txnId: newTxnId(), branch, method: app.method, request: wire, parsed: parsed.value, peer, conn,
    dialogId: d?.id ?? '', gotProvisional: false, done: false,
  };
  // A request counts against overloadAt from here, not only once its transaction starts:
  // the app's requests arrive in batches (one TCP read), and all of a batch would otherwise
  // pass the check before the first of them reaches clientTxns.
  if (ctx.overloadAt !== undefined && ctx.clientTxns.pending + ctx.counters.sending >= ctx.overloadAt) {
    overloaded(ctx, conn, frame, t);
    return;
  }
  trackSubscribe(ctx, t); // RFC 6665 §4.1.2.4: its NOTIFY may come before its 2xx (early-notify.ts)
  ctx.counters.sending += 1;
  try {
    await sendToPeer(ctx, peer, wire);
  } catch {
    ctx.counters.sending -= 1;
    untrackSubscribe(ctx, t);
    conn.send(nokFrame(frame.msgId, `failed to send request to ${peer.proto}/${peer.addr}:${peer.port}`));
    return;
  }
  ctx.counters.sending -= 1;
  ctx.counters.sentToNetwork += 1;
  conn.holdFor(ctx.coalesceWindowMs); // Q1: the echo waits for a quick answer
  // Request echo: UDP shows our own address, TCP the remote one (PROTOCOL-NOTES §3.1 notes).
  const shown = peer.proto === 'udp' ? { addr: ctx.host, port: ctx.sipPort } : { addr: peer.addr, port: peer.port };
  conn.send(requestEchoFrame(frame.msgId, { bytes: wire.length, proto: peer.proto, ...shown, time: drachtioTimeNow(), txnId: t.txnId }, wire));
  ctx.clientTxns.start(t, ctx.timerFMs, () => void sendToPeer(ctx, peer, wire).catch(() => undefined), () => onTimeout(ctx, t));
}

/**
 * drachtio-server past its capacity (issue #13 evidence, xmpp-to-sip-3000-per-s): the request
 * is echoed but never leaves; the stack answers `503 Service Unavailable` itself (bytes 0, no
 * address, port 0, a To-tag, no Retry-After unless configured).
 */
function overloaded(ctx: DoubleContext, conn: AdminConnection, frame: AppFrame, t: ClientTxn): void {
  ctx.counters.overload503 += 1;
  conn.send(requestEchoFrame(frame.msgId, { bytes: t.request.length, proto: t.peer.proto, addr: ctx.host, port: ctx.sipPort, time: drachtioTimeNow(), txnId: t.txnId }, t.request));
  conn.send(networkResponseFrame({ bytes: 0, proto: t.peer.proto, addr: '', port: 0, time: drachtioTimeNow(), txnId: t.txnId, dialogId: t.dialogId },
    stackResponse(t, '503 Service Unavailable', ctx.overloadRetryAfter)));
}

function stackResponse(t: ClientTxn, status: string, retryAfter?: number): Buffer {
  const r = t.parsed;
  const to = getHeader(r, 'to') ?? '';
  const headers: SipHeader[] = [
    ...getHeaderList(r, 'via').map((v) => ({ name: 'Via', value: v })),
    { name: 'From', value: getHeader(r, 'from') ?? '' },
    { name: 'To', value: formatNameAddr(parseNameAddr(to), newTag()) },
    { name: 'Call-ID', value: getHeader(r, 'call-id') ?? '' },
    { name: 'CSeq', value: getHeader(r, 'cseq') ?? '' },
    ...(retryAfter !== undefined ? [{ name: 'Retry-After', value: String(retryAfter) }] : []),
    { name: 'Content-Length', value: '0' },
  ];
  return serializeSip(`SIP/2.0 ${status}`, headers, Buffer.alloc(0));
}

/** Timer F: the stack's own 408 (S2 noanswer #5): bytes 0, no address, port 0, a To-tag. */
function onTimeout(ctx: DoubleContext, t: ClientTxn): void {
  const res = stackResponse(t, '408 Request Timeout');
  untrackSubscribe(ctx, t);
  endUasDialogIfOver(ctx, t, 408);
  t.conn.send(networkResponseFrame({ bytes: 0, proto: t.peer.proto, addr: '', port: 0, time: drachtioTimeNow(), txnId: t.txnId, dialogId: t.dialogId }, res));
}

/** A UAS subscription ends with the final response to our terminating NOTIFY (RFC 6665 §4.2.2). */
function endUasDialogIfOver(ctx: DoubleContext, t: ClientTxn, status: number): void {
  const d = t.dialogId === '' ? undefined : ctx.dialogs.get(t.dialogId);
  if (!d) return;
  const terminatedNotify = t.method === 'NOTIFY' && /terminated/i.test(getHeader(t.parsed, 'subscription-state') ?? '');
  if ((d.type === 'uas' && terminatedNotify) || status === 481 || status === 408) ctx.dialogs.remove(d.id);
}

export function handleNetworkResponse(ctx: DoubleContext, pkt: InboundSip, res: SipResponse): void {
  const top = getHeaderList(res, 'via')[0];
  const via = top === undefined ? undefined : parseVia(top);
  const branch = via ? paramOf(via.params, 'branch') : undefined;
  const t = branch === undefined ? undefined : ctx.clientTxns.find(branch);
  const cseq = parseCSeq(getHeader(res, 'cseq'));
  if (!t || !cseq || cseq.method !== t.method) {
    ctx.log(`network: dropping stray response ${res.status} from ${pkt.srcAddr}:${pkt.srcPort}`);
    return;
  }
  if (t.done) return; // a retransmitted final response is absorbed by the stack
  const final = res.status >= 200;
  let dialogId = t.dialogId;
  const ok2xx = res.status >= 200 && res.status < 300;
  if (ok2xx && t.method === 'SUBSCRIBE' && dialogId === '') {
    const early = earlyDialogOf(ctx, t); // a NOTIFY came first and made the dialog
    const d = early ?? uacDialog(t.parsed, res, cseq.seq, t.conn);
    if (early) refreshTarget(early, res);
    else if (d) ctx.dialogs.add(d);
    if (d) dialogId = d.id;
  } else if (ok2xx && t.method === 'SUBSCRIBE') {
    const d = ctx.dialogs.get(dialogId);
    if (d) refreshTarget(d, res);
  }
  if (final) {
    untrackSubscribe(ctx, t);
    ctx.clientTxns.finish(t);
    endUasDialogIfOver(ctx, t, res.status);
  } else t.gotProvisional = true;
  const frame = networkResponseFrame({
    bytes: res.raw.length, proto: pkt.proto, addr: pkt.srcAddr, port: pkt.srcPort, time: drachtioTimeNow(), txnId: t.txnId, dialogId,
  }, res.raw);
  t.conn.send(frame);
  if (!final) return;
  // Q2: after a 2xx to SUBSCRIBE the notifier's first NOTIFY follows at once; keep holding so
  // both leave in one write (s4_…_promise_lost_notify). Otherwise flush echo + answer now (Q1).
  if (ok2xx && t.method === 'SUBSCRIBE' && dialogId !== '') t.conn.holdFor(ctx.coalesceWindowMs, dialogId);
  else t.conn.release();
}

/**
 * Builders for every server → app frame layout and the parser for app → server frames
 * (PROTOCOL-NOTES §2, §3). Token indexes in comments count from 0 with the msgId as [0].
 * Every server frame gets a fresh uuid v4 msgId.
 */
import { newMsgId } from './ids';

const CRLF = '\r\n';
const withSip = (leader: string, sip: Buffer): string => `${leader}${CRLF}${sip.toString('utf8')}`;

/** [1]response [2]appMsgId [3]OK [4]hostports [5]version [6]localHostports */
export const authOkFrame = (appMsgId: string, hostports: string, version: string): string =>
  `${newMsgId()}|response|${appMsgId}|OK|${hostports}|${version}|${hostports}`;

/** [3]NO [4]incorrect secret — the server then closes the connection (S0 auth #2). */
export const authNoFrame = (appMsgId: string): string => `${newMsgId()}|response|${appMsgId}|NO|incorrect secret`;

/** route / remove_route: 4 tokens. */
export const okFrame = (appMsgId: string): string => `${newMsgId()}|response|${appMsgId}|OK`;

export const pongFrame = (appMsgId: string): string => `${newMsgId()}|response|${appMsgId}|OK|pong`;

/** [3]NOK [4]reason (S4 #20). */
export const nokFrame = (appMsgId: string, reason: string): string => `${newMsgId()}|response|${appMsgId}|NOK|${reason}`;

export interface NetworkMeta {
  readonly bytes: number;
  readonly proto: 'udp' | 'tcp';
  readonly addr: string;
  readonly port: number;
  readonly time: string;
  readonly txnId: string;
  readonly dialogId: string;
}

/**
 * Request from the network. Out of dialog: 13 tokens with [10]recvAddr [11]recvPort (S1 #5).
 * In a dialog: 11 tokens, no receivedOn (quirk Q8, S3 #11).
 */
export function networkRequestFrame(m: NetworkMeta, recv: { addr: string; port: number } | undefined, sip: Buffer): string {
  const head = `${newMsgId()}|sip|network|${m.bytes}|${m.proto}|${m.addr}|${m.port}|${m.time}|${m.txnId}|${m.dialogId}|`;
  return withSip(recv ? `${head}${recv.addr}|${recv.port}|` : head, sip);
}

/** Response to an app request (11 tokens; S2 #5, S4 #5) and the stack's 408 (bytes 0, no address). */
export function networkResponseFrame(m: NetworkMeta, sip: Buffer): string {
  return withSip(`${newMsgId()}|sip|network|${m.bytes}|${m.proto}|${m.addr}|${m.port}|${m.time}|${m.txnId}|${m.dialogId}|`, sip);
}

/** Echo of an app RESPONSE: 15 tokens, [6] empty, [11] dialogId, [13] "Msg sent:" (S1 #7, S3 #7). */
export function responseEchoFrame(appMsgId: string, m: Omit<NetworkMeta, 'proto'>, sip: Buffer): string {
  return withSip(
    `${newMsgId()}|response|${appMsgId}|OK|application|${m.bytes}||${m.addr}|${m.port}|${m.time}|${m.txnId}|${m.dialogId}||Msg sent:|`,
    sip,
  );
}

/** Echo of an app REQUEST: 13 tokens, [10] the new txnId, [11] "Msg sent:" (S2 #4; quirk Q9). */
export function requestEchoFrame(appMsgId: string, m: Omit<NetworkMeta, 'dialogId'>, sip: Buffer): string {
  return withSip(`${newMsgId()}|response|${appMsgId}|OK|application|${m.bytes}|${m.proto}|${m.addr}|${m.port}|${m.time}|${m.txnId}|Msg sent:|`, sip);
}

export interface AppFrame {
  readonly msgId: string;
  readonly type: string;
  /** All `|`-separated tokens of the part before the first CRLF. */
  readonly tokens: readonly string[];
  /** The SIP message after the first CRLF, as bytes. */
  readonly sip: Buffer | undefined;
}

export function parseAppFrame(payload: string): AppFrame {
  const pos = payload.indexOf(CRLF);
  const leader = pos === -1 ? payload : payload.slice(0, pos);
  const tokens = leader.split('|');
  return {
    msgId: tokens[0] ?? '',
    type: tokens[1] ?? '',
    tokens,
    sip: pos === -1 ? undefined : Buffer.from(payload.slice(pos + 2), 'utf8'),
  };
}

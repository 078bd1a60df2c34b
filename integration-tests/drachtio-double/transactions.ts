/**
 * Non-INVITE transactions (RFC 3261 §17.1.2, §17.2.2) as drachtio's sofia stack runs them.
 *
 * Server side: matched by top-Via branch + sent-by + method (§17.2.3). A retransmitted
 * request is absorbed before the final response (Q11) and answered with the same final
 * response after it (§17.2.2, "Completed" state), for Timer J = 64*T1 over UDP.
 *
 * Client side: matched by branch (§17.1.3). Over UDP the request is retransmitted on the
 * schedule the noanswer trace shows — 1 s, 2 s, then every 4 s (10 sends in 32 s) — and
 * after a provisional response every T2 = 4 s. Timer F (timerFMs) ends it with a 408.
 */
import type { AdminConnection } from './admin-connection';
import type { SipRequest } from './sip-message';

export interface Peer {
  readonly proto: 'udp' | 'tcp';
  readonly addr: string;
  readonly port: number;
}

export interface ServerTxn {
  readonly txnId: string;
  readonly key: string;
  /** The request as sofia re-encoded it (top Via with received/rport). */
  readonly request: SipRequest;
  readonly peer: Peer;
  /** To-tag for our responses: the request's own, or a new one (§8.2.6.2). */
  readonly toTag: string;
  readonly hadToTag: boolean;
  readonly dialogId: string;
  finalResponse: Buffer | undefined;
  /** The app connection the request was passed to (undefined: answered by the stack itself). */
  readonly dispatchedTo?: AdminConnection;
}

export class ServerTxnStore {
  private readonly byId = new Map<string, ServerTxn>();
  private readonly byKey = new Map<string, ServerTxn>();
  private readonly timers = new Set<NodeJS.Timeout>();

  add(t: ServerTxn, dispatchable: boolean): void {
    this.byKey.set(t.key, t);
    if (dispatchable) this.byId.set(t.txnId, t);
  }
  byTxnId(id: string): ServerTxn | undefined {
    return this.byId.get(id);
  }
  byMatchKey(key: string): ServerTxn | undefined {
    return this.byKey.get(key);
  }
  /** Requests passed to `conn` that it has not answered yet. */
  unansweredFor(conn: AdminConnection): ServerTxn[] {
    return [...this.byId.values()].filter((t) => t.dispatchedTo === conn && t.finalResponse === undefined);
  }
  /** The app can no longer answer it (Q6: drachtio cleared it). */
  forgetId(t: ServerTxn): void {
    this.byId.delete(t.txnId);
  }
  /** Final response sent: keep absorbing retransmissions for `lingerMs` (Timer J). */
  complete(t: ServerTxn, response: Buffer, lingerMs: number): void {
    t.finalResponse = response;
    this.byId.delete(t.txnId);
    const timer = setTimeout(() => { this.timers.delete(timer); this.byKey.delete(t.key); }, lingerMs);
    this.timers.add(timer);
  }
  clear(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.byId.clear();
    this.byKey.clear();
  }
}

export interface ClientTxn {
  readonly txnId: string;
  readonly branch: string;
  readonly method: string;
  readonly request: Buffer;
  readonly parsed: SipRequest;
  readonly peer: Peer;
  readonly conn: AdminConnection;
  /** '' for a request outside any dialog. */
  readonly dialogId: string;
  gotProvisional: boolean;
  done: boolean;
  retransmitTimer?: NodeJS.Timeout;
  timerF?: NodeJS.Timeout;
}

const FIRST_RETRANSMIT_MS = 1000; // observed in s2_outbound_message_noanswer_udp
const T2_MS = 4000;
const T4_MS = 5000;

export class ClientTxnStore {
  private readonly byBranch = new Map<string, ClientTxn>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private live = 0;

  /** Requests sent to the network and not finally answered yet. */
  get pending(): number {
    return this.live;
  }

  start(t: ClientTxn, timerFMs: number, retransmit: () => void, onTimeout: () => void): void {
    this.byBranch.set(t.branch, t);
    this.live += 1;
    if (t.peer.proto === 'udp') {
      const schedule = (interval: number): void => {
        t.retransmitTimer = setTimeout(() => {
          if (t.done) return;
          retransmit();
          schedule(t.gotProvisional ? T2_MS : Math.min(interval * 2, T2_MS));
        }, t.gotProvisional ? T2_MS : interval);
      };
      schedule(FIRST_RETRANSMIT_MS);
    }
    t.timerF = setTimeout(() => {
      if (t.done) return;
      this.finish(t);
      onTimeout();
    }, timerFMs);
  }

  find(branch: string): ClientTxn | undefined {
    return this.byBranch.get(branch);
  }

  /** Final response or timeout: stop timers; absorb retransmitted responses for T4 (Timer K). */
  finish(t: ClientTxn): void {
    if (!t.done) this.live -= 1;
    t.done = true;
    if (t.retransmitTimer) clearTimeout(t.retransmitTimer);
    if (t.timerF) clearTimeout(t.timerF);
    const k = setTimeout(() => { this.timers.delete(k); this.byBranch.delete(t.branch); }, t.peer.proto === 'udp' ? T4_MS : 0);
    this.timers.add(k);
  }

  clear(): void {
    for (const t of this.byBranch.values()) {
      if (t.retransmitTimer) clearTimeout(t.retransmitTimer);
      if (t.timerF) clearTimeout(t.timerF);
    }
    for (const k of this.timers) clearTimeout(k);
    this.timers.clear();
    this.byBranch.clear();
  }
}

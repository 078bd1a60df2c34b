/**
 * Real ejabberd and Prosody lab peers with one logged-in client account each
 * (alice@ejabberd.test, carol@prosody.test), for one describe block.
 */
import type { Element } from '@xmpp/xml';
import tls from 'node:tls';
import type { LabPki } from '../harness/lab-ca';
import { startEjabberd } from '../harness/ejabberd';
import { startProsody } from '../harness/prosody';
import { connectClient, type LabClient } from '../harness/xmpp-client';
import '../harness/xmpp-client-utf8'; // before any client exists: see the file for the xmpp.js bug it works around
import { LAB_ADDRESSES, LAB_DOMAINS, type PeerHandle, type PeerMode, type RunResult } from '../harness/xmpp-peers';

export type PeerKind = 'ejabberd' | 'prosody';
export const PEER_KINDS: readonly PeerKind[] = ['ejabberd', 'prosody'];

export interface LabPeer {
  readonly kind: PeerKind;
  readonly domain: string;
  readonly handle: PeerHandle;
  readonly user: string;
  /** The logged-in client (replaced by reconnect()). */
  client: LabClient;
  /** Logs a fresh client in (after a peer restart); stops the old one first. */
  reconnect(): Promise<LabClient>;
}

const USERS: Record<PeerKind, { user: string; password: string }> = {
  ejabberd: { user: 'alice', password: 'alice-pw' },
  prosody: { user: 'carol', password: 'carol-pw' },
};

export interface StartPeerOptions {
  readonly kind: PeerKind;
  readonly mode: PeerMode;
  readonly pki: LabPki;
  readonly address?: string;
  readonly s2sPort?: number;
  /**
   * The peer's certificate deliberately names another domain (it is used for
   * c2s too): let the test client log in anyway. The harness client cannot
   * take a checkServerIdentity option, so Node's default check is replaced
   * for the duration of the login only.
   */
  readonly clientSkipsNameCheck?: boolean;
}

const originalCheck = tls.checkServerIdentity;
let skipping = 0; // logins may overlap (peers start in parallel): restore only when the last one ends

async function withoutServerNameCheck<T>(f: () => Promise<T>): Promise<T> {
  if (skipping++ === 0) tls.checkServerIdentity = () => undefined;
  try {
    return await f();
  } finally {
    if (--skipping === 0) tls.checkServerIdentity = originalCheck;
  }
}

export async function startLabPeer(o: StartPeerOptions): Promise<LabPeer> {
  const domain = LAB_DOMAINS[o.kind];
  const u = USERS[o.kind];
  const opts = {
    domain, address: o.address ?? LAB_ADDRESSES[o.kind], mode: o.mode, pki: o.pki, users: [u],
    ...(o.s2sPort !== undefined ? { s2sPort: o.s2sPort } : {}),
  };
  const handle: PeerHandle & { ctl(args: readonly string[]): Promise<RunResult> } =
    o.kind === 'ejabberd' ? await startEjabberd(opts) : await startProsody(opts);
  const login = async (): Promise<LabClient> => {
    const connect = () => connectClient({ service: handle.c2sService, caPem: handle.caPem, domain, username: u.user, password: u.password });
    const c = o.clientSkipsNameCheck ? await withoutServerNameCheck(connect) : await connect();
    // Prosody forwards `subscribed` only to sessions that fetched the roster; presence makes the resource available.
    await c.fetchRoster();
    await c.sendPresence();
    return c;
  };
  const peer: LabPeer = {
    kind: o.kind, domain, handle, user: u.user,
    client: await login(),
    async reconnect() {
      await peer.client.stop();
      try {
        peer.client = await login();
      } catch (e) {
        // ejabberd keeps accounts in mnesia; a SIGKILL (handle.kill()) soon after `register` can lose the
        // account. Register it again (idempotent for Prosody's files) and log in once more.
        if (!/not-authorized/.test((e as Error).message)) throw e;
        console.log(`[s2s-interop] ${u.user}@${domain} lost after the kill; registering again`);
        await handle.ctl(['register', u.user, domain, u.password]);
        peer.client = await login();
      }
      return peer.client;
    },
  };
  return peer;
}

/**
 * Starts peers in parallel and waits for ALL of them to settle before failing:
 * stopping an ejabberd whose start is still running can leave its BEAM behind
 * (the harness learns the BEAM pid only once the ports are up).
 */
export async function startAllSettled(opts: readonly StartPeerOptions[]): Promise<LabPeer[]> {
  const results = await Promise.allSettled(opts.map((o) => startLabPeer(o)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<LabPeer>).value);
}

export async function startLabPeers(mode: PeerMode, pki: LabPki, s2sPorts: Partial<Record<PeerKind, number>> = {}): Promise<Record<PeerKind, LabPeer>> {
  const [ejabberd, prosody] = await startAllSettled(PEER_KINDS.map((kind) =>
    ({ kind, mode, pki, ...(s2sPorts[kind] !== undefined ? { s2sPort: s2sPorts[kind] } : {}) })));
  return { ejabberd: ejabberd as LabPeer, prosody: prosody as LabPeer };
}

export async function stopClients(peers: Iterable<LabPeer | undefined>): Promise<void> {
  await Promise.allSettled([...peers].map((p) => p?.client.stop()));
}

/** Client-side predicates (ltx elements from @xmpp/client). */
export const withId = (id: string) => (e: Element): boolean => e.attrs.id === id;
export const bareOf = (jid: unknown): string => String(jid ?? '').split('/')[0] ?? '';

/**
 * A test XMPP client (@xmpp/client 0.14) for the lab peers.
 *
 * TLS choice: the peers expose c2s as direct TLS (`xmpps://addr:5223`,
 * XEP-0368 style) and the client trusts the lab CA explicitly (`caPem`,
 * passed to tls.connect together with servername = domain). @xmpp/client's
 * STARTTLS path cannot take a CA (it calls tls.connect({socket, host}) only)
 * and NODE_EXTRA_CA_CERTS is read once at process start, so STARTTLS with the
 * lab CA is not possible in-process; `xmpp://` therefore only works against a
 * server that offers no STARTTLS.
 *
 * @xmpp/* is ESM-only: jest compiles it to CommonJS (jest.config.js
 * transformIgnorePatterns), Node 20.19+ loads it via require(esm). It ships no
 * types, hence the small local interface below.
 */
import xml, { type Element } from '@xmpp/xml';
import { randomUUID } from 'node:crypto';
import './xmpp-client-utf8'; // xmpp.js decodes each read on its own; see the file

export interface ClientOptions {
  /** `xmpps://127.0.30.x:port` (peer.c2sService) or `xmpp://…` for a server without STARTTLS. */
  readonly service: string;
  readonly domain: string;
  readonly username: string;
  readonly password: string;
  readonly resource?: string;
  /** CA to trust for xmpps:// (peer.caPem). */
  readonly caPem?: string;
  /** Bound on connect+auth+bind (default 15 s). */
  readonly timeoutMs?: number;
}

export interface LabClient {
  /** Full JID bound by the server. */
  readonly jid: string;
  readonly bareJid: string;
  /** Every stanza received so far, in order. */
  readonly received: readonly Element[];
  send(stanza: Element): Promise<void>;
  /** RFC 6121 §2.1.3 roster get. Prosody forwards `subscribed` only to sessions that fetched the roster. */
  fetchRoster(): Promise<Element>;
  sendPresence(attrs?: Readonly<Record<string, string>>, ...children: Element[]): Promise<void>;
  /** Sends <message type='chat' by default>; returns its id. */
  sendMessage(to: string, body: string, extra?: MessageExtra): Promise<string>;
  /**
   * First stanza matching `predicate` that no earlier waitForStanza returned,
   * looking at already-received stanzas first; rejects after timeoutMs with
   * a summary of what did arrive.
   */
  waitForStanza(predicate: (stanza: Element) => boolean, timeoutMs?: number): Promise<Element>;
  /** Closes the stream and socket (bounded); idempotent. */
  stop(): Promise<void>;
}

export interface MessageExtra {
  readonly type?: string;
  readonly id?: string;
  readonly attrs?: Readonly<Record<string, string>>;
  readonly children?: readonly Element[];
}

interface XmppEntity {
  status: string;
  on(event: 'stanza', cb: (el: Element) => void): void;
  on(event: 'error', cb: (err: Error) => void): void;
  on(event: 'online', cb: (jid: { toString(): string; bare(): { toString(): string } }) => void): void;
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
  send(el: Element): Promise<void>;
  socketParameters(service: string): Record<string, unknown> | undefined;
  iqCaller: { request(el: Element, timeout?: number): Promise<Element> };
  reconnect: { stop(): void };
}
type ClientFactory = (o: Record<string, unknown>) => XmppEntity;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { client: createClient } = require('@xmpp/client') as { client: ClientFactory };

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_r, reject) => { timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms); });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export async function connectClient(opts: ClientOptions): Promise<LabClient> {
  const entity = createClient({
    service: opts.service, domain: opts.domain, username: opts.username, password: opts.password,
    resource: opts.resource ?? `lab-${randomUUID().slice(0, 8)}`, timeout: 5000,
  });
  // Tests decide when to reconnect; a silent background reconnect would hide a peer restart.
  entity.reconnect.stop();
  if (opts.caPem) {
    const base = entity.socketParameters.bind(entity);
    entity.socketParameters = (service: string) => {
      const p = base(service);
      return p && { ...p, ca: opts.caPem, servername: opts.domain };
    };
  }
  const received: Element[] = [];
  const returned = new Set<Element>();
  const waiters = new Set<() => void>();
  const errors: Error[] = [];
  entity.on('stanza', (el) => {
    received.push(el);
    for (const w of [...waiters]) w();
  });
  entity.on('error', (e) => { errors.push(e); });
  let jid = '';
  let bareJid = '';
  entity.on('online', (j) => { jid = j.toString(); bareJid = j.bare().toString(); });

  const timeoutMs = opts.timeoutMs ?? 15_000;
  try {
    await withTimeout(entity.start(), timeoutMs, `connect ${opts.username}@${opts.domain} via ${opts.service}`);
  } catch (e) {
    await withTimeout(entity.stop(), 2000, 'stop').catch(() => undefined);
    throw new Error(`${(e as Error).message}${errors.length ? ` (${errors.map((x) => x.message).join('; ')})` : ''}`);
  }

  let stopped = false;
  const lab: LabClient = {
    get jid() { return jid; },
    get bareJid() { return bareJid; },
    received,
    send: (stanza) => entity.send(stanza),
    fetchRoster: () => entity.iqCaller.request(xml('iq', { type: 'get' }, xml('query', { xmlns: 'jabber:iq:roster' })), 5000),
    sendPresence: (attrs = {}, ...children) => entity.send(xml('presence', attrs, ...children)),
    async sendMessage(to, body, extra = {}) {
      const id = extra.id ?? randomUUID();
      await entity.send(xml('message', { to, type: extra.type ?? 'chat', id, ...extra.attrs },
        xml('body', {}, body), ...(extra.children ?? [])));
      return id;
    },
    waitForStanza(predicate, ms = 10_000) {
      return new Promise<Element>((resolve, reject) => {
        const check = (): boolean => {
          const hit = received.find((el) => !returned.has(el) && predicate(el));
          if (!hit) return false;
          returned.add(hit);
          resolve(hit);
          return true;
        };
        if (check()) return;
        const waiter = (): void => { if (check()) done(); };
        const timer = setTimeout(() => {
          done();
          const seen = received.slice(-10).map((el) => el.toString().slice(0, 300)).join('\n  ');
          reject(new Error(`${jid}: no matching stanza within ${ms} ms; last received:\n  ${seen || '(nothing)'}`));
        }, ms);
        const done = (): void => { clearTimeout(timer); waiters.delete(waiter); };
        waiters.add(waiter);
      });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await withTimeout(entity.stop(), 5000, `stop ${jid}`).catch(() => undefined);
    },
  };
  return lab;
}

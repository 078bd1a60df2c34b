import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable, type Duplex } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import tls from 'node:tls';
import pino, { type Logger } from 'pino';
import type { PartnerPolicy } from '../policy/partner-policy';
import { DEFAULT_LIMITS, type S2SLimits, type SessionDeps, type TlsProvider } from '../session/session-options';
import { systemTimers } from '../stream/timers';

export const FIXTURES = path.join(__dirname, '..', '__fixtures__');
export const pem = (name: string): Buffer => readFileSync(path.join(FIXTURES, name));

/** A secure context for one of the fixture identities, trusting only the lab CA. */
export function contextFor(name: 'gw' | 'peer' | 'wrong' | 'rogue-peer', ca: Buffer[] = [pem('lab-ca.pem')]): tls.SecureContext {
  return tls.createSecureContext({ key: pem(`${name}.key`), cert: pem(`${name}.pem`), ca });
}

export const tlsFor = (map: Record<string, tls.SecureContext>): TlsProvider => ({ secureContext: (d) => map[d] });

export const POLICY_OPEN: PartnerPolicy = { tls: 'Optional', sasl: 'Optional', dialback: true, keepAlive: false, connectionLimit: 20 };
export const POLICY_PLAIN: PartnerPolicy = { tls: 'NotSupported', sasl: 'NotSupported', dialback: true, keepAlive: false, connectionLimit: 20 };

/** A pino logger whose lines are kept for assertions. */
export function memoryLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const dest = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: pino({ level: 'debug' }, dest), lines };
}

let idCounter = 0;
export type DepsOverride = Partial<Omit<SessionDeps, 'limits'>> & { limits?: Partial<S2SLimits> };
export function makeDeps(over: DepsOverride = {}): SessionDeps {
  const { limits, ...rest } = over;
  return {
    localDomains: new Set(['gw.test', 'gw2.test']),
    limits: { ...DEFAULT_LIMITS, closeTimeoutMs: 200, ...limits },
    policyFor: (d) => (d === 'refused.test' ? undefined : POLICY_PLAIN),
    tls: tlsFor({}),
    dialbackSecret: 'test-secret',
    newStreamId: () => `sid${++idCounter}`,
    logger: memoryLogger().logger,
    timers: systemTimers,
    ...rest,
  };
}

/** The peer's end of a duplex pair: collects what the session writes. */
export class Peer {
  text = '';
  ended = false;
  private waiters: Array<() => void> = [];

  constructor(public socket: Duplex) {
    this.listen(socket);
  }

  listen(s: Duplex): void {
    this.socket = s;
    const decoder = new StringDecoder('utf8');
    s.on('data', (d: Buffer) => {
      this.text += decoder.write(d);
      for (const w of this.waiters.splice(0)) w();
    });
    s.on('end', () => { this.ended = true; for (const w of this.waiters.splice(0)) w(); });
    s.on('close', () => { this.ended = true; for (const w of this.waiters.splice(0)) w(); });
    s.on('error', () => undefined);
  }

  send(s: string): void {
    this.socket.write(s);
  }

  /** Resolves when the collected output matches (bounded by a 2 s timeout). */
  async waitFor(re: RegExp, ms = 2000): Promise<string> {
    const deadline = Date.now() + ms;
    while (!re.test(this.text)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}; got: ${this.text}`);
      await new Promise<void>((res) => {
        const t = setTimeout(res, 20);
        this.waiters.push(() => { clearTimeout(t); res(); });
      });
    }
    return this.text;
  }

  async waitEnded(ms = 2000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error('peer socket not closed');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Switches the peer to TLS as a client (after <proceed/>). */
  async startTlsClient(opts: tls.ConnectionOptions): Promise<tls.TLSSocket> {
    const raw = this.socket;
    raw.removeAllListeners('data');
    raw.removeAllListeners('end');
    raw.removeAllListeners('close');
    const s = tls.connect({ socket: raw as never, rejectUnauthorized: false, ...opts });
    await new Promise<void>((res, rej) => { s.once('secureConnect', () => res()); s.once('error', rej); });
    this.text = '';
    this.listen(s);
    return s;
  }

  /** Switches the peer to TLS as a server (after it sent <proceed/>). */
  async startTlsServer(opts: tls.TlsOptions): Promise<tls.TLSSocket> {
    const raw = this.socket;
    raw.removeAllListeners('data');
    raw.removeAllListeners('end');
    raw.removeAllListeners('close');
    const s = new tls.TLSSocket(raw as never, { isServer: true, requestCert: true, rejectUnauthorized: false, ...opts });
    this.text = '';
    this.listen(s);
    await new Promise<void>((res, rej) => { s.once('secure', () => res()); s.once('error', rej); });
    return s;
  }
}

export const PEER_HEADER = (from = 'peer.test', to = 'gw.test', extra = '') =>
  `<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='${from}' to='${to}' version='1.0'${extra}>`;

/** Lets streams and promises settle without timers (works under jest fake timers, which leave setImmediate alone here). */
export async function settle(turns = 8): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}

export const FAKE_TIMERS: { doNotFake: Array<'nextTick' | 'setImmediate' | 'queueMicrotask'> } = { doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] };

import net from 'node:net';
import tls from 'node:tls';
import { resolveS2STargets, type S2STarget, type SrvResolver } from './resolve-targets';

export type ConnectFailure = 'remote-server-not-found' | 'remote-server-timeout';

/**
 * Why no connection could be made, as the RFC 6120 §8.3.3 condition the
 * router bounces queued stanzas with (and RFC 7247 §7 turns into SIP 404/408).
 */
export class S2SConnectError extends Error {
  constructor(
    readonly condition: ConnectFailure,
    message: string,
    readonly attempts: ReadonlyArray<{ target: S2STarget; error: string }> = [],
  ) {
    super(message);
    this.name = 'S2SConnectError';
  }
}

export interface OpenS2SOptions {
  proxyFqdn?: string;
  connectTimeoutMs: number;
  resolver?: SrvResolver;
  random?: () => number;
  /** Options for XEP-0368 direct TLS targets (servername, ca, ALPN…). */
  directTlsOptions?: (t: S2STarget) => tls.ConnectionOptions;
  signal?: AbortSignal;
  /** Local address to connect from (tests bind to a 127.x address). */
  localAddress?: string;
}

export interface OpenedS2SConnection {
  readonly socket: net.Socket | tls.TLSSocket;
  readonly target: S2STarget;
  /** True when TLS is already up (direct TLS); STARTTLS is then skipped. */
  readonly secure: boolean;
}

/**
 * Resolves the domain and tries each target in order until one accepts a
 * TCP (or direct TLS) connection within connectTimeoutMs.
 */
export async function openS2SConnection(domain: string, opts: OpenS2SOptions): Promise<OpenedS2SConnection> {
  const targets = await resolveS2STargets(domain, {
    ...(opts.proxyFqdn !== undefined ? { proxyFqdn: opts.proxyFqdn } : {}),
    ...(opts.resolver !== undefined ? { resolver: opts.resolver } : {}),
    ...(opts.random !== undefined ? { random: opts.random } : {}),
  });
  if (targets.length === 0) {
    throw new S2SConnectError('remote-server-not-found', `${domain} publishes no XMPP server-to-server service`);
  }
  const attempts: Array<{ target: S2STarget; error: string }> = [];
  let timedOut = false;
  for (const target of targets) {
    if (opts.signal?.aborted) break;
    try {
      const socket = await connectOnce(target, domain, opts);
      return { socket, target, secure: target.directTls };
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (msg === 'connect timeout') timedOut = true;
      attempts.push({ target, error: msg });
    }
  }
  const condition: ConnectFailure = timedOut ? 'remote-server-timeout' : 'remote-server-not-found';
  const detail = attempts.map((a) => `${a.target.host}:${a.target.port}${a.target.directTls ? ' (tls)' : ''}: ${a.error}`).join('; ');
  throw new S2SConnectError(condition, `could not connect to ${domain}${detail ? ': ' + detail : ''}`, attempts);
}

function connectOnce(target: S2STarget, domain: string, opts: OpenS2SOptions): Promise<net.Socket | tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const base = { host: target.host, port: target.port, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) };
    const socket: net.Socket = target.directTls
      ? tls.connect({
          ...base,
          servername: domain,
          ALPNProtocols: ['xmpp-server'], // XEP-0368 §3
          rejectUnauthorized: false, // the session judges the certificate against partner policy
          ...(opts.directTlsOptions?.(target) ?? {}),
        })
      : net.connect(base);
    const readyEvent = target.directTls ? 'secureConnect' : 'connect';
    const timer = setTimeout(() => fail(new Error('connect timeout')), opts.connectTimeoutMs);
    const onAbort = () => fail(new Error('aborted'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    function cleanup() {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      socket.removeListener('error', fail);
      socket.removeListener(readyEvent, done);
    }
    function fail(e: Error) {
      cleanup();
      socket.destroy();
      reject(e);
    }
    function done() {
      cleanup();
      // Nagle stalls XMPP round trips by ~40 ms (notes/xmpp-peers.md "Speed").
      socket.setNoDelay(true);
      resolve(socket);
    }
    socket.once('error', fail);
    socket.once(readyEvent, done);
  });
}

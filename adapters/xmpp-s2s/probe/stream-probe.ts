/**
 * A one-shot look at a peer's S2S listener for `diagnose` (issue #9): open a
 * stream as our domain (RFC 6120 §4.2), read <stream:features/>, do STARTTLS
 * when offered (§5.4) and read the features again, then close politely with
 * </stream:stream> (§4.4). It never authenticates and never sends a stanza:
 * what the peer offers and which certificate it shows is all it reports.
 *
 * The certificate verdict is the edge's own (auth/certificate-identity.ts):
 * chain against our trust anchors (the secure context the gateway uses) and
 * RFC 6125 DNS-ID / SRV-ID for the domain.
 */
import net from 'node:net';
import tls from 'node:tls';
import { findChild, localName, namespaceOf, textOf, type XmlElement } from '../../../plugin/core/xml/xml-element';
import { certificateStatus, parseSubjectAltNames, type CertificateStatus } from '../auth/certificate-identity';
import type { S2STarget } from '../net/resolve-targets';
import { STREAM_CLOSE, streamHeader } from '../stream/header';
import { NS_DIALBACK_FEATURE, NS_SASL, NS_STREAMS, NS_TLS } from '../stream/namespaces';
import { parseStreamError } from '../stream/stream-error';
import { StreamParser } from '../xml/stream-parser';

export interface OfferedFeatures {
  readonly starttls: boolean;
  readonly starttlsRequired: boolean;
  /** SASL mechanisms (RFC 6120 §6.4.1), e.g. ['EXTERNAL']. */
  readonly mechanisms: readonly string[];
  /** XEP-0220 §2.4 <dialback xmlns='urn:xmpp:features:dialback'/>. */
  readonly dialback: boolean;
}

export interface PeerCertificateInfo {
  readonly subject: string;
  readonly dnsNames: readonly string[];
  readonly srvNames: readonly string[];
  readonly issuer: string;
  readonly validFrom: string;
  readonly validTo: string;
  /** Now outside [validFrom, validTo]. */
  readonly expired: boolean;
  readonly status: CertificateStatus;
}

export type ProbeStage = 'connect' | 'stream' | 'features' | 'starttls' | 'tls' | 'features-after-tls' | 'done';

export interface ProbeResult {
  readonly target: S2STarget;
  /** The stage reached (or the one that failed, with `error`). */
  readonly stage: ProbeStage;
  readonly error?: string;
  readonly connectMs?: number;
  readonly address?: string;
  readonly streamId?: string;
  /** Before TLS (plain TCP targets). */
  readonly features?: OfferedFeatures;
  /** After STARTTLS or on a direct-TLS target: what authentication would see. */
  readonly tlsFeatures?: OfferedFeatures;
  readonly tlsProtocol?: string;
  readonly certificate?: PeerCertificateInfo;
  /** The peer's stream error, if it sent one (RFC 6120 §4.9). */
  readonly streamError?: string;
  /** The peer answered our </stream:stream> with its own. */
  readonly closedPolitely?: boolean;
}

export interface ProbeOptions {
  readonly local: string;
  readonly remote: string;
  /** Our trust anchors (and client certificate): the gateway's context for `local`. */
  readonly secureContext: tls.SecureContext;
  /** Bound on each network step. */
  readonly timeoutMs: number;
  readonly now?: () => number;
}

type Ev = { k: 'start'; attrs: Readonly<Record<string, string>> } | { k: 'el'; e: XmlElement } | { k: 'end' } | { k: 'error'; why: string };

const LIMITS = { maxStanzaBytes: 65536, maxElements: 256, maxDepth: 16 };

export function readFeatures(f: XmlElement): OfferedFeatures {
  const st = findChild(f, 'starttls', NS_TLS);
  const mechs = findChild(f, 'mechanisms', NS_SASL);
  return {
    starttls: st !== undefined,
    starttlsRequired: st !== undefined && findChild(st, 'required') !== undefined,
    mechanisms: mechs ? mechs.children.filter((c): c is XmlElement => typeof c !== 'string').map((m) => (textOf(m) ?? '').trim()).filter(Boolean) : [],
    dialback: findChild(f, 'dialback', NS_DIALBACK_FEATURE) !== undefined,
  };
}

const dn = (o: Record<string, string | string[]> | undefined): string =>
  o ? Object.entries(o).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`).join(', ') : '';

function certInfo(socket: tls.TLSSocket, domain: string, now: number): PeerCertificateInfo | undefined {
  const c = socket.getPeerCertificate();
  if (!c || Object.keys(c).length === 0) return undefined;
  const { dns, srv } = parseSubjectAltNames(c.subjectaltname);
  const from = Date.parse(c.valid_from);
  const to = Date.parse(c.valid_to);
  return {
    subject: dn(c.subject as unknown as Record<string, string>), dnsNames: dns, srvNames: srv,
    issuer: dn(c.issuer as unknown as Record<string, string>), validFrom: c.valid_from, validTo: c.valid_to,
    expired: !(now >= from && now <= to), status: certificateStatus(socket, domain),
  };
}

/** One event queue per probe: the parser pushes, the probe awaits the next event within the step bound. */
class Events {
  private q: Ev[] = [];
  private wake: (() => void) | undefined;
  push(e: Ev): void {
    this.q.push(e);
    this.wake?.();
  }
  async next(ms: number, what: string): Promise<Ev> {
    for (let i = 0; i < 1000; i++) {
      const e = this.q.shift();
      if (e) return e;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await new Promise<boolean>((resolve) => {
        this.wake = () => resolve(false);
        timer = setTimeout(() => resolve(true), ms);
      });
      clearTimeout(timer);
      this.wake = undefined;
      if (timedOut) return { k: 'error', why: `no ${what} within ${ms} ms` };
    }
    return { k: 'error', why: 'too many events' };
  }
}

export async function probeS2S(target: S2STarget, o: ProbeOptions): Promise<ProbeResult> {
  const now = o.now ?? Date.now;
  const events = new Events();
  const parser = new StreamParser(LIMITS, {
    start: (_n, attrs) => events.push({ k: 'start', attrs }),
    stanza: (e) => events.push({ k: 'el', e }),
    end: () => events.push({ k: 'end' }),
    error: (e) => events.push({ k: 'error', why: `${e.condition}${e.text ? `: ${e.text}` : ''}` }),
  });
  let socket: net.Socket;
  const onData = (d: Buffer) => parser.write(d);
  const started = now();
  try {
    socket = await connect(target, o);
  } catch (e) {
    return { target, stage: 'connect', error: (e as Error).message };
  }
  const base = { target, connectMs: now() - started, address: socket.remoteAddress };
  socket.on('data', onData);
  socket.on('error', (e) => events.push({ k: 'error', why: `socket: ${e.message}` }));
  socket.on('close', () => events.push({ k: 'error', why: 'connection closed by the peer' }));
  let out: ProbeResult = { ...base, stage: 'stream' };

  const openAndRead = async (): Promise<{ id?: string; features?: XmlElement; error?: string }> => {
    socket.write(streamHeader({ from: o.local, to: o.remote }));
    const h = await events.next(o.timeoutMs, 'stream header');
    if (h.k !== 'start') return { error: h.k === 'error' ? h.why : 'stream closed before its header' };
    for (let i = 0; i < 4; i++) {
      const f = await events.next(o.timeoutMs, 'stream features');
      if (f.k === 'el' && localName(f.e) === 'error' && namespaceOf(f.e) === NS_STREAMS) return { id: h.attrs.id, error: `stream error ${parseStreamError(f.e).condition}` };
      if (f.k === 'el' && localName(f.e) === 'features') return { id: h.attrs.id, features: f.e };
      if (f.k !== 'el') return { id: h.attrs.id, error: f.k === 'error' ? f.why : 'stream closed before its features' };
    }
    return { id: h.attrs.id, error: 'no stream features' };
  };

  try {
    if (target.directTls) {
      out = { ...out, ...tlsFacts(socket as tls.TLSSocket, o, now) };
      const r = await openAndRead();
      if (!r.features) return { ...out, ...streamFailure(r.error, 'features-after-tls') };
      out = { ...out, stage: 'done', ...(r.id ? { streamId: r.id } : {}), tlsFeatures: readFeatures(r.features) };
    } else {
      const r = await openAndRead();
      if (!r.features) return { ...out, ...(r.id ? { streamId: r.id } : {}), ...streamFailure(r.error, r.id ? 'features' : 'stream') };
      const features = readFeatures(r.features);
      out = { ...out, stage: 'features', ...(r.id ? { streamId: r.id } : {}), features };
      if (!features.starttls) return { ...out, stage: 'done', ...(await closePolitely(socket, events, o.timeoutMs)) };
      socket.write(`<starttls xmlns='${NS_TLS}'/>`);
      const p = await events.next(o.timeoutMs, '<proceed/>');
      if (p.k !== 'el' || localName(p.e) !== 'proceed') return { ...out, stage: 'starttls', error: p.k === 'error' ? p.why : `STARTTLS answered with <${p.k === 'el' ? p.e.name : p.k}/>` };
      socket.removeListener('data', onData);
      parser.resetTransport(); // RFC 6120 §5.4.3.3: nothing learnt before TLS is kept
      let secure: tls.TLSSocket;
      try {
        secure = await upgrade(socket, o);
      } catch (e) {
        return { ...out, stage: 'tls', error: (e as Error).message };
      }
      secure.on('data', onData);
      secure.on('error', (e) => events.push({ k: 'error', why: `tls: ${e.message}` }));
      socket = secure;
      out = { ...out, ...tlsFacts(secure, o, now) };
      const r2 = await openAndRead();
      if (!r2.features) return { ...out, ...streamFailure(r2.error, 'features-after-tls') };
      out = { ...out, stage: 'done', tlsFeatures: readFeatures(r2.features) };
    }
    return { ...out, ...(await closePolitely(socket, events, o.timeoutMs)) };
  } finally {
    socket.destroy();
  }
}

function streamFailure(error: string | undefined, stage: ProbeStage): Pick<ProbeResult, 'stage' | 'error' | 'streamError'> {
  const why = error ?? 'no features';
  const m = /^stream error (\S+)/.exec(why);
  return { stage, error: why, ...(m?.[1] ? { streamError: m[1] } : {}) };
}

function tlsFacts(s: tls.TLSSocket, o: ProbeOptions, now: () => number): Pick<ProbeResult, 'tlsProtocol' | 'certificate'> {
  const cert = certInfo(s, o.remote, now());
  return { ...(s.getProtocol() ? { tlsProtocol: s.getProtocol() as string } : {}), ...(cert ? { certificate: cert } : {}) };
}

/** RFC 6120 §4.4: our </stream:stream>, then the peer's, within the step bound. */
async function closePolitely(socket: net.Socket, events: Events, ms: number): Promise<Pick<ProbeResult, 'closedPolitely'>> {
  socket.write(STREAM_CLOSE);
  for (let i = 0; i < 8; i++) {
    const e = await events.next(Math.min(ms, 3000), '</stream:stream>');
    if (e.k === 'end') return { closedPolitely: true };
    if (e.k === 'error') return { closedPolitely: false };
  }
  return { closedPolitely: false };
}

function connect(t: S2STarget, o: ProbeOptions): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s: net.Socket = t.directTls
      ? tls.connect({ host: t.host, port: t.port, servername: o.remote, ALPNProtocols: ['xmpp-server'], secureContext: o.secureContext, rejectUnauthorized: false })
      : net.connect({ host: t.host, port: t.port });
    const ready = t.directTls ? 'secureConnect' : 'connect';
    const timer = setTimeout(() => done(new Error(`connect timeout after ${o.timeoutMs} ms`)), o.timeoutMs);
    const done = (e?: Error) => {
      clearTimeout(timer);
      s.removeAllListeners(ready);
      s.removeAllListeners('error');
      if (e) { s.destroy(); reject(e); } else { s.setNoDelay(true); resolve(s); }
    };
    s.once('error', (e) => done(e));
    s.once(ready, () => done());
  });
}

function upgrade(raw: net.Socket, o: ProbeOptions): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    // rejectUnauthorized false: the verdict is reported, not enforced (certificate-identity.ts judges it).
    const s = tls.connect({ socket: raw, servername: o.remote, secureContext: o.secureContext, rejectUnauthorized: false });
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`TLS handshake not done within ${o.timeoutMs} ms`)); }, o.timeoutMs);
    s.once('secureConnect', () => { clearTimeout(timer); resolve(s); });
    s.once('error', (e) => { clearTimeout(timer); reject(new Error(`TLS handshake failed: ${e.message}`)); });
  });
}

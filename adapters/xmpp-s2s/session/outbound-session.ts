import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { el, findChild, localName, namespaceOf, textOf, type XmlElement } from '../../../plugin/core/xml/xml-element';
import { certificateStatus, isCertificateValid, type CertificateStatus } from '../auth/certificate-identity';
import { dialbackKey } from '../auth/dialback-key';
import type { DialbackVerdict } from '../auth/dialback-verifier';
import { authMethods, type PartnerPolicy } from '../policy/partner-policy';
import { validateResponseHeader } from '../stream/header';
import { NS_DIALBACK, NS_SASL, NS_STREAMS, NS_TLS } from '../stream/namespaces';
import { streamError } from '../stream/stream-error';
import { domainAttr } from './addressing';
import type { SessionDeps } from './session-options';
import { VerifyQueue } from './verify-queue';
import { StreamSession } from './stream-session';
import { Confirmations, NS_SM3, type InDoubtStanza } from '../in-doubt/confirmations';
import { DEFAULT_IN_DOUBT, type InDoubtOptions } from '../in-doubt/options';

export type OutboundState =
  | 'awaiting-header' | 'awaiting-features' | 'starttls' | 'sasl' | 'dialback' | 'established';

/**
 * Stanzas inherit jabber:server from our stream header; an explicit
 * jabber:client (or redundant jabber:server) declaration is dropped, never
 * sent on a server stream (anchors.md §4.3.8, the Kamailio quirk).
 */
function inServerNamespace(e: XmlElement): XmlElement {
  const { xmlns, ...attrs } = e.attrs;
  return xmlns === 'jabber:client' || xmlns === 'jabber:server' ? { ...e, attrs } : e;
}

/**
 * The originating server's side of one outbound S2S stream (RFC 6120 §4–§6,
 * XEP-0220, XEP-0178): our header → features → STARTTLS (peer certificate
 * checked against our trust anchors and RFC 6125 names) → SASL EXTERNAL when
 * offered and allowed → else dialback → established. It also carries
 * <db:verify/> requests for the inbound side (we are then the receiving
 * server asking the peer's authoritative server, XEP-0220 §2.1.2).
 */
export class OutboundSession extends StreamSession {
  state: OutboundState = 'awaiting-header';
  private peerStreamId: string | undefined;
  private cert: CertificateStatus | undefined;
  private triedExternal = false;
  private readonly authorized = new Set<string>();
  private readonly pendingResults = new Map<string, (ok: boolean) => void>();
  private readonly verifies: VerifyQueue;
  private readonly establishedCallbacks: Array<() => void> = [];
  /** The peer's last <stream:features/> offered XEP-0198 (urn:xmpp:sm:3). */
  private smOffered = false;
  /** In-doubt tracking (issue #11), from establishment on. */
  private confirmations: Confirmations | undefined;
  private readonly confirmedCallbacks: Array<() => void> = [];
  private readonly inDoubt: InDoubtOptions;

  constructor(
    socket: Duplex,
    deps: SessionDeps,
    local: string,
    remote: string,
    private readonly policy: PartnerPolicy,
    opts: { secure?: boolean; ip?: string; inDoubt?: InDoubtOptions } = {},
  ) {
    super(socket, deps, 'out', local, remote, opts.ip);
    this.inDoubt = opts.inDoubt ?? DEFAULT_IN_DOUBT;
    this.verifies = new VerifyQueue(remote);
    this.secure = opts.secure ?? false;
    this.bindLog();
  }

  get streamId(): string | undefined {
    return this.peerStreamId;
  }

  get isEstablished(): boolean {
    return this.state === 'established' && !this.isClosing;
  }

  get certificate(): CertificateStatus | undefined {
    return this.cert;
  }

  /** Is `local` allowed to send on this stream (the initial pair or a piggybacked one)? */
  isAuthorized(local: string): boolean {
    return this.authorized.has(local);
  }

  onEstablished(cb: () => void): void {
    this.establishedCallbacks.push(cb);
  }

  /** Opens the stream (RFC 6120 §4.2). */
  start(): void {
    this.timers.opened();
    this.log.info({ secure: this.secure }, 'outbound connection opened');
    this.openStream();
  }

  private openStream(): void {
    this.state = 'awaiting-header';
    this.sendHeader({ from: this.local, to: this.remote });
  }

  protected fallbackHeader() {
    return { from: this.local, to: this.remote };
  }

  /**
   * Sends a stanza; false when the stream is not established or its write
   * queue is full (caller bounces). A written stanza is in doubt until the
   * peer's ack or fence proves it processed it (issue #11).
   */
  send(e: XmlElement, resent = false): boolean {
    if (!this.isEstablished || !this.confirmations) return false;
    if (!this.writeElement(inServerNamespace(e))) return false;
    this.confirmations.written({ e, resent });
    return true;
  }

  /** Stanzas written and not yet proven processed. */
  get inDoubtCount(): number {
    return this.confirmations?.size ?? 0;
  }

  /** Which proof this stream uses: XEP-0198 acks or XEP-0199 ping fences. */
  get confirmationMode(): 'sm' | 'fence' | undefined {
    return this.confirmations?.mode;
  }

  /** Called whenever stanzas leave the in-doubt log (room under the cap). */
  onConfirmed(cb: () => void): void {
    this.confirmedCallbacks.push(cb);
  }

  /** A result/error IQ from the peer's domain to ours: true if it answered one of our fences. */
  confirmFence(id: string | undefined): boolean {
    return this.confirmations?.onFenceReply(id) ?? false;
  }

  /** Once the stream is gone: the stanzas still in doubt, oldest first (each handed out once). */
  takeInDoubt(): InDoubtStanza[] {
    return this.isClosing ? this.leftInDoubt.splice(0) : [];
  }

  private readonly leftInDoubt: InDoubtStanza[] = [];

  /**
   * XEP-0220 §2.5 piggybacking: authorizes another of our domains on this
   * established stream with its own db:result. Resolves true on type='valid'.
   */
  authorize(local: string): Promise<boolean> {
    if (this.authorized.has(local)) return Promise.resolve(true);
    const secret = this.deps.dialbackSecret;
    if (!this.isEstablished || !secret || !this.peerStreamId || !authMethods(this.policy, this.secure, false).dialback) {
      return Promise.resolve(false);
    }
    const pending = this.pendingResults.get(local);
    if (pending) return new Promise((res) => this.pendingResults.set(local, (v) => { pending(v); res(v); }));
    return new Promise((resolve) => {
      this.pendingResults.set(local, resolve);
      this.writeElement(el('db:result', { from: local, to: this.remote }, dialbackKey(secret, this.remote, local, this.peerStreamId as string)));
    });
  }

  /**
   * Asks the peer, as authoritative server, whether `key` is valid for a
   * stream it opened to us (XEP-0220 §2.1.2). Sent as soon as the stream can
   * carry it (after TLS, outside SASL), on THIS outbound stream.
   */
  verify(req: { id: string; key: string; from: string }): Promise<DialbackVerdict> {
    if (this.isClosing) return Promise.resolve('error');
    const p = this.verifies.add(req);
    this.flushVerifies();
    return p;
  }

  private flushVerifies(): void {
    if (this.state !== 'dialback' && this.state !== 'established') return;
    for (const e of this.verifies.take()) this.writeElement(e);
  }

  protected onStreamStart(name: string, attrs: Readonly<Record<string, string>>): void {
    const v = validateResponseHeader(name, attrs, this.remote);
    if (!v.ok) return this.close(v.error);
    this.peerStreamId = v.value.id;
    this.bindLog();
    this.state = 'awaiting-features';
  }

  protected onStanzaElement(e: XmlElement): void {
    const ns = namespaceOf(e);
    const name = localName(e);
    if (ns === NS_STREAMS && name === 'features' && this.state === 'awaiting-features') return this.onFeatures(e);
    if (ns === NS_TLS && this.state === 'starttls') return name === 'proceed' ? this.upgradeTls() : this.fail('policy-violation', 'STARTTLS refused by the peer');
    if (ns === NS_SASL && this.state === 'sasl') return name === 'success' ? this.onSaslSuccess() : this.onSaslFailure(e);
    if (ns === NS_DIALBACK && name === 'result') return this.onDialbackResult(e);
    if (ns === NS_DIALBACK && name === 'verify') return this.onDialbackVerify(e);
    if (ns === NS_SM3 && this.confirmations) return this.onStreamManagement(name, e);
    // Without XEP-0288 the peer must not send stanzas on our outbound stream (RFC 6120 §2.5 / §4.2).
    this.close(streamError('unsupported-stanza-type', `<${e.name}/> on an outbound stream`));
  }

  private fail(condition: 'policy-violation' | 'not-authorized' | 'undefined-condition', text: string): void {
    this.close(streamError(condition, text));
  }

  private onFeatures(f: XmlElement): void {
    this.smOffered = findChild(f, 'sm', NS_SM3) !== undefined;
    const starttls = findChild(f, 'starttls', NS_TLS);
    if (!this.secure) {
      if (starttls && this.policy.tls !== 'NotSupported' && this.deps.tls.secureContext(this.local)) {
        this.state = 'starttls';
        this.writeElement(el('starttls', { xmlns: NS_TLS }));
        return;
      }
      if (this.policy.tls === 'Required') return this.fail('policy-violation', `${this.remote} does not offer TLS, which our policy requires`);
      if (starttls && findChild(starttls, 'required')) return this.fail('policy-violation', `${this.remote} requires TLS, which our policy does not support`);
    } else if (!this.cert) {
      this.cert = certificateStatus(this.transport.current as tls.TLSSocket, this.remote);
      this.log.info({ cert: this.cert }, 'tls established');
    }
    if (this.authorized.size > 0) return this.established('EXTERNAL'); // features after the SASL restart
    const methods = authMethods(this.policy, this.secure, isCertificateValid(this.cert));
    const mechanisms = findChild(f, 'mechanisms', NS_SASL);
    const external = mechanisms?.children.some((m) => typeof m !== 'string' && textOf(m)?.trim() === 'EXTERNAL') ?? false;
    if (external && methods.external && !this.triedExternal) {
      this.triedExternal = true;
      this.state = 'sasl';
      // XEP-0178 §3: authzid = our domain (Prosody sends the same).
      this.writeElement(el('auth', { xmlns: NS_SASL, mechanism: 'EXTERNAL' }, Buffer.from(this.local).toString('base64')));
      return;
    }
    this.startDialback(methods.dialback);
  }

  private startDialback(allowed: boolean): void {
    const secret = this.deps.dialbackSecret;
    if (!allowed || !secret || !this.peerStreamId) {
      const why = this.secure && !isCertificateValid(this.cert)
        ? `the certificate of ${this.remote} is not valid (${this.cert?.chainError ?? 'name mismatch'}) and dialback is not allowed`
        : `no authentication method allowed with ${this.remote}`;
      return this.fail('policy-violation', why);
    }
    this.state = 'dialback';
    this.pendingResults.set(this.local, (valid) => {
      if (valid) this.established('dialback');
      else this.fail('not-authorized', 'dialback refused by the peer');
    });
    this.writeElement(el('db:result', { from: this.local, to: this.remote }, dialbackKey(secret, this.remote, this.local, this.peerStreamId)));
    this.flushVerifies();
  }

  private upgradeTls(): void {
    const raw = this.transport.detach();
    const socket = tls.connect({
      socket: raw as unknown as import('node:net').Socket,
      servername: this.remote,
      secureContext: this.deps.tls.secureContext(this.local),
      rejectUnauthorized: false, // the policy, not OpenSSL, decides what an invalid certificate means
    });
    this.upgradeTransport(socket);
    let restarted = false;
    const ready = () => {
      if (restarted || this.isClosing) return;
      restarted = true;
      this.openStream(); // RFC 6120 §5.4.3.3: restart over TLS
    };
    socket.once('secure', ready);
    // Over an in-process Duplex the whole handshake can complete inside
    // tls.connect(), before any listener could be attached; then
    // getProtocol() already names the negotiated version.
    const protocol = socket.getProtocol();
    if (protocol !== null && protocol !== 'unknown') ready();
  }

  private onSaslSuccess(): void {
    this.authorized.add(this.local);
    this.transport.restartParser();
    this.openStream(); // RFC 6120 §6.4.6
  }

  private onSaslFailure(e: XmlElement): void {
    const failure = e.children.find((c): c is XmlElement => typeof c !== 'string')?.name ?? 'unknown';
    this.log.info({ failure }, 'SASL EXTERNAL refused by the peer');
    // Prosody falls back to dialback when EXTERNAL fails; so do we, if policy allows.
    this.state = 'awaiting-features';
    this.startDialback(authMethods(this.policy, this.secure, isCertificateValid(this.cert)).dialback);
  }

  private onDialbackResult(e: XmlElement): void {
    const from = domainAttr(e.attrs.from);
    const to = domainAttr(e.attrs.to);
    if (from !== this.remote || !to) return this.close(streamError('invalid-from', 'db:result from an unexpected domain'));
    const done = this.pendingResults.get(to);
    if (!done) return; // an answer to nothing we asked: ignore (XEP-0220 §2.1.4 is per pair)
    this.pendingResults.delete(to);
    if (e.attrs.type === 'valid') {
      this.authorized.add(to);
      if (to !== this.local) this.log.info({ piggyback: to }, 'authenticated additional domain');
    } else {
      this.log.warn({ pair: `${to}->${this.remote}`, type: e.attrs.type }, 'dialback not accepted');
    }
    done(e.attrs.type === 'valid');
  }

  private onDialbackVerify(e: XmlElement): void {
    this.verifies.answer(e.attrs.id, domainAttr(e.attrs.to), e.attrs.type);
  }

  private established(mechanism: string): void {
    this.state = 'established';
    this.authorized.add(this.local);
    this.markEstablished(mechanism, this.policy.keepAlive);
    this.startConfirmations();
    this.flushVerifies();
    for (const cb of this.establishedCallbacks.splice(0)) cb();
  }

  /**
   * XEP-0198 §4: <enable/> goes out before any stanza, so the peer's h counts
   * exactly the stanzas that follow it; no resumption on S2S (Prosody 0.12
   * does not support it either). Without the feature: ping fences.
   */
  private startConfirmations(): void {
    this.confirmations = new Confirmations(this.smOffered ? 'sm' : 'fence', this.inDoubt, {
      write: (e) => this.writeElement(e),
      timedOut: () => this.close(streamError('connection-timeout', `${this.remote} did not confirm stanzas within ${this.inDoubt.ackTimeoutMs} ms`)),
      confirmed: () => { for (const cb of this.confirmedCallbacks) cb(); },
      timers: this.deps.timers,
      newId: this.deps.newStreamId,
      local: this.local,
      remote: this.remote,
    });
    if (this.smOffered) this.writeElement(this.confirmations.enableElement());
    this.log.info({ confirmations: this.confirmations.mode }, 'in-doubt tracking started');
  }

  private onStreamManagement(name: string, e: XmlElement): void {
    const c = this.confirmations as Confirmations;
    switch (name) {
      case 'enabled':
        return;
      case 'failed':
        this.log.info('XEP-0198 enable refused by the peer; falling back to XEP-0199 fences');
        return c.onEnableFailed();
      case 'a':
        if (c.mode === 'sm' && !c.onAck(e.attrs.h)) {
          // XEP-0198 §5: an h larger than what we sent is a protocol error.
          this.close(streamError('undefined-condition', `bad XEP-0198 h='${e.attrs.h ?? ''}'`));
        }
        return;
      case 'r':
        // We handle no stanzas on our outbound stream (RFC 6120 §2.5): h is 0.
        this.writeElement(el('a', { xmlns: NS_SM3, h: '0' }));
        return;
      default:
        this.close(streamError('unsupported-stanza-type', `<${e.name}/> (XEP-0198) on an outbound stream`));
    }
  }

  protected override onFinished(): void {
    this.leftInDoubt.push(...(this.confirmations?.stop() ?? []));
    this.verifies.failAll();
    for (const [, done] of this.pendingResults) done(false);
    this.pendingResults.clear();
  }
}

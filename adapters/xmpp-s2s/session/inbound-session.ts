import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { serializeXml } from '../../../plugin/core/xml/serialize-xml';
import { el, localName, namespaceOf, textOf, type XmlElement } from '../../../plugin/core/xml/xml-element';
import { certificateStatus, isCertificateValid, type CertificateStatus } from '../auth/certificate-identity';
import { verifyDialbackKey } from '../auth/dialback-key';
import type { DialbackVerifier } from '../auth/dialback-verifier';
import { decideExternalAuth } from '../auth/sasl-external';
import { authMethods, type PartnerPolicy } from '../policy/partner-policy';
import { validateInboundHeader, type InboundHeader } from '../stream/header';
import { NS_DIALBACK, NS_SASL, NS_SERVER, NS_STANZA_ERRORS, NS_TLS } from '../stream/namespaces';
import { streamError, type StreamError } from '../stream/stream-error';
import { domainAttr, jidDomain, pairKey } from './addressing';
import { inboundFeatures } from './inbound-features';
import type { SessionDeps } from './session-options';
import { StreamSession } from './stream-session';

export type InboundState = 'awaiting-header' | 'features-sent' | 'established';

export interface InboundDeps extends SessionDeps {
  readonly verifier: DialbackVerifier;
  /** An authenticated stanza, addressing already checked (from domain authenticated, to ours). */
  readonly onStanza: (e: XmlElement, session: InboundSession) => void;
  /**
   * Charges the stream to the per-partner connection limit of `remote`, asked
   * once, when the stream's FIRST domain pair authenticates (dialback valid or
   * SASL EXTERNAL success): a 'from' merely claimed in the header is worth
   * nothing (RFC 6120 §13.7), so it must not use up that partner's slots. A
   * returned error refuses the stream. (The global limit is applied by the
   * owner when it accepts the connection.)
   */
  readonly admit: (session: InboundSession, remote: string) => StreamError | undefined;
}

/**
 * The receiving server's side of one inbound S2S stream (RFC 6120 §4–§6,
 * XEP-0220, XEP-0178): header checks → features → STARTTLS (SNI-selected
 * certificate) → SASL EXTERNAL or dialback → established. One stream may
 * carry several authenticated remote→local domain pairs (XEP-0220 §2.5
 * piggybacking); every stanza's 'from' must be in that set and its 'to' ours.
 */
export class InboundSession extends StreamSession {
  state: InboundState = 'awaiting-header';
  private id: string;
  private header: InboundHeader | undefined;
  private policy: PartnerPolicy | undefined;
  private cert: CertificateStatus | undefined;
  private tlsOffered = false;
  private externalOffered = false;
  private readonly pairs = new Set<string>();
  private readonly pendingVerify = new Set<string>();

  constructor(socket: Duplex, private readonly inDeps: InboundDeps, ip?: string) {
    super(socket, inDeps, 'in', '', '', ip);
    this.id = inDeps.newStreamId();
    this.bindLog();
    this.timers.opened();
    this.log.info('inbound connection opened');
  }

  get streamId(): string {
    return this.id;
  }

  /** Domain pairs authenticated on this stream. */
  isAuthenticated(remote: string, local: string): boolean {
    return this.pairs.has(pairKey(remote, local));
  }

  get isSecure(): boolean {
    return this.secure;
  }

  get certificate(): CertificateStatus | undefined {
    return this.cert;
  }

  protected fallbackHeader() {
    const to = this.header?.remote;
    const from = this.header?.local ?? (this.local !== '' ? this.local : [...this.deps.localDomains][0] ?? 'invalid');
    return { from, to, id: this.id };
  }

  protected onStreamStart(name: string, attrs: Readonly<Record<string, string>>): void {
    const restart = this.header !== undefined;
    const v = validateInboundHeader(name, attrs, this.deps.localDomains, this.header);
    if (!v.ok) {
      // Address the error header as well as we can (RFC 6120 §4.9.1.2).
      const to = domainAttr(attrs.to);
      if (!restart && to && this.deps.localDomains.has(to)) this.local = to;
      return this.close(v.error);
    }
    if (restart) this.id = this.deps.newStreamId(); // RFC 6120 §4.7.3: a fresh id for every stream
    this.header = v.value;
    this.local = v.value.local;
    this.remote = v.value.remote;
    this.bindLog();
    const policy = this.deps.policyFor(this.remote);
    if (!policy) return this.close(streamError('policy-violation', `${this.remote} is not a federated partner of ${this.local}`));
    this.policy = policy;
    if (this.secure && !this.cert) {
      this.cert = certificateStatus(this.transport.current as tls.TLSSocket, this.remote);
      this.log.info({ cert: this.cert }, 'tls established');
    }
    this.sendHeader({ from: this.local, to: this.remote, id: this.id });
    this.sendFeatures(policy);
  }

  private sendFeatures(policy: PartnerPolicy): void {
    const authenticated = this.pairs.size > 0;
    const f = inboundFeatures({
      policy, secure: this.secure, haveCertificate: this.deps.tls.secureContext(this.local) !== undefined,
      certValid: isCertificateValid(this.cert), authenticated, local: this.local, remote: this.remote,
    });
    if (!f.ok) return this.close(f.error);
    this.tlsOffered = f.tlsOffered;
    this.externalOffered = f.externalOffered;
    this.writeElement(f.features);
    this.state = authenticated ? 'established' : 'features-sent';
  }

  protected onStanzaElement(e: XmlElement): void {
    const policy = this.policy;
    if (!this.header || !policy) return this.close(streamError('not-authorized', 'element before the stream header'));
    const ns = namespaceOf(e);
    const name = localName(e);
    if (ns === NS_TLS && name === 'starttls') return this.startTls();
    // RFC 6120 §5.3.1 / Prosody s2s_require_encryption: nothing but STARTTLS on a plain stream that must be encrypted.
    if (policy.tls === 'Required' && !this.secure) {
      return this.close(streamError('policy-violation', 'encrypted server-to-server communication is required'));
    }
    if (ns === NS_SASL && name === 'auth') return this.onAuth(e);
    if (ns === NS_DIALBACK && name === 'result') return this.onDialbackResult(e, policy);
    if (ns === NS_DIALBACK && name === 'verify') return this.onDialbackVerify(e);
    if (ns === NS_SERVER && (name === 'message' || name === 'presence' || name === 'iq')) return this.onStanza(e);
    if (this.pairs.size === 0) return this.close(streamError('not-authorized', `<${e.name}/> before authentication`));
    this.close(streamError('unsupported-stanza-type', `<${e.name}/> in ${ns ?? 'no namespace'}`));
  }

  private startTls(): void {
    if (!this.tlsOffered || this.secure) {
      this.writeElement(el('failure', { xmlns: NS_TLS }));
      return this.close(); // RFC 6120 §5.4.2.2: failure, then close
    }
    const ctx = this.deps.tls.secureContext(this.local);
    const raw = this.transport.detach();
    const socket = new tls.TLSSocket(raw, {
      isServer: true,
      secureContext: ctx,
      // One certificate per served domain, chosen by SNI (anchors.md §4.3.2).
      SNICallback: (servername, cb) => cb(null, this.deps.tls.secureContext(servername.toLowerCase()) ?? ctx),
      requestCert: true, // the peer's certificate decides whether EXTERNAL is offered
      rejectUnauthorized: false,
    });
    // <proceed/> goes out in clear text on the raw socket, after the TLS layer
    // already listens: the peer's ClientHello may follow it immediately.
    raw.write(serializeXml(el('proceed', { xmlns: NS_TLS })));
    this.cert = undefined;
    this.state = 'awaiting-header';
    this.upgradeTransport(socket);
  }

  private onAuth(e: XmlElement): void {
    if (this.pairs.size > 0) return this.close(streamError('policy-violation', 'SASL after authentication'));
    const decision = decideExternalAuth(
      { mechanism: e.attrs.mechanism, initialResponse: textOf(e) ?? '' },
      { offered: this.externalOffered, secure: this.secure, remote: this.remote, certificate: this.cert },
    );
    if (!decision.ok) {
      this.writeElement(el('failure', { xmlns: NS_SASL }, el(decision.failure, {})));
      this.log.info({ failure: decision.failure }, 'SASL EXTERNAL refused');
      if (decision.failure === 'not-authorized') this.close(streamError('not-authorized', 'SASL EXTERNAL failed'));
      return;
    }
    const refused = this.inDeps.admit(this, this.remote); // the first (and only) pair: pairs.size is 0 here
    if (refused) return this.close(refused);
    this.pairs.add(pairKey(this.remote, this.local));
    this.markEstablished('EXTERNAL', this.policy?.keepAlive ?? false);
    this.state = 'awaiting-header';
    // RFC 6120 §6.4.6: stream restart after <success/>; reset first, the new header may follow at once.
    this.transport.restartParser();
    this.writeElement(el('success', { xmlns: NS_SASL }));
  }

  private onDialbackResult(e: XmlElement, streamPolicy: PartnerPolicy): void {
    if (e.attrs.type !== undefined) return this.close(streamError('unsupported-stanza-type', 'db:result with a type on an inbound stream'));
    const from = domainAttr(e.attrs.from);
    const to = domainAttr(e.attrs.to);
    if (!from || !to) return this.close(streamError('improper-addressing', 'db:result needs from and to domains (XEP-0220 §2.1.1)'));
    if (!this.deps.localDomains.has(to)) return this.close(streamError('host-unknown', `${to} is not served here`));
    if (this.deps.localDomains.has(from)) return this.close(streamError('invalid-from', `${from} is one of our domains`));
    const policy = from === this.remote ? streamPolicy : this.deps.policyFor(from);
    if (!policy) return this.close(streamError('not-authorized', `${from} is not a federated partner`));
    const certValid = this.secure && this.cert !== undefined && this.cert.chain === 'valid' &&
      (from === this.remote ? this.cert.identity === 'valid' : false);
    if (!authMethods(policy, this.secure, certValid).dialback) {
      return this.close(streamError('not-authorized', `dialback is not allowed for ${from}`));
    }
    const key = pairKey(from, to);
    if (this.pendingVerify.has(key)) return; // one verification per pair at a time
    this.pendingVerify.add(key);
    const streamId = this.id;
    this.inDeps.verifier.verify({ receiving: to, originating: from, streamId, key: (textOf(e) ?? '').trim() }).then(
      (verdict) => this.onVerdict(from, to, verdict, policy),
      (err: unknown) => {
        this.log.warn({ err }, 'dialback verification failed');
        this.onVerdict(from, to, 'error', policy);
      },
    );
  }

  private onVerdict(from: string, to: string, verdict: 'valid' | 'invalid' | 'error', policy: PartnerPolicy): void {
    this.pendingVerify.delete(pairKey(from, to));
    if (this.isClosing) return;
    if (verdict === 'valid') {
      // Only now is the stream charged to a partner (see InboundDeps.admit); piggybacked pairs are not charged again.
      const refused = this.pairs.size === 0 ? this.inDeps.admit(this, from) : undefined;
      if (refused) return this.close(refused);
      // Authorize the pair before answering: the peer may send stanzas as soon as it reads type='valid'.
      this.pairs.add(pairKey(from, to));
      this.state = 'established';
      this.markEstablished('dialback', policy.keepAlive);
      this.writeElement(el('db:result', { from: to, to: from, type: 'valid' }));
      return;
    }
    if (verdict === 'error') {
      // XEP-0220 §2.4: the authoritative server could not be asked; the peer may retry.
      this.writeElement(el('db:result', { from: to, to: from, type: 'error' },
        el('error', { type: 'cancel' }, el('remote-server-not-found', { xmlns: NS_STANZA_ERRORS }))));
      return;
    }
    this.writeElement(el('db:result', { from: to, to: from, type: 'invalid' }));
    this.close(streamError('not-authorized', `dialback key for ${from} is invalid`));
  }

  /** We are the authoritative server for our own outbound streams (XEP-0220 §2.1.3 / §2.2). */
  private onDialbackVerify(e: XmlElement): void {
    const from = domainAttr(e.attrs.from);
    const to = domainAttr(e.attrs.to);
    const id = e.attrs.id;
    if (!from || !to || !id) return this.close(streamError('improper-addressing', 'db:verify needs from, to and id (XEP-0220 §2.1.3)'));
    if (!this.deps.localDomains.has(to)) return this.close(streamError('host-unknown', `${to} is not served here`));
    const secret = this.deps.dialbackSecret;
    const valid = secret !== undefined && verifyDialbackKey(secret, from, to, id, textOf(e) ?? '');
    this.log.info({ originating: to, receiving: from, valid }, 'answered dialback verify');
    this.writeElement(el('db:verify', { from: to, to: from, id, type: valid ? 'valid' : 'invalid' }));
  }

  private onStanza(e: XmlElement): void {
    if (this.pairs.size === 0) return this.close(streamError('not-authorized', 'stanza before authentication (RFC 6120 §4.3.2)'));
    if (e.attrs.to === undefined || e.attrs.from === undefined) {
      return this.close(streamError('improper-addressing', 'stanza without from/to (RFC 6120 §8.1.1.1, §8.1.2.1)'));
    }
    const to = jidDomain(e.attrs.to);
    if (!to || !this.deps.localDomains.has(to)) return this.close(streamError('host-unknown', `${e.attrs.to} is not ours`));
    const from = jidDomain(e.attrs.from);
    if (!from || !this.pairs.has(pairKey(from, to))) {
      return this.close(streamError('invalid-from', `${e.attrs.from} is not authenticated on this stream for ${to} (RFC 6120 §4.9.3.9)`));
    }
    this.inDeps.onStanza(e, this);
  }
}

import { streamError, type StreamError } from './stream/stream-error';

/**
 * Counts open S2S connections, globally and per remote domain (Lync
 * Set-CsXmppGatewayConfiguration connection limit and per-partner
 * ConnectionLimit, anchors.md §1.2–§1.3).
 *
 * - Outbound connections are ours: they count globally and for their remote
 *   domain from the moment they start connecting (`admit`).
 * - Inbound connections count globally from accept, before a byte is read,
 *   so silent sockets are bounded too (`admitPending`). They are charged to a
 *   partner only once their first domain pair has authenticated
 *   (`promote`): a domain claimed by an unauthenticated stream means nothing
 *   (RFC 6120 §13.7), and must not use up that partner's slots.
 */
export class ConnectionRegistry {
  private total = 0;
  private pendingCount = 0;
  private readonly perRemote = new Map<string, number>();

  constructor(private readonly globalLimit: number) {}

  /** Outbound: why a new connection with `remote` is refused, or undefined when it is admitted (and counted). */
  admit(remote: string, partnerLimit: number): StreamError | undefined {
    const refused = this.globalRefusal() ?? this.partnerRefusal(remote, partnerLimit);
    if (refused) return refused;
    this.total++;
    this.charge(remote);
    return undefined;
  }

  /** Inbound, at accept: counted against the global limit only, or refused when that is reached. */
  admitPending(): StreamError | undefined {
    const refused = this.globalRefusal();
    if (refused) return refused;
    this.total++;
    this.pendingCount++;
    return undefined;
  }

  /**
   * A pending inbound connection authenticated its first domain pair with
   * `remote`: charges it to that partner, or refuses it (it then stays
   * pending until released) when the partner is at its limit.
   */
  promote(remote: string, partnerLimit: number): StreamError | undefined {
    if (this.pendingCount <= 0) return streamError('internal-server-error', 'no pending connection to promote');
    const refused = this.partnerRefusal(remote, partnerLimit);
    if (refused) return refused;
    this.pendingCount--;
    this.charge(remote);
    return undefined;
  }

  /** A pending (never promoted) inbound connection closed. */
  releasePending(): void {
    if (this.pendingCount <= 0) return;
    this.pendingCount--;
    this.total--;
  }

  /** A connection charged to `remote` (outbound, or promoted inbound) closed. */
  release(remote: string): void {
    const n = this.perRemote.get(remote) ?? 0;
    if (n <= 0) return;
    this.total--;
    if (n === 1) this.perRemote.delete(remote);
    else this.perRemote.set(remote, n - 1);
  }

  get count(): number {
    return this.total;
  }

  /** Inbound connections not (yet) charged to any partner. */
  get pending(): number {
    return this.pendingCount;
  }

  countFor(remote: string): number {
    return this.perRemote.get(remote) ?? 0;
  }

  private globalRefusal(): StreamError | undefined {
    // RFC 6120 §4.9.3.17: the server lacks the resources to serve the stream.
    if (this.total >= this.globalLimit) return streamError('resource-constraint', 'too many server-to-server connections');
    return undefined;
  }

  private partnerRefusal(remote: string, partnerLimit: number): StreamError | undefined {
    if (this.countFor(remote) >= partnerLimit) return streamError('policy-violation', `too many connections with ${remote}`);
    return undefined;
  }

  private charge(remote: string): void {
    this.perRemote.set(remote, this.countFor(remote) + 1);
  }
}

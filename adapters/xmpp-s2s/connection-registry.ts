import { streamError, type StreamError } from './stream/stream-error';

/**
 * Counts open S2S connections, globally and per remote domain (Lync
 * Set-CsXmppGatewayConfiguration connection limit and per-partner
 * ConnectionLimit, anchors.md §1.2–§1.3). Outbound connections count from
 * the moment they start connecting.
 */
export class ConnectionRegistry {
  private total = 0;
  private readonly perRemote = new Map<string, number>();

  constructor(private readonly globalLimit: number) {}

  /** Why a new connection with `remote` is refused, or undefined when it is admitted (and counted). */
  admit(remote: string, partnerLimit: number): StreamError | undefined {
    if (this.total >= this.globalLimit) return streamError('resource-constraint', 'too many server-to-server connections');
    if ((this.perRemote.get(remote) ?? 0) >= partnerLimit) {
      return streamError('policy-violation', `too many connections with ${remote}`);
    }
    this.total++;
    this.perRemote.set(remote, (this.perRemote.get(remote) ?? 0) + 1);
    return undefined;
  }

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

  countFor(remote: string): number {
    return this.perRemote.get(remote) ?? 0;
  }
}

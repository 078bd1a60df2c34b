import { el, type XmlElement } from '../../../plugin/core/xml/xml-element';
import type { DialbackVerdict } from '../auth/dialback-verifier';

interface Pending {
  readonly id: string;
  readonly key: string;
  readonly from: string;
  sent: boolean;
  resolve(v: DialbackVerdict): void;
}

/**
 * <db:verify/> requests waiting on one outbound stream (XEP-0220 §2.1.2):
 * queued until the stream can carry them, matched to answers by id and
 * domains, and failed with 'error' if the stream dies first.
 */
export class VerifyQueue {
  private readonly pending: Pending[] = [];

  constructor(private readonly remote: string) {}

  add(req: { id: string; key: string; from: string }): Promise<DialbackVerdict> {
    return new Promise((resolve) => this.pending.push({ ...req, sent: false, resolve }));
  }

  /** The elements to send now (each request once). */
  take(): XmlElement[] {
    const out: XmlElement[] = [];
    for (const v of this.pending) {
      if (v.sent) continue;
      v.sent = true;
      out.push(el('db:verify', { from: v.from, to: this.remote, id: v.id }, v.key));
    }
    return out;
  }

  /** An answer from the authoritative server; unknown answers are ignored. */
  answer(id: string | undefined, to: string | undefined, type: string | undefined): void {
    const i = this.pending.findIndex((v) => v.sent && v.id === id && v.from === to);
    const v = this.pending[i];
    if (!v) return;
    this.pending.splice(i, 1);
    v.resolve(type === 'valid' ? 'valid' : type === 'invalid' ? 'invalid' : 'error');
  }

  failAll(): void {
    for (const v of this.pending.splice(0)) v.resolve('error');
  }
}

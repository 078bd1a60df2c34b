/**
 * The stanzas written on one outbound stream that the peer has not yet been
 * proven to have processed ("in doubt", issue #11). Written in order, each
 * with a sequence number counted from 1; a proof covers a prefix: XEP-0198
 * §4 `<a h='n'/>` says the peer handled the first n stanzas since
 * `<enable/>`, and an XEP-0199 ping answered on a stream processed in order
 * (RFC 6120 §10.1) proves everything written before the ping.
 */
export class InDoubtLog<T> {
  private readonly entries: Array<{ readonly seq: number; readonly item: T }> = [];
  private written = 0;

  /** Records one stanza just written; returns its sequence number. */
  add(item: T): number {
    this.written++;
    this.entries.push({ seq: this.written, item });
    return this.written;
  }

  /** Number of stanzas written so far (the XEP-0198 outbound count). */
  get count(): number {
    return this.written;
  }

  get size(): number {
    return this.entries.length;
  }

  /** Confirms every stanza with sequence number ≤ seq; returns how many left the log. */
  confirmThrough(seq: number): number {
    let n = 0;
    while (n < this.entries.length && (this.entries[n] as { seq: number }).seq <= seq) n++;
    this.entries.splice(0, n);
    return n;
  }

  /** Takes every stanza still in doubt, oldest first (the stream is gone). */
  takeAll(): T[] {
    return this.entries.splice(0).map((e) => e.item);
  }
}

/** XEP-0198 §5: h is an unsigned 32-bit counter that wraps to 0. */
export const SM_H_MODULUS = 2 ** 32;

/**
 * The absolute sequence number an acknowledged h stands for, given how many
 * stanzas we have written: the largest value ≤ written that is ≡ h mod 2^32.
 * Undefined when h is not a valid counter (XEP-0198 §5: xs:unsignedInt).
 */
export function ackedThrough(h: string | undefined, written: number): number | undefined {
  if (h === undefined || !/^\d{1,10}$/.test(h)) return undefined;
  const v = Number(h);
  if (v >= SM_H_MODULUS) return undefined;
  const base = written - (written % SM_H_MODULUS);
  const abs = base + v;
  return abs <= written ? abs : abs - SM_H_MODULUS;
}

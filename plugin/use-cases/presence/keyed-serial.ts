/**
 * Runs the read-modify-write steps of one key (one subscription, one
 * dialog) one after the other, while different keys proceed in parallel.
 * A NOTIFY that overtakes the 200 of its SUBSCRIBE (RFC 6665 §4.1.2.4) and
 * the 200 itself both change one record: without this, the later write would
 * silently undo the earlier one. No timers: pure promise chaining.
 */
export class KeyedSerial {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, step: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const result = prev.then(step);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Keys with work queued or running (for tests and status). */
  get size(): number {
    return this.tails.size;
  }
}

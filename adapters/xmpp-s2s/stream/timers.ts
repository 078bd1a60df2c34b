/** The timer functions a stream uses; injected so tests drive them (jest fake timers replace the globals). */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** A restartable one-shot timer. */
export class OneShot {
  private handle: unknown;
  constructor(private readonly timers: Timers, private readonly ms: number, private readonly fire: () => void) {}

  /** (Re)arms the timer; a non-positive or infinite delay disables it. */
  arm(): void {
    this.stop();
    if (!(this.ms > 0) || !Number.isFinite(this.ms)) return;
    this.handle = this.timers.setTimeout(() => {
      this.handle = undefined;
      this.fire();
    }, this.ms);
  }

  stop(): void {
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = undefined;
  }

  get armed(): boolean {
    return this.handle !== undefined;
  }
}

/**
 * The three stream timers (Lync StreamEstablishmentTimeout,
 * StreamInactivityTimeout, keep-alive; Prosody s2s_timeout and whitespace
 * keepalives):
 * - establishment: armed at open, stopped once authenticated;
 * - inactivity: re-armed on every read and every stanza write (node-xmpp's
 *   S2S timeout did the same); whitespace keepalives do not count, or they
 *   would keep a dead idle stream open forever;
 * - keepalive: a single space after keepAliveMs without any write (RFC 6120 §4.6.1).
 */
export class StreamTimers {
  private readonly establishment: OneShot;
  private readonly inactivity: OneShot;
  private readonly keepAlive: OneShot;
  private keepAliveOn = false;

  constructor(
    timers: Timers,
    ms: { establishment: number; inactivity: number; keepAlive: number },
    on: { establishmentTimeout(): void; inactivityTimeout(): void; keepAlive(): void },
  ) {
    this.establishment = new OneShot(timers, ms.establishment, on.establishmentTimeout);
    this.inactivity = new OneShot(timers, ms.inactivity, on.inactivityTimeout);
    this.keepAlive = new OneShot(timers, ms.keepAlive, () => {
      on.keepAlive();
      this.keepAlive.arm();
    });
  }

  opened(): void {
    this.establishment.arm();
    this.inactivity.arm();
  }

  established(keepAlive: boolean): void {
    this.establishment.stop();
    this.keepAliveOn = keepAlive;
    if (keepAlive) this.keepAlive.arm();
  }

  read(): void {
    if (this.inactivity.armed) this.inactivity.arm();
  }

  wrote(): void {
    if (this.inactivity.armed) this.inactivity.arm();
    if (this.keepAliveOn) this.keepAlive.arm();
  }

  stopAll(): void {
    this.establishment.stop();
    this.inactivity.stop();
    this.keepAlive.stop();
    this.keepAliveOn = false;
  }
}

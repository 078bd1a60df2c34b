/**
 * One drachtio-srf app connected to the admin port: framing, authentication, routes and
 * ping (PROTOCOL-NOTES §2, §3.1), and an output "hold" that reproduces drachtio writing
 * several frames in one TCP write (quirks Q1/Q2).
 */
import type net from 'node:net';
import { authNoFrame, authOkFrame, nokFrame, okFrame, parseAppFrame, pongFrame, type AppFrame } from './frames';
import { encodeFrame, FrameDecoder } from './framing';

/**
 * Adversarial framing of server → app output (issue #13). drachtio-server writes with no
 * regard for the app's reads, so a read can end inside the length digits, right after `#`
 * or inside a multi-byte UTF-8 character. `chunkBytes` cuts every write into pieces of at
 * most that many bytes (each its own socket.write; Nagle is off), which makes such reads
 * the rule instead of the exception.
 */
export interface AdminFraming {
  readonly chunkBytes: number;
}

export interface AdminConfig {
  readonly secret: string;
  readonly hostports: string;
  readonly serverVersion: string;
  readonly log: (line: string) => void;
  readonly framing?: AdminFraming | undefined;
}

export interface AdminHandlers {
  /** A `sip|…` frame from an authenticated app. */
  onSipFrame(conn: AdminConnection, frame: AppFrame): void;
  onClose(conn: AdminConnection): void;
}

export class AdminConnection {
  /** Lower-case verbs this app routed (`route|message`); duplicates are fine (Q5). */
  readonly routes = new Set<string>();
  authenticated = false;
  closed = false;
  private readonly decoder = new FrameDecoder();
  private held: Buffer[] | undefined;
  private holdTimer: NodeJS.Timeout | undefined;
  private holdUntil = 0;
  /** Dialog whose first in-dialog request should end the current hold (Q2). */
  heldForDialog: string | undefined;

  constructor(private readonly socket: net.Socket, private readonly cfg: AdminConfig, private readonly handlers: AdminHandlers) {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.clearHold();
      handlers.onClose(this);
    });
  }

  get label(): string {
    return `${this.socket.remoteAddress}:${this.socket.remotePort}`;
  }

  /** Writes a frame now, or appends it to the held output. */
  send(payload: string): void {
    if (this.closed) return;
    const frame = encodeFrame(payload);
    if (this.held) this.held.push(frame);
    else this.write(frame);
  }

  private write(buf: Buffer): void {
    const n = this.cfg.framing?.chunkBytes;
    if (n === undefined || n <= 0 || buf.length <= n) {
      this.socket.write(buf);
      return;
    }
    for (let i = 0; i < buf.length; i += n) this.socket.write(buf.subarray(i, i + n));
  }

  /**
   * Holds output for `ms` (extending a running hold) so frames produced meanwhile leave in
   * ONE socket.write, as drachtio's echo and the network's answer did (S2 #4+#5, S4 #5+#6).
   */
  holdFor(ms: number, forDialog?: string): void {
    if (ms <= 0 || this.closed) return;
    this.held ??= [];
    this.heldForDialog = forDialog;
    const until = Date.now() + ms;
    if (until <= this.holdUntil && this.holdTimer) return;
    this.holdUntil = until;
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = setTimeout(() => this.release(), ms);
  }

  /** Writes everything held in one socket.write. */
  release(): void {
    const frames = this.held;
    this.clearHold();
    if (frames && frames.length > 0 && !this.closed) this.write(Buffer.concat(frames));
  }

  private clearHold(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    this.held = undefined;
    this.holdUntil = 0;
    this.heldForDialog = undefined;
  }

  close(): void {
    this.clearHold();
    this.socket.destroy();
  }

  /** Test hook (issue #13): bytes straight onto the socket, outside any frame. */
  writeRaw(bytes: Buffer): void {
    if (!this.closed) this.socket.write(bytes);
  }

  private onData(chunk: Buffer): void {
    const r = this.decoder.push(chunk);
    for (const payload of r.frames) {
      if (this.closed) return;
      this.onFrame(parseAppFrame(payload));
    }
    if (!r.ok) {
      // drachtio-server reads at most 5 length digits (PROTOCOL-NOTES §1): a frame of
      // 100 000 bytes or more cannot be read, so the connection is dropped.
      this.cfg.log(`admin ${this.label}: framing error (${r.error}); closing`);
      this.close();
    }
  }

  private onFrame(f: AppFrame): void {
    if (!this.authenticated) {
      if (f.type !== 'authenticate') {
        this.cfg.log(`admin ${this.label}: '${f.type}' before authenticate; closing`);
        this.close();
        return;
      }
      if (f.tokens[2] !== this.cfg.secret) {
        this.send(authNoFrame(f.msgId)); // then the server closes (S0 auth failure)
        this.socket.end();
        this.closed = true;
        return;
      }
      this.authenticated = true;
      this.send(authOkFrame(f.msgId, this.cfg.hostports, this.cfg.serverVersion));
      return;
    }
    switch (f.type) {
      case 'route':
        this.routes.add((f.tokens[2] ?? '').toLowerCase());
        this.send(okFrame(f.msgId));
        return;
      case 'remove_route':
        this.routes.delete((f.tokens[2] ?? '').toLowerCase());
        this.send(okFrame(f.msgId));
        return;
      case 'ping':
        this.send(pongFrame(f.msgId));
        return;
      case 'sip':
        this.handlers.onSipFrame(this, f);
        return;
      default:
        this.cfg.log(`admin ${this.label}: unsupported frame type '${f.type}'`);
        this.send(nokFrame(f.msgId, `drachtio double does not support '${f.type}'`));
    }
  }
}

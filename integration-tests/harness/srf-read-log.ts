/**
 * Records the TCP reads a drachtio-srf app receives, and which frames each read
 * completed. srf handles every frame of one read synchronously, so whether two
 * frames shared a read decides quirks Q1/Q2 (a listener attached after `await`
 * misses the second frame). The app's reads can differ from what a proxy saw:
 * two proxy writes may arrive in one read. Observation only: one extra 'data'
 * listener on srf's socket, after srf's own.
 */
import type net from 'node:net';
import type Srf from 'drachtio-srf';
import { srfSockets } from './srf-app';

export interface AppRead {
  readonly bytes: number;
  /** per completed frame: `<type>[|<source>]` plus the first SIP line, e.g. `sip|network SIP/2.0 200 OK` */
  readonly frames: readonly string[];
}

export interface AppReadLog {
  reads(): readonly AppRead[];
  stop(): void;
}

function describeFrame(payload: string): string {
  const crlf = payload.indexOf('\r\n');
  const meta = (crlf === -1 ? payload : payload.slice(0, crlf)).split('|');
  const first = crlf === -1 ? '' : payload.slice(crlf + 2).split('\r\n', 1)[0] ?? '';
  return `${meta[1] ?? ''}${meta[1] === 'sip' ? '|' + (meta[2] ?? '') : ''}${first ? ' ' + first : ''}`;
}

/** Start after 'connect': srf's socket exists and sits at a frame boundary. */
export function observeAppReads(srf: Srf): AppReadLog {
  const reads: AppRead[] = [];
  const attached: { socket: net.Socket; fn: (b: Buffer) => void }[] = [];
  for (const socket of srfSockets(srf)) {
    let buf = Buffer.alloc(0);
    const fn = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const frames: string[] = [];
      for (;;) {
        const h = buf.indexOf('#');
        if (h <= 0) break;
        const len = Number(buf.toString('ascii', 0, h));
        if (!Number.isInteger(len) || buf.length < h + 1 + len) break;
        frames.push(describeFrame(buf.toString('utf8', h + 1, h + 1 + len)));
        buf = buf.subarray(h + 1 + len);
      }
      reads.push({ bytes: chunk.length, frames });
    };
    socket.on('data', fn);
    attached.push({ socket, fn });
  }
  return {
    reads: () => reads,
    stop: () => attached.forEach(({ socket, fn }) => socket.off('data', fn)),
  };
}

/** The read that completed a frame matching `a`, and whether a frame matching `b` completed in the same read. */
export function sharedRead(log: AppReadLog, a: RegExp, b: RegExp): { found: boolean; shared: boolean } {
  const r = log.reads().find((x) => x.frames.some((f) => a.test(f)));
  return { found: r !== undefined, shared: r?.frames.some((f) => b.test(f)) ?? false };
}

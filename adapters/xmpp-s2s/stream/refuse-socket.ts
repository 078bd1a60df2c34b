import type { Duplex } from 'node:stream';
import { serializeXml } from '../../../plugin/core/xml/serialize-xml';
import { STREAM_CLOSE, streamHeader } from './header';
import { streamErrorElement, type StreamError } from './stream-error';
import type { Timers } from './timers';

/**
 * Refuses a connection without running a session on it (no parser, no
 * stream timers): writes our stream header, the stream error and
 * </stream:stream> (RFC 6120 §4.9.1.2: the header comes first even when the
 * peer has sent nothing) and destroys the socket once that is flushed, or
 * after `graceMs` when the peer does not read.
 */
export function refuseSocket(socket: Duplex, e: StreamError, from: string, timers: Timers, graceMs: number): void {
  socket.on('error', () => undefined); // a reset by the peer must not crash the process
  const timer = timers.setTimeout(() => socket.destroy(), graceMs);
  socket.end(streamHeader({ from }) + serializeXml(streamErrorElement(e)) + STREAM_CLOSE, () => {
    timers.clearTimeout(timer);
    socket.destroy();
  });
}

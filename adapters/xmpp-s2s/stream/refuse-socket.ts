import type { Duplex } from 'node:stream';
import { serializeXml } from '../../../plugin/core/xml/serialize-xml';
import { STREAM_CLOSE, streamHeader } from './header';
import { streamErrorElement, type StreamError } from './stream-error';
import type { Timers } from './timers';

/**
 * Refuses a connection without running a session on it (no parser, no
 * stream timers): writes our stream header, the stream error and
 * </stream:stream> (RFC 6120 §4.9.1.2: the header comes first even when the
 * peer has sent nothing), half-closes, and destroys the socket once that is
 * flushed, or after `graceMs` (short: shedGraceMs) when the peer does not
 * read. RFC 6120 §4.9.1.1: the stream is void; there is no §4.4 wait.
 *
 * What the peer sends meanwhile is read and dropped, never parsed: reading
 * keeps the receive buffer empty so the close is a FIN, not a RST that could
 * discard our error at the peer before it reads it.
 */
export function refuseSocket(socket: Duplex, e: StreamError, from: string, timers: Timers, graceMs: number): void {
  socket.on('error', () => undefined); // a reset by the peer must not crash the process
  socket.on('data', () => undefined);
  const timer = timers.setTimeout(() => socket.destroy(), graceMs);
  socket.once('close', () => timers.clearTimeout(timer));
  socket.end(streamHeader({ from }) + serializeXml(streamErrorElement(e)) + STREAM_CLOSE, () => {
    timers.clearTimeout(timer);
    socket.destroy();
  });
}

import { StringDecoder } from 'node:string_decoder';
import { XmlGuard, type XmlGuardLimits } from '../../plugin/core/xml/xml-guard';
import { messageStream } from '../fixtures';
import { measure } from '../harness';
import { toEntry, type Suite } from '../suite';

/**
 * XmlGuard in stream mode, the first thing every byte from a peer server
 * passes through (RFC 6120 §11.1 restricted XML, §13.12 size limits). The
 * stream is cut into 1500-byte chunks (one Ethernet MTU's worth, as a socket
 * delivers it) and decoded with a StringDecoder, as the edge must, so chunk
 * boundaries fall inside tags and inside multi-byte characters. Decoding is
 * done once up front: only the guard is measured.
 */
const NAME = 'xml-guard/stream-10k-messages';
const STANZAS = 10_000;
const CHUNK_BYTES = 1500;

/** The post-authentication S2S limits (256 KiB stanzas, depth 64, no element cap), as the session applies them. */
const LIMITS: XmlGuardLimits = { maxStanzaBytes: 262_144, maxDepth: 64, maxElements: Infinity };

function chunkedStream(): { chunks: string[]; bytes: number } {
  const buf = Buffer.from(messageStream(STANZAS), 'utf8');
  const decoder = new StringDecoder('utf8');
  const chunks: string[] = [];
  for (let off = 0; off < buf.length; off += CHUNK_BYTES) chunks.push(decoder.write(buf.subarray(off, off + CHUNK_BYTES)));
  const tail = decoder.end();
  if (tail !== '') chunks.push(tail);
  return { chunks, bytes: buf.length };
}

export const suite: Suite = {
  group: 'xml-guard',
  benchmarks: [
    {
      name: NAME,
      run() {
        const { chunks, bytes } = chunkedStream();
        const guard = new XmlGuard(LIMITS, 'stream');
        // Sanity pass: the whole stream must be accepted and leave us inside <stream:stream>.
        for (const c of chunks) {
          const e = guard.feed(c);
          if (e) throw new Error(`fixture rejected: ${e.code} ${e.detail}`);
        }
        if (guard.currentDepth !== 1) throw new Error(`expected to end inside the stream, depth ${guard.currentDepth}`);

        // One call = one chunk; after the last chunk the guard restarts as on a stream restart (§4.3.3).
        let i = 0;
        guard.reset();
        const feedNext = () => {
          const e = guard.feed(chunks[i]!);
          if (e) throw new Error(`xml-guard rejected chunk ${i}: ${e.code}`);
          if (++i === chunks.length) {
            i = 0;
            guard.reset();
          }
          return e;
        };
        // batch = every chunk once, so one sample is one full pass over the 10 000 stanzas.
        const m = measure(NAME, feedNext, { minSamples: 5, maxSamples: 20, maxTimeMs: 3000, batch: chunks.length });
        const bytesPerChunk = bytes / chunks.length;
        return toEntry(m, {
          group: 'xml-guard',
          description: `XmlGuard stream mode, ${STANZAS.toLocaleString('en-US')} message stanzas (avg ${Math.round(bytes / STANZAS)} B), ${CHUNK_BYTES}-byte chunks`,
          op: `one ${CHUNK_BYTES}-byte chunk (${chunks.length} per pass, ${(bytes / 1e6).toFixed(2)} MB)`,
          primary: { unit: 'MB/s', perOp: bytesPerChunk / 1e6 },
          also: [{ unit: 'stanzas/s', perOp: STANZAS / chunks.length }],
        });
      },
    },
  ],
};

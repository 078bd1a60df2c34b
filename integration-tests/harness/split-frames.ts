/**
 * Splits recorded TCP chunks of the drachtio admin protocol into frames.
 * TS port of the capture kit's tools/split-frames.js: the frame objects have
 * the same fields and values as the fixtures' `*.frames.jsonl` lines.
 *
 * Framing (PROTOCOL-NOTES §1): `<decimal UTF-8 byte length>#<payload>`, no
 * separator, chunk boundaries unrelated to frame boundaries in both directions,
 * so each (connection, direction) stream is reassembled and cut by BYTE length.
 */

export type WireDirection = 'app->srv' | 'srv->app';

/** One TCP read as recorded by the wiretap (a wire.jsonl data line). */
export interface WireChunk {
  readonly seq: number;
  readonly t: string;
  readonly ms: number;
  readonly conn: number;
  readonly dir: WireDirection;
  readonly data: Buffer;
}

/** One frame, exactly as in `*.frames.jsonl`. */
export interface TraceFrame {
  readonly n: number;
  readonly conn: number;
  readonly dir: WireDirection;
  readonly t: string;
  readonly ms: number;
  /** seq numbers of the chunks that carried the frame */
  readonly chunks: readonly number[];
  /** "i/k": i-th of k frames completed by the same TCP read */
  readonly chunkFrames: string;
  readonly len: number;
  readonly meta: readonly string[];
  readonly sip: string | null;
}

export interface SplitProblem {
  readonly conn: number;
  readonly dir: WireDirection;
  readonly problem: 'bad-length-prefix' | 'trailing-bytes';
  readonly detail: string;
}

export interface SplitResult {
  readonly frames: TraceFrame[];
  /** Nothing is dropped silently: a bad prefix or an unfinished frame is reported here. */
  readonly problems: SplitProblem[];
}

interface Stream {
  buf: Buffer;
  off: number;
  broken: boolean;
  spans: { seq: number; start: number; end: number; chunk: WireChunk }[];
}

type MutableFrame = { -readonly [K in keyof TraceFrame]: TraceFrame[K] };

/** The exact payload bytes of a frame (inverse of the split). */
export function framePayload(f: Pick<TraceFrame, 'meta' | 'sip'>): string {
  return f.meta.join('|') + (f.sip === null ? '' : '\r\n' + f.sip);
}

export function splitFrames(chunks: readonly WireChunk[]): SplitResult {
  const streams = new Map<string, Stream>();
  const frames: MutableFrame[] = [];
  const problems: SplitProblem[] = [];
  const framesEndingIn = new Map<number, number>();

  for (const c of chunks) {
    const key = `${c.conn}|${c.dir}`;
    let s = streams.get(key);
    if (!s) {
      s = { buf: Buffer.alloc(0), off: 0, broken: false, spans: [] };
      streams.set(key, s);
    }
    if (s.broken) continue;
    const start = s.off + s.buf.length;
    s.spans.push({ seq: c.seq, start, end: start + c.data.length, chunk: c });
    s.buf = Buffer.concat([s.buf, c.data]);
    for (;;) {
      const hash = s.buf.indexOf('#');
      if (hash <= 0) break;
      const lenStr = s.buf.toString('ascii', 0, hash);
      if (!/^\d+$/.test(lenStr)) {
        problems.push({ conn: c.conn, dir: c.dir, problem: 'bad-length-prefix', detail: JSON.stringify(lenStr.slice(0, 40)) });
        s.broken = true;
        break;
      }
      const len = Number(lenStr);
      if (s.buf.length < hash + 1 + len) break;
      const fStart = s.off;
      const fEnd = s.off + hash + 1 + len;
      const spans = s.spans.filter((sp) => sp.end > fStart && sp.start < fEnd);
      const last = spans[spans.length - 1]?.chunk ?? c;
      const payload = s.buf.toString('utf8', hash + 1, hash + 1 + len);
      const crlf = payload.indexOf('\r\n');
      frames.push({
        n: frames.length + 1, conn: c.conn, dir: c.dir, t: last.t, ms: last.ms,
        chunks: spans.map((sp) => sp.seq), chunkFrames: '', len,
        meta: (crlf === -1 ? payload : payload.slice(0, crlf)).split('|'),
        sip: crlf === -1 ? null : payload.slice(crlf + 2),
      });
      framesEndingIn.set(last.seq, (framesEndingIn.get(last.seq) ?? 0) + 1);
      s.off = fEnd;
      s.buf = s.buf.subarray(hash + 1 + len);
      s.spans = s.spans.filter((sp) => sp.end > fEnd);
    }
  }
  for (const [key, s] of streams) {
    if (s.buf.length > 0 && !s.broken) {
      const [conn, dir] = key.split('|') as [string, WireDirection];
      problems.push({ conn: Number(conn), dir, problem: 'trailing-bytes', detail: `${s.buf.length} bytes` });
    }
  }
  const seen = new Map<number, number>();
  for (const f of frames) {
    const endSeq = f.chunks[f.chunks.length - 1] ?? -1;
    const i = (seen.get(endSeq) ?? 0) + 1;
    seen.set(endSeq, i);
    f.chunkFrames = `${i}/${framesEndingIn.get(endSeq) ?? i}`;
  }
  return { frames, problems };
}

/**
 * Loads the golden drachtio traces kept in integration-tests/fixtures/drachtio-traces
 * (copied from the capture kit; see the README there).
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TraceFrame, WireChunk, WireDirection } from './split-frames';

export const TRACE_FIXTURE_DIR = join(__dirname, '..', 'fixtures', 'drachtio-traces');

/** Every scenario folder that holds a `<scenario>.frames.jsonl`. */
export function listTraceScenarios(): string[] {
  return readdirSync(TRACE_FIXTURE_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(TRACE_FIXTURE_DIR, d.name, `${d.name}.frames.jsonl`)))
    .map((d) => d.name)
    .sort();
}

function jsonLines(text: string): unknown[] {
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown);
}

export function loadTraceFrames(scenario: string): TraceFrame[] {
  const text = readFileSync(join(TRACE_FIXTURE_DIR, scenario, `${scenario}.frames.jsonl`), 'utf8');
  return jsonLines(text) as TraceFrame[];
}

export function traceFixturePath(scenario: string, file: string): string {
  return join(TRACE_FIXTURE_DIR, scenario, file);
}

interface WireJsonLine {
  seq: number; t: string; ms: number; conn?: number; dir?: WireDirection; b64?: string; event?: string;
}

/** Parses a raw chunk log (wire.jsonl); lifecycle event lines are skipped. */
export function parseWireJsonl(text: string): WireChunk[] {
  const out: WireChunk[] = [];
  for (const rec of jsonLines(text) as WireJsonLine[]) {
    if (rec.dir === undefined || rec.b64 === undefined || rec.conn === undefined) continue;
    out.push({ seq: rec.seq, t: rec.t, ms: rec.ms, conn: rec.conn, dir: rec.dir, data: Buffer.from(rec.b64, 'base64') });
  }
  return out;
}

/** Serialises frames the way the fixtures store them (for dumping a recorded run next to a failing test). */
export function framesToJsonl(frames: readonly TraceFrame[]): string {
  return frames.map((f) => JSON.stringify({
    n: f.n, conn: f.conn, dir: f.dir, t: f.t, ms: f.ms, chunks: f.chunks, chunkFrames: f.chunkFrames,
    len: f.len, meta: f.meta, sip: f.sip,
  })).join('\n') + '\n';
}

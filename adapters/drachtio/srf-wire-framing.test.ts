/**
 * drachtio-srf's admin-protocol reader (lib/wire-protocol.js `_onData`) against the byte
 * sequences drachtio-server really sends (golden traces, and the 503 burst from the issue #13
 * crash), cut at every kind of split point, and the failure modes patches/drachtio-srf+5.0.29.patch
 * fixes. Framing: `<decimal UTF-8 byte length>#<payload>`, no separator (PROTOCOL-NOTES §1).
 *
 * Two groups:
 *  - split points (frame boundary, inside the digits, right after '#', inside a multi-byte
 *    UTF-8 character, one byte per read): srf 5.0.29 already handles all of them (it buffers
 *    bytes, not strings). They are regression guards, and they show the crash is NOT a split.
 *  - the defects: each of these fails on the unpatched reader.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface WireProtocolLike extends EventEmitter {
  _onData(socket: object, chunk: Buffer): void;
  disconnect(socket: object): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const WireProtocol = require('drachtio-srf/lib/wire-protocol') as new (opts: object) => WireProtocolLike;

const TRACES = join(__dirname, '..', '..', 'integration-tests', 'fixtures', 'drachtio-traces');
const CRASH_LOG = join(__dirname, '__fixtures__', 'srf-framing-crash-3000-per-s.txt');

interface TraceFrame { dir: string; len: number; meta: string[]; sip: string | null }

/** Server → app payloads of one golden trace, exactly as drachtio framed them. */
function serverPayloads(scenario: string): string[] {
  return readFileSync(join(TRACES, scenario, `${scenario}.frames.jsonl`), 'utf8')
    .split('\n').filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as TraceFrame)
    .filter((f) => f.dir === 'srv->app')
    .map((f) => f.meta.join('|') + (f.sip === null ? '' : '\r\n' + f.sip));
}

/** The buffer srf held when it threw (issue #13 evidence), as bytes. */
function crashBuffer(): Buffer {
  const text = readFileSync(CRASH_LOG, 'utf8');
  const start = text.indexOf("missing length specifier: '") + "missing length specifier: '".length;
  const end = text.lastIndexOf("'\n    at WireProtocol._onData");
  return Buffer.from(text.slice(start, end), 'utf8');
}

/** The whole 503 frames of the crash buffer (each `411#…`). */
function crash503Payloads(): string[] {
  const b = crashBuffer().toString('utf8');
  return b.split(/(?=411#[0-9a-f]{8}-)/).filter((p) => p.startsWith('411#')).map((p) => p.slice(4)).filter((p) => Buffer.byteLength(p) === 411);
}

const frame = (payload: string): Buffer => {
  const body = Buffer.from(payload, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length}#`), body]);
};

class FakeSocket extends EventEmitter {
  ended = false;
  destroyed = false;
  end(): void { this.ended = true; }
  destroy(): void { this.destroyed = true; }
}

/** A client-mode reader (srf.connect) and what it delivered. */
function reader(): { wp: WireProtocolLike; socket: FakeSocket; got: string[]; errors: (Error & { code?: string })[] } {
  const wp = new WireProtocol({});
  const socket = new FakeSocket();
  const got: string[] = [];
  const errors: (Error & { code?: string })[] = [];
  wp.on('msg', (_s: unknown, m: string) => got.push(m));
  wp.on('error', (e: Error) => errors.push(e));
  return { wp, socket, got, errors };
}

/** Positions in `stream` of each kind of split point. */
function splitPoints(stream: Buffer): Record<string, number[]> {
  const out: Record<string, number[]> = { 'frame boundary': [], 'inside the length digits': [], "right after '#'": [], 'inside a multi-byte UTF-8 character': [] };
  let pos = 0;
  while (pos < stream.length) {
    const hash = stream.indexOf(0x23, pos);
    const len = Number(stream.toString('latin1', pos, hash));
    if (pos > 0) out['frame boundary']!.push(pos);
    if (hash - pos > 1) out['inside the length digits']!.push(pos + 1);
    out["right after '#'"]!.push(hash + 1);
    for (let i = hash + 1; i < hash + 1 + len; i++) {
      if ((stream[i]! & 0xc0) === 0x80 && (stream[i - 1]! & 0x80) !== 0) out['inside a multi-byte UTF-8 character']!.push(i);
    }
    pos = hash + 1 + len;
  }
  return out;
}

const UTF8_SCENARIOS = ['s1_inbound_message_200_tcp', 's2_outbound_message_503_udp', 's3_inbound_subscribe_udp', 's1x_inbound_message_large_body_tcp'];

describe('drachtio-srf wire protocol: split points (PROTOCOL-NOTES §1: lengths are bytes, chunks ignore frame boundaries)', () => {
  const payloads = [...UTF8_SCENARIOS.flatMap(serverPayloads), ...crash503Payloads().slice(0, 20)];
  const stream = Buffer.concat(payloads.map(frame));
  const points = splitPoints(stream);

  it('the fixtures contain every kind of split point, including UTF-8 bodies where bytes and characters differ', () => {
    for (const [kind, at] of Object.entries(points)) expect([kind, at.length > 0]).toEqual([kind, true]);
    expect(payloads.some((p) => Buffer.byteLength(p) !== p.length)).toBe(true);
  });

  it.each(Object.keys(points))('delivers every frame once, byte-exact, when one read ends %s', (kind) => {
    for (const at of points[kind]!) {
      const r = reader();
      r.wp._onData(r.socket, stream.subarray(0, at));
      r.wp._onData(r.socket, stream.subarray(at));
      expect(r.got).toEqual(payloads);
    }
  });

  it('delivers every frame when the stream arrives one byte per read', () => {
    const r = reader();
    for (let i = 0; i < stream.length; i++) r.wp._onData(r.socket, stream.subarray(i, i + 1));
    expect(r.got).toEqual(payloads);
  });

  it('delivers the 65 580-byte frame that drachtio sent as 65 536 + 50 bytes (s1x #5), and several frames in one read', () => {
    const r = reader();
    r.wp._onData(r.socket, stream.subarray(0, 65_536));
    r.wp._onData(r.socket, stream.subarray(65_536));
    expect(r.got).toEqual(payloads);
  });
});

describe('drachtio-srf wire protocol: defects fixed by patches/drachtio-srf+5.0.29.patch (issue #13)', () => {
  const burst = crash503Payloads();
  const stream = Buffer.concat(burst.map(frame));

  it('keeps its place after disconnect(): answers still arriving on the half-closed socket are read, not taken for a new stream', () => {
    // srf.disconnect() → socket.end() is a half-close; drachtio keeps sending the answers to
    // requests in flight. 5.0.29 dropped its reassembly buffer there, so the next read began
    // 23 bytes before a frame boundary — exactly the buffer in the crash log — and it threw.
    const r = reader();
    const cut = 415 * 3 + 392; // inside the 4th 503 frame, 23 bytes before its end
    r.wp._onData(r.socket, stream.subarray(0, cut));
    r.wp.disconnect(r.socket);
    expect(() => r.wp._onData(r.socket, stream.subarray(cut))).not.toThrow();
    expect(r.got).toEqual(burst);
  });

  it('never throws out of the socket data handler on a stream it cannot frame: it emits one EFRAMING error and destroys the socket so srf reconnects', () => {
    const r = reader();
    expect(() => r.wp._onData(r.socket, crashBuffer())).not.toThrow();
    expect(r.errors.map((e) => [e.code, /missing length specifier/.test(e.message)])).toEqual([['EFRAMING', true]]);
    expect(r.socket.destroyed).toBe(true);
    // no SIP text from the buffer is copied into the error beyond a short prefix
    expect(r.errors[0]!.message.length).toBeLessThan(200);
  });

  it.each([
    ['CRLFs before the digits', '\r\n\r\n'],
    ['a space before the digits', ' '],
  ])('refuses a length specifier with %s instead of cutting the stream at a guessed place', (_what, junk) => {
    const r = reader();
    r.wp._onData(r.socket, Buffer.concat([Buffer.from(junk), frame(burst[0]!), frame(burst[1]!)]));
    expect(r.got).toEqual([]);
    expect(r.errors.map((e) => e.code)).toEqual(['EFRAMING']);
  });

  it('refuses a read with no length specifier at all instead of buffering it forever', () => {
    const r = reader();
    r.wp._onData(r.socket, Buffer.from(burst[0]!.slice(0, 300))); // mid-frame text, no '#'
    expect(r.errors.map((e) => e.code)).toEqual(['EFRAMING']);
  });

  it('hands each frame on exactly once even when a msg listener makes the reader run again for the same socket', () => {
    // The frame must be consumed before it is emitted; 5.0.29 cut the buffer after the
    // listener returned, at an offset that was stale once the nested call had consumed it.
    const r = reader();
    const first = stream.subarray(0, 415 * 2 + 100);
    const rest = stream.subarray(415 * 2 + 100);
    let fed = false;
    r.wp.on('msg', () => {
      if (fed) return;
      fed = true;
      r.wp._onData(r.socket, rest);
    });
    expect(() => r.wp._onData(r.socket, first)).not.toThrow();
    expect(r.got).toEqual(burst);
  });
});

/**
 * The comparator and the frame splitter, checked on the golden traces themselves
 * (PROTOCOL-NOTES §1 framing, §3 token layouts).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { compareFramesByShape } from './frame-shape';
import { framePayload, splitFrames, type TraceFrame, type WireChunk } from './split-frames';
import { framesToJsonl, listTraceScenarios, loadTraceFrames, parseWireJsonl, traceFixturePath } from './trace-fixtures';

const scenarios = listTraceScenarios();

type Mutable = Omit<TraceFrame, 'meta' | 'sip' | 'len'> & { meta: string[]; sip: string | null; len: number };
const clone = (fs: readonly TraceFrame[]): Mutable[] => fs.map((f) => ({ ...f, meta: [...f.meta] }));
const withLen = (f: Mutable): Mutable => ({ ...f, len: Buffer.byteLength(framePayload(f)) });

/**
 * An independent re-randomisation of a trace: what a second run would plausibly record.
 * Every msgId/txnId, tag, branch, Call-ID, port and time gets a new value, consistently;
 * byte counts follow the new SIP lengths.
 */
function rerandomise(frames: readonly TraceFrame[]): Mutable[] {
  const map = new Map<string, string>();
  const fresh = (old: string, make: () => string) => { if (!map.has(old)) map.set(old, make()); return map.get(old) ?? old; };
  const rnd = () => Math.random().toString(36).slice(2, 10);
  const rewrite = (s: string) => s
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/g, (u) => fresh(u, randomUUID))
    .replace(/(tag=)([^;>\s|,"]+)/g, (_, p: string, v: string) => p + fresh(`tag:${v}`, () => `X${rnd()}y`))
    .replace(/(branch=)(z9hG4bK[^;>\s|,"]+)/g, (_, p: string, v: string) => p + fresh(`br:${v}`, () => `z9hG4bK-${rnd()}`))
    .replace(/^(Call-ID: )(\S+)/gim, (_, p: string, v: string) => p + fresh(`cid:${v}`, () => `${rnd()}@host.invalid`))
    .replace(/(127\.0\.0\.1:|rport=)(\d{4})\b/g, (_, p: string, v: string) => p + String(Number(v) + 10000))
    .replace(/^(CSeq: )(\d{6,})/gim, (_, p: string, v: string) => p + String(Number(v) - 123000000))
    // sofia leaves the default port 5060 out of its Via; on 15060 it would be written
    .replace(/^(Via: SIP\/2\.0\/[A-Z]+ 127\.0\.0\.1)(?=;)/gim, '$1:15060');
  return frames.map((f) => {
    const sip = f.sip === null ? null : rewrite(f.sip);
    const meta = f.meta.map((t) => rewrite(t));
    // dialogIds carry the Call-ID and tag outside any header: rewrite with the values already chosen
    const meta2 = meta.map((t) => [...map].reduce((acc, [old, neu]) => acc.split(old.replace(/^(tag|cid|br):/, '')).join(neu), t))
      .map((t) => (/^\d{2}:\d{2}:\d{2}\.\d{6}$/.test(t) ? '23:59:59.000001' : t))
      .map((t, i) => (/^\d{4}$/.test(t) && i > 4 ? String(Number(t) + 10000) : t));
    const out: Mutable = { ...f, meta: meta2, sip };
    const bytesAt = f.meta[1] === 'sip' && f.meta.length >= 10 ? 3 : f.meta[4] === 'application' ? 5 : -1;
    if (bytesAt > 0 && f.meta[bytesAt] !== '0') {
      // wire size = text size minus the ";rport=N" sofia added to a network request's top Via
      const rport = (m: Pick<TraceFrame, 'meta' | 'sip'>) => (m.meta[2] === 'network' && !(m.sip ?? '').startsWith('SIP/')
        ? /;rport=\d+/.exec(/^Via:[^\r]*/m.exec(m.sip ?? '')?.[0] ?? '')?.[0].length ?? 0 : 0);
      const off = Number(f.meta[bytesAt]) - Buffer.byteLength(f.sip ?? '') + rport(f);
      out.meta[bytesAt] = String(Buffer.byteLength(sip ?? '') - rport(out) + off);
    }
    return withLen(out);
  });
}

describe('splitFrames (port of split-frames.js; PROTOCOL-NOTES §1 framing by byte length)', () => {
  it.each(['s0_connect_routes_ping', 's3_inbound_subscribe_udp'])('rebuilds %s.frames.jsonl byte for byte from its raw chunks', (s) => {
    const chunks = parseWireJsonl(readFileSync(traceFixturePath(s, `${s}.wire.jsonl`), 'utf8'));
    const { frames, problems } = splitFrames(chunks);
    expect(problems).toEqual([]);
    expect(framesToJsonl(frames)).toBe(readFileSync(traceFixturePath(s, `${s}.frames.jsonl`), 'utf8'));
  });

  it('keeps a 65 580-byte frame that arrives in two TCP reads whole (s1x #5) and marks coalesced frames i/k', () => {
    const fx = loadTraceFrames('s1x_inbound_message_large_body_tcp').filter((f) => f.dir === 'srv->app');
    const bytes = Buffer.concat(fx.map((f) => Buffer.from(`${f.len}#${framePayload(f)}`)));
    const cuts = [0, 100, 65_636, bytes.length];
    const chunks: WireChunk[] = cuts.slice(1).map((end, i) => ({
      seq: i + 1, t: 't', ms: i, conn: 1, dir: 'srv->app', data: bytes.subarray(cuts[i] ?? 0, end),
    }));
    const { frames, problems } = splitFrames(chunks);
    expect(problems).toEqual([]);
    expect(frames.map((f) => framePayload(f))).toEqual(fx.map((f) => framePayload(f)));
    const big = frames.find((f) => f.len === 65_580);
    expect(big?.chunks).toEqual([2, 3]);
    expect(frames.filter((f) => f.chunks.at(-1) === 3).map((f) => f.chunkFrames)).toEqual(['1/2', '2/2']);
  });

  it('reports a bad length prefix and an unfinished frame instead of dropping them', () => {
    const chunks: WireChunk[] = [
      { seq: 1, t: 't', ms: 0, conn: 1, dir: 'app->srv', data: Buffer.from('4#abcdx5#zz') },
      { seq: 2, t: 't', ms: 0, conn: 1, dir: 'srv->app', data: Buffer.from('10#abc') },
    ];
    const { frames, problems } = splitFrames(chunks);
    expect(frames.map((f) => f.meta[0])).toEqual(['abcd']);
    expect(problems.map((p) => p.problem).sort()).toEqual(['bad-length-prefix', 'trailing-bytes']);
  });
});

describe('compareFramesByShape on the golden traces', () => {
  it.each(scenarios)('%s matches itself', (s) => {
    const fx = loadTraceFrames(s);
    const rep = compareFramesByShape(fx, fx);
    expect(rep.text).toBe('');
    expect(rep.ok).toBe(true);
  });

  it.each(scenarios)('%s matches a re-run with new ids, tags, Call-IDs, ports and times', (s) => {
    const fx = loadTraceFrames(s);
    const rep = compareFramesByShape(fx, rerandomise(fx));
    expect(rep.text).toBe('');
  });
});

const S1 = 's1_inbound_message_200_udp'; // #1 auth, #2 auth OK, #3 route, #4 OK, #5 MESSAGE, #6 app 200, #7 echo
const S4 = 's4_outbound_subscribe_udp';
type Mutation = (fs: Mutable[]) => void;
const at = (fs: Mutable[], n: number): Mutable => {
  const f = fs.find((x) => x.n === n);
  if (!f) throw new Error(`no frame #${n}`);
  return f;
};
const editSip = (fs: Mutable[], n: number, from: string | RegExp, to: string) => {
  const f = at(fs, n);
  f.sip = (f.sip ?? '').replace(from, to);
};

const MUTATIONS: readonly (readonly [string, string, Mutation, RegExp])[] = [
  ['a reason phrase in the echoed SIP', S1, (fs) => editSip(fs, 7, 'SIP/2.0 200 OK', 'SIP/2.0 200 Ok'), /SIP line 1/],
  ['a header name case', S1, (fs) => editSip(fs, 6, 'cseq:', 'CSeq:'), /SIP line 3/],
  ['the order of two headers', S1, (fs) => editSip(fs, 7, /(From: [^\r]*)\r\n(To: [^\r]*)/, '$2\r\n$1'), /line missing|unexpected line/],
  ['a missing header', S1, (fs) => editSip(fs, 5, /Max-Forwards: 70\r\n/, ''), /line missing/],
  ['the txnId of the echo only (same-value consistency)', S1, (fs) => { at(fs, 7).meta[10] = randomUUID(); }, /was recorded as/],
  ['one recorded id standing for two fixture ids', S1, (fs) => { at(fs, 6).meta[0] = at(fs, 1).meta[0] ?? ''; }, /stands for two/],
  ['a msgId that is not a uuid v4', S1, (fs) => { at(fs, 3).meta[0] = '6ba7b810-9dad-11d1-80b4-00c04fd430c8'; }, /meta\[0\] token differs/],
  ['a time without microseconds', S1, (fs) => { at(fs, 5).meta[7] = '11:18:17.301'; }, /meta\[7\] token differs/],
  ['a byte count that does not follow the SIP length', S1, (fs) => { at(fs, 5).meta[3] = '362'; }, /bytes minus SIP length/],
  ['an extra meta token', S1, (fs) => { at(fs, 4).meta.push(''); }, /5 tokens, fixture has 4/],
  ['a response frame kind', S1, (fs) => { at(fs, 4).meta[3] = 'NOK'; }, /meta\[3\] token differs/],
  ['a missing frame', S1, (fs) => { fs.splice(fs.findIndex((f) => f.n === 7), 1); }, /frame missing/],
  ['a CSeq that breaks the random-base sequence', S4, (fs) => editSip(fs, 10, 'CSeq: 123205917', 'CSeq: 123205999'), /CSeq numbering/],
  ['the NOK of the refused 200 (Q6)', S4, (fs) => { at(fs, 20).meta[3] = 'OK'; }, /meta\[3\]/],
];

describe('compareFramesByShape rejects a recorded run that differs from the fixture', () => {
  it.each(MUTATIONS)('%s', (_name, s, mutate, expected) => {
    const fx = loadTraceFrames(s);
    const rec = clone(fx);
    mutate(rec);
    const rep = compareFramesByShape(fx, rec.map(withLen));
    expect(rep.ok).toBe(false);
    expect(rep.text).toMatch(expected);
  });

  it.each([
    ['15060', true],
    ['15061', false],
  ])('reads a Via without port as 5060 (RFC 3261 §18.2.1): drachtio on port 15060, Via says %s → match %s', (viaPort, ok) => {
    const fx = loadTraceFrames('s2_outbound_message_200_udp');
    const rec = clone(fx).map((f) => withLen({
      ...f,
      meta: f.meta.map((t) => t.split('127.0.0.1:5060').join('127.0.0.1:15060').replace(/^5060$/, '15060')),
      sip: f.sip === null ? null : f.sip.split('127.0.0.1;rport').join(`127.0.0.1:${viaPort};rport`),
    }));
    const rep = compareFramesByShape(fx, rec.map((f) => {
      const bytesAt = f.meta[1] === 'sip' && f.meta.length >= 10 ? 3 : f.meta[4] === 'application' ? 5 : -1;
      if (bytesAt > 0) f.meta[bytesAt] = String(Number(f.meta[bytesAt]) + 6);
      return withLen(f);
    }));
    expect(rep.ok).toBe(ok);
  });

  it('applies literal substitutions (the admin secret) before comparing', () => {
    const fx = loadTraceFrames(S1);
    const rec = clone(fx);
    at(rec, 1).meta[2] = 'other-secret';
    expect(compareFramesByShape(fx, rec).ok).toBe(false);
    expect(compareFramesByShape(fx, rec, { literals: [['cymru', 'other-secret']] }).ok).toBe(true);
  });

  it('compares only the first N connections when asked (bounded reconnect loop)', () => {
    const fx = loadTraceFrames('s0_auth_failure');
    const firstThree = fx.filter((f) => f.conn <= 3);
    expect(compareFramesByShape(fx, firstThree).ok).toBe(false);
    expect(compareFramesByShape(fx, firstThree, { maxConnections: 3 }).ok).toBe(true);
  });
});

/**
 * Compares recorded drachtio admin frames with a golden trace BY SHAPE:
 * variable values (see frame-template.ts) must have the right shape and be
 * used consistently (a txnId seen in two fixture frames must be one value in
 * both recorded frames, and two different fixture values stay different);
 * every other byte must be equal. Frames are compared per connection and
 * direction, in order: the interleaving of the two directions depends on timing.
 * Chunking (chunkFrames) is not compared here; tests that depend on coalescing
 * assert it themselves.
 */
import type { TraceFrame, WireDirection } from './split-frames';
import {
  buildDictionary, matchTemplate, metaTemplate, renderTemplate, slotsOf, templateOf,
  type Dictionary, type SlotClass, type Template,
} from './frame-template';
import { alignLines } from './line-align';

export interface FrameShapeOptions {
  /** Exact replacements applied to the fixture first, e.g. [['cymru', target.secret]]. */
  readonly literals?: readonly (readonly [string, string])[];
  /** Compare only the first N connections of each side (bounded reconnect loops). */
  readonly maxConnections?: number;
}

export interface ShapeMismatch {
  readonly where: string;
  readonly why: string;
  readonly expected: string;
  readonly actual: string;
}

export interface FrameShapeReport {
  readonly ok: boolean;
  readonly mismatches: readonly ShapeMismatch[];
  /** Human-readable diff; empty when ok. */
  readonly text: string;
}

type Key = `${number}|${WireDirection}`;
const SHOW_LINES = 30;

function groupByConnection(frames: readonly TraceFrame[], max: number): Map<Key, TraceFrame[]> {
  const connRank = new Map<number, number>();
  const groups = new Map<Key, TraceFrame[]>();
  for (const f of frames) {
    if (!connRank.has(f.conn)) connRank.set(f.conn, connRank.size + 1);
    const rank = connRank.get(f.conn) ?? 0;
    if (rank > max) continue;
    const key: Key = `${rank}|${f.dir}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return groups;
}

const summary = (f: TraceFrame) =>
  `#${f.n} ${f.meta.slice(1, 4).join('|')}${f.sip === null ? '' : ' "' + (f.sip.split('\r\n')[0] ?? '') + '"'}`;

/**
 * Length of the received-port parameter (";rport=N", RFC 3581 §4) on the top Via of a
 * request from the network: sofia adds it to the text it hands the app (§3.2).
 */
function rportLength(f: TraceFrame): number {
  if (f.meta[1] !== 'sip' || f.meta[2] !== 'network' || f.sip === null || f.sip.startsWith('SIP/')) return 0;
  const via = /^(?:via|v)[ \t]*:[^\r\n]*/im.exec(f.sip)?.[0] ?? '';
  return /;rport=\d+/.exec(via)?.[0].length ?? 0;
}

class Bindings {
  private readonly fwd = new Map<string, string>();
  private readonly rev = new Map<string, string>();
  private cseqDelta: number | null = null;

  /** Returns why the binding is inconsistent, or null. */
  bind(cls: SlotClass, fixture: string, recorded: string, ctx: { f: TraceFrame; r: TraceFrame }): string | null {
    if (cls === 'time') return null;
    if (cls === 'bytes') {
      // bytes = size on the wire; the SIP text may be longer by the ";rport=N" sofia adds to the
      // top Via of a request from the network (PROTOCOL-NOTES §3.2), whose length depends on N
      if (fixture === '0') return recorded === '0' ? null : `stack-generated message must carry bytes 0, got ${recorded}`;
      const fOff = Number(fixture) - Buffer.byteLength(ctx.f.sip ?? '') + rportLength(ctx.f);
      const rOff = Number(recorded) - Buffer.byteLength(ctx.r.sip ?? '') + rportLength(ctx.r);
      return fOff === rOff ? null : `bytes minus SIP length (without ;rport=N) is ${rOff}, fixture has ${fOff}`;
    }
    if (cls === 'viaport') {
      // fixture value '' = default port 5060; recorded '' = 5060 too, ':N' = N
      return this.bind('port', '5060', recorded === '' ? '5060' : recorded.slice(1), ctx);
    }
    if (cls === 'cseq') {
      const d = Number(recorded) - Number(fixture);
      if (this.cseqDelta === null) this.cseqDelta = d;
      return this.cseqDelta === d ? null : `CSeq numbering differs from the fixture's sequence (offset ${d} vs ${this.cseqDelta})`;
    }
    const fk = `${cls}\u0000${fixture}`;
    const rk = `${cls}\u0000${recorded}`;
    const prevR = this.fwd.get(fk);
    if (prevR !== undefined && prevR !== recorded) {
      return `${cls} ${JSON.stringify(fixture)} was recorded as ${JSON.stringify(prevR)} before, now ${JSON.stringify(recorded)}`;
    }
    const prevF = this.rev.get(rk);
    if (prevF !== undefined && prevF !== fixture) {
      return `recorded ${cls} ${JSON.stringify(recorded)} stands for two fixture values (${JSON.stringify(prevF)}, ${JSON.stringify(fixture)})`;
    }
    this.fwd.set(fk, recorded);
    this.rev.set(rk, fixture);
    return null;
  }
}

function compareFrame(f: TraceFrame, r: TraceFrame, dict: Dictionary, b: Bindings, where: string): ShapeMismatch[] {
  const out: ShapeMismatch[] = [];
  const ctx = { f, r };
  const bindAll = (t: Template, caps: string[], at: string, line: string) => {
    slotsOf(t).forEach((s, i) => {
      const why = b.bind(s.cls, s.value, caps[i] ?? '', ctx);
      if (why) out.push({ where: `${where} ${at}`, why, expected: renderTemplate(t), actual: line });
    });
  };
  if (f.meta.length !== r.meta.length) {
    out.push({ where: `${where} meta`, why: `${r.meta.length} tokens, fixture has ${f.meta.length}`,
      expected: f.meta.map((_, i) => renderTemplate(metaTemplate(f.meta, i, dict))).join('|'), actual: r.meta.join('|') });
    return out;
  }
  f.meta.forEach((_, i) => {
    const t = metaTemplate(f.meta, i, dict);
    const got = r.meta[i] ?? '';
    const caps = matchTemplate(t, got);
    if (caps === null) out.push({ where: `${where} meta[${i}]`, why: 'token differs', expected: renderTemplate(t), actual: got });
    else bindAll(t, caps, `meta[${i}]`, got);
  });
  if ((f.sip === null) !== (r.sip === null)) {
    out.push({ where: `${where} sip`, why: f.sip === null ? 'unexpected SIP part' : 'SIP part missing',
      expected: f.sip ?? '(none)', actual: r.sip ?? '(none)' });
    return out;
  }
  if (f.sip === null || r.sip === null) return out;
  const tl = f.sip.split('\r\n').map((l) => templateOf(l, dict));
  const rl = r.sip.split('\r\n');
  for (const step of alignLines(tl, rl, (t, l) => matchTemplate(t, l) !== null)) {
    if (step.kind === 'same') {
      const t = tl[step.f] ?? [];
      const line = rl[step.r] ?? '';
      bindAll(t, matchTemplate(t, line) ?? [], `SIP line ${step.f + 1}`, line);
    } else if (step.kind === 'missing') {
      out.push({ where: `${where} SIP line ${step.f + 1}`, why: 'line missing', expected: renderTemplate(tl[step.f] ?? []), actual: '' });
    } else {
      out.push({ where: `${where} SIP line ~${step.r + 1}`, why: 'unexpected line', expected: '', actual: rl[step.r] ?? '' });
    }
  }
  return out;
}

export function compareFramesByShape(
  fixture: readonly TraceFrame[], recorded: readonly TraceFrame[], opts: FrameShapeOptions = {},
): FrameShapeReport {
  const lits = opts.literals ?? [];
  const sub = (s: string) => lits.reduce((acc, [from, to]) => acc.split(from).join(to), s);
  const fx = fixture.map((f) => ({ ...f, meta: f.meta.map(sub), sip: f.sip === null ? null : sub(f.sip) }));
  const dict = buildDictionary(fx);
  const max = opts.maxConnections ?? Number.POSITIVE_INFINITY;
  const fg = groupByConnection(fx, max);
  const rg = groupByConnection(recorded, max);
  const bindings = new Bindings();
  const mismatches: ShapeMismatch[] = [];
  const detail: string[] = [];
  const keys = [...new Set([...fg.keys(), ...rg.keys()])].sort();
  for (const key of keys) {
    const [conn, dir] = key.split('|');
    const fl = fg.get(key) ?? [];
    const rl = rg.get(key) ?? [];
    for (let i = 0; i < Math.max(fl.length, rl.length); i++) {
      const f = fl[i];
      const r = rl[i];
      const where = `[conn ${conn} ${dir} frame ${i + 1}: fixture #${f?.n ?? '-'} / recorded #${r?.n ?? '-'}]`;
      if (!f || !r) {
        mismatches.push({ where, why: f ? 'frame missing' : 'unexpected frame', expected: f ? summary(f) : '', actual: r ? summary(r) : '' });
        continue;
      }
      const ms = compareFrame(f, r, dict, bindings, where);
      mismatches.push(...ms);
      if (ms.length > 0 && detail.length < 3) detail.push(frameSideBySide(f, r, dict, where));
    }
  }
  const text = mismatches.length === 0 ? '' : [
    `${mismatches.length} difference(s) between the recorded frames and the fixture:`,
    ...mismatches.slice(0, 40).map((m) =>
      `${m.where} ${m.why}\n    expected: ${JSON.stringify(m.expected)}\n    actual:   ${JSON.stringify(m.actual)}`),
    ...(mismatches.length > 40 ? [`… ${mismatches.length - 40} more`] : []),
    ...detail,
  ].join('\n');
  return { ok: mismatches.length === 0, mismatches, text };
}

function frameSideBySide(f: TraceFrame, r: TraceFrame, dict: Dictionary, where: string): string {
  const fMeta = f.meta.map((_, i) => renderTemplate(metaTemplate(f.meta, i, dict))).join('|');
  const fSip = f.sip === null ? [] : f.sip.split('\r\n').map((l) => renderTemplate(templateOf(l, dict)));
  const rSip = r.sip === null ? [] : r.sip.split('\r\n');
  const lines = (ls: string[]) => [...ls.slice(0, SHOW_LINES).map((l) => `  | ${l}`),
    ...(ls.length > SHOW_LINES ? [`  | … ${ls.length - SHOW_LINES} more lines`] : [])];
  return [`--- fixture (shape) ${where}`, `  ${fMeta}`, ...lines(fSip),
    '+++ recorded', `  ${r.meta.join('|')}`, ...lines(rSip)].join('\n');
}

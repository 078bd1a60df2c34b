/**
 * Turns a golden trace's text (meta tokens, SIP lines) into templates: literal
 * text plus SLOTS for the values that change on every run (PROTOCOL-NOTES:
 * "msgIds, txnIds, tags, Call-IDs, branches and times"; plus ports, byte counts
 * and drachtio's random CSeq base). A slot matches by shape; frame-shape.ts then
 * checks that the values bound to slots are consistent across the whole trace.
 */
import type { TraceFrame } from './split-frames';

export type SlotClass = 'uuid' | 'callid' | 'tag' | 'branch' | 'port' | 'viaport' | 'time' | 'bytes' | 'cseq';

const TOKEN = "[A-Za-z0-9.!%*_+`'~-]+"; // RFC 3261 §25.1 token

/** The shape every recorded value must have. */
export const SLOT_SHAPES: Readonly<Record<SlotClass, string>> = {
  // msgIds and txnIds: drachtio-server and drachtio-srf both use uuid v4
  uuid: '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}',
  callid: '[^\\s;|<>"]+', // RFC 3261 §25.1 callid = word [ "@" word ]
  tag: TOKEN,
  branch: `z9hG4bK${TOKEN}`, // RFC 3261 §8.1.1.7 magic cookie
  port: '\\d{1,5}',
  // a Via sent-by without port means 5060 (RFC 3261 §18.2.1, §20.42); sofia leaves it out
  viaport: '(?::\\d{1,5})?',
  time: '\\d{2}:\\d{2}:\\d{2}\\.\\d{6}', // drachtio's HH:MM:SS.micro (PROTOCOL-NOTES §3.1)
  bytes: '\\d+',
  cseq: '\\d+',
};

export interface Slot { readonly cls: SlotClass; readonly value: string }
export type Template = readonly (string | Slot)[];

const UUID_RE = new RegExp(SLOT_SHAPES.uuid, 'g');
const TIME_RE = new RegExp(`^${SLOT_SHAPES.time}$`);
const EXTRACTORS: readonly (readonly [SlotClass, RegExp])[] = [
  ['callid', /^(?:call-id|i)[ \t]*:[ \t]*(\S+)/gim],
  ['tag', /tag=([^;>\s|,"]+)/g],
  ['branch', /branch=([^;>\s|,"]+)/g],
];
/** Context rules: the capture is the slot. */
const CONTEXT_RULES: readonly (readonly [SlotClass, RegExp])[] = [
  ['port', /(?<=\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}:)(\d{1,5})\b/g],
  ['port', /(?<=rport=)(\d{1,5})\b/g],
  ['viaport', /(?<=^(?:via|v)[ \t]*:[ \t]*SIP\/2\.0\/[A-Z]+ \d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})()(?=[;\s]|$)/gim],
  // drachtio picks a random CSeq base for requests it originates (S2 #4, S4 #4); small ones are exact
  ['cseq', /(?<=^cseq[ \t]*:[ \t]*)(\d{4,})\b/gim],
];

export type Dictionary = readonly Slot[];

/** Collects the variable values of a trace, longest first (so a Call-ID wins over a tag inside it). */
export function buildDictionary(frames: readonly TraceFrame[]): Dictionary {
  const found = new Map<string, SlotClass>();
  for (const f of frames) {
    const text = f.meta.join('|') + '\n' + (f.sip ?? '');
    for (const m of text.matchAll(UUID_RE)) if (!found.has(m[0])) found.set(m[0], 'uuid');
    for (const [cls, re] of EXTRACTORS) {
      for (const m of text.matchAll(re)) {
        const v = m[1];
        if (v !== undefined && !found.has(v)) found.set(v, cls);
      }
    }
  }
  return [...found].map(([value, cls]) => ({ cls, value })).sort((a, b) => b.value.length - a.value.length);
}

/** Slot class forced by a meta token's position (PROTOCOL-NOTES §3.1, §3.2 token tables). */
export function metaSlotClass(meta: readonly string[], i: number): SlotClass | null {
  const tok = meta[i] ?? '';
  if (TIME_RE.test(tok)) return 'time';
  const isSipFromServer = meta[1] === 'sip' && (meta[2] === 'network' || meta[2] === 'application') && meta.length >= 10;
  if (isSipFromServer && i === 3) return 'bytes';
  if (isSipFromServer && (i === 6 || (i === 11 && meta.length > 12)) && /^\d+$/.test(tok)) return 'port';
  const isEcho = meta[1] === 'response' && meta[3] === 'OK' && meta[4] === 'application';
  if (isEcho && i === 5) return 'bytes';
  if (isEcho && i === 8 && /^\d+$/.test(tok)) return 'port';
  return null;
}

interface Span { start: number; end: number; slot: Slot }

export function templateOf(text: string, dict: Dictionary): Template {
  const spans: Span[] = [];
  const free = (s: number, e: number) => spans.every((sp) => e <= sp.start || s >= sp.end);
  for (const d of dict) {
    for (let at = text.indexOf(d.value); at !== -1; at = text.indexOf(d.value, at + d.value.length)) {
      if (free(at, at + d.value.length)) spans.push({ start: at, end: at + d.value.length, slot: d });
    }
  }
  for (const [cls, re] of CONTEXT_RULES) {
    for (const m of text.matchAll(re)) {
      const v = m[1] ?? '';
      const at = m.index ?? 0;
      if (free(at, at + v.length)) spans.push({ start: at, end: at + v.length, slot: { cls, value: v } });
    }
  }
  spans.sort((a, b) => a.start - b.start);
  const out: (string | Slot)[] = [];
  let pos = 0;
  for (const sp of spans) {
    if (sp.start > pos) out.push(text.slice(pos, sp.start));
    out.push(sp.slot);
    pos = sp.end;
  }
  if (pos < text.length || out.length === 0) out.push(text.slice(pos));
  return out;
}

export function metaTemplate(meta: readonly string[], i: number, dict: Dictionary): Template {
  const cls = metaSlotClass(meta, i);
  const tok = meta[i] ?? '';
  return cls === null ? templateOf(tok, dict) : [{ cls, value: tok }];
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const compiled = new WeakMap<Template, RegExp>();

/** The recorded values captured by the template's slots, or null when the text does not fit. */
export function matchTemplate(t: Template, text: string): string[] | null {
  let re = compiled.get(t);
  if (!re) {
    re = new RegExp('^' + t.map((p) => (typeof p === 'string' ? escapeRe(p) : `(${SLOT_SHAPES[p.cls]})`)).join('') + '$');
    compiled.set(t, re);
  }
  const m = re.exec(text);
  return m ? m.slice(1).map((v) => v ?? '') : null;
}

export function slotsOf(t: Template): Slot[] {
  return t.filter((p): p is Slot => typeof p !== 'string');
}

/** Readable form for diffs: slots are shown as ‹class›. */
export function renderTemplate(t: Template): string {
  return t.map((p) => (typeof p === 'string' ? p : `‹${p.cls}›`)).join('');
}

import { err, ok, type Result } from '../result';

/**
 * SIP-specific event notification headers, RFC 6665 §8.2.1 (Event), §8.2.3
 * (Subscription-State) and RFC 3261 §20.19 (Expires), parsed into plain data.
 * Parameter names, substates and reasons are case-insensitive tokens
 * (RFC 3261 §7.3.1) and are lower-cased; the event package name is kept as
 * written and compared exactly (RFC 6665 §7.2.1: tokens compared case-sensitively).
 */
export type SubState = 'active' | 'pending' | 'terminated';

/** RFC 6665 §4.2.2 reason codes (extensions are kept as their lower-cased token). */
export type TerminationReason =
  | 'deactivated'
  | 'probation'
  | 'rejected'
  | 'timeout'
  | 'giveup'
  | 'noresource'
  | 'invariant';

export interface SubscriptionState {
  readonly state: SubState;
  readonly reason?: TerminationReason | (string & {});
  readonly expires?: number;
  readonly retryAfter?: number;
  /** All parameters, names lower-cased (values of flag parameters are ""). */
  readonly params: Readonly<Record<string, string>>;
}

export interface EventHeader {
  /** "presence" for RFC 3856. */
  readonly package: string;
  /** Event templates after the package, e.g. ["winfo"] for "presence.winfo" (RFC 3857). */
  readonly templates: ReadonlyArray<string>;
  readonly id?: string;
  readonly params: Readonly<Record<string, string>>;
}

export interface SubscriptionHeaderError {
  readonly code: 'invalid-header';
  readonly detail: string;
}

const TOKEN = /^[!%'*+\-.^_`|~0-9A-Za-z]+$/;
const DIGITS = /^[0-9]+$/;
/** RFC 3261 §25.1 delta-seconds: larger values are taken as 2^32-1. */
const MAX_DELTA = 2 ** 32 - 1;

const bad = (header: string, value: string, why: string) =>
  err<SubscriptionHeaderError>({ code: 'invalid-header', detail: `${header} "${value.slice(0, 80)}": ${why}` });

export function parseDeltaSeconds(v: string): number | undefined {
  const t = v.trim();
  if (!DIGITS.test(t)) return undefined;
  return Math.min(Number(t), MAX_DELTA);
}

/** Expires header (RFC 3261 §20.19), e.g. on SUBSCRIBE (RFC 6665 §8.2 / §4.1.2.1). */
export function parseExpiresHeader(value: string): Result<number, SubscriptionHeaderError> {
  const n = parseDeltaSeconds(value);
  return n === undefined ? bad('Expires', value, 'not delta-seconds') : ok(n);
}

export function parseSubscriptionStateHeader(value: string): Result<SubscriptionState, SubscriptionHeaderError> {
  const parts = splitParams(value);
  if (!parts.ok) return bad('Subscription-State', value, parts.error);
  const state = parts.value.head.toLowerCase();
  if (state !== 'active' && state !== 'pending' && state !== 'terminated') {
    return bad('Subscription-State', value, 'substate is not active, pending or terminated');
  }
  const p = parts.value.params;
  const num = (name: string): Result<number | undefined, string> => {
    const raw = p[name];
    if (raw === undefined) return ok(undefined);
    const n = parseDeltaSeconds(raw);
    return n === undefined ? err(`${name} is not delta-seconds`) : ok(n);
  };
  const expires = num('expires');
  if (!expires.ok) return bad('Subscription-State', value, expires.error);
  const retryAfter = num('retry-after');
  if (!retryAfter.ok) return bad('Subscription-State', value, retryAfter.error);
  const reason = p.reason?.toLowerCase();
  return ok({
    state,
    ...(reason ? { reason } : {}),
    ...(expires.value !== undefined ? { expires: expires.value } : {}),
    ...(retryAfter.value !== undefined ? { retryAfter: retryAfter.value } : {}),
    params: p,
  });
}

export function formatSubscriptionStateHeader(s: {
  readonly state: SubState;
  readonly reason?: string;
  readonly expires?: number;
  readonly retryAfter?: number;
}): string {
  let out: string = s.state;
  if (s.reason !== undefined) out += `;reason=${s.reason}`;
  if (s.expires !== undefined) out += `;expires=${Math.max(0, Math.floor(s.expires))}`;
  if (s.retryAfter !== undefined) out += `;retry-after=${Math.max(0, Math.floor(s.retryAfter))}`;
  return out;
}

export function parseEventHeader(value: string): Result<EventHeader, SubscriptionHeaderError> {
  const parts = splitParams(value);
  if (!parts.ok) return bad('Event', value, parts.error);
  const [pkg, ...templates] = parts.value.head.split('.');
  if (!pkg || templates.some((t) => t === '')) return bad('Event', value, 'empty event package or template');
  const id = parts.value.params.id;
  return ok({ package: pkg, templates, ...(id !== undefined ? { id } : {}), params: parts.value.params });
}

/** RFC 3856 §6.2: the presence package itself, not a template such as presence.winfo. */
export function isPresenceEvent(e: EventHeader): boolean {
  return e.package === 'presence' && e.templates.length === 0;
}

interface Split {
  readonly head: string;
  readonly params: Record<string, string>;
}

/** "head;a=b;c" → head + params (token or quoted-string values, RFC 3261 §25.1 generic-param). */
function splitParams(value: string): Result<Split, string> {
  const segs = value.split(';').map((s) => s.trim());
  const head = segs.shift() ?? '';
  if (!TOKEN.test(head)) return err('value is not a token');
  const params: Record<string, string> = {};
  for (const seg of segs) {
    if (seg === '') continue;
    const eq = seg.indexOf('=');
    const name = (eq < 0 ? seg : seg.slice(0, eq)).trim().toLowerCase();
    let v = eq < 0 ? '' : seg.slice(eq + 1).trim();
    if (!TOKEN.test(name)) return err(`parameter name "${name.slice(0, 40)}" is not a token`);
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1);
    else if (eq >= 0 && !TOKEN.test(v)) return err(`parameter ${name} has an invalid value`);
    params[name] = v;
  }
  return ok({ head, params });
}

import { err, ok, type Result } from '../result';
import { messageError, type MessageError } from './message-error';

/**
 * A parsed Content-Type value (RFC 3261 §20.15, media-type grammar of
 * RFC 2045 §5.1): type/subtype lower-cased, parameter names lower-cased,
 * quoted-string values unquoted. `essence` is "type/subtype".
 */
export interface MediaType {
  readonly type: string;
  readonly subtype: string;
  readonly essence: string;
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function parseContentType(value: string): Result<MediaType, MessageError> {
  const bad = (why: string) => err(messageError('invalid-header', `Content-Type "${value.slice(0, 80)}": ${why}`));
  const parts = splitParams(value);
  const head = parts.shift()?.trim() ?? '';
  const slash = head.indexOf('/');
  if (slash < 0) return bad('missing "/"');
  const type = head.slice(0, slash).trim().toLowerCase();
  const subtype = head.slice(slash + 1).trim().toLowerCase();
  if (!TOKEN.test(type) || !TOKEN.test(subtype)) return bad('type or subtype is not a token');
  const params: Record<string, string> = {};
  for (const p of parts) {
    if (p.trim() === '') continue;
    const eq = p.indexOf('=');
    if (eq < 0) return bad(`parameter "${p.trim()}" has no value`);
    const name = p.slice(0, eq).trim().toLowerCase();
    let v = p.slice(eq + 1).trim();
    if (!TOKEN.test(name)) return bad('parameter name is not a token');
    if (v.startsWith('"')) {
      if (v.length < 2 || !v.endsWith('"')) return bad('unterminated quoted string');
      v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    }
    params[name] = v;
  }
  return ok({ type, subtype, essence: `${type}/${subtype}`, params });
}

/** Splits on ';' outside quoted strings. */
function splitParams(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quoted && c === '\\' && i + 1 < value.length) {
      cur += c + value[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ';' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

export function formatMediaType(m: Pick<MediaType, 'essence' | 'params'>): string {
  let s = m.essence;
  for (const [k, v] of Object.entries(m.params)) s += `;${k}=${TOKEN.test(v) ? v : `"${v.replace(/["\\]/g, '\\$&')}"`}`;
  return s;
}

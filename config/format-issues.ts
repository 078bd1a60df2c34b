import type { z } from 'zod';
import type { ConfigIssue } from './types';

type PathKey = PropertyKey;

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** ['partners', 1, 'tls'] → "partners[1].tls"; keys that are not identifiers are quoted: policy.domains["example.com"]. */
export function formatPath(path: readonly PathKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else {
      const s = String(key);
      out += IDENT.test(s) ? (out === '' ? s : `.${s}`) : `[${JSON.stringify(s)}]`;
    }
  }
  return out === '' ? '(root)' : out;
}

/** Longest bad enum value echoed back; longer ones are cut (a pasted blob is not helpful). */
const MAX_ECHO = 40;

/**
 * An enum's bad value, quoted, so the operator sees the typo (issue #14):
 * `"Requird" is not one of Required|Optional|NotSupported`. Only enum values
 * are echoed (the schema must be parsed with `reportInput: true`); no secret
 * key is an enum, and every other issue stays value-free.
 */
function badEnumValue(issue: z.core.$ZodIssue): string | undefined {
  const input = (issue as { input?: unknown }).input;
  if (typeof input === 'number' || typeof input === 'boolean') return String(input);
  if (typeof input !== 'string') return undefined;
  return JSON.stringify(input.length > MAX_ECHO ? `${input.slice(0, MAX_ECHO)}…` : input);
}

/**
 * Turns one zod issue into a short message. Values are not echoed (a secret
 * typed into the wrong key must not end up in the output), except the bad
 * value of an enum: see badEnumValue.
 */
function describe(issue: z.core.$ZodIssue): { path: readonly PathKey[]; message: string }[] {
  switch (issue.code) {
    case 'invalid_value': {
      const allowed = issue.values.map(String).join('|');
      const bad = badEnumValue(issue);
      return [{ path: issue.path, message: bad === undefined ? `expected one of ${allowed}` : `${bad} is not one of ${allowed}` }];
    }
    case 'unrecognized_keys':
      return issue.keys.map((k) => ({ path: [...issue.path, k], message: 'unknown key' }));
    case 'invalid_type':
      return [{ path: issue.path, message: issue.message.endsWith('received undefined') ? `required (${issue.expected})` : `expected ${issue.expected}, ${issue.message.replace(/^.*expected \S+, /, '')}` }];
    case 'too_small':
      return [{ path: issue.path, message: issue.origin === 'string' ? `must be at least ${issue.minimum} characters` : issue.origin === 'array' ? `must have at least ${issue.minimum} entr${issue.minimum === 1 ? 'y' : 'ies'}` : `must be ${issue.inclusive ? '>=' : '>'} ${issue.minimum}` }];
    case 'too_big':
      return [{ path: issue.path, message: issue.origin === 'string' ? `must be at most ${issue.maximum} characters` : `must be ${issue.inclusive ? '<=' : '<'} ${issue.maximum}` }];
    case 'invalid_union':
      return [{ path: issue.path, message: 'does not match any allowed form' }];
    default:
      return [{ path: issue.path, message: issue.message }];
  }
}

export function zodIssuesToConfigIssues(issues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  return issues.flatMap(describe).map(({ path, message }) => ({ severity: 'error' as const, path: formatPath(path), message }));
}

/**
 * Names the environment variable in the path of an issue about a value that came
 * from it, so the operator does not search the file for a value it lacks (issue #14):
 * `DXG_DIALBACK_SECRET (gateway.s2s.dialbackSecret): must be at least 16 characters`.
 * `fromEnv` maps a config path to the variable that supplied it (config/load.ts knows which did).
 */
export function attributeToEnv(issues: readonly ConfigIssue[], fromEnv: Readonly<Record<string, string>>): ConfigIssue[] {
  return issues.map((issue) => {
    for (const [key, variable] of Object.entries(fromEnv)) {
      const p = issue.path;
      if (p === key || p.startsWith(`${key}.`) || p.startsWith(`${key}[`)) return { ...issue, path: `${variable} (${p})` };
    }
    return issue;
  });
}

/** One line per issue: `error: partners[1].tls: "Requird" is not one of Required|Optional|NotSupported`. */
export function formatIssue(issue: ConfigIssue): string {
  return `${issue.severity}: ${issue.path}: ${issue.message}`;
}

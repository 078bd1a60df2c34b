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

/**
 * Turns one zod issue into a short message. Values are never echoed, so a
 * secret typed into the wrong key cannot end up in the output.
 */
function describe(issue: z.core.$ZodIssue): { path: readonly PathKey[]; message: string }[] {
  switch (issue.code) {
    case 'invalid_value':
      return [{ path: issue.path, message: `expected one of ${issue.values.map(String).join('|')}` }];
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

/** One line per issue: "error: partners[1].tls: expected one of Required|Optional|NotSupported". */
export function formatIssue(issue: ConfigIssue): string {
  return `${issue.severity}: ${issue.path}: ${issue.message}`;
}

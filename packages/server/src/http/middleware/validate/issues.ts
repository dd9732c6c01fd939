/** zod errors → the `invalid_request` answer: readable `{ path, message }` pairs, values never echoed. */
import type { z } from 'zod';
import { ApiError } from '../../../errors.js';

export interface ValidationIssue {
  path: string;
  message: string;
}

/** The value at `path` inside `input` (undefined where the path leads nowhere). */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const an = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

/**
 * zod issues → `{ path, message }` pairs, prefixed by where the input was (body, query…). `input` is
 * what was parsed: a field of the wrong type says which type it must be, a missing one "is required"
 * (zod 4 reports both as `invalid_type` and keeps the input out of its issues).
 */
export function toIssues(location: string, error: z.ZodError, input: unknown): ValidationIssue[] {
  return error.issues.slice(0, 20).map((issue) => {
    const segments = issue.path.map((p) => String(p));
    if (issue.code === 'unrecognized_keys') {
      return {
        path: [location, ...segments].join('.'),
        message: `unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys
          .slice(0, 5)
          .map((k) => k.slice(0, 40))
          .join(', ')}`,
      };
    }
    let message = issue.message;
    if (issue.code === 'invalid_type') {
      message = valueAt(input, issue.path) === undefined ? 'is required' : `must be ${an(issue.expected)}`;
    }
    return { path: [location, ...segments].join('.'), message };
  });
}

/** `invalid_request` for one location (`Invalid ${what}.`) with its issues. */
export function invalid(location: string, error: z.ZodError, what: string, input: unknown): ApiError {
  return new ApiError('invalid_request', `Invalid ${what}.`, { issues: toIssues(location, error, input) });
}

/** `invalid_request` with one issue. */
export function invalidInput(message: string, path: string, issue: string): ApiError {
  return new ApiError('invalid_request', message, { issues: [{ path, message: issue }] });
}

/** zod errors → the `invalid_request` answer: readable `{ path, message }` pairs, values never echoed. */
import type { z } from 'zod';
import { ApiError } from '../../../errors.js';

export interface ValidationIssue {
  path: string;
  message: string;
}

/** zod issues → `{ path, message }` pairs, prefixed by where the input was (body, query…). */
export function toIssues(location: string, error: z.ZodError): ValidationIssue[] {
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
    const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
    return { path: [location, ...segments].join('.'), message };
  });
}

/** `invalid_request` for one location (`Invalid ${what}.`) with its issues. */
export function invalid(location: string, error: z.ZodError, what: string): ApiError {
  return new ApiError('invalid_request', `Invalid ${what}.`, { issues: toIssues(location, error) });
}

/** `invalid_request` with one issue. */
export function invalidInput(message: string, path: string, issue: string): ApiError {
  return new ApiError('invalid_request', message, { issues: [{ path, message: issue }] });
}

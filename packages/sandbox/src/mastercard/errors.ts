/**
 * Errors in the Mastercard (Aiia Enterprise) shape: `{ error: "<Code>", details: { reason, … } }`.
 * The keys in `details` vary by error, as they do in the real API.
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';

export interface MastercardErrorBody {
  error: string;
  details: { reason: string; [key: string]: unknown };
}

/** Thrown by route handlers; the sub-app's error handler turns it into the JSON response. */
export class MastercardApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly body: MastercardErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.details.reason);
    this.name = 'MastercardApiError';
  }
}

export type ValidationErrors = Record<string, string[]>;

export function invalidInput(reason: string, validationErrors: ValidationErrors): MastercardApiError {
  return new MastercardApiError(400, { error: 'InvalidInput', details: { reason, validationErrors } });
}

export function notFound(error: string, reason: string, extra: Record<string, unknown> = {}): MastercardApiError {
  return new MastercardApiError(404, { error, details: { reason, ...extra } });
}

export function unauthorized(reason: string): MastercardApiError {
  return new MastercardApiError(401, { error: 'Unauthorized', details: { reason } });
}

function pathToField(path: readonly PropertyKey[]): string {
  let field = '';
  for (const part of path) {
    if (typeof part === 'number') field += `[${part}]`;
    else field += field ? `.${String(part)}` : String(part);
  }
  return field || '(body)';
}

/** zod issues → `{ "request.amount.value": ["…"] }`, keyed by the JSON path of the offending field. */
export function toValidationErrors(error: z.ZodError): ValidationErrors {
  const out: ValidationErrors = {};
  const add = (field: string, message: string) => {
    (out[field] ??= []).push(message);
  };
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add(pathToField([...issue.path, key]), 'is not a known field');
    } else {
      add(pathToField(issue.path), issue.message);
    }
  }
  return out;
}

/** zod's error customiser: say "is required" for missing fields instead of "expected string, received undefined". */
export function requiredMessage(issue: { code: string; input?: unknown }): string | undefined {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required';
  return undefined;
}

/** A schema-level message that still says "is required" when the field is missing (schema messages win over the parse-level customiser). */
export function orRequired(message: string): (issue: { input?: unknown }) => string {
  return (issue) => (issue.input === undefined ? 'is required' : message);
}

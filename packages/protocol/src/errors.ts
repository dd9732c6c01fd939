import { z } from 'zod';

/**
 * Every error the companion server answers with, and its HTTP status. The body is always
 * `{ "error": { "code", "message", "details"?, "retryable" } }`.
 */
export const ERROR_STATUS = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payment_in_progress: 409,
  invalid_state: 409,
  idempotency_key_reused: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  return_url_not_allowed: 422,
  method_not_available: 422,
  bank_not_available: 422,
  amount_exceeds_authorized: 422,
  amount_exceeds_captured: 422,
  session_expired: 410,
  rate_limited: 429,
  attempt_limit_reached: 409,
  internal_error: 500,
  provider_error: 502,
  provider_unavailable: 503,
  provider_timeout: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;
export const ErrorCode = z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]).meta({ id: 'ErrorCode' });

/**
 * Errors a client may simply try again (after a pause), unless the server says otherwise for one
 * answer (`retryable` in the body is the word that counts: a provider that refused the request
 * itself, say, is a provider_error that no retry fixes).
 */
export const RETRYABLE_ERRORS: readonly ErrorCode[] = [
  'rate_limited',
  'provider_error',
  'provider_unavailable',
  'provider_timeout',
  'internal_error',
];

export const ApiErrorBody = z
  .object({
    error: z.object({
      code: ErrorCode,
      message: z.string(),
      retryable: z.boolean(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error' });
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

/** Build an error body (used by the server; handy for tests). */
export function errorBody(
  code: ErrorCode,
  message: string,
  details?: unknown,
  retryable: boolean = RETRYABLE_ERRORS.includes(code),
): ApiErrorBody {
  return {
    error: { code, message, retryable, ...(details === undefined ? {} : { details }) },
  };
}

/**
 * The server's errors, in one module: ApiError (what a client is answered), ProviderError (what an
 * adapter throws) and the mapping from anything thrown to an ApiError that is safe to answer with.
 *
 * ApiError: the one error type the server throws for anything a client should see. It carries a protocol
 * error code (which fixes the HTTP status) and a message that is safe to show: never a secret,
 * never an internal stack.
 */
import { ERROR_STATUS, RETRYABLE_ERRORS, errorBody, type ApiErrorBody, type ErrorCode } from '@pay-with-bank/protocol';
import { isStoreUnavailable } from './store/store.js';

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  /** Extra response headers (e.g. Allow on 405). */
  readonly headers: Record<string, string>;
  /** Whether the same request may succeed later; by default what the code implies (RETRYABLE_ERRORS). */
  readonly retryable: boolean;

  constructor(
    code: ErrorCode,
    message: string,
    details?: unknown,
    headers: Record<string, string> = {},
    options: { retryable?: boolean } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.details = details;
    this.headers = headers;
    this.retryable = options.retryable ?? RETRYABLE_ERRORS.includes(code);
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toBody(): ApiErrorBody {
    return errorBody(this.code, this.message, this.details, this.retryable);
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/**
 * Errors an adapter throws. The core turns them into API errors with the same code, so the message
 * must already be safe to show (the provider's reason, never credentials or raw bodies).
 */
export type ProviderErrorCode = Extract<
  ErrorCode,
  | 'provider_error'
  | 'provider_unavailable'
  | 'provider_timeout'
  | 'unauthorized'
  | 'invalid_request'
  | 'not_found'
  | 'invalid_state'
  | 'bank_not_available'
  | 'amount_exceeds_authorized'
  | 'amount_exceeds_captured'
>;

export class ProviderError extends Error {
  readonly code: ProviderErrorCode;
  readonly details: unknown;
  /** False when the provider refused the request itself: asking again cannot succeed. Default: per code. */
  readonly retryable: boolean | undefined;
  constructor(code: ProviderErrorCode, message: string, details?: unknown, options: { retryable?: boolean } = {}) {
    super(message);
    this.name = 'ProviderError';
    this.code = code;
    this.details = details;
    this.retryable = options.retryable;
  }
}

/** Turn anything an adapter (or the core) throws into an ApiError that is safe to answer with. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof ProviderError) {
    // A busy provider said when to come back (429/503 Retry-After): tell our client the same.
    const retryAfter = (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    const headers: Record<string, string> =
      typeof retryAfter === 'number' && Number.isInteger(retryAfter) && retryAfter >= 0
        ? { 'Retry-After': String(retryAfter) }
        : {};
    return new ApiError(error.code, error.message, error.details, headers, { retryable: error.retryable });
  }
  if (isStoreUnavailable(error)) {
    // The database is restarting or a connection dropped: retryable (every store write is safe to
    // repeat), with a short pause to wait. Every route documents it.
    return new ApiError(
      'store_unavailable',
      'The server cannot reach its database right now; try again shortly.',
      undefined,
      { 'Retry-After': '1' },
    );
  }
  return new ApiError('internal_error', 'An unexpected error occurred.');
}

/**
 * The one error type the server throws for anything a client should see. It carries a protocol
 * error code (which fixes the HTTP status) and a message that is safe to show: never a secret,
 * never an internal stack.
 */
import { ERROR_STATUS, RETRYABLE_ERRORS, errorBody, type ApiErrorBody, type ErrorCode } from '@pay-with-bank/protocol';

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

/**
 * The one error type the server throws for anything a client should see. It carries a protocol
 * error code (which fixes the HTTP status) and a message that is safe to show: never a secret,
 * never an internal stack.
 */
import { ERROR_STATUS, errorBody, type ApiErrorBody, type ErrorCode } from '@pay-with-bank/protocol';

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  /** Extra response headers (e.g. Allow on 405). */
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, details?: unknown, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.details = details;
    this.headers = headers;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toBody(): ApiErrorBody {
    return errorBody(this.code, this.message, this.details);
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

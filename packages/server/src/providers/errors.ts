/**
 * Errors an adapter throws. The core turns them into API errors with the same code, so the message
 * must already be safe to show (the provider's reason, never credentials or raw bodies).
 */
import type { ErrorCode } from '@pay-with-bank/protocol';

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

/**
 * The contract's plain data, zod-free, so the element can import it without pulling zod into its
 * bundle (`@pay-with-bank/protocol/constants`): identifier formats, the mobile phone format and the
 * error codes with their HTTP statuses (a payment's statuses and formats: `payment-model.ts`). The zod schemas in this package are built
 * from these, so each fact is written once.
 */

/** ISO 4217 currencies the providers we support can settle. */
export const CURRENCIES = ['DKK', 'EUR', 'NOK', 'SEK'] as const;

/** Two-letter country codes of the banks we list. */
export const COUNTRIES = ['DK', 'SE', 'NO', 'FI', 'DE'] as const;

/** Identifier formats: opaque ids we mint (prefix + base64url) and the ids a browser chooses. */
export const SESSION_ID_PATTERN = /^cs_[A-Za-z0-9_-]{16,64}$/;
/** A browser client token: `pwb_ct_` + 32 random bytes, base64url. */
export const CLIENT_TOKEN_PATTERN = /^pwb_ct_[A-Za-z0-9_-]{43}$/;
/** A key the browser chooses per "Pay" action: the same attempt id always yields the same payment. */
export const ATTEMPT_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

/** A bank id as the providers give them. */
export const BANK_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** A shipping option id, as the merchant names its shipping methods. */
export const SHIPPING_OPTION_ID_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;

/** A Norwegian mobile number (a wallet method's phone): 8 digits starting with 4 or 9, optional +47/0047 prefix. */
export const NORWEGIAN_MOBILE_PATTERN = /^(\+47|0047)?[49]\d{7}$/;

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
  express_not_supported: 422,
  bank_not_available: 422,
  amount_exceeds_authorized: 422,
  amount_exceeds_captured: 422,
  session_expired: 410,
  rate_limited: 429,
  attempt_limit_reached: 409,
  internal_error: 500,
  provider_error: 502,
  /** Only to a provider asking for shipping options: the merchant's shipping URL gave none usable. */
  shipping_unavailable: 502,
  provider_unavailable: 503,
  /** The server cannot reach its database right now (a restart, a dropped connection); safe to retry. */
  store_unavailable: 503,
  provider_timeout: 504,
} as const;

type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

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
  'store_unavailable',
  'internal_error',
];

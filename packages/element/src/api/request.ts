/**
 * The requests the script-tag entry makes (the session read, a country's banks) and the one request
 * function every call to the companion server goes through; `payments.ts` has the calls made from Pay
 * on (in the payment chunk), `../api.ts` the public `ApiClient` over both.
 *
 * Requests carry no `cache` option: the server answers `Cache-Control: no-store`, so no answer is
 * cached anyway, and `cache: 'no-store'` would also keep the browser from caching the CORS preflight
 * (`Access-Control-Max-Age`), one more round trip before every request.
 */
import type { Bank, CheckoutSession, ErrorCode } from '@pay-with-bank/protocol';
import type { paths } from '@pay-with-bank/protocol/paths';
import { isBank, isObject, isSession } from '../shape.js';

// The protocol's paths, written out so that the entry does not carry the protocol's whole path table
// (every merchant and provider route); the types make the compiler check them against the protocol.
export const SESSION_PATH: (typeof paths)['checkoutSession'] = '/v1/checkout/session';
const BANKS_PATH: (typeof paths)['checkoutBanks'] = '/v1/checkout/banks';

/**
 * Errors that happen before a server answer can be read; `missing_token`: the element has no session
 * token at all (no attribute, none in the return URL or the tab's history entry).
 */
export type ClientErrorCode =
  | 'network_error'
  | 'timeout'
  | 'invalid_response'
  | 'missing_token'
  /** Express mode: the page's `createSession` failed or gave no valid client token. */
  | 'session_not_created';
export type ApiErrorCode = ErrorCode | ClientErrorCode;

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    /** The server's error code, or a client-side one (network_error, timeout, invalid_response, missing_token). */
    readonly code: ApiErrorCode,
    message: string,
    /** Whether the same request may simply be tried again. */
    readonly retryable: boolean,
    /** HTTP status; 0 when no answer arrived. */
    readonly status = 0,
    /** The server's `details` (e.g. `paymentId` of the open payment on payment_in_progress). */
    readonly details: Readonly<Record<string, unknown>> | null = null,
  ) {
    super(message);
  }
}

export interface ApiClientOptions {
  /** Base URL of the companion server; empty for same origin. */
  serverUrl: string;
  /** The session's client token. */
  token: string;
  /** Per-request time limit in milliseconds. */
  timeoutMs?: number;
}

/** One request to the companion server: its answer's body (null for 204), or an ApiError. */
export async function request(
  options: ApiClientOptions,
  method: 'GET' | 'POST',
  path: string,
  json?: unknown,
  signal?: AbortSignal,
): Promise<unknown> {
  const headers: Record<string, string> = { Accept: 'application/json', Authorization: `Bearer ${options.token}` };
  if (json !== undefined) headers['Content-Type'] = 'application/json';

  // One controller for both the caller's cancellation and our time limit.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs ?? 20_000);
  const onAbort = () => controller.abort();
  if (signal?.aborted) controller.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const timeout = () => new ApiError('timeout', 'The server did not answer in time', true);

  try {
    let response: Response;
    try {
      response = await fetch(options.serverUrl.replace(/\/+$/, '') + path, {
        method,
        headers,
        body: json === undefined ? null : JSON.stringify(json),
        credentials: 'omit', // the bearer token is the only credential
        signal: controller.signal,
      });
    } catch (cause) {
      if (timedOut) throw timeout();
      if (signal?.aborted) throw cause; // cancelled by the caller: not an error to show
      throw new ApiError('network_error', 'The server could not be reached', true);
    }
    let body: unknown;
    try {
      body = response.status === 204 ? null : await response.json();
    } catch {
      if (timedOut) throw timeout();
      if (signal?.aborted) throw new DOMException('Aborted', 'AbortError');
      body = undefined;
    }
    if (!response.ok) throw errorFrom(response.status, body);
    if (body === undefined) throw invalid('body');
    return body;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

function errorFrom(status: number, body: unknown): ApiError {
  const error = isObject(body) ? body.error : undefined;
  if (isObject(error) && typeof error.code === 'string' && typeof error.message === 'string') {
    // The server speaks the same protocol; an unknown (newer) code still gets the generic wording.
    const details = isObject(error.details) ? error.details : null;
    return new ApiError(error.code as ErrorCode, error.message, error.retryable === true, status, details);
  }
  // No error body (a proxy or gateway answered): judge by the status alone.
  const code = (
    { 429: 'rate_limited', 401: 'unauthorized', 404: 'not_found' } as Record<number, ApiErrorCode | undefined>
  )[status];
  const failed = status >= 500 ? 'internal_error' : 'invalid_response';
  return new ApiError(code ?? failed, `HTTP ${status}`, status === 429 || status >= 500, status);
}

export const invalid = (what: string) =>
  new ApiError('invalid_response', `Unexpected response from the server (${what})`, true);

/** The session, with its latest payment and the default country's banks (`body`: an answer already read). */
export async function getSession(
  options: ApiClientOptions,
  signal?: AbortSignal,
  body?: Promise<unknown>,
): Promise<CheckoutSession> {
  const session = await (body ?? request(options, 'GET', SESSION_PATH, undefined, signal));
  if (!isSession(session)) throw invalid('session');
  return session;
}

/** The banks of `country`, or of all the session's countries. */
export async function listBanks(
  options: ApiClientOptions,
  country: string | undefined,
  signal?: AbortSignal,
): Promise<Bank[]> {
  const query = country ? `?country=${encodeURIComponent(country)}` : '';
  const body = await request(options, 'GET', BANKS_PATH + query, undefined, signal);
  if (!isObject(body) || !Array.isArray(body.banks) || !body.banks.every(isBank)) throw invalid('banks');
  return body.banks;
}

/**
 * The only module that talks to the companion server. Types come from the protocol package (types
 * only, so zod stays out of the bundle); responses are checked with `shape.ts`.
 *
 * Requests carry no `cache` option: the server answers `Cache-Control: no-store`, so no answer is
 * cached anyway, and `cache: 'no-store'` would also keep the browser from caching the CORS preflight
 * (`Access-Control-Max-Age`), one more round trip before every request.
 */
import type {
  Bank,
  CheckoutPayment,
  CheckoutSession,
  ErrorCode,
  StartPaymentRequest,
  StartPaymentResponse,
} from '@pay-with-bank/protocol';
import { fillPath, paths } from '@pay-with-bank/protocol/paths';
import { isBank, isObject, isPayment, isSession } from './shape.js';

/**
 * Errors that happen before a server answer can be read; `missing_token`: the element has no session
 * token at all (no attribute, none in the return URL or the tab's history entry).
 */
export type ClientErrorCode = 'network_error' | 'timeout' | 'invalid_response' | 'missing_token';
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

const DEFAULT_TIMEOUT_MS = 20_000;

export class ApiClient {
  private readonly base: string;

  constructor(private readonly options: ApiClientOptions) {
    this.base = options.serverUrl.replace(/\/+$/, '');
  }

  /** The session, with its latest payment and the default country's banks. */
  async getSession(signal?: AbortSignal): Promise<CheckoutSession> {
    const body = await this.request('GET', paths.checkoutSession, undefined, signal);
    if (!isSession(body)) throw invalid('session');
    return body;
  }

  /** The banks of `country`, or of all the session's countries. */
  async listBanks(country: string | undefined, signal?: AbortSignal): Promise<Bank[]> {
    const query = country ? `?country=${encodeURIComponent(country)}` : '';
    const body = await this.request('GET', paths.checkoutBanks + query, undefined, signal);
    if (!isObject(body) || !Array.isArray(body.banks) || !body.banks.every(isBank)) throw invalid('banks');
    return body.banks;
  }

  async startPayment(request: StartPaymentRequest, signal?: AbortSignal): Promise<StartPaymentResponse> {
    const body = await this.request('POST', paths.checkoutPayments, request, signal);
    if (!isObject(body) || typeof body.redirectUrl !== 'string' || !isPayment(body.payment)) {
      throw invalid('payment');
    }
    return { payment: body.payment, redirectUrl: body.redirectUrl };
  }

  async refreshPayment(paymentId: string, signal?: AbortSignal): Promise<CheckoutPayment> {
    const body = await this.request('POST', fillPath(paths.checkoutPaymentRefresh, { paymentId }), undefined, signal);
    if (!isObject(body) || !isPayment(body.payment)) throw invalid('payment');
    return body.payment;
  }

  private async request(method: 'GET' | 'POST', path: string, json: unknown, signal?: AbortSignal): Promise<unknown> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Authorization: `Bearer ${this.options.token}`,
    };
    if (json !== undefined) headers['Content-Type'] = 'application/json';

    // One controller for both the caller's cancellation and our time limit.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const onAbort = () => controller.abort();
    if (signal?.aborted) controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });

    try {
      let response: Response;
      try {
        response = await fetch(this.base + path, {
          method,
          headers,
          body: json === undefined ? null : JSON.stringify(json),
          credentials: 'omit', // the bearer token is the only credential
          signal: controller.signal,
        });
      } catch (cause) {
        if (timedOut) throw new ApiError('timeout', 'The server did not answer in time', true);
        if (signal?.aborted) throw cause; // cancelled by the caller: not an error to show
        throw new ApiError('network_error', 'The server could not be reached', true);
      }
      let body: unknown;
      try {
        body = response.status === 204 ? null : await response.json();
      } catch {
        if (timedOut) throw new ApiError('timeout', 'The server did not answer in time', true);
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
}

function errorFrom(status: number, body: unknown): ApiError {
  const error = isObject(body) ? body.error : undefined;
  if (isObject(error) && typeof error.code === 'string' && typeof error.message === 'string') {
    // The server speaks the same protocol; an unknown (newer) code still gets the generic wording.
    const details = isObject(error.details) ? error.details : null;
    return new ApiError(error.code as ErrorCode, error.message, error.retryable === true, status, details);
  }
  // No error body (a proxy or gateway answered): judge by the status alone.
  if (status === 429) return new ApiError('rate_limited', `HTTP ${status}`, true, status);
  if (status === 401) return new ApiError('unauthorized', `HTTP ${status}`, false, status);
  if (status === 404) return new ApiError('not_found', `HTTP ${status}`, false, status);
  if (status >= 500) return new ApiError('internal_error', `HTTP ${status}`, true, status);
  return new ApiError('invalid_response', `HTTP ${status}`, false, status);
}

const invalid = (what: string) =>
  new ApiError('invalid_response', `Unexpected response from the server (${what})`, true);

/**
 * The only module that talks to the companion server. Types come from the protocol package (types
 * only, so zod stays out of the bundle); responses get light structural checks instead.
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
import { PAYMENT_STATUSES } from './status.js';

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

  async getSession(signal?: AbortSignal): Promise<CheckoutSession> {
    return checkSession(await this.request('GET', paths.checkoutSession, undefined, signal));
  }

  async listBanks(country: string | undefined, signal?: AbortSignal): Promise<Bank[]> {
    const query = country ? `?country=${encodeURIComponent(country)}` : '';
    const body = await this.request('GET', paths.checkoutBanks + query, undefined, signal);
    if (!isObject(body) || !Array.isArray(body.banks)) throw invalid('banks');
    return body.banks.map(checkBank);
  }

  async startPayment(request: StartPaymentRequest, signal?: AbortSignal): Promise<StartPaymentResponse> {
    const body = await this.request('POST', paths.checkoutPayments, request, signal);
    if (!isObject(body) || typeof body.redirectUrl !== 'string') throw invalid('redirectUrl');
    return { payment: checkPayment(body.payment), redirectUrl: body.redirectUrl };
  }

  async refreshPayment(paymentId: string, signal?: AbortSignal): Promise<CheckoutPayment> {
    const body = await this.request('POST', fillPath(paths.checkoutPaymentRefresh, { paymentId }), undefined, signal);
    if (!isObject(body)) throw invalid('payment');
    return checkPayment(body.payment);
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
          cache: 'no-store',
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

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isNullableString = (v: unknown): v is string | null => v === null || typeof v === 'string';

function isMoney(value: unknown): boolean {
  return (
    isObject(value) &&
    Number.isSafeInteger(value.value) &&
    isString(value.currency) &&
    /^[A-Z]{3}$/.test(value.currency)
  );
}

function checkPayment(value: unknown): CheckoutPayment {
  if (
    !isObject(value) ||
    !isString(value.id) ||
    !isString(value.method) ||
    !PAYMENT_STATUSES.includes(value.status as CheckoutPayment['status']) ||
    !isMoney(value.amount) ||
    !isNullableString(value.redirectUrl) ||
    !isNullableString(value.expiresAt) ||
    !(
      value.failure === null ||
      (isObject(value.failure) && isString(value.failure.code) && isString(value.failure.message))
    )
  ) {
    throw invalid('payment');
  }
  return value as unknown as CheckoutPayment;
}

function checkSession(value: unknown): CheckoutSession {
  if (
    !isObject(value) ||
    !isString(value.id) ||
    !isMoney(value.amount) ||
    !isObject(value.payee) ||
    !isString(value.payee.name) ||
    !isString(value.reference) ||
    !Array.isArray(value.methods) ||
    !Array.isArray(value.countries) ||
    !isString(value.locale)
  ) {
    throw invalid('session');
  }
  if (value.payment !== null) checkPayment(value.payment);
  return value as unknown as CheckoutSession;
}

function checkBank(value: unknown): Bank {
  if (
    !isObject(value) ||
    !isString(value.id) ||
    !isString(value.name) ||
    !isString(value.country) ||
    !isNullableString(value.logoUrl) ||
    typeof value.available !== 'boolean'
  ) {
    throw invalid('bank');
  }
  return {
    ...(value as unknown as Bank),
    unavailableMessage: isString(value.unavailableMessage) ? value.unavailableMessage : null,
  };
}

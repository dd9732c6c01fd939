/**
 * HTTP client shared by the eCom, ePayment and Webhooks calls: the Vipps headers on every call
 * (bearer token, subscription key, MSN, Vipps-System-*), a timeout on every call and retries of
 * safe calls (../http.ts), one token renewal and retry after a 401, responses validated with zod,
 * failures mapped to typed ProviderErrors.
 */
import type { z } from 'zod';
import type { Logger } from '../../log.js';
import { ProviderError } from '../../errors.js';
import { ProviderHttp, type ProviderResponse, type RetryPolicy } from '../http.js';
import type { VippsConfig } from './config.js';
import { makeScrub, mapVippsError, type Scrub, type VippsApiFlavor } from './errors.js';
import type { VippsTokenClient } from './token.js';

export interface VippsClientOptions {
  config: VippsConfig;
  timeoutMs: number;
  fetch: typeof fetch;
  logger: Logger;
  tokens: VippsTokenClient;
  /** Extra values to keep out of messages (e.g. a webhook secret learnt at run time). */
  extraSecrets?: () => readonly (string | null)[];
  /** Overrides of the retry policy of safe calls (tests; see ../http.ts). */
  retry?: Partial<RetryPolicy>;
}

export interface VippsCall<T> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path below the base URL, e.g. `/ecomm/v2/payments`. */
  path: string;
  api: VippsApiFlavor;
  /** What the call does, for error messages: "capture the payment". */
  action: string;
  /** Validates the response body (an empty body is validated as `undefined`). */
  schema: z.ZodType<T>;
  body?: unknown;
  /** Per-call headers (Idempotency-Key, X-Request-Id). */
  headers?: Record<string, string>;
}

/**
 * Which calls may be sent again after a timeout, a reset or a 429/502/503/504: reads, and writes
 * Vipps deduplicates by the key we send (ePayment Idempotency-Key on create/capture/refund/cancel,
 * eCom X-Request-Id on capture/refund). Not eCom initiate (no key; a second send is error 34 and
 * the landing URL exists only in the first answer), eCom cancel (no key) or the webhook set-up
 * (best effort, retried by the adapter a minute later; retrying inline would hold up a payment).
 */
export function isSafeToRetry(call: Pick<VippsCall<unknown>, 'method' | 'api' | 'headers'>): boolean {
  if (call.api === 'webhooks') return false;
  if (call.method === 'GET') return true;
  const headers = Object.keys(call.headers ?? {}).map((name) => name.toLowerCase());
  return headers.includes('idempotency-key') || headers.includes('x-request-id');
}

export class VippsClient {
  readonly scrub: Scrub;
  private readonly http: ProviderHttp;

  constructor(private readonly options: VippsClientOptions) {
    const { config } = options;
    this.scrub = makeScrub(() => [
      config.clientId,
      config.clientSecret,
      config.subscriptionKey,
      ...config.callbackSecrets,
      config.webhookSecret,
      options.tokens.current(),
      ...(options.extraSecrets?.() ?? []),
    ]);
    this.http = new ProviderHttp({
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      logger: options.logger,
      ...(options.retry ? { retry: options.retry } : {}),
    });
  }

  async request<T>(call: VippsCall<T>): Promise<T> {
    let token = await this.options.tokens.get();
    let response = await this.send(call, token);
    if (response.status === 401) {
      // The token was revoked or expired early: renew once and try again (the request was not processed).
      this.options.tokens.invalidate(token);
      token = await this.options.tokens.get();
      response = await this.send(call, token);
    }
    return this.read(call, response);
  }

  private send(call: VippsCall<unknown>, token: string): Promise<ProviderResponse> {
    const { config } = this.options;
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Authorization: `Bearer ${token}`,
      'Ocp-Apim-Subscription-Key': config.subscriptionKey,
      'Merchant-Serial-Number': config.merchantSerialNumber,
      'Vipps-System-Name': config.system.name,
      'Vipps-System-Version': config.system.version,
      'Vipps-System-Plugin-Name': config.system.pluginName,
      'Vipps-System-Plugin-Version': config.system.pluginVersion,
      ...(call.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...call.headers,
    };
    return this.http.send({
      method: call.method,
      url: `${config.baseUrl}${call.path}`,
      headers,
      // The same bytes on every attempt: Vipps matches a replayed key against the first body.
      ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
      idempotent: isSafeToRetry(call),
      logPath: call.path,
      messages: {
        timeout: `Vipps did not answer in time (could not ${call.action}).`,
        unreachable: `Vipps could not be reached (could not ${call.action}).`,
      },
    });
  }

  private read<T>(call: VippsCall<T>, response: ProviderResponse): T {
    const { text } = response;
    if (!response.ok) {
      const error = mapVippsError(call.api, response.status, text, call.action, this.scrub, response.retryAfterSeconds);
      this.options.logger.warn('provider refused a call', {
        method: call.method,
        path: call.path,
        status: response.status,
        code: error.code,
        reason: error.message,
      });
      throw error;
    }
    let json: unknown;
    if (text.trim() !== '') {
      try {
        json = JSON.parse(text);
      } catch {
        throw new ProviderError('provider_error', `Vipps sent a response that is not JSON (${call.action}).`);
      }
    }
    const parsed = call.schema.safeParse(json);
    if (!parsed.success) {
      const fields = parsed.error.issues.slice(0, 5).map((i) => i.path.join('.') || '(root)');
      this.options.logger.warn('provider response failed validation', { method: call.method, path: call.path, fields });
      throw new ProviderError('provider_error', `Vipps sent an unexpected response (${call.action}).`, { fields });
    }
    return parsed.data;
  }
}

/**
 * HTTP client shared by the eCom, ePayment and Webhooks calls: the Vipps headers on every call
 * (bearer token, subscription key, MSN, Vipps-System-*), a timeout on every call, one token renewal
 * and retry after a 401, responses validated with zod, failures mapped to typed ProviderErrors.
 */
import type { z } from 'zod';
import type { Logger } from '../../log.js';
import { ProviderError } from '../errors.js';
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

const isTimeout = (error: unknown) =>
  error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');

export class VippsClient {
  readonly scrub: Scrub;

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
  }

  async request<T>(call: VippsCall<T>): Promise<T> {
    let token = await this.options.tokens.get();
    let response = await this.send(call, token);
    if (response.status === 401) {
      // The token was revoked or expired early: renew once and try again (the request was not processed).
      await response.body?.cancel().catch(() => undefined);
      this.options.tokens.invalidate(token);
      token = await this.options.tokens.get();
      response = await this.send(call, token);
    }
    return this.read(call, response);
  }

  private async send(call: VippsCall<unknown>, token: string): Promise<Response> {
    const { config, timeoutMs, logger } = this.options;
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
    const started = Date.now();
    try {
      const response = await this.options.fetch(`${config.baseUrl}${call.path}`, {
        method: call.method,
        headers,
        ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      logger.debug('provider call', {
        method: call.method,
        path: call.path,
        status: response.status,
        ms: Date.now() - started,
      });
      return response;
    } catch (error) {
      const timedOut = isTimeout(error);
      logger.warn('provider call failed', {
        method: call.method,
        path: call.path,
        timedOut,
        errorName: error instanceof Error ? error.name : 'unknown',
      });
      if (timedOut)
        throw new ProviderError('provider_timeout', `Vipps did not answer in time (could not ${call.action}).`);
      throw new ProviderError('provider_unavailable', `Vipps could not be reached (could not ${call.action}).`);
    }
  }

  private async read<T>(call: VippsCall<T>, response: Response): Promise<T> {
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      if (isTimeout(error))
        throw new ProviderError('provider_timeout', `Vipps did not answer in time (could not ${call.action}).`);
      throw new ProviderError('provider_unavailable', `Vipps closed the connection (could not ${call.action}).`);
    }
    if (!response.ok) {
      const error = mapVippsError(call.api, response.status, text, call.action, this.scrub);
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

/**
 * Access tokens (access-token.openapi.yaml, `POST /accesstoken/get`): fetched with the API keys in
 * headers, cached, renewed before they expire (5 minutes early, or at half-life for short
 * lifetimes) and on demand after an API answered 401. Concurrent callers share one request.
 */
import { z } from 'zod';
import type { Logger } from '../../log.js';
import { ProviderError } from '../../errors.js';
import { ProviderHttp, retryAfterDetails, type RetryPolicy } from '../http.js';
import type { VippsSystemInfo } from './config.js';

/** Values are strings in the spec ("3600"); numbers are tolerated. */
const Seconds = z.union([z.string().regex(/^\d{1,12}$/), z.number().int().nonnegative()]).transform(Number);

/** AuthorizationTokenResponse. Only what we use is required; the rest is tolerated when absent. */
export const AccessTokenResponse = z.looseObject({
  token_type: z.string().refine((type) => type.toLowerCase() === 'bearer', 'must be Bearer'),
  expires_in: Seconds.pipe(z.number().min(1, 'must be a positive number of seconds')),
  ext_expires_in: Seconds.optional(),
  expires_on: Seconds.optional(),
  not_before: Seconds.optional(),
  resource: z.string().optional(),
  access_token: z.string().regex(/^[\x21-\x7e]{1,16384}$/, 'must be a token'),
});

/** Renew this long before expiry at most… */
export const TOKEN_RENEWAL_MARGIN_MS = 5 * 60_000;

/** …and at half-life when the lifetime is short (the new 15-minute tokens, tests). */
export function renewalDelayMs(lifetimeMs: number): number {
  return lifetimeMs - Math.min(TOKEN_RENEWAL_MARGIN_MS, lifetimeMs / 2);
}

export interface VippsTokenClientOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  subscriptionKey: string;
  merchantSerialNumber: string;
  system: VippsSystemInfo;
  timeoutMs: number;
  fetch: typeof fetch;
  logger: Logger;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Overrides of the retry policy (tests; see ../http.ts). */
  retry?: Partial<RetryPolicy>;
}

interface CachedToken {
  token: string;
  renewAt: number;
  expiresAt: number;
}

export class VippsTokenClient {
  private cached: CachedToken | null = null;
  private inflight: Promise<string> | null = null;
  private readonly http: ProviderHttp;

  constructor(private readonly options: VippsTokenClientOptions) {
    this.http = new ProviderHttp({
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      logger: options.logger,
      ...(options.retry ? { retry: options.retry } : {}),
    });
  }

  /** A token valid for a while yet. */
  async get(): Promise<string> {
    const now = this.options.now();
    const cached = this.cached;
    if (cached && now < cached.renewAt) return cached.token;
    try {
      return await this.renew();
    } catch (error) {
      // Early renewal failed but the old token still works: keep using it, retry on the next call.
      if (cached && this.cached === cached && this.options.now() < cached.expiresAt) {
        this.options.logger.warn('vipps access token renewal failed; using the current token until it expires', {
          error,
        });
        return cached.token;
      }
      throw error;
    }
  }

  /**
   * Forget a token an API refused (401). Only when it is still the cached one, so that many calls
   * refused at once lead to one renewal, not one each.
   */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = null;
  }

  /** The current token, for scrubbing it out of provider texts. */
  current(): string | null {
    return this.cached?.token ?? null;
  }

  private renew(): Promise<string> {
    if (!this.inflight) {
      this.inflight = this.fetchToken().finally(() => {
        this.inflight = null;
      });
    }
    return this.inflight;
  }

  private async fetchToken(): Promise<string> {
    const { baseUrl, clientId, clientSecret, subscriptionKey, merchantSerialNumber, system, logger } = this.options;
    // Lifetime counts from before the request: latency is spent from the token's life, not added to it.
    const startedAt = this.options.now();
    // Safe to repeat (it only issues a token): retried like a read.
    const response = await this.http.send({
      method: 'POST',
      url: `${baseUrl}/accesstoken/get`,
      headers: {
        Accept: 'application/json',
        client_id: clientId,
        client_secret: clientSecret,
        'Ocp-Apim-Subscription-Key': subscriptionKey,
        'Merchant-Serial-Number': merchantSerialNumber,
        'Vipps-System-Name': system.name,
        'Vipps-System-Version': system.version,
        'Vipps-System-Plugin-Name': system.pluginName,
        'Vipps-System-Plugin-Version': system.pluginVersion,
      },
      idempotent: true,
      logPath: '/accesstoken/get',
      messages: {
        timeout: 'Vipps did not answer the access token request in time.',
        unreachable: 'Vipps could not be reached for an access token.',
      },
    });
    const text = response.text;
    logger.debug('vipps access token call', {
      status: response.status,
      attempts: response.attempts,
      ms: this.options.now() - startedAt,
    });

    if (!response.ok) {
      if (response.status === 429 || response.status >= 500) {
        throw new ProviderError(
          'provider_unavailable',
          `Vipps could not issue an access token (HTTP ${response.status}).`,
          { providerStatus: response.status, ...retryAfterDetails(response) },
        );
      }
      // Vipps' body names which key was wrong; the message stays generic so no key text can leak.
      throw new ProviderError(
        'provider_error',
        `Vipps refused the API keys when asked for an access token (HTTP ${response.status}); check PWB_VIPPS_CLIENT_ID, PWB_VIPPS_CLIENT_SECRET, PWB_VIPPS_SUBSCRIPTION_KEY and PWB_VIPPS_MERCHANT_SERIAL_NUMBER.`,
        { providerStatus: response.status },
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ProviderError('provider_error', 'Vipps sent an access token response that is not JSON.');
    }
    const parsed = AccessTokenResponse.safeParse(json);
    if (!parsed.success) {
      const fields = parsed.error.issues.slice(0, 5).map((i) => i.path.join('.') || '(root)');
      throw new ProviderError('provider_error', 'Vipps sent an unexpected access token response.', { fields });
    }
    const lifetimeMs = parsed.data.expires_in * 1000;
    this.cached = {
      token: parsed.data.access_token,
      renewAt: startedAt + renewalDelayMs(lifetimeMs),
      expiresAt: startedAt + lifetimeMs,
    };
    return parsed.data.access_token;
  }
}

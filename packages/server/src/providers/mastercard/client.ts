/**
 * HTTP client for the Mastercard Open Finance API: credentials in headers only, an
 * X-Correlation-Id on every call, a timeout on every call and retries of safe calls (../http.ts),
 * responses validated with zod, and every failure mapped to a typed ProviderError whose message is
 * safe to show.
 */
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { Logger } from '../../log.js';
import { ProviderError } from '../../errors.js';
import { ProviderHttp, retryAfterDetails, type RetryPolicy } from '../http.js';
import { McErrorBody } from './schemas.js';

export interface MastercardClientOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
  fetch: typeof fetch;
  logger: Logger;
  /** Overrides of the retry policy of safe calls (tests; see ../http.ts). */
  retry?: Partial<RetryPolicy>;
}

/** `|` + [a-z0-9_-] + `.`, ≤128 characters, as the provider documents it. */
export function newCorrelationId(): string {
  return `|pwb-${randomBytes(12).toString('hex')}.`;
}

/**
 * Which calls may be sent again after a timeout, a reset or a 429/502/503/504: reads, and
 * refresh-status (a status query that changes nothing at Mastercard). Never create: it has no
 * idempotency key, so a second send after a lost answer could be a second payment.
 */
export function isSafeToRetry(method: 'GET' | 'POST', path: string): boolean {
  return method === 'GET' || /^\/v1\/payments\/[^/]+\/refresh-status$/.test(path.split('?')[0]!);
}

export class MastercardClient {
  private readonly http: ProviderHttp;

  constructor(private readonly options: MastercardClientOptions) {
    this.http = new ProviderHttp({
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      logger: options.logger,
      ...(options.retry ? { retry: options.retry } : {}),
    });
  }

  async request<T>(method: 'GET' | 'POST', path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> {
    const { baseUrl, clientId, clientSecret, logger } = this.options;
    // One id for the logical call: retries carry the same one, so the provider's logs line up with ours.
    const correlationId = newCorrelationId();
    const response = await this.http.send({
      method,
      url: `${baseUrl}${path}`,
      headers: {
        Accept: 'application/json',
        'X-Client-ID': clientId,
        'X-Client-Secret': clientSecret,
        'X-Correlation-Id': correlationId,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      idempotent: isSafeToRetry(method, path),
      logPath: redactPath(path),
      messages: {
        timeout: 'The payment provider did not answer in time.',
        unreachable: 'The payment provider could not be reached.',
      },
    });

    if (!response.ok) throw this.httpError(response.status, response.text, retryAfterDetails(response));

    let json: unknown;
    try {
      json = JSON.parse(response.text);
    } catch {
      logger.warn('provider response is not JSON', { path: redactPath(path), correlationId });
      throw new ProviderError('provider_error', 'The payment provider sent a response that is not JSON.');
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const fields = parsed.error.issues.slice(0, 5).map((i) => i.path.join('.') || '(root)');
      logger.warn('provider response failed validation', { path: redactPath(path), correlationId, fields });
      throw new ProviderError('provider_error', 'The payment provider sent an unexpected response.', { fields });
    }
    return parsed.data;
  }

  private httpError(status: number, text: string, retryAfter: { retryAfterSeconds?: number }): ProviderError {
    if (status === 429) {
      return new ProviderError('provider_unavailable', 'The payment provider is rate limiting requests.', {
        providerStatus: status,
        ...retryAfter,
      });
    }
    if (status >= 500) {
      return new ProviderError('provider_unavailable', `The payment provider is unavailable (HTTP ${status}).`, {
        providerStatus: status,
        ...retryAfter,
      });
    }
    let reason: string | undefined;
    let error: string | undefined;
    try {
      const body = McErrorBody.safeParse(JSON.parse(text));
      if (body.success) {
        reason = body.data.details?.reason;
        error = body.data.error;
      }
    } catch {
      // Not JSON: keep the status only.
    }
    const safeReason = reason ? this.scrub(reason).slice(0, 300) : undefined;
    const message = safeReason
      ? `The payment provider refused the request: ${safeReason}`
      : `The payment provider refused the request (HTTP ${status}).`;
    // The provider refused this request itself (4xx other than 429): sending it again cannot succeed.
    return new ProviderError(
      'provider_error',
      message,
      { providerStatus: status, ...(error ? { providerError: this.scrub(error).slice(0, 100) } : {}) },
      { retryable: false },
    );
  }

  /** The provider's text must never carry our credentials back to a client. */
  private scrub(text: string): string {
    let out = text;
    for (const secret of [this.options.clientSecret, this.options.clientId]) {
      if (secret) out = out.split(secret).join('[redacted]');
    }
    return out;
  }
}

/** Payment ids are not secret, but keep log paths short and uniform. */
function redactPath(path: string): string {
  return path.split('?')[0]!;
}

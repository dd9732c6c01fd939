/**
 * HTTP client for the Mastercard Open Finance API: credentials in headers only, an
 * X-Correlation-Id on every call, a timeout on every call, responses validated with zod, and every
 * failure mapped to a typed ProviderError whose message is safe to show.
 */
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { Logger } from '../../log.js';
import { ProviderError } from '../errors.js';
import { McErrorBody } from './schemas.js';

export interface MastercardClientOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
  fetch: typeof fetch;
  logger: Logger;
}

/** `|` + [a-z0-9_-] + `.`, ≤128 characters, as the provider documents it. */
export function newCorrelationId(): string {
  return `|pwb-${randomBytes(12).toString('hex')}.`;
}

export class MastercardClient {
  constructor(private readonly options: MastercardClientOptions) {}

  async request<T>(method: 'GET' | 'POST', path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> {
    const { baseUrl, clientId, clientSecret, timeoutMs, logger } = this.options;
    const correlationId = newCorrelationId();
    const started = Date.now();
    let response: Response;
    try {
      response = await this.options.fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          Accept: 'application/json',
          'X-Client-ID': clientId,
          'X-Client-Secret': clientSecret,
          'X-Correlation-Id': correlationId,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      logger.warn('provider call failed', { method, path: redactPath(path), correlationId, timedOut, error });
      if (timedOut) throw new ProviderError('provider_timeout', 'The payment provider did not answer in time.');
      throw new ProviderError('provider_unavailable', 'The payment provider could not be reached.');
    }

    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      if (timedOut) throw new ProviderError('provider_timeout', 'The payment provider did not answer in time.');
      throw new ProviderError('provider_unavailable', 'The payment provider closed the connection.');
    }
    logger.debug('provider call', {
      method,
      path: redactPath(path),
      status: response.status,
      correlationId,
      ms: Date.now() - started,
    });

    if (!response.ok) throw this.httpError(response.status, text);

    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
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

  private httpError(status: number, text: string): ProviderError {
    if (status === 429)
      return new ProviderError('provider_unavailable', 'The payment provider is rate limiting requests.');
    if (status >= 500)
      return new ProviderError('provider_unavailable', `The payment provider is unavailable (HTTP ${status}).`);
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
    return new ProviderError('provider_error', message, {
      providerStatus: status,
      ...(error ? { providerError: this.scrub(error).slice(0, 100) } : {}),
    });
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

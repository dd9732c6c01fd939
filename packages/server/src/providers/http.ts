/**
 * How every provider adapter talks HTTP: a timeout on every attempt, a cap on the whole call, and
 * retries with exponential backoff and full jitter, but only for calls the adapter marks as safe
 * to send twice (reads, and writes the provider deduplicates by an idempotency key). A call that
 * is not safe (a create without an idempotency key) is sent exactly once: after a timeout or a
 * reset we cannot know whether the provider acted on it. Each client decides which of its calls
 * are safe, next to the calls themselves.
 *
 * A 429 means the provider did not process the request, so it is retried (honouring Retry-After)
 * even for a call that is otherwise sent once, such as a payment create without an idempotency key.
 *
 * Retried: network errors, timeouts, 429, 502, 503, 504. Not retried: 500 (a provider bug is not
 * fixed by asking again) and every other 4xx. Retry-After on 429/503 is honoured when it fits
 * under `maxRetryAfterMs` and the call's time cap; a longer one ends the retries so the caller
 * reports the provider as busy rather than wait or ignore it.
 *
 * This module only moves bytes: it returns the final status, headers and body text, and throws a
 * ProviderError (provider_timeout / provider_unavailable) when no answer arrived at all. Each
 * client maps statuses and parses bodies in its provider's dialect.
 */
import type { Logger } from '../log.js';
import { ProviderError } from '../errors.js';

export interface RetryPolicy {
  /** Attempts in all, the first included (1 = never retry). */
  maxAttempts: number;
  /** Backoff before retry n (1-based) is random in [0, min(maxDelayMs, baseDelayMs × 2^(n−1))]. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest Retry-After we wait for; asked to wait longer, we stop retrying. */
  maxRetryAfterMs: number;
  /**
   * Cap on the whole call, waits included (never below one attempt's timeout): the browser waits
   * for our answer (the element gives up after 20 s), so retries must fit well inside that.
   */
  maxTotalMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 2_000,
  maxRetryAfterMs: 5_000,
  maxTotalMs: 15_000,
});

/** Statuses worth another attempt of a safe call. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** An attempt shorter than this is not worth starting. */
const MIN_ATTEMPT_MS = 50;

export interface ProviderHttpOptions {
  fetch: typeof fetch;
  /** Timeout of one attempt (PWB_PROVIDER_TIMEOUT_MS). */
  timeoutMs: number;
  logger: Logger;
  retry?: Partial<RetryPolicy>;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Milliseconds, for the time cap. */
  clock?: () => number;
}

export interface ProviderRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /**
   * Safe to send again: a read, or a write the provider deduplicates (Idempotency-Key,
   * X-Request-Id). Never true for a call that may create something twice.
   */
  idempotent: boolean;
  /** For logs: method and path only (never the query, headers or body). */
  logPath: string;
  /** Messages when no answer arrived, e.g. "The payment provider did not answer in time." */
  messages: { timeout: string; unreachable: string };
}

export interface ProviderResponse {
  status: number;
  ok: boolean;
  headers: Headers;
  text: string;
  /** Attempts made (1 when the first answer was final). */
  attempts: number;
  /** Seconds the provider asked us to wait (429/503 Retry-After), if it did. */
  retryAfterSeconds: number | null;
}

type Outcome = { kind: 'answer'; response: ProviderResponse } | { kind: 'timeout' } | { kind: 'network' };

export class ProviderHttp {
  private readonly policy: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly clock: () => number;

  constructor(private readonly options: ProviderHttpOptions) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.clock = options.clock ?? Date.now;
  }

  /** Full jitter: uniformly random up to the exponential ceiling of retry n (1-based). */
  backoffMs(retry: number): number {
    const ceiling = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (retry - 1));
    return Math.floor(this.random() * ceiling);
  }

  async send(request: ProviderRequest): Promise<ProviderResponse> {
    const { timeoutMs, logger } = this.options;
    const maxAttempts = Math.max(1, this.policy.maxAttempts);
    const deadline = this.clock() + Math.max(this.policy.maxTotalMs, timeoutMs);
    let outcome: Outcome = { kind: 'network' };

    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const attemptMs = Math.min(timeoutMs, deadline - this.clock());
      outcome = await this.attempt(request, attempt, attemptMs);
      if (outcome.kind === 'answer' && !RETRYABLE_STATUSES.has(outcome.response.status)) return outcome.response;
      // A call that is not safe to send twice is retried only after a 429: the provider says it did not
      // act on it. After a timeout, a reset or a 5xx we cannot know, so it is sent exactly once.
      const refusedUnprocessed = outcome.kind === 'answer' && outcome.response.status === 429;
      if (!request.idempotent && !refusedUnprocessed) break;
      if (attempt === maxAttempts) break;

      let waitMs = this.backoffMs(attempt);
      if (outcome.kind === 'answer' && outcome.response.retryAfterSeconds !== null) {
        const askedMs = outcome.response.retryAfterSeconds * 1000;
        if (askedMs > this.policy.maxRetryAfterMs) break; // the provider wants a long pause: report it
        waitMs = Math.max(waitMs, askedMs);
      }
      if (this.clock() + waitMs + MIN_ATTEMPT_MS > deadline) break;
      logger.warn('provider call failed; retrying', {
        method: request.method,
        path: request.logPath,
        attempt,
        reason: outcome.kind === 'answer' ? `HTTP ${outcome.response.status}` : outcome.kind,
        waitMs,
      });
      await this.sleep(waitMs);
    }

    if (outcome.kind === 'answer') return outcome.response;
    throw new ProviderError(
      outcome.kind === 'timeout' ? 'provider_timeout' : 'provider_unavailable',
      outcome.kind === 'timeout' ? request.messages.timeout : request.messages.unreachable,
    );
  }

  private async attempt(request: ProviderRequest, attempt: number, attemptMs: number): Promise<Outcome> {
    const signal = AbortSignal.timeout(Math.max(1, attemptMs));
    const started = this.clock();
    try {
      const response = await this.options.fetch(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        signal,
      });
      // Reading the body is part of the attempt: a reset or a stall mid-body fails it the same way.
      const text = await response.text();
      this.options.logger.debug('provider call', {
        method: request.method,
        path: request.logPath,
        status: response.status,
        attempt,
        ms: this.clock() - started,
      });
      return {
        kind: 'answer',
        response: {
          status: response.status,
          ok: response.ok,
          headers: response.headers,
          text,
          attempts: attempt,
          retryAfterSeconds:
            response.status === 429 || response.status === 503 ? parseRetryAfter(response.headers, this.clock()) : null,
        },
      };
    } catch (error) {
      const timedOut = signal.aborted || isTimeout(error);
      this.options.logger.warn('provider call failed', {
        method: request.method,
        path: request.logPath,
        attempt,
        timedOut,
        errorName: error instanceof Error ? error.name : 'unknown',
        ms: this.clock() - started,
      });
      return { kind: timedOut ? 'timeout' : 'network' };
    }
  }
}

const isTimeout = (error: unknown) =>
  error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');

/** Retry-After in seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function parseRetryAfter(headers: Headers, nowMs: number): number | null {
  const value = headers.get('retry-after')?.trim();
  if (!value) return null;
  if (/^\d{1,7}$/.test(value)) return Number(value);
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/** Details for an error about a 429/503, so the caller (and our client) can say when to try again. */
export function retryAfterDetails(response: ProviderResponse): { retryAfterSeconds: number } | Record<string, never> {
  return response.retryAfterSeconds === null ? {} : { retryAfterSeconds: response.retryAfterSeconds };
}

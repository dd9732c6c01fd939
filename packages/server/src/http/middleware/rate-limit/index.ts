/**
 * rate-limit: answers `rate_limited` (429, Retry-After) once a budget of the minute is spent, so a
 * runaway or hostile page cannot hammer the provider through us and credentials cannot be guessed
 * quickly. One `RateLimits` per server instance holds its counters; the router picks per route:
 *  - `checkout` (browser API): every request counts per client address *before* authentication
 *    (unknown tokens count as much as valid ones), then per checkout session after it;
 *  - `failed-auth` (merchant API, server-to-server and possibly heavy): only requests whose
 *    credential the auth middleware refused count per client address (its `onRefused` hook), so a
 *    valid key is never throttled.
 * Nothing counts per address when the address is unknown (embedded without @hono/node-server).
 * With a shared counter (the PostgreSQL store's), every instance counts into the same windows, so
 * several instances allow the budget once, not once each.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from '../../../errors.js';
import { clientAddress, type ClientAddressOptions } from '../../../security/client-address.js';
import type { HttpEnv } from '../env.js';
import { FixedWindowLimiter, type SharedCounter } from './limiter.js';

const MINUTE_MS = 60_000;

export interface RateLimitOptions {
  /** Browser API requests per checkout session and minute (0: unlimited). */
  perSessionPerMinute: number;
  /** Browser API requests plus failed merchant authentications per client address and minute (0: unlimited). */
  perAddressPerMinute: number;
  clientAddress: ClientAddressOptions;
  now: () => Date;
  /** Count in a store every instance shares (absent: in this process). */
  shared?: SharedCounter;
}

function rateLimited(message: string, retryAfterSeconds: number): ApiError {
  return new ApiError('rate_limited', message, undefined, { 'Retry-After': String(retryAfterSeconds) });
}

export class RateLimits {
  private readonly perSession: FixedWindowLimiter;
  private readonly perAddress: FixedWindowLimiter;

  constructor(private readonly options: RateLimitOptions) {
    const shared = (name: string) => (options.shared ? { name, count: options.shared } : undefined);
    this.perSession = new FixedWindowLimiter(options.perSessionPerMinute, MINUTE_MS, shared('session'));
    this.perAddress = new FixedWindowLimiter(options.perAddressPerMinute, MINUTE_MS, shared('address'));
  }

  /** Count one request of the caller's address; throws when over budget. */
  private async takeAddress(request: Request, env: unknown, message: string): Promise<void> {
    const address = clientAddress(request, env, this.options.clientAddress);
    if (!address) return;
    const decision = await this.perAddress.take(address, this.options.now().getTime());
    if (!decision.allowed) throw rateLimited(message, decision.retryAfterSeconds);
  }

  /** Before authentication on the browser API. */
  readonly checkoutAddress: MiddlewareHandler<HttpEnv> = async (c, next) => {
    await this.takeAddress(c.req.raw, c.env, 'Too many requests from this address; try again shortly.');
    await next();
  };

  /** After authentication on the browser API. */
  readonly checkoutSession: MiddlewareHandler<HttpEnv> = async (c, next) => {
    const auth = c.get('auth');
    if (auth.kind === 'client') {
      const decision = await this.perSession.take(auth.session.id, this.options.now().getTime());
      if (!decision.allowed) {
        throw rateLimited('Too many requests for this checkout; try again shortly.', decision.retryAfterSeconds);
      }
    }
    await next();
  };

  /** The auth middleware's `onRefused` on the merchant API: a refused credential counts; over budget it is a 429. */
  readonly failedAuth = (c: Context<HttpEnv>): Promise<void> =>
    this.takeAddress(c.req.raw, c.env, 'Too many failed authentications from this address; try again shortly.');
}

/**
 * Sandbox scenario knobs on the Mastercard API: latency on every call and injected faults for the
 * next matching calls (see shared/faults.ts). Runs after authentication, so unauthenticated calls
 * never consume a fault. Nothing here exists in the real API.
 */
import type { MiddlewareHandler } from 'hono';
import { applyNeutralFault, retryAfterOf } from '../shared/faults.js';
import type { MastercardContext } from './context.js';
import { MastercardApiError } from './errors.js';

/** What `missingFields: true` removes: the payment id and every status object. */
export const MASTERCARD_DEFAULT_MISSING_FIELDS = ['paymentId', 'status'] as const;

export function mastercardFaultMiddleware(ctx: MastercardContext): MiddlewareHandler {
  return async (c, next) => {
    if (ctx.runtime.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, ctx.runtime.latencyMs));
    // Fault prefixes are API paths (`/v1/payments`), independent of where the emulator is mounted.
    const fault = ctx.runtime.takeFault(c.req.path.slice(c.req.path.indexOf('/v1/')));
    if (!fault) return next();
    if (await applyNeutralFault(c, fault, next, MASTERCARD_DEFAULT_MISSING_FIELDS)) return;
    if (fault.kind === 'malformed') {
      return c.body('{"payment": {"paymentId": ', 200, { 'Content-Type': 'application/json; charset=utf-8' });
    }
    if (fault.kind !== 'status') return next();
    const retryAfter = retryAfterOf(fault);
    const headers: Record<string, string> = retryAfter === null ? {} : { 'Retry-After': retryAfter };
    if (fault.status === 429) {
      throw new MastercardApiError(
        429,
        { error: 'TooManyRequests', details: { reason: 'Rate limit exceeded (sandbox fault injection)' } },
        headers,
      );
    }
    throw new MastercardApiError(
      fault.status,
      {
        error: fault.status === 500 ? 'InternalServerError' : 'ServiceUnavailable',
        details: { reason: `Injected ${fault.status} (sandbox fault injection)` },
      },
      headers,
    );
  };
}

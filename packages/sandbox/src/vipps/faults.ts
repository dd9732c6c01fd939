/**
 * Fault injection for the Vipps API routes (not the pages): the next matching calls answer 429/5xx
 * or a malformed body instead of being processed, are processed but answer a truncated body or one
 * missing fields, lose their connection (before or after processing) or hang; an optional latency
 * delays every API call. Same kinds as the Mastercard emulator's faults (shared/faults.ts). A call
 * answered by a fault without processing is still counted in the stats.
 */
import type { MiddlewareHandler } from 'hono';
import {
  applyNeutralFault,
  retryAfterOf,
  resetConnection,
  replaceResponse,
  type InjectedFault,
} from '../shared/faults.js';
import type { VippsContext, VippsEnv } from './context.js';
import { apimErrorResponse, ECOM_ERRORS, ecomErrorResponse, problemResponse } from './errors.js';

export type VippsApiFault = InjectedFault;

/** What `missingFields: true` removes: the fields that identify a payment, its state and a token. */
export const VIPPS_DEFAULT_MISSING_FIELDS = [
  'orderId',
  'reference',
  'state',
  'transactionLogHistory',
  'transactionInfo',
  'access_token',
] as const;

/** The API routes as the stats name them, to label faulted calls like processed ones. */
const API_ROUTES = [
  'POST /accesstoken/get',
  'POST /ecomm/v2/payments',
  'GET /ecomm/v2/payments/{orderId}/details',
  'GET /ecomm/v2/payments/{orderId}/status',
  'POST /ecomm/v2/payments/{orderId}/capture',
  'POST /ecomm/v2/payments/{orderId}/refund',
  'PUT /ecomm/v2/payments/{orderId}/cancel',
  'POST /ecomm/v2/integration-test/payments/{orderId}/approve',
  'POST /epayment/v1/payments',
  'GET /epayment/v1/payments/{reference}',
  'GET /epayment/v1/payments/{reference}/events',
  'POST /epayment/v1/payments/{reference}/capture',
  'POST /epayment/v1/payments/{reference}/refund',
  'POST /epayment/v1/payments/{reference}/cancel',
  'POST /epayment/v1/test/payments/{reference}/approve',
  'POST /webhooks/v1/webhooks',
  'GET /webhooks/v1/webhooks',
  'DELETE /webhooks/v1/webhooks/{id}',
  'GET /vipps-userinfo-api/userinfo/{sub}',
].map((route) => {
  const [method, template] = route.split(' ') as [string, string];
  return {
    route,
    method,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '([^/]+)')}$`),
    // {orderId} and {reference} name a payment; a webhook {id} or a user's {sub} does not.
    hasId: /\{(orderId|reference)\}/.test(template),
  };
});

const API_PREFIXES = ['/accesstoken/', '/ecomm/', '/epayment/', '/webhooks/', '/vipps-userinfo-api/'];

function matchRoute(method: string, path: string): { route: string; paymentId: string | undefined } {
  for (const candidate of API_ROUTES) {
    const match = candidate.method === method ? candidate.pattern.exec(path) : null;
    if (match) return { route: candidate.route, paymentId: candidate.hasId ? match[1] : undefined };
  }
  return { route: `${method} ${path}`, paymentId: undefined };
}

function faultResponse(path: string, fault: Extract<VippsApiFault, { kind: 'status' | 'malformed' }>): Response {
  if (fault.kind === 'malformed') {
    return new Response('{"orderId": "', {
      status: 200,
      headers: { 'content-type': 'application/json;charset=UTF-8' },
    });
  }
  const retryAfterValue = retryAfterOf(fault);
  const retryAfter: Record<string, string> = retryAfterValue === null ? {} : { 'retry-after': retryAfterValue };
  let response: Response;
  if (path.startsWith('/ecomm/')) {
    response = ecomErrorResponse(fault.status, [
      fault.status === 429 ? ECOM_ERRORS.tooManyRequests() : ECOM_ERRORS.internal(),
    ]);
  } else if (path.startsWith('/accesstoken/')) {
    response = apimErrorResponse(
      fault.status,
      fault.status === 429 ? 'Rate limit is exceeded. Try again in 1 seconds.' : 'Internal server error',
    );
  } else {
    const detail =
      fault.status === 429
        ? 'Too many requests (sandbox fault injection).'
        : 'The service failed (sandbox fault injection).';
    response = problemResponse({ status: fault.status, detail, instance: path });
  }
  for (const [name, value] of Object.entries(retryAfter)) response.headers.set(name, value);
  return response;
}

export function apiFaultMiddleware(ctx: VippsContext): MiddlewareHandler<VippsEnv> {
  return async (c, next) => {
    const base = ctx.config.basePath;
    const path = base && c.req.path.startsWith(base) ? c.req.path.slice(base.length) : c.req.path;
    if (!API_PREFIXES.some((prefix) => path.startsWith(prefix))) return next();
    const { latencyMs } = ctx.state.scenario;
    if (latencyMs > 0) await new Promise<void>((resolve) => ctx.clock.setTimeout(resolve, latencyMs));
    const index = ctx.state.faults.findIndex((fault) => !fault.pathPrefix || path.startsWith(fault.pathPrefix));
    if (index === -1) return next();
    const [fault] = ctx.state.faults.splice(index, 1) as [VippsApiFault];
    const recordUnprocessed = () => {
      const { route, paymentId } = matchRoute(c.req.method, path);
      ctx.stats.record(route, paymentId, ctx.clock.now());
    };
    if (fault.kind === 'reset' && !fault.afterProcessing) {
      recordUnprocessed();
      replaceResponse(c, resetConnection(c));
      return;
    }
    // The others process the call (the route counts it), then change or drop its answer.
    if (await applyNeutralFault(c, fault, next, VIPPS_DEFAULT_MISSING_FIELDS)) return;
    if (fault.kind !== 'status' && fault.kind !== 'malformed') return next();
    recordUnprocessed();
    return faultResponse(path, fault);
  };
}

/**
 * Mounts the route table on a Hono app. Each route gets the middlewares its flags choose, in one
 * order for every route:
 *
 *   body-limit → rate-limit (before auth) → auth (+ rate-limit of refusals) → rate-limit (after auth)
 *     → validate → idempotency → handler
 *
 * Every rejection is a typed ApiError (→ `{ error: { code, message, retryable, details } }`), raised
 * before the handler runs, so bad input never changes anything. The handler only calls services.
 */
import type { Hono, MiddlewareHandler } from 'hono';
import type { Services } from '../services.js';
import { ApiError } from '../errors.js';
import { clientAddress } from '../security/client-address.js';
import { auth } from './middleware/auth/index.js';
import { bodyLimit, DEFAULT_BODY_LIMIT_BYTES } from './middleware/body-limit/index.js';
import type { HttpEnv } from './middleware/env.js';
import { idempotency } from './middleware/idempotency/index.js';
import { RateLimits } from './middleware/rate-limit/index.js';
import { validate } from './middleware/validate/index.js';
import { toHonoPath, type AnyRoute } from './route.js';

export interface MountOptions {
  services: Services;
  /** Largest request body in bytes (default 16 KB). */
  bodyLimitBytes?: number;
}

/** The last step: the route's handler with the validated input and the caller, answered as JSON (or its own response). */
function handle(route: AnyRoute, services: Services): MiddlewareHandler<HttpEnv> {
  const addressOptions = { trustedProxyHeader: services.config.trustedProxyHeader };
  return async (c) => {
    const result = await route.handler({
      ...c.get('input'),
      auth: c.get('auth'),
      services,
      clientAddress: clientAddress(c.req.raw, c.env, addressOptions),
    });
    if ('response' in result) return result.response;
    return c.json(result.body, result.status ?? route.response.status, result.headers);
  };
}

/** Answer 405 with Allow on known paths for other methods (registered after the routes, so they win). */
function mountMethodNotAllowed(app: Hono, routes: readonly AnyRoute[]): void {
  const methodsByPath = new Map<string, Set<string>>();
  for (const route of routes) {
    const honoPath = toHonoPath(route.path);
    const methods = methodsByPath.get(honoPath) ?? new Set<string>();
    methods.add(route.method);
    if (route.method === 'GET') methods.add('HEAD');
    methodsByPath.set(honoPath, methods);
  }
  for (const [honoPath, methods] of methodsByPath) {
    app.all(honoPath, (c) => {
      const allow = [...methods].join(', ');
      throw new ApiError('method_not_allowed', `${c.req.method} is not allowed here; use ${allow}.`, undefined, {
        Allow: allow,
      });
    });
  }
}

export function mountRoutes(app: Hono, routes: readonly AnyRoute[], options: MountOptions): void {
  const { services } = options;
  const { config } = services;
  // The counters live in the store when it is shared by several instances (PostgreSQL), else here.
  const { store } = services;
  const limits = new RateLimits({
    perSessionPerMinute: config.rateLimitPerMinute,
    perAddressPerMinute: config.rateLimitPerAddressPerMinute,
    clientAddress: { trustedProxyHeader: config.trustedProxyHeader },
    now: services.now,
    ...(store.countRequest ? { shared: store.countRequest.bind(store) } : {}),
  });
  const limitBody = bodyLimit(options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES);
  const idempotent = idempotency({ store: services.store, now: services.now });
  const authDeps = { merchantApiKeys: config.merchantApiKeys, sessions: services.sessions };

  for (const route of routes) {
    const chain: MiddlewareHandler<HttpEnv>[] = [
      limitBody,
      ...(route.rateLimit === 'checkout' ? [limits.checkoutAddress] : []),
      auth(route.auth, authDeps, route.rateLimit === 'failed-auth' ? { onRefused: limits.failedAuth } : {}),
      ...(route.rateLimit === 'checkout' ? [limits.checkoutSession] : []),
      validate(route),
      ...(route.idempotent ? [idempotent] : []),
      handle(route, services),
    ];
    app.on(route.method, [toHonoPath(route.path)], ...chain);
  }
  mountMethodNotAllowed(app, routes);
}

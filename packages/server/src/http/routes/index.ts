/**
 * Every route of the server, in one table: path, auth and the other flags that choose its
 * middlewares (src/http/router.ts), schemas, documented errors and handler. The router and the
 * OpenAPI document (src/http/openapi.ts) are built from it. One file per area of the API.
 */
import type { AnyRoute } from '../route.js';
import { callbackRoutes } from './callbacks.js';
import { checkoutRoutes } from './checkout.js';
import { merchantPaymentRoutes } from './merchant-payments.js';
import { merchantSessionRoutes } from './merchant-sessions.js';
import { systemRoutes } from './system.js';

export const routes: readonly AnyRoute[] = [
  ...systemRoutes,
  ...merchantSessionRoutes,
  ...merchantPaymentRoutes,
  ...checkoutRoutes,
  ...callbackRoutes,
];

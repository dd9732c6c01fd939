/**
 * The Vipps MobilePay emulator: access token, eCom v2, ePayment v1, Webhooks v1 and Userinfo APIs at
 * their real paths, the landing page and a sandbox phone, with scenario controls.
 *
 *   const { app, controlApp, controls } = createVippsSandbox({ publicUrl: 'http://localhost:4010' });
 *   root.route('/vipps', app);                 // base URL replacing https://apitest.vipps.no
 *   root.route('/__sandbox/vipps', controlApp); // scenario controls over HTTP
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { registerAccessTokenRoute, TokenStore } from './auth.js';
import type { PaymentParty, VippsContext, VippsEnv } from './context.js';
import { createVippsControlApp, createVippsControls, type VippsControls } from './controls.js';
import { createEcomParty, registerEcomRoutes } from './ecom.js';
import { createEpaymentParty, registerEpaymentRoutes } from './epayment.js';
import { ECOM_ERRORS, ecomError, ecomErrorResponse, problemResponse } from './errors.js';
import { apiFaultMiddleware } from './faults.js';
import { resolveVippsOptions, type VippsConfig, type VippsSandboxOptions } from './options.js';
import { registerPageRoutes } from './pages.js';
import { VippsState } from './state.js';
import { CallStats } from './stats.js';
import { registerUserinfoRoutes } from './userinfo.js';
import { registerWebhookRoutes } from './webhooks.js';

export interface VippsSandbox {
  /** The Vipps API and pages; mount at `mountPath` (default `/vipps`). */
  app: Hono<VippsEnv>;
  /** Scenario controls over HTTP; mount at `/__sandbox/vipps`. */
  controlApp: Hono;
  controls: VippsControls;
  /** The resolved configuration (credentials included: keep it server-side). */
  config: VippsConfig;
}

export function createVippsSandbox(options: VippsSandboxOptions = {}): VippsSandbox {
  const config = resolveVippsOptions(options);
  const unset: PaymentParty = {
    view: () => undefined,
    authorize: () => undefined,
    abort: () => undefined,
    expire: () => undefined,
  };
  const ctx: VippsContext = {
    config,
    clock: config.clock,
    state: new VippsState(config.timing, (handle) => config.clock.clearTimeout(handle)),
    stats: new CallStats(),
    tokens: new TokenStore(),
    parties: { ecom: unset, epayment: unset },
  };
  ctx.parties = { ecom: createEcomParty(ctx), epayment: createEpaymentParty(ctx) };

  const app = new Hono<VippsEnv>();
  // Vipps requests are small; anything near this is abuse, answered before any handler reads it.
  app.use(
    bodyLimit({
      maxSize: 256 * 1024,
      onError: (c) =>
        new URL(c.req.url).pathname.includes('/ecomm/')
          ? ecomErrorResponse(413, [ecomError('InvalidRequest', 'body', 'The request body is too large.')])
          : problemResponse({
              status: 413,
              detail: 'The request body is too large.',
              instance: new URL(c.req.url).pathname,
            }),
    }),
  );
  app.use(apiFaultMiddleware(ctx));
  registerAccessTokenRoute(app, ctx);
  registerEcomRoutes(app, ctx);
  registerEpaymentRoutes(app, ctx);
  registerWebhookRoutes(app, ctx);
  registerUserinfoRoutes(app, ctx);
  registerPageRoutes(app, ctx);
  app.onError((_error, c) => {
    // Never echo internals; answer in the format of the API that was called.
    const path = new URL(c.req.url).pathname;
    if (path.includes('/ecomm/')) return ecomErrorResponse(500, [ECOM_ERRORS.internal()]);
    return problemResponse({ status: 500, detail: 'An internal error occurred in the sandbox.', instance: path });
  });

  const controls = createVippsControls(ctx);
  return { app, controlApp: createVippsControlApp(controls), controls, config };
}

export { createManualClock, systemClock, type Clock, type ManualClock, type TimerHandle } from './clock.js';
export {
  DEFAULT_VIPPS_CREDENTIALS,
  DEFAULT_VIPPS_MERCHANT_NAME,
  DEFAULT_VIPPS_TIMING,
  VippsSandboxOptionsError,
  type FetchFunction,
  type VippsConfig,
  type VippsCredentials,
  type VippsSandboxOptions,
  type VippsTiming,
  type WebhookRetryPolicy,
} from './options.js';
export {
  VippsControlError,
  type ExpressApproval,
  type PaymentInspection,
  type ShippingDetailsScenarioInput,
  type VippsControls,
} from './controls.js';
export { DEFAULT_EXPRESS_PHONE_NUMBER, EXPRESS_TEST_ADDRESSES, expressUserFor } from './express-data.js';
export { SHIPPING_BRANDS, SHIPPING_TYPES, subFor } from './epayment-express.js';
export { EXPRESS_TEST_BIRTHDATE, USERINFO_RETENTION_MS } from './userinfo.js';
export {
  signVippsWebhook,
  verifyVippsWebhook,
  type WebhookSignatureHeaders,
  type WebhookSignatureInput,
  type WebhookVerificationInput,
} from './signing.js';
export { EPAYMENT_WEBHOOK_EVENTS } from './webhooks.js';
export type { VippsApiFault } from './faults.js';
export type {
  CallbackDelivery,
  CallbackMode,
  ExpressAddress,
  ExpressExchange,
  ExpressUser,
  SharedProfile,
  ShippingDetailsScenario,
  WebhookDelivery,
} from './state.js';
export type { CallStatsSnapshot } from './stats.js';

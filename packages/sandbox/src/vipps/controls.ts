/**
 * Scenario controls of the Vipps emulator: programmatic (`controls`, for in-process tests) and over
 * HTTP (`controlApp`, mounted at `/__sandbox/vipps`, for e2e). Both validate their input with zod.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { VippsContext } from './context.js';
import { ecomSnapshot } from './ecom.js';
import { epaymentSnapshot } from './epayment.js';
import { revokeEpaymentConsents } from './epayment-express.js';
import { removeConsent } from './express.js';
import { approveExpress, refuseConsent, type ExpressResult, type ExpressSubject } from './express-flow.js';
import { expressSubjectById } from './express-subjects.js';
import { DEFAULT_EXPRESS_PHONE_NUMBER, expressUserFor } from './express-data.js';
import { parseMobileNumber } from './phone.js';
import { approveDirectly, expireNow, sendPush, userDecides, type ActionResult } from './flows.js';
import type {
  CallbackDelivery,
  CallbackMode,
  ExpressExchange,
  ShippingDetailsScenario,
  UserSession,
  WebhookDelivery,
} from './state.js';
import type { CallStatsSnapshot } from './stats.js';
import type { VippsApiFault } from './faults.js';
import { FaultCount, FaultEffectSchema, faultBodySchema, faultFromBody } from '../shared/faults.js';

export class VippsControlError extends Error {
  override readonly name = 'VippsControlError';
  constructor(
    readonly code: 'not_found' | 'not_waiting' | 'invalid_request' | 'shipping_unavailable',
    message: string,
  ) {
    super(message);
  }
}

const CallbackModeInput = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('on-time') }),
  z.strictObject({ mode: z.literal('late'), delayMs: z.number().int().min(0).max(3_600_000) }),
  z.strictObject({ mode: z.literal('never') }),
]);
const CallbackModeRequest = z.intersection(
  CallbackModeInput,
  z.object({
    orderId: z
      .string()
      .regex(/^[a-zA-Z0-9-]{1,50}$/)
      .optional(),
  }),
);
const Timeouts = z.strictObject({
  landingTimeoutMs: z.number().int().min(1).max(86_400_000).optional(),
  appTimeoutMs: z.number().int().min(1).max(86_400_000).optional(),
  shippingDetailsTimeoutMs: z.number().int().min(1).max(120_000).optional(),
});
const OrderIdField = z
  .string()
  .regex(/^[a-zA-Z0-9-]{1,50}$/)
  .optional();
const ShippingScenarioInput = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('normal') }),
  z.strictObject({ mode: z.literal('slow'), delayMs: z.number().int().min(0).max(3_600_000).optional() }),
  z.strictObject({ mode: z.literal('fail'), status: z.number().int().min(300).max(599).optional() }),
  z.strictObject({ mode: z.literal('nonsense') }),
]);
const UserConsentRequest = z.union(
  [
    z.strictObject({ phoneNumber: z.string().min(1).max(30), userId: z.undefined().optional() }),
    z.strictObject({ userId: z.string().regex(/^[\d\w/=+]{1,50}$/), phoneNumber: z.undefined().optional() }),
  ],
  'give exactly one of phoneNumber and userId',
);
const ShippingScenarioRequest = z.intersection(ShippingScenarioInput, z.strictObject({ orderId: OrderIdField }));
const WebhookRetry = z.strictObject({
  maxAttempts: z.number().int().min(1).max(50).optional(),
  initialDelayMs: z.number().int().min(0).max(86_400_000).optional(),
  multiplier: z.number().min(1).max(100).optional(),
});
const WebhookDeliveryRequest = z.strictObject({ enabled: z.boolean() });
const ApproveRequest = z
  .strictObject({
    phoneNumber: z.string().max(30).optional(),
    // Express checkout only: the address and shipping method the user picks (default: Home and the default option).
    addressId: z.number().int().min(100).max(1_000_000).optional(),
    shippingMethodId: z.string().min(1).max(100).optional(),
  })
  .optional();
export type ExpressApproval = { phoneNumber?: string; addressId?: number; shippingMethodId?: string };
/**
 * `normal`: the merchant's answer counts. `slow`: it counts as arriving after `delayMs` (default:
 * after the shippingDetails timeout, so "No shipping methods found"). `fail`: it counts as HTTP
 * `status` (default 500). `nonsense`: it counts as a 200 that is not a FetchShippingCostResponse.
 * The request is sent to the merchant in every mode.
 */
export type ShippingDetailsScenarioInput =
  { mode: 'normal' } | { mode: 'slow'; delayMs?: number } | { mode: 'fail'; status?: number } | { mode: 'nonsense' };
const PaymentIdParam = z.string().min(1).max(50);
const ApiPath = z
  .string()
  .regex(
    /^\/(accesstoken|ecomm|epayment|webhooks|vipps-userinfo-api)(\/[A-Za-z0-9._~{}-]*)*$/,
    'must be a Vipps API path such as /ecomm/v2/payments',
  )
  .max(200);
const FaultRequest = faultBodySchema(ApiPath);
const LatencyRequest = z.strictObject({ latencyMs: z.number().int().min(0).max(60_000) });

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const message = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`)
      .join('; ');
    throw new VippsControlError('invalid_request', message);
  }
  return parsed.data;
}

export interface UserSideInspection {
  stage: UserSession['stage'];
  flow: UserSession['flow'];
  phoneNumber: string | null;
  deadline: string;
  /** Paths below the sandbox root (prefix the sandbox URL). */
  landingPath: string | null;
  phonePath: string;
}

export type PaymentInspection =
  | {
      kind: 'ecom';
      payment: ReturnType<typeof ecomSnapshot>;
      user: UserSideInspection | null;
      callbacks: CallbackDelivery[];
    }
  | {
      kind: 'epayment';
      payment: ReturnType<typeof epaymentSnapshot>;
      user: UserSideInspection | null;
      webhooks: WebhookDelivery[];
    };

export interface VippsControls {
  /** Callback behaviour for one order (even before it exists) or, without orderId, for all. */
  setCallbackMode(mode: CallbackMode, orderId?: string): void;
  /** Turns webhook deliveries on or off (off: events are recorded as `suppressed`). */
  setWebhookDelivery(enabled: boolean): void;
  setWebhookRetry(policy: { maxAttempts?: number; initialDelayMs?: number; multiplier?: number }): void;
  /** Timeouts for deadlines set from now on (new payments, next push / app switch). */
  setTimeouts(timeouts: { landingTimeoutMs?: number; appTimeoutMs?: number; shippingDetailsTimeoutMs?: number }): void;
  /** Lets a waiting payment time out now (eCom REJECTED callback, ePayment EXPIRED). */
  expire(paymentId: string): void;
  /**
   * The user confirms without the pages (push first if needed). Express orders: consent, Home
   * address, default shipping method; with dynamic shipping the reservation follows once the
   * merchant answered (await `flush()`, or use `approveExpress`).
   */
  approve(paymentId: string, phoneNumber?: string): void;
  /**
   * Express payments (eCom orderId or ePayment reference): the user consents, picks the address and
   * shipping method (default: Home and the preselected option) and confirms. Rejects with
   * `shipping_unavailable` when the merchant gave no shipping options.
   */
  approveExpress(orderId: string, choice?: ExpressApproval): Promise<void>;
  /** Express payments: the user refuses to share the information (payment cancelled / ABORTED by the user). */
  refuseConsent(orderId: string): void;
  /**
   * The user removes the consent given to this payment's merchant. eCom express orders: Vipps sends
   * `DELETE {consentRemovalPrefix}/v2/consents/{userId}`; resolves with the calls made. ePayment
   * payments that shared a profile: nothing is sent (no such call is documented for ePayment) and
   * the Userinfo API keeps answering for the 168 hours; resolves with no calls.
   */
  removeConsent(orderId: string): Promise<ExpressExchange[]>;
  /**
   * The test user (by phone number or userId) removes every consent given, at every merchant:
   * eCom express orders get their DELETE calls (resolved with), ePayment profiles are marked revoked
   * (`inspect().payment.sharedProfile.revokedAt`). Rejects with `not_waiting` when there is none.
   */
  removeUserConsent(user: { phoneNumber: string } | { userId: string }): Promise<ExpressExchange[]>;
  /** How the sandbox treats the merchant's shippingDetails answers, for one order or for all. */
  setShippingDetailsScenario(scenario: ShippingDetailsScenarioInput, orderId?: string): void;
  /** Express calls to the merchant (shippingDetails, consent removal), request and response. */
  expressExchanges(orderId?: string): ExpressExchange[];
  /** The user rejects in the app. */
  reject(paymentId: string): void;
  /** Everything about a payment (eCom orderId or ePayment reference), secrets excluded. */
  inspect(paymentId: string): PaymentInspection | undefined;
  stats(): CallStatsSnapshot;
  resetStats(): void;
  callbacks(orderId?: string): CallbackDelivery[];
  webhookDeliveries(reference?: string): WebhookDelivery[];
  /**
   * The next `count` API calls under `pathPrefix` (e.g. `/ecomm/v2/payments`; default: any) meet
   * the fault: a status in the API's error format (429 with Retry-After: 1 unless set) or a
   * malformed body without being processed; or processed with a truncated body, missing fields,
   * the answer lost to a connection reset, or held for `ms` first (see shared/faults.ts).
   */
  injectFaults(fault: VippsApiFault, count?: number): void;
  clearFaults(): void;
  /** Delay added before every API call (not the pages). */
  setLatency(latencyMs: number): void;
  /** Invalidates every access token handed out so far. */
  revokeTokens(): void;
  /** Forgets payments, webhooks, deliveries, scenario settings and statistics (not access tokens). */
  reset(): void;
  /** Resolves when the callbacks and webhook attempts in flight have settled. */
  flush(): Promise<void>;
}

export function createVippsControls(ctx: VippsContext): VippsControls {
  const sessionOf = (paymentId: string): UserSession => {
    const id = parse(PaymentIdParam, paymentId);
    const token = ctx.state.ecom.get(id)?.userToken ?? ctx.state.epayment.get(id)?.userToken;
    const session = token ? ctx.state.sessions.get(token) : undefined;
    if (!session) throw new VippsControlError('not_found', `No eCom order or ePayment payment ${id}.`);
    return session;
  };
  const ensure = (result: ActionResult | ExpressResult, paymentId: string) => {
    if (result.ok) return;
    switch (result.reason) {
      case 'no-shipping':
        throw new VippsControlError(
          'shipping_unavailable',
          `Order ${paymentId}: the merchant gave no shipping methods.`,
        );
      case 'unknown-address':
        throw new VippsControlError('invalid_request', `Order ${paymentId}: no such test address.`);
      case 'unknown-shipping':
        throw new VippsControlError('invalid_request', `Order ${paymentId}: no such shipping method.`);
      case 'no-consent':
        throw new VippsControlError('not_waiting', `Order ${paymentId}: the user refused to share the information.`);
      case 'consent-given':
        throw new VippsControlError('not_waiting', `Order ${paymentId}: the user has already given consent.`);
      default:
        throw new VippsControlError('not_waiting', `Payment ${paymentId} is not waiting for the user.`);
    }
  };
  const expressPayment = (id: string): { subject: ExpressSubject; session: UserSession } => {
    const session = sessionOf(id);
    const subject = expressSubjectById(ctx, session.paymentId);
    if (!subject) throw new VippsControlError('invalid_request', `Payment ${id} is not an express payment.`);
    return { subject, session };
  };
  const runApproveExpress = (id: string, choice: ExpressApproval) => {
    const { subject, session } = expressPayment(id);
    const result = approveExpress(ctx, session, subject, choice);
    if (result instanceof Promise) return result.then((done) => ensure(done, id));
    ensure(result, id);
    return undefined;
  };
  const userSide = (session: UserSession | undefined): UserSideInspection | null => {
    if (!session) return null;
    const { basePath } = ctx.config;
    const landingPath =
      session.kind === 'ecom'
        ? `${basePath}/dwo-api-application/v1/deeplink/vippsgateway?v=2&token=${session.token}`
        : ctx.state.epayment.get(session.paymentId)?.redirectUrl
          ? `${basePath}/landing?token=${session.token}`
          : null;
    return {
      stage: session.stage,
      flow: session.flow,
      phoneNumber: session.phoneNumber,
      deadline: new Date(session.deadline).toISOString(),
      landingPath,
      phonePath: `${basePath}/sandbox-phone/${session.token}`,
    };
  };

  return {
    setCallbackMode(mode, orderId) {
      const request = parse(CallbackModeRequest, { ...mode, ...(orderId !== undefined ? { orderId } : {}) });
      const value: CallbackMode =
        request.mode === 'late' ? { mode: 'late', delayMs: request.delayMs } : { mode: request.mode };
      if (request.orderId !== undefined) ctx.state.scenario.callbackByOrder.set(request.orderId, value);
      else ctx.state.scenario.callbackDefault = value;
    },
    setWebhookDelivery(enabled) {
      ctx.state.scenario.webhooksEnabled = parse(WebhookDeliveryRequest, { enabled }).enabled;
    },
    setWebhookRetry(policy) {
      const value = parse(WebhookRetry, policy);
      ctx.state.scenario.webhookRetry = {
        maxAttempts: value.maxAttempts ?? ctx.state.scenario.webhookRetry.maxAttempts,
        initialDelayMs: value.initialDelayMs ?? ctx.state.scenario.webhookRetry.initialDelayMs,
        multiplier: value.multiplier ?? ctx.state.scenario.webhookRetry.multiplier,
      };
    },
    setTimeouts(timeouts) {
      const value = parse(Timeouts, timeouts);
      if (value.landingTimeoutMs !== undefined) ctx.state.scenario.landingTimeoutMs = value.landingTimeoutMs;
      if (value.appTimeoutMs !== undefined) ctx.state.scenario.appTimeoutMs = value.appTimeoutMs;
      if (value.shippingDetailsTimeoutMs !== undefined) {
        ctx.state.scenario.shippingDetailsTimeoutMs = value.shippingDetailsTimeoutMs;
      }
    },
    expire(paymentId) {
      ensure(expireNow(ctx, sessionOf(paymentId)), paymentId);
    },
    approve(paymentId, phoneNumber) {
      const number = parse(ApproveRequest, { phoneNumber })?.phoneNumber;
      const session = sessionOf(paymentId);
      if (expressSubjectById(ctx, session.paymentId)) {
        const pending = runApproveExpress(paymentId, { ...(number !== undefined ? { phoneNumber: number } : {}) });
        // Dynamic shipping: settles in the background (flush() waits for it); a failure shows in inspect().
        if (pending) ctx.state.track(pending.catch(() => undefined));
        return;
      }
      ensure(approveDirectly(ctx, session, number), paymentId);
    },
    async approveExpress(orderId, choice = {}) {
      const checked = parse(ApproveRequest, choice) ?? {};
      await runApproveExpress(orderId, checked);
    },
    refuseConsent(orderId) {
      const { subject, session } = expressPayment(orderId);
      if (session.stage === 'landing') {
        ensure(sendPush(ctx, session, session.phoneNumber ?? DEFAULT_EXPRESS_PHONE_NUMBER), orderId);
      }
      ensure(refuseConsent(ctx, session, subject), orderId);
    },
    removeConsent(orderId) {
      const id = parse(PaymentIdParam, orderId);
      const epayment = ctx.state.epayment.get(id);
      if (epayment) {
        const profile = epayment.sharedProfile;
        if (!profile) {
          return Promise.reject(
            new VippsControlError(
              'not_waiting',
              `Payment ${id}: the user shared no profile (not authorized with a scope).`,
            ),
          );
        }
        if (profile.revokedAt !== null) {
          return Promise.reject(
            new VippsControlError('not_waiting', `Payment ${id}: the consent was already removed.`),
          );
        }
        revokeEpaymentConsents(ctx, { userId: profile.user.userId, msn: epayment.msn });
        return Promise.resolve([]);
      }
      const { subject } = expressPayment(id);
      const payment = ctx.state.ecom.get(subject.id)!;
      const express = payment.express!;
      if (express.consent !== 'given') {
        return Promise.reject(new VippsControlError('not_waiting', `Order ${id}: the user never gave consent.`));
      }
      if (express.consentRemovedAt !== null) {
        return Promise.reject(new VippsControlError('not_waiting', `Order ${id}: the consent was already removed.`));
      }
      return removeConsent(ctx, { userId: express.user!.userId, msn: payment.msn });
    },
    async removeUserConsent(user) {
      const request = parse(UserConsentRequest, user);
      let userId = request.userId;
      if (request.phoneNumber !== undefined) {
        const phone = parseMobileNumber(request.phoneNumber, 'NOK');
        if (!phone) throw new VippsControlError('invalid_request', 'phoneNumber: must be a Norwegian mobile number.');
        userId = expressUserFor(phone.national).userId;
      }
      const revoked = revokeEpaymentConsents(ctx, { userId: userId! });
      const exchanges = await removeConsent(ctx, { userId: userId! });
      if (exchanges.length === 0 && revoked.length === 0) {
        throw new VippsControlError(
          'not_waiting',
          'This user has no consent to remove (none given, or already removed).',
        );
      }
      return exchanges;
    },
    setShippingDetailsScenario(scenario, orderId) {
      const request = parse(ShippingScenarioRequest, { ...scenario, ...(orderId !== undefined ? { orderId } : {}) });
      const value: ShippingDetailsScenario =
        request.mode === 'slow'
          ? { mode: 'slow', delayMs: request.delayMs ?? null }
          : request.mode === 'fail'
            ? { mode: 'fail', status: request.status ?? 500 }
            : { mode: request.mode };
      if (request.orderId !== undefined) ctx.state.scenario.shippingByOrder.set(request.orderId, value);
      else ctx.state.scenario.shippingDefault = value;
    },
    expressExchanges: (orderId) =>
      ctx.state.expressExchanges.filter((exchange) => orderId === undefined || exchange.orderIds.includes(orderId)),
    reject(paymentId) {
      ensure(userDecides(ctx, sessionOf(paymentId), 'reject', 'control'), paymentId);
    },
    inspect(paymentId) {
      const id = PaymentIdParam.safeParse(paymentId);
      if (!id.success) return undefined;
      const ecom = ctx.state.ecom.get(id.data);
      if (ecom) {
        return {
          kind: 'ecom',
          payment: ecomSnapshot(ecom),
          user: userSide(ctx.state.sessions.get(ecom.userToken)),
          callbacks: ctx.state.callbackDeliveries.filter((delivery) => delivery.orderId === ecom.orderId),
        };
      }
      const epayment = ctx.state.epayment.get(id.data);
      if (epayment) {
        return {
          kind: 'epayment',
          payment: epaymentSnapshot(epayment),
          user: userSide(ctx.state.sessions.get(epayment.userToken)),
          webhooks: ctx.state.webhookDeliveries.filter((delivery) => delivery.reference === epayment.reference),
        };
      }
      return undefined;
    },
    stats: () => ctx.stats.snapshot(),
    resetStats: () => ctx.stats.reset(),
    callbacks: (orderId) => ctx.state.callbackDeliveries.filter((d) => orderId === undefined || d.orderId === orderId),
    webhookDeliveries: (reference) =>
      ctx.state.webhookDeliveries.filter((d) => reference === undefined || d.reference === reference),
    injectFaults(fault, count = 1) {
      const { pathPrefix, ...effect } = fault;
      const checked: VippsApiFault = {
        ...parse(FaultEffectSchema, effect),
        ...(pathPrefix !== undefined ? { pathPrefix: parse(ApiPath, pathPrefix) } : {}),
      };
      const times = parse(FaultCount, count);
      for (let i = 0; i < times; i++) ctx.state.faults.push(checked);
    },
    clearFaults() {
      ctx.state.faults = [];
    },
    setLatency(latencyMs) {
      ctx.state.scenario.latencyMs = parse(LatencyRequest, { latencyMs }).latencyMs;
    },
    revokeTokens: () => ctx.tokens.revokeAll(),
    reset() {
      ctx.state.reset();
      ctx.stats.reset();
    },
    flush: () => ctx.state.flush(),
  };
}

/** The HTTP face of the controls, to mount at `/__sandbox/vipps`. */
export function createVippsControlApp(controls: VippsControls): Hono {
  const app = new Hono();
  app.onError((error, c) => {
    if (error instanceof VippsControlError) {
      const status =
        error.code === 'not_found'
          ? 404
          : error.code === 'not_waiting' || error.code === 'shipping_unavailable'
            ? 409
            : 400;
      return c.json({ error: { code: error.code, message: error.message } }, status);
    }
    return c.json({ error: { code: 'internal_error', message: 'The sandbox control failed.' } }, 500);
  });
  const body = async (request: Request): Promise<unknown> => {
    const text = await request.text();
    if (text.trim() === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new VippsControlError('invalid_request', 'The request body is not valid JSON.');
    }
  };

  app.get('/stats', (c) => c.json(controls.stats()));
  app.delete('/stats', (c) => {
    controls.resetStats();
    return c.body(null, 204);
  });
  app.post('/reset', (c) => {
    controls.reset();
    return c.body(null, 204);
  });
  app.get('/payments/:id', (c) => {
    const inspection = controls.inspect(c.req.param('id'));
    if (!inspection)
      throw new VippsControlError('not_found', `No eCom order or ePayment payment ${c.req.param('id')}.`);
    return c.json(inspection);
  });
  app.post('/payments/:id/expire', (c) => {
    controls.expire(c.req.param('id'));
    return c.json(controls.inspect(c.req.param('id')));
  });
  app.post('/payments/:id/approve', async (c) => {
    const id = c.req.param('id');
    const request = parse(ApproveRequest, await body(c.req.raw)) ?? {};
    const inspection = controls.inspect(id);
    if (inspection?.payment.express) {
      // Express: answers once the reservation is made (the merchant's shipping options included).
      await controls.approveExpress(id, request);
    } else {
      if (request.addressId !== undefined || request.shippingMethodId !== undefined) {
        throw new VippsControlError('invalid_request', 'addressId and shippingMethodId are for express orders only.');
      }
      controls.approve(id, request.phoneNumber);
    }
    return c.json(controls.inspect(id));
  });
  app.post('/payments/:id/refuse-consent', (c) => {
    controls.refuseConsent(c.req.param('id'));
    return c.json(controls.inspect(c.req.param('id')));
  });
  app.post('/payments/:id/remove-consent', async (c) => {
    const exchanges = await controls.removeConsent(c.req.param('id'));
    return c.json({ exchanges });
  });
  app.post('/consents/remove', async (c) => {
    const exchanges = await controls.removeUserConsent(
      parse(UserConsentRequest, await body(c.req.raw)) as { userId: string },
    );
    return c.json({ exchanges });
  });
  app.put('/shipping-details-scenario', async (c) => {
    const { orderId, ...scenario } = parse(ShippingScenarioRequest, await body(c.req.raw));
    controls.setShippingDetailsScenario(scenario as ShippingDetailsScenarioInput, orderId);
    return c.body(null, 204);
  });
  app.get('/express-exchanges', (c) => c.json(controls.expressExchanges(c.req.query('orderId'))));
  app.post('/payments/:id/reject', (c) => {
    controls.reject(c.req.param('id'));
    return c.json(controls.inspect(c.req.param('id')));
  });
  app.put('/callback-mode', async (c) => {
    const request = parse(CallbackModeRequest, await body(c.req.raw));
    const { orderId, ...mode } = request;
    controls.setCallbackMode(mode as CallbackMode, orderId);
    return c.body(null, 204);
  });
  app.put('/webhook-delivery', async (c) => {
    controls.setWebhookDelivery(parse(WebhookDeliveryRequest, await body(c.req.raw)).enabled);
    return c.body(null, 204);
  });
  app.put('/webhook-retry', async (c) => {
    controls.setWebhookRetry(parse(WebhookRetry, await body(c.req.raw)));
    return c.body(null, 204);
  });
  app.put('/timeouts', async (c) => {
    controls.setTimeouts(parse(Timeouts, await body(c.req.raw)));
    return c.body(null, 204);
  });
  app.get('/callbacks', (c) => c.json(controls.callbacks(c.req.query('orderId'))));
  app.get('/webhook-deliveries', (c) => c.json(controls.webhookDeliveries(c.req.query('reference'))));
  app.post('/faults', async (c) => {
    const request = parse(FaultRequest, await body(c.req.raw));
    controls.injectFaults(faultFromBody(request), request.count);
    return c.body(null, 204);
  });
  app.delete('/faults', (c) => {
    controls.clearFaults();
    return c.body(null, 204);
  });
  app.put('/latency', async (c) => {
    controls.setLatency(parse(LatencyRequest, await body(c.req.raw)).latencyMs);
    return c.body(null, 204);
  });
  app.post('/tokens/revoke', (c) => {
    controls.revokeTokens();
    return c.body(null, 204);
  });
  return app;
}

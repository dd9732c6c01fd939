/**
 * Scenario controls of the Vipps emulator: programmatic (`controls`, for in-process tests) and over
 * HTTP (`controlApp`, mounted at `/__sandbox/vipps`, for e2e). Both validate their input with zod.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { VippsContext } from './context.js';
import { ecomSnapshot } from './ecom.js';
import { epaymentSnapshot } from './epayment.js';
import { approveDirectly, expireNow, userDecides, type ActionResult } from './flows.js';
import type { CallbackDelivery, CallbackMode, UserSession, WebhookDelivery } from './state.js';
import type { CallStatsSnapshot } from './stats.js';
import type { VippsApiFault } from './faults.js';
import { FaultCount, FaultEffectSchema, faultBodySchema, faultFromBody } from '../shared/faults.js';

export class VippsControlError extends Error {
  override readonly name = 'VippsControlError';
  constructor(
    readonly code: 'not_found' | 'not_waiting' | 'invalid_request',
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
});
const WebhookRetry = z.strictObject({
  maxAttempts: z.number().int().min(1).max(50).optional(),
  initialDelayMs: z.number().int().min(0).max(86_400_000).optional(),
  multiplier: z.number().min(1).max(100).optional(),
});
const WebhookDeliveryRequest = z.strictObject({ enabled: z.boolean() });
const ApproveRequest = z.strictObject({ phoneNumber: z.string().max(30).optional() }).optional();
const PaymentIdParam = z.string().min(1).max(50);
const ApiPath = z
  .string()
  .regex(
    /^\/(accesstoken|ecomm|epayment|webhooks)(\/[A-Za-z0-9._~{}-]*)*$/,
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
  setTimeouts(timeouts: { landingTimeoutMs?: number; appTimeoutMs?: number }): void;
  /** Lets a waiting payment time out now (eCom REJECTED callback, ePayment EXPIRED). */
  expire(paymentId: string): void;
  /** The user confirms without the pages (push first if needed). */
  approve(paymentId: string, phoneNumber?: string): void;
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
  const ensure = (result: ActionResult, paymentId: string) => {
    if (!result.ok) throw new VippsControlError('not_waiting', `Payment ${paymentId} is not waiting for the user.`);
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
    },
    expire(paymentId) {
      ensure(expireNow(ctx, sessionOf(paymentId)), paymentId);
    },
    approve(paymentId, phoneNumber) {
      ensure(
        approveDirectly(ctx, sessionOf(paymentId), parse(ApproveRequest, { phoneNumber })?.phoneNumber),
        paymentId,
      );
    },
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
      const status = error.code === 'not_found' ? 404 : error.code === 'not_waiting' ? 409 : 400;
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
    const request = parse(ApproveRequest, await body(c.req.raw));
    controls.approve(c.req.param('id'), request?.phoneNumber);
    return c.json(controls.inspect(c.req.param('id')));
  });
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

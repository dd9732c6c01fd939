/**
 * Webhooks API v1 (webhooks-v1.openapi.yaml): register, list, delete, and the delivery of
 * `epayments.payment.*.v1` events, signed as Vipps signs them and retried with exponential backoff.
 */
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { countCall, requireApiAuth } from './auth.js';
import type { VippsContext, VippsEnv } from './context.js';
import { postOnce } from './delivery.js';
import { instancePath, issuesToExtraDetails, jsonResponse, problemResponse, type ExtraDetail } from './errors.js';
import { isHttpUrl, readJsonBody } from './http.js';
import { newUuid, newWebhookSecret } from './ids.js';
import { signVippsWebhook } from './signing.js';
import type { EpaymentEvent, WebhookDelivery, WebhookRegistration } from './state.js';

/** The events the sandbox emits (ePayment), as Vipps names them. */
export const EPAYMENT_WEBHOOK_EVENTS = [
  'epayments.payment.created.v1',
  'epayments.payment.aborted.v1',
  'epayments.payment.expired.v1',
  'epayments.payment.cancelled.v1',
  'epayments.payment.captured.v1',
  'epayments.payment.refunded.v1',
  'epayments.payment.authorized.v1',
  'epayments.payment.terminated.v1',
] as const;

/** "At most 5 webhooks can currently be registered per event" (the spec). */
const MAX_WEBHOOKS_PER_EVENT = 5;

const RegisterRequest = z.object({
  url: z.string().max(2048).refine(isHttpUrl, 'must be an absolute https (or, in the sandbox, http) URL'),
  events: z
    .array(z.string())
    .min(1, 'must list at least one event')
    .refine((events) => events.every((event) => (EPAYMENT_WEBHOOK_EVENTS as readonly string[]).includes(event)), {
      message: `the sandbox emits only these events: ${EPAYMENT_WEBHOOK_EVENTS.join(', ')}`,
    }),
});

export function registerWebhookRoutes(app: Hono<VippsEnv>, ctx: VippsContext): void {
  const auth = requireApiAuth(ctx, 'webhooks');
  const problem = (c: Context, status: number, detail: string, extraDetails: ExtraDetail[] = []) =>
    problemResponse({ status, detail, instance: instancePath(c, ctx.config.basePath), extraDetails });

  app.post('/webhooks/v1/webhooks', countCall(ctx, 'POST /webhooks/v1/webhooks'), auth, async (c) => {
    const body = await readJsonBody(c);
    if (!body.ok) return problem(c, 400, body.message, [{ name: 'body', reason: body.message }]);
    const parsed = RegisterRequest.safeParse(body.value);
    if (!parsed.success)
      return problem(c, 400, 'One or more validation errors occurred.', issuesToExtraDetails(parsed.error.issues));
    const events = [...new Set(parsed.data.events)];
    const mine = [...ctx.state.webhooks.values()].filter((hook) => hook.msn === c.var.msn);
    const full = events.filter(
      (event) => mine.filter((hook) => hook.events.includes(event)).length >= MAX_WEBHOOKS_PER_EVENT,
    );
    if (full.length > 0) {
      return problem(
        c,
        400,
        `At most ${MAX_WEBHOOKS_PER_EVENT} webhooks can be registered per event.`,
        full.map((event) => ({ name: 'events', reason: `${event} already has ${MAX_WEBHOOKS_PER_EVENT} webhooks` })),
      );
    }
    const hook: WebhookRegistration = {
      id: newUuid(),
      msn: c.var.msn,
      url: parsed.data.url,
      events,
      secret: newWebhookSecret(),
      createdAt: ctx.clock.now(),
    };
    ctx.state.webhooks.set(hook.id, hook);
    return jsonResponse(201, { id: hook.id, secret: hook.secret }, 'application/json');
  });

  app.get('/webhooks/v1/webhooks', countCall(ctx, 'GET /webhooks/v1/webhooks'), auth, (c) => {
    const webhooks = [...ctx.state.webhooks.values()]
      .filter((hook) => hook.msn === c.var.msn)
      .map(({ id, url, events }) => ({ id, url, events }));
    return jsonResponse(200, { webhooks }, 'application/json');
  });

  app.delete('/webhooks/v1/webhooks/:id', countCall(ctx, 'DELETE /webhooks/v1/webhooks/{id}'), auth, (c) => {
    const id = c.req.param('id');
    if (!z.uuid().safeParse(id).success) {
      return problem(c, 400, 'The webhook id must be a UUID.', [{ name: 'id', reason: 'must be a UUID' }]);
    }
    const hook = ctx.state.webhooks.get(id);
    if (!hook || hook.msn !== c.var.msn) return problem(c, 404, `No webhook with id ${id} is registered.`);
    ctx.state.webhooks.delete(id);
    return new Response(null, { status: 204 });
  });
}

/**
 * Sends an ePayment event to every webhook of the sales unit that subscribed to it. `extra`: what
 * rides along beyond the WebhookEvent schema (profile sharing and Express on `authorized`).
 */
export function emitEpaymentEvent(
  ctx: VippsContext,
  msn: string,
  event: EpaymentEvent,
  extra: Record<string, unknown> = {},
): void {
  const eventName = `epayments.payment.${event.name.toLowerCase()}.v1`;
  // The WebhookEvent schema of epayment-v1.openapi.yaml.
  const body = JSON.stringify({
    msn,
    reference: event.reference,
    pspReference: event.pspReference,
    name: event.name,
    amount: event.amount,
    timestamp: event.timestamp,
    idempotencyKey: event.idempotencyKey,
    success: event.success,
    ...extra,
  });
  for (const hook of ctx.state.webhooks.values()) {
    if (hook.msn === msn && hook.events.includes(eventName)) deliver(ctx, hook, eventName, event.reference, body);
  }
}

function deliver(
  ctx: VippsContext,
  hook: WebhookRegistration,
  eventName: string,
  reference: string,
  body: string,
): void {
  const delivery: WebhookDelivery = {
    id: newUuid(),
    webhookId: hook.id,
    url: hook.url,
    event: eventName,
    reference,
    state: ctx.state.scenario.webhooksEnabled ? 'pending' : 'suppressed',
    attempts: [],
    nextAttemptAt: null,
    body,
  };
  ctx.state.webhookDeliveries.push(delivery);
  if (delivery.state === 'suppressed') return;
  const generation = ctx.state.generation;

  const attempt = (): void => {
    if (ctx.state.generation !== generation) return;
    if (!ctx.state.scenario.webhooksEnabled) {
      delivery.state = 'suppressed';
      delivery.nextAttemptAt = null;
      return;
    }
    delivery.nextAttemptAt = null;
    // Signed per attempt: the date (and so the signature) is fresh each time.
    const headers = signVippsWebhook({
      secret: hook.secret,
      url: hook.url,
      body,
      date: new Date(ctx.clock.now()).toUTCString(),
    });
    ctx.state.track(
      postOnce(ctx, hook.url, body, { ...headers }, ctx.config.timing.webhookTimeoutMs).then((result) => {
        if (ctx.state.generation !== generation) return;
        delivery.attempts.push({ at: result.at, httpStatus: result.httpStatus, error: result.error });
        if (result.ok) {
          delivery.state = 'delivered';
          return;
        }
        const policy = ctx.state.scenario.webhookRetry;
        if (delivery.attempts.length >= policy.maxAttempts) {
          delivery.state = 'failed';
          return;
        }
        const delay = Math.round(policy.initialDelayMs * policy.multiplier ** (delivery.attempts.length - 1));
        delivery.nextAttemptAt = new Date(ctx.clock.now() + delay).toISOString();
        const handle = ctx.clock.setTimeout(() => {
          ctx.state.forgetTimer(handle);
          attempt();
        }, delay);
        ctx.state.trackTimer(handle);
      }),
    );
  };
  attempt();
}

/**
 * Sandbox-only scenario controls for the Mastercard emulator: a programmatic object for in-process
 * tests and the same operations over HTTP under `/__sandbox/mastercard` for e2e tests and demos.
 * Nothing here exists in the real API.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { FaultCount, FaultEffectSchema, faultBodySchema, faultFromBody } from '../shared/faults.js';
import { findBank } from './catalogue.js';
import type { MastercardContext } from './context.js';
import { MastercardApiError, invalidInput, notFound, requiredMessage, toValidationErrors } from './errors.js';
import type { PaymentCode } from './payments.js';
import type { ApiFault } from './runtime.js';
import { paymentJson, type MastercardPayment } from './serialize.js';

/** What the sandbox knows about a payment beyond the API view. */
export interface MastercardPaymentInspection {
  payment: MastercardPayment;
  sandbox: {
    clientId: string;
    /** Account chosen in the hosted UI (`everyday`, `savings`, `budget`). */
    sourceAccountId: string | null;
    /** Slow bank: when Pending turns into Succeeded (ISO), else null. */
    pendingUntil: string | null;
    history: { code: PaymentCode; at: string }[];
  };
}

export interface MastercardSettings {
  slowBankDelayMs: number;
  latencyMs: number;
  pendingFaults: number;
}

export interface MastercardControls {
  /** Forget every payment and restore settings, availability and faults to their start values. */
  reset(): void;
  /** The payment as GET /v1/payments/{id} would return it (any client), or undefined. */
  getPayment(paymentId: string): MastercardPayment | undefined;
  inspectPayment(paymentId: string): MastercardPaymentInspection | undefined;
  listPayments(): MastercardPayment[];
  getSettings(): MastercardSettings;
  /** How long Slow Bank payments stay Pending after the shopper confirms. */
  setSlowBankDelayMs(ms: number): void;
  /** Delay added to every API call (not the hosted pages). */
  setLatencyMs(ms: number): void;
  /** Switch a bank off (status.syncMode "None", message set) or back on. */
  setProviderAvailability(providerId: string, available: boolean, message?: string | null): void;
  /**
   * The next `count` API calls under `fault.pathPrefix` (e.g. `/v1/payments`; default: any) meet
   * this fault: a 429/5xx answer (Retry-After configurable), a malformed or truncated body, missing
   * fields, a connection reset (before or after processing) or a hang (see shared/faults.ts).
   */
  injectFaults(fault: ApiFault, count?: number): void;
  clearFaults(): void;
}

const Milliseconds = z.number().int().min(0).max(3_600_000);
const FaultPathPrefix = z.string().startsWith('/v1', 'must start with /v1').max(200);

export function createControls(ctx: MastercardContext): MastercardControls {
  const inspect = (paymentId: string): MastercardPaymentInspection | undefined => {
    const stored = ctx.store.get(paymentId);
    if (!stored) return undefined;
    return {
      payment: paymentJson(stored),
      sandbox: {
        clientId: stored.clientId,
        sourceAccountId: stored.sourceAccountId,
        pendingUntil: stored.pendingUntil?.toISOString() ?? null,
        history: stored.history.map((h) => ({ code: h.code, at: h.at.toISOString() })),
      },
    };
  };
  return {
    reset() {
      ctx.store.clear();
      ctx.runtime.reset();
    },
    getPayment: (paymentId) => inspect(paymentId)?.payment,
    inspectPayment: inspect,
    listPayments: () => ctx.store.list().map(paymentJson),
    getSettings: () => ({
      slowBankDelayMs: ctx.runtime.slowBankDelayMs,
      latencyMs: ctx.runtime.latencyMs,
      pendingFaults: ctx.runtime.pendingFaults(),
    }),
    setSlowBankDelayMs(ms) {
      ctx.runtime.slowBankDelayMs = Milliseconds.parse(ms);
    },
    setLatencyMs(ms) {
      ctx.runtime.latencyMs = Milliseconds.parse(ms);
    },
    setProviderAvailability(providerId, available, message) {
      const bank = findBank(providerId);
      if (!bank) throw new RangeError(`Unknown provider ${providerId}`);
      ctx.runtime.setAvailability(bank, available, message);
    },
    injectFaults(fault, count = 1) {
      const { pathPrefix, ...effect } = fault;
      const checked = FaultEffectSchema.parse(effect);
      const where = pathPrefix === undefined ? {} : { pathPrefix: FaultPathPrefix.parse(pathPrefix) };
      ctx.runtime.injectFaults({ ...checked, ...where }, FaultCount.parse(count));
    },
    clearFaults() {
      ctx.runtime.clearFaults();
    },
  };
}

const SettingsBody = z.strictObject({
  slowBankDelayMs: Milliseconds.optional(),
  latencyMs: Milliseconds.optional(),
});

const AvailabilityBody = z.strictObject({
  available: z.boolean(),
  message: z.string().min(1).max(200).nullish(),
});

const FaultBody = faultBodySchema(FaultPathPrefix);

export function createControlRoutes(controls: MastercardControls): Hono {
  const app = new Hono();

  app.onError((err, c) => {
    if (err instanceof MastercardApiError) return c.json(err.body, err.status);
    throw err;
  });

  const readJson = async <T>(c: { req: { text(): Promise<string> } }, schema: z.ZodType<T>): Promise<T> => {
    let raw: unknown = {};
    const text = await c.req.text();
    if (text.trim()) {
      try {
        raw = JSON.parse(text);
      } catch {
        throw invalidInput('The request body is not valid JSON', { '(body)': ['must be a JSON object'] });
      }
    }
    const parsed = schema.safeParse(raw, { error: requiredMessage });
    if (!parsed.success) throw invalidInput('The request is not valid', toValidationErrors(parsed.error));
    return parsed.data;
  };

  app.post('/reset', (c) => {
    controls.reset();
    return c.json({ reset: true });
  });

  app.get('/payments', (c) => c.json({ payments: controls.listPayments() }));

  app.get('/payments/:paymentId', (c) => {
    const inspection = controls.inspectPayment(c.req.param('paymentId'));
    if (!inspection) throw notFound('PaymentNotFound', 'No payment with this id');
    return c.json(inspection);
  });

  app.get('/settings', (c) => c.json(controls.getSettings()));

  app.post('/settings', async (c) => {
    const body = await readJson(c, SettingsBody);
    if (body.slowBankDelayMs !== undefined) controls.setSlowBankDelayMs(body.slowBankDelayMs);
    if (body.latencyMs !== undefined) controls.setLatencyMs(body.latencyMs);
    return c.json(controls.getSettings());
  });

  app.post('/providers/:providerId/availability', async (c) => {
    const body = await readJson(c, AvailabilityBody);
    const providerId = c.req.param('providerId');
    if (!findBank(providerId)) throw notFound('ProviderNotFound', 'No provider with this id');
    controls.setProviderAvailability(providerId, body.available, body.message);
    return c.json({ providerId, available: body.available });
  });

  app.post('/faults', async (c) => {
    const body = await readJson(c, FaultBody);
    controls.injectFaults(faultFromBody(body), body.count);
    return c.json(controls.getSettings());
  });

  app.delete('/faults', (c) => {
    controls.clearFaults();
    return c.json(controls.getSettings());
  });

  return app;
}

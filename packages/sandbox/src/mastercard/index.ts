/**
 * The Mastercard Open Finance payment-initiation emulator as a Hono sub-app: the API under `/v1`,
 * the hosted authorisation UI under `/auth`, logos under `/logos`, plus sandbox-only controls.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { systemClock, type Clock } from '../shared/clock.js';
import { HttpUrl, trimTrailingSlash } from '../shared/url.js';
import { createApiRoutes } from './api.js';
import type { MastercardClient, MastercardContext } from './context.js';
import { createControlRoutes, createControls, type MastercardControls } from './controls.js';
import { createHostedRoutes } from './hosted.js';
import { PaymentStore } from './payments.js';
import { MastercardRuntime } from './runtime.js';

/** Documented sandbox credentials (not secrets): what the demo and tests use. */
export const DEFAULT_MASTERCARD_CLIENT: MastercardClient = {
  clientId: 'sandbox-client-id',
  clientSecret: 'sandbox-client-secret',
};

export const DEFAULT_SLOW_BANK_DELAY_MS = 5_000;

export interface MastercardSandboxOptions {
  /**
   * Public origin of the whole sandbox (e.g. `http://127.0.0.1:4010`), used for redirectUrl and logo
   * URLs. Default: the origin of each incoming request.
   */
  publicUrl?: string;
  /** Where this sub-app is mounted; absolute URLs include it. Default `/mastercard`. */
  mountPath?: string;
  /** Accepted X-Client-ID / X-Client-Secret pairs. Default: the sandbox client. */
  clients?: MastercardClient[];
  clock?: Clock;
  /** How long Slow Bank payments stay Pending. Default 5000 ms. */
  slowBankDelayMs?: number;
  /** Delay added to every API call. Default 0. */
  latencyMs?: number;
  /** Page size of GET /v1/payments. Default 100. */
  listPageSize?: number;
}

export interface MastercardSandbox {
  /** Mount at `mountPath` (default `/mastercard`). */
  app: Hono;
  /** Sandbox-only HTTP controls; mount at `/__sandbox/mastercard`. */
  controlApp: Hono;
  controls: MastercardControls;
}

const Options = z.strictObject({
  publicUrl: HttpUrl.optional(),
  mountPath: z
    .string()
    .regex(/^(\/[A-Za-z0-9_-]+)*$/, 'must be empty or a path such as /mastercard')
    .optional(),
  clients: z
    .array(z.strictObject({ clientId: z.string().min(1), clientSecret: z.string().min(1) }))
    .min(1)
    .optional(),
  clock: z.custom<Clock>((v) => typeof v === 'function', 'must be a function returning a Date').optional(),
  slowBankDelayMs: z.number().int().min(0).max(3_600_000).optional(),
  latencyMs: z.number().int().min(0).max(60_000).optional(),
  listPageSize: z.number().int().min(1).max(1000).optional(),
});

export function createMastercardSandbox(options: MastercardSandboxOptions = {}): MastercardSandbox {
  const parsed = Options.safeParse(options);
  if (!parsed.success) throw new TypeError(`Invalid Mastercard sandbox options: ${z.prettifyError(parsed.error)}`);
  const opts = parsed.data;
  const clock = opts.clock ?? systemClock;
  const runtime = new MastercardRuntime({
    slowBankDelayMs: opts.slowBankDelayMs ?? DEFAULT_SLOW_BANK_DELAY_MS,
    latencyMs: opts.latencyMs ?? 0,
  });
  const ctx: MastercardContext = {
    store: new PaymentStore(clock, () => runtime.slowBankDelayMs),
    runtime,
    clock,
    clients: opts.clients ?? [DEFAULT_MASTERCARD_CLIENT],
    publicUrl: opts.publicUrl ? trimTrailingSlash(opts.publicUrl) : null,
    mountPath: opts.mountPath ?? '/mastercard',
    listPageSize: opts.listPageSize ?? 100,
    catalogueUpdated: clock(),
  };

  const app = new Hono();
  app.route('/v1', createApiRoutes(ctx));
  app.route('/', createHostedRoutes(ctx));

  const controls = createControls(ctx);
  return { app, controlApp: createControlRoutes(controls), controls };
}

export type { MastercardClient } from './context.js';
export type { MastercardControls, MastercardPaymentInspection, MastercardSettings } from './controls.js';
export type { ApiFault } from './runtime.js';
export type { MastercardPayment, MastercardProvider } from './serialize.js';
export type { PaymentCode, StatusDetails } from './payments.js';
export { SANDBOX_BANKS, COUNTRY_CURRENCY, type SandboxBank, type CountryCode } from './catalogue.js';

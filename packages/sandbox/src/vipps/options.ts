/** Options of the Vipps emulator, validated once at construction. */
import { z } from 'zod';
import { toClock, type Clock } from './clock.js';

/** The documented sandbox credentials (see the team brief and the README). */
export const DEFAULT_VIPPS_CREDENTIALS = {
  clientId: 'sandbox-vipps-client-id',
  clientSecret: 'sandbox-vipps-client-secret',
  subscriptionKey: 'sandbox-vipps-subscription-key',
  merchantSerialNumber: '123456',
} as const;

/** Shown on the landing page and the phone unless `merchantName` is given. */
export const DEFAULT_VIPPS_MERCHANT_NAME = 'Sandbox Merchant AS';

const Credentials = z.strictObject({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  subscriptionKey: z.string().min(1),
  // The eCom spec allows 5–6 digits in bodies, the ePayment spec 4–6 in headers: take the overlap.
  merchantSerialNumber: z.string().regex(/^\d{5,6}$/, 'must be 5 or 6 digits'),
});
export type VippsCredentials = z.infer<typeof Credentials>;

const WebhookRetry = z.strictObject({
  /** Attempts in total, the first one included. */
  maxAttempts: z.number().int().min(1).max(50),
  initialDelayMs: z.number().int().min(0),
  multiplier: z.number().min(1),
});
export type WebhookRetryPolicy = z.infer<typeof WebhookRetry>;

const Timing = z.strictObject({
  /** How long the landing page (or the app switch) waits for the user: 5 min at Vipps. */
  landingTimeoutMs: z.number().int().min(1),
  /** How long the user has in the app after the push / app switch: 5 min at Vipps. */
  appTimeoutMs: z.number().int().min(1),
  /** Access token lifetime: 3600 s in Vipps' test environment. */
  tokenLifetimeSeconds: z.number().int().min(1),
  /** eCom callbacks (and express consent removals): one attempt, 3 s timeout. */
  callbackTimeoutMs: z.number().int().min(1),
  /**
   * Express checkout: how long Vipps waits for the merchant's shippingDetails answer before the app
   * says "No shipping methods found": 10 s in the spec.
   */
  shippingDetailsTimeoutMs: z.number().int().min(1),
  webhookTimeoutMs: z.number().int().min(1),
  webhookRetry: WebhookRetry,
  /** Auto-refresh interval of the waiting pages (landing page countdown, phone inbox). */
  pageRefreshSeconds: z.number().int().min(1).max(60),
});
export type VippsTiming = z.infer<typeof Timing>;

export const DEFAULT_VIPPS_TIMING: VippsTiming = {
  landingTimeoutMs: 5 * 60_000,
  appTimeoutMs: 5 * 60_000,
  tokenLifetimeSeconds: 3600,
  callbackTimeoutMs: 3000,
  shippingDetailsTimeoutMs: 10_000,
  webhookTimeoutMs: 10_000,
  webhookRetry: { maxAttempts: 6, initialDelayMs: 1000, multiplier: 4 },
  pageRefreshSeconds: 2,
};

export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface VippsSandboxOptions {
  /**
   * Absolute URL of the sandbox root, the origin the browser sees (e.g. `http://localhost:4010`).
   * Landing page URLs are `{publicUrl}{mountPath}/…`. Default: the origin of the API request.
   */
  publicUrl?: string;
  /** Where the Vipps sub-app is mounted. Default `/vipps`. */
  mountPath?: string;
  credentials?: Partial<VippsCredentials>;
  /** Shown on the landing page and the sandbox phone. */
  merchantName?: string;
  /**
   * Time source. A Clock (with timers) drives every deadline exactly; a `() => Date` function (the
   * sandbox-wide clock of app.ts) is adapted: its "now" rules, timers re-check it at least every second.
   */
  clock?: Clock | (() => Date);
  /** Used for eCom callbacks, express shipping/consent calls and webhook deliveries. Default: the global fetch. */
  fetch?: FetchFunction;
  timing?: Partial<Omit<VippsTiming, 'webhookRetry'>> & { webhookRetry?: Partial<WebhookRetryPolicy> };
  /** Whether the sandbox sales unit is whitelisted for `skipLandingPage` (error 38 otherwise). Default true. */
  skipLandingPageAllowed?: boolean;
}

export interface VippsConfig {
  publicUrl: string | null;
  basePath: string;
  credentials: VippsCredentials;
  merchantName: string;
  clock: Clock;
  fetch: FetchFunction;
  timing: VippsTiming;
  skipLandingPageAllowed: boolean;
}

const PlainOptions = z.strictObject({
  publicUrl: z
    .url({ protocol: /^https?$/ })
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
  mountPath: z
    .string()
    .regex(/^(\/[A-Za-z0-9._~-]+)*$/, 'must be empty or a path such as /vipps')
    .optional(),
  credentials: Credentials.partial().optional(),
  merchantName: z.string().min(1).max(100).optional(),
  timing: Timing.omit({ webhookRetry: true })
    .partial()
    .extend({ webhookRetry: WebhookRetry.partial().optional() })
    .optional(),
  skipLandingPageAllowed: z.boolean().optional(),
});

/** Thrown for invalid options, with every problem listed. */
export class VippsSandboxOptionsError extends Error {
  override readonly name = 'VippsSandboxOptionsError';
}

export function resolveVippsOptions(options: VippsSandboxOptions = {}): VippsConfig {
  const { clock, fetch: fetchOption, ...plain } = options;
  const parsed = PlainOptions.safeParse(plain);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new VippsSandboxOptionsError(`Invalid Vipps sandbox options: ${problems.join('; ')}`);
  }
  if (
    clock !== undefined &&
    typeof clock !== 'function' &&
    (typeof clock.now !== 'function' ||
      typeof clock.setTimeout !== 'function' ||
      typeof clock.clearTimeout !== 'function')
  ) {
    throw new VippsSandboxOptionsError(
      'Invalid Vipps sandbox options: clock must be a () => Date function or implement now/setTimeout/clearTimeout',
    );
  }
  if (fetchOption !== undefined && typeof fetchOption !== 'function') {
    throw new VippsSandboxOptionsError('Invalid Vipps sandbox options: fetch must be a function');
  }
  const value = parsed.data;
  const { webhookRetry, ...timing } = value.timing ?? {};
  return {
    publicUrl: value.publicUrl ?? null,
    basePath: value.mountPath ?? '/vipps',
    credentials: { ...DEFAULT_VIPPS_CREDENTIALS, ...stripUndefined(value.credentials ?? {}) },
    merchantName: value.merchantName ?? DEFAULT_VIPPS_MERCHANT_NAME,
    clock: toClock(clock),
    fetch: fetchOption ?? ((input, init) => globalThis.fetch(input, init)),
    timing: {
      ...DEFAULT_VIPPS_TIMING,
      ...stripUndefined(timing),
      webhookRetry: { ...DEFAULT_VIPPS_TIMING.webhookRetry, ...stripUndefined(webhookRetry ?? {}) },
    },
    skipLandingPageAllowed: value.skipLandingPageAllowed ?? true,
  };
}

function stripUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}

/**
 * Vipps MobilePay configuration from PWB_VIPPS_* environment variables, validated with zod. One
 * Vipps API is active at a time (PWB_VIPPS_API = ecom | epayment). Issues are `NAME message`
 * lines like the rest of src/config.ts; no message ever echoes a value (most of them are secrets).
 */
import { z } from 'zod';

export const VIPPS_APIS = ['ecom', 'epayment'] as const;
export type VippsApi = (typeof VIPPS_APIS)[number];

/** Currencies each Vipps API can take (eCom v2 is NOK only). */
export const VIPPS_API_CURRENCIES = {
  ecom: ['NOK'],
  epayment: ['NOK', 'DKK', 'EUR'],
} as const satisfies Record<VippsApi, readonly string[]>;
export type VippsCurrency = (typeof VIPPS_API_CURRENCIES)['epayment'][number];

export const DEFAULT_VIPPS_BASE_URL = 'https://apitest.vipps.no';
export const DEFAULT_VIPPS_ORDER_PREFIX = 'pwb';
/** Vipps-System-* headers identify the integration in Vipps' logs (≤30 characters each). */
export const DEFAULT_VIPPS_SYSTEM = {
  name: 'pay-with-bank',
  version: '0.1.0',
  pluginName: 'pay-with-bank-server',
  pluginVersion: '0.1.0',
} as const;
const MIN_CALLBACK_SECRET_LENGTH = 32;

export interface VippsSystemInfo {
  name: string;
  version: string;
  pluginName: string;
  pluginVersion: string;
}

export interface VippsConfig {
  api: VippsApi;
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  subscriptionKey: string;
  merchantSerialNumber: string;
  /** Per-shop prefix of eCom orderIds / ePayment references, so two shops on one sales unit never collide. */
  orderPrefix: string;
  /**
   * eCom: secrets the per-order callback authTokens are derived from (HMAC). The first derives new
   * tokens; all of them verify (rotation). ePayment: optional, the same for the Express shipping
   * callback's tokens; empty there means they are derived from the client secret.
   */
  callbackSecrets: string[];
  /** ePayment: the secret of an existing webhook registration; null = register (or re-register) at start. */
  webhookSecret: string | null;
  currencies: VippsCurrency[];
  system: VippsSystemInfo;
}

/** Every variable this module reads. */
export const VIPPS_ENV_NAMES = [
  'PWB_VIPPS_API',
  'PWB_VIPPS_BASE_URL',
  'PWB_VIPPS_CLIENT_ID',
  'PWB_VIPPS_CLIENT_SECRET',
  'PWB_VIPPS_SUBSCRIPTION_KEY',
  'PWB_VIPPS_MERCHANT_SERIAL_NUMBER',
  'PWB_VIPPS_ORDER_PREFIX',
  'PWB_VIPPS_CALLBACK_SECRET',
  'PWB_VIPPS_WEBHOOK_SECRET',
  'PWB_VIPPS_CURRENCIES',
  'PWB_VIPPS_SYSTEM_NAME',
  'PWB_VIPPS_SYSTEM_VERSION',
  'PWB_VIPPS_SYSTEM_PLUGIN_NAME',
  'PWB_VIPPS_SYSTEM_PLUGIN_VERSION',
] as const;

const required = (what: string) => ({ error: `is required when Vipps is configured (${what})` });

const HttpUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.search === '' && url.hash === '';
  } catch {
    return false;
  }
}, 'must be an absolute http(s) URL without query or fragment');

/** A secret-ish token: printable ASCII, no spaces. */
const Credential = (what: string) =>
  z
    .string(required(what))
    .regex(/^[\x21-\x7e]{1,512}$/, 'must be printable ASCII without spaces, at most 512 characters');

const SystemHeader = z
  .string()
  .regex(/^[\x20-\x7e]{1,30}$/, 'must be 1–30 printable ASCII characters (Vipps-System-* header limit)');

const CallbackSecrets = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  )
  .pipe(
    z
      .array(
        z
          .string()
          .min(
            MIN_CALLBACK_SECRET_LENGTH,
            `must be at least ${MIN_CALLBACK_SECRET_LENGTH} characters (each, when several are comma-separated)`,
          )
          .regex(/^[\x21-\x2b\x2d-\x7e]+$/, 'must be printable ASCII without spaces or commas'),
      )
      .min(1, 'must contain a secret'),
  );

/**
 * The PWB_VIPPS_* variables (already trimmed, empty ones removed). Conditional rules: eCom needs
 * PWB_VIPPS_CALLBACK_SECRET and a 5–6 digit MSN and takes NOK only.
 */
export const VippsEnvSchema = z
  .object({
    PWB_VIPPS_API: z.enum(VIPPS_APIS, { error: 'must be ecom or epayment (the Vipps API to use)' }),
    PWB_VIPPS_BASE_URL: HttpUrl.default(DEFAULT_VIPPS_BASE_URL).transform((url) => url.replace(/\/+$/, '')),
    PWB_VIPPS_CLIENT_ID: Credential('the client_id from portal.vipps.no'),
    PWB_VIPPS_CLIENT_SECRET: Credential('the client_secret from portal.vipps.no'),
    PWB_VIPPS_SUBSCRIPTION_KEY: Credential('the Ocp-Apim-Subscription-Key from portal.vipps.no'),
    PWB_VIPPS_MERCHANT_SERIAL_NUMBER: z
      .string(required('the merchant serial number of the sales unit'))
      .regex(/^\d{4,6}$/, 'must be the 4–6 digit merchant serial number'),
    PWB_VIPPS_ORDER_PREFIX: z
      .string()
      .regex(
        /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,14}[A-Za-z0-9])?$/,
        'must be 1–16 characters of A–Z, a–z, 0–9 or - (not at either end)',
      )
      .default(DEFAULT_VIPPS_ORDER_PREFIX),
    PWB_VIPPS_CALLBACK_SECRET: CallbackSecrets.optional(),
    PWB_VIPPS_WEBHOOK_SECRET: z
      .string()
      .regex(
        /^[\x21-\x7e]{16,512}$/,
        'must be the 16–512 character secret Vipps returned when the webhook was registered',
      )
      .optional(),
    PWB_VIPPS_CURRENCIES: z
      .string()
      .transform((value) => [
        ...new Set(
          value
            .split(',')
            .map((s) => s.trim().toUpperCase())
            .filter(Boolean),
        ),
      ])
      .pipe(
        z
          .array(z.enum(VIPPS_API_CURRENCIES.epayment, { error: 'may list only NOK, DKK and EUR' }))
          .min(1, 'must list a currency'),
      )
      .optional(),
    PWB_VIPPS_SYSTEM_NAME: SystemHeader.default(DEFAULT_VIPPS_SYSTEM.name),
    PWB_VIPPS_SYSTEM_VERSION: SystemHeader.default(DEFAULT_VIPPS_SYSTEM.version),
    PWB_VIPPS_SYSTEM_PLUGIN_NAME: SystemHeader.default(DEFAULT_VIPPS_SYSTEM.pluginName),
    PWB_VIPPS_SYSTEM_PLUGIN_VERSION: SystemHeader.default(DEFAULT_VIPPS_SYSTEM.pluginVersion),
  })
  .superRefine((env, ctx) => {
    if (env.PWB_VIPPS_API !== 'ecom') return;
    if (!env.PWB_VIPPS_CALLBACK_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['PWB_VIPPS_CALLBACK_SECRET'],
        message: `is required for the eCom API: a random secret of at least ${MIN_CALLBACK_SECRET_LENGTH} characters (callback authTokens are derived from it)`,
      });
    }
    if (!/^\d{5,6}$/.test(env.PWB_VIPPS_MERCHANT_SERIAL_NUMBER)) {
      ctx.addIssue({
        code: 'custom',
        path: ['PWB_VIPPS_MERCHANT_SERIAL_NUMBER'],
        message: 'must be 5 or 6 digits for the eCom API',
      });
    }
    if (env.PWB_VIPPS_CURRENCIES && env.PWB_VIPPS_CURRENCIES.some((c) => c !== 'NOK')) {
      ctx.addIssue({ code: 'custom', path: ['PWB_VIPPS_CURRENCIES'], message: 'may only be NOK for the eCom API' });
    }
  });

export type VippsEnv = Record<string, string | undefined>;

/**
 * Vipps is configured when any PWB_VIPPS_* variable is set. Returns the config (or null) and the
 * problems found, as `NAME message` lines.
 */
export function loadVippsConfig(env: VippsEnv): { config: VippsConfig | null; issues: string[] } {
  const present: Record<string, string> = {};
  for (const name of VIPPS_ENV_NAMES) {
    const value = env[name]?.trim();
    if (value) present[name] = value;
  }
  if (Object.keys(present).length === 0) return { config: null, issues: [] };

  const parsed = VippsEnvSchema.safeParse(present);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'PWB_VIPPS');
      // A missing variable reads "is required…"; anything else is about the value (never echoed).
      return `${name} ${issue.message}`;
    });
    return { config: null, issues: [...new Set(issues)] };
  }
  const e = parsed.data;
  return {
    config: {
      api: e.PWB_VIPPS_API,
      baseUrl: e.PWB_VIPPS_BASE_URL,
      clientId: e.PWB_VIPPS_CLIENT_ID,
      clientSecret: e.PWB_VIPPS_CLIENT_SECRET,
      subscriptionKey: e.PWB_VIPPS_SUBSCRIPTION_KEY,
      merchantSerialNumber: e.PWB_VIPPS_MERCHANT_SERIAL_NUMBER,
      orderPrefix: e.PWB_VIPPS_ORDER_PREFIX,
      // ePayment: optional, for the Express shipping-callback tokens (else derived from the client secret).
      callbackSecrets: e.PWB_VIPPS_CALLBACK_SECRET ?? [],
      webhookSecret: e.PWB_VIPPS_API === 'epayment' ? (e.PWB_VIPPS_WEBHOOK_SECRET ?? null) : null,
      currencies: e.PWB_VIPPS_CURRENCIES ?? [...VIPPS_API_CURRENCIES[e.PWB_VIPPS_API]],
      system: {
        name: e.PWB_VIPPS_SYSTEM_NAME,
        version: e.PWB_VIPPS_SYSTEM_VERSION,
        pluginName: e.PWB_VIPPS_SYSTEM_PLUGIN_NAME,
        pluginVersion: e.PWB_VIPPS_SYSTEM_PLUGIN_VERSION,
      },
    },
    issues: [],
  };
}

/** Values that must never appear in a log line, response or error message. */
export function vippsSecrets(config: VippsConfig | null): string[] {
  if (!config) return [];
  return [
    config.clientId,
    config.clientSecret,
    config.subscriptionKey,
    ...config.callbackSecrets,
    ...(config.webhookSecret ? [config.webhookSecret] : []),
  ];
}

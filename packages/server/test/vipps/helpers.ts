/**
 * The in-process Vipps world for adapter tests: the Vipps emulator mounted at `/vipps` (and its
 * controls at `/__sandbox/vipps`) on a manual clock; the adapter's fetch routed into it (recorded,
 * with an optional fault hook); the emulator's outbound callbacks/webhooks routed into the
 * adapter's handleCallback (recorded with their outcome); and a shopper who walks the landing
 * page and the sandbox phone by following the pages' forms, like a browser.
 */
import { Hono } from 'hono';
import { createManualClock, createVippsSandbox, type ManualClock, type VippsSandbox } from '@pay-with-bank/sandbox';
import { createLogger } from '../../src/log.js';
import type { CallbackResult, CreatePaymentInput, StatusCallback } from '../../src/providers/adapter.js';
import { ProviderError } from '../../src/errors.js';
import { loadVippsConfig, type VippsConfig } from '../../src/providers/vipps/config.js';
import { createVippsAdapter, type VippsAdapter, type VippsAdapterDeps } from '../../src/providers/vipps/index.js';
import { captureLogs } from '../helpers/logs.js';

export const SANDBOX_ORIGIN = 'https://sandbox.test';
export const PUBLIC_URL = 'https://pay.shop.test';
export const RETURN_URL = 'https://shop.test/checkout/return?pwb_return=pwb_ct_x&pwb_payment=pay_x';
export const CREDENTIALS = {
  clientId: 'sandbox-vipps-client-id',
  clientSecret: 'sandbox-vipps-client-secret',
  subscriptionKey: 'sandbox-vipps-subscription-key',
  msn: '123456',
} as const;
export const CALLBACK_SECRET = 'callback-secret-0123456789-abcdefghijklmnop';
export const DESKTOP_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36';
export const IPHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

export type Api = 'ecom' | 'epayment';

export function vippsEnv(
  api: Api,
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    PWB_VIPPS_API: api,
    PWB_VIPPS_BASE_URL: `${SANDBOX_ORIGIN}/vipps`,
    PWB_VIPPS_CLIENT_ID: CREDENTIALS.clientId,
    PWB_VIPPS_CLIENT_SECRET: CREDENTIALS.clientSecret,
    PWB_VIPPS_SUBSCRIPTION_KEY: CREDENTIALS.subscriptionKey,
    PWB_VIPPS_MERCHANT_SERIAL_NUMBER: CREDENTIALS.msn,
    PWB_VIPPS_ORDER_PREFIX: 'shop1',
    ...(api === 'ecom' ? { PWB_VIPPS_CALLBACK_SECRET: CALLBACK_SECRET } : {}),
    ...overrides,
  };
}

export function vippsConfig(api: Api, overrides: Record<string, string | undefined> = {}): VippsConfig {
  const { config, issues } = loadVippsConfig(vippsEnv(api, overrides));
  if (!config) throw new Error(`test config invalid: ${issues.join('; ')}`);
  return config;
}

export interface RecordedCall {
  method: string;
  path: string;
  headers: Headers;
  body: string;
}

export interface Delivery {
  url: string;
  headers: Headers;
  body: string;
  /** A status callback's result (the express requests are in `other`). */
  result?: StatusCallback;
  /** An express request's result: a shipping quote or a consent removal. */
  other?: Exclude<CallbackResult, StatusCallback>;
  error?: ProviderError;
}

/** Return a Response to answer instead of the sandbox, throw to fail the call, undefined to pass. */
export type Fault = (call: RecordedCall) => Response | Promise<Response> | undefined;

let paymentCounter = 0;
/** A fresh `pay_…` id like the server mints (16 random-looking bytes). */
export function newTestPaymentId(): string {
  paymentCounter++;
  const bytes = Buffer.alloc(16);
  bytes.writeUInt32BE(paymentCounter, 12);
  bytes.writeUInt32BE(Math.floor(Math.random() * 0xffffffff), 0);
  return `pay_${bytes.toString('base64url')}`;
}

/** A create input; `phoneNumber` / `mobile` go into the Vipps method's options, as the core passes them. */
export function paymentInput(
  overrides: Partial<CreatePaymentInput> & { phoneNumber?: string; mobile?: boolean } = {},
): CreatePaymentInput {
  const { phoneNumber, mobile, ...rest } = overrides;
  return {
    paymentId: newTestPaymentId(),
    sessionId: 'cs_AAAAAAAAAAAAAAAAAAAAAA',
    amount: { value: 49_900, currency: 'NOK' },
    reference: 'ORDER-1001',
    description: 'One pair of Vipps socks',
    returnUrl: RETURN_URL,
    bankId: null,
    locale: 'nb-NO',
    ...rest,
    options: {
      ...rest.options,
      ...(phoneNumber === undefined ? {} : { phoneNumber }),
      ...(mobile === undefined ? {} : { mobile }),
    },
  };
}

export interface VippsWorld {
  clock: ManualClock;
  sandbox: VippsSandbox;
  config: VippsConfig;
  adapter: VippsAdapter;
  /** Requests the adapter sent to Vipps (the sandbox API, not the shopper's page visits). */
  calls: RecordedCall[];
  /** Callbacks / webhooks the sandbox delivered to us, with what handleCallback made of them. */
  deliveries: Delivery[];
  logs: ReturnType<typeof captureLogs>;
  /** The adapter's fetch (recorded, routed to the sandbox) and its deps, for ensureWebhook(). */
  deps: VippsAdapterDeps;
  fault: Fault | null;
  /** Replaces how deliveries are handled (default: the world's adapter). */
  receive: ((request: Request) => Promise<Response>) | null;
  /** Another adapter on the same sandbox (other prefix, a restart…). */
  makeAdapter(configOverrides?: Record<string, string | undefined>): VippsAdapter;
  tokenCalls(): number;
  settle(): Promise<void>;
  advance(ms: number): Promise<void>;
  /** A browser request to the sandbox (no redirects followed). */
  browse(url: string, init?: { method?: string; form?: Record<string, string>; userAgent?: string }): Promise<Page>;
}

export interface Page {
  status: number;
  location: string | null;
  html: string;
}

export function createWorld(
  api: Api,
  options: { env?: Record<string, string | undefined>; tokenLifetimeSeconds?: number; timeoutMs?: number } = {},
): VippsWorld {
  const clock = createManualClock(Date.UTC(2030, 0, 15, 12, 0, 0));
  const deliveries: Delivery[] = [];
  const calls: RecordedCall[] = [];
  const logs = captureLogs();

  // The merchant side of the sandbox's outbound fetch: our adapter's callback handler.
  const sandboxOutbound = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    if (world.receive) return world.receive(request);
    return deliverTo(world.adapter, request, deliveries);
  };
  const sandbox = createVippsSandbox({
    clock,
    publicUrl: SANDBOX_ORIGIN,
    fetch: sandboxOutbound,
    ...(options.tokenLifetimeSeconds ? { timing: { tokenLifetimeSeconds: options.tokenLifetimeSeconds } } : {}),
  });
  const root = new Hono();
  root.route('/vipps', sandbox.app);
  root.route('/__sandbox/vipps', sandbox.controlApp);

  const adapterFetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.origin !== SANDBOX_ORIGIN) throw new TypeError(`fetch failed: no route to ${url.origin}`);
    const call: RecordedCall = {
      method: request.method,
      path: url.pathname + url.search,
      headers: request.headers,
      body: await request.clone().text(),
    };
    calls.push(call);
    const faulty = world.fault?.(call);
    if (!faulty) return root.fetch(request);
    // Like a real fetch, give up when the caller's signal aborts (timeouts).
    const signal = init?.signal ?? request.signal;
    return new Promise<Response>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      Promise.resolve(faulty).then(resolve, reject);
    });
  };

  const config = vippsConfig(api, options.env);
  const logger = createLogger({ level: 'debug', sink: logs.sink });
  const deps: VippsAdapterDeps = {
    fetch: adapterFetch,
    logger,
    publicUrl: PUBLIC_URL,
    timeoutMs: options.timeoutMs ?? 2_000,
    now: () => new Date(clock.now()),
  };
  const makeAdapter = (overrides: Record<string, string | undefined> = {}) =>
    createVippsAdapter(vippsConfig(api, { ...options.env, ...overrides }), deps);

  const settle = async () => {
    for (let i = 0; i < 20; i++) {
      await sandbox.controls.flush();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };

  // The closures above only run after this assignment (requests start once the world exists).
  const world: VippsWorld = {
    clock,
    sandbox,
    config,
    adapter: makeAdapter(),
    calls,
    deliveries,
    logs,
    deps,
    fault: null,
    receive: null,
    makeAdapter,
    tokenCalls: () => sandbox.controls.stats().byRoute['POST /accesstoken/get'] ?? 0,
    settle,
    async advance(ms) {
      await settle();
      clock.advance(ms);
      await settle();
    },
    async browse(url, init = {}) {
      const headers: Record<string, string> = { 'user-agent': init.userAgent ?? DESKTOP_UA };
      let body: string | undefined;
      if (init.form) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = new URLSearchParams(init.form).toString();
      }
      const response = await root.fetch(
        new Request(new URL(url, SANDBOX_ORIGIN), {
          method: init.method ?? (init.form ? 'POST' : 'GET'),
          headers,
          ...(body ? { body } : {}),
        }),
      );
      return { status: response.status, location: response.headers.get('location'), html: await response.text() };
    },
  };
  return world;
}

/** A callback result that must be a status callback (not an express request). */
export function asStatus(result: CallbackResult): StatusCallback {
  if (result.kind === 'shipping-quote' || result.kind === 'consent-removal') {
    throw new Error(`expected a status callback, got ${result.kind}`);
  }
  return result;
}

/** Hand a sandbox delivery to `adapter.handleCallback` the way the server's route does. */
export async function deliverTo(adapter: VippsAdapter, request: Request, deliveries: Delivery[]): Promise<Response> {
  const url = new URL(request.url);
  const prefix = `/v1/callbacks/${adapter.id}/`;
  const body = await request.clone().text();
  const delivery: Delivery = { url: request.url, headers: request.headers, body };
  deliveries.push(delivery);
  if (!url.pathname.startsWith(prefix)) return new Response('not found', { status: 404 });
  try {
    const result = await adapter.handleCallback!(request, url.pathname.slice(prefix.length));
    if (result.kind === 'shipping-quote' || result.kind === 'consent-removal') delivery.other = result;
    else delivery.result = result;
    return new Response('{"received":true}', { status: 200 });
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    delivery.error = error;
    const status = error.code === 'unauthorized' ? 401 : error.code === 'not_found' ? 404 : 400;
    return new Response(JSON.stringify({ error: { code: error.code, message: error.message } }), { status });
  }
}

/** The value of a form field in a page. */
function field(html: string, name: string): string | null {
  return new RegExp(`name="${name}"[^>]*?value="([^"]*)"`).exec(html)?.[1] ?? null;
}

/** The action of the first form whose action ends with `suffix`. */
function formAction(html: string, suffix: string): string {
  const actions = [...html.matchAll(/<form[^>]*action="([^"]+)"/g)].map((m) => m[1]!);
  const action = actions.find((a) => a.endsWith(suffix));
  if (!action) throw new Error(`no form ending in ${suffix} on the page (forms: ${actions.join(', ')})`);
  return action;
}

export type ShopperChoice = 'confirm' | 'reject' | 'cancel-on-landing';

/**
 * Desktop: open the landing page, enter the phone number (unless pre-filled), then on the sandbox
 * phone confirm or reject. Mobile: the landing URL switches to the app; confirming there sends the
 * shopper back to the return URL (returned).
 */
export async function shopper(
  world: VippsWorld,
  redirectUrl: string,
  choice: ShopperChoice,
  options: { phone?: string; mobile?: boolean } = {},
): Promise<string | null> {
  const landing = await world.browse(redirectUrl, { userAgent: options.mobile ? IPHONE_UA : DESKTOP_UA });
  let phonePath: string;
  if (options.mobile) {
    if (landing.status !== 303 || !landing.location) throw new Error(`mobile landing answered ${landing.status}`);
    phonePath = landing.location;
  } else {
    if (landing.status !== 200)
      throw new Error(`landing page answered ${landing.status}: ${landing.html.slice(0, 200)}`);
    const token = field(landing.html, 'token');
    if (!token) throw new Error('no token on the landing page');
    if (choice === 'cancel-on-landing') {
      const cancelled = await world.browse(formAction(landing.html, '/landing/cancel'), { form: { token } });
      if (cancelled.status !== 303) throw new Error(`cancel answered ${cancelled.status}`);
      await world.settle();
      return null;
    }
    const prefilled = field(landing.html, 'phoneNumber');
    const next = await world.browse(formAction(landing.html, '/landing/next'), {
      form: { token, phoneNumber: options.phone ?? (prefilled || '91234567') },
    });
    if (next.status !== 303) throw new Error(`landing/next answered ${next.status}: ${next.html.slice(0, 300)}`);
    phonePath = `/vipps/sandbox-phone/${encodeURIComponent(token)}`;
  }
  const phone = await world.browse(phonePath, { userAgent: IPHONE_UA });
  if (phone.status !== 200) throw new Error(`sandbox phone answered ${phone.status}`);
  const decision = await world.browse(formAction(phone.html, choice === 'confirm' ? '/confirm' : '/reject'), {
    form: {},
    userAgent: IPHONE_UA,
  });
  if (decision.status !== 303) throw new Error(`decision answered ${decision.status}`);
  await world.settle();
  return decision.location;
}

/** Every secret of a config (and the callback secret), for "never leaks" assertions. */
export function allSecrets(config: VippsConfig): string[] {
  return [
    config.clientId,
    config.clientSecret,
    config.subscriptionKey,
    ...config.callbackSecrets,
    ...(config.webhookSecret ? [config.webhookSecret] : []),
  ];
}

/** Run `fn`, expecting a ProviderError; returns it. */
export async function providerError(fn: () => Promise<unknown>): Promise<ProviderError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof ProviderError) return error;
    throw error;
  }
  throw new Error('expected a ProviderError, but the call succeeded');
}

/**
 * The in-process world of the fault suite: both emulators (Mastercard and Vipps) on one manual
 * clock, the server's provider calls routed into them through the sandbox's `inProcessFetch`
 * (timeouts abort, a reset connection is a `TypeError('fetch failed')`) and recorded, the
 * sandbox's callbacks and webhooks routed back into the server, and helpers to walk a payment.
 *
 * Every suite runs on each store (forEachStore: describe blocks "on memory" and "on PostgreSQL").
 * A PostgreSQL world gets a schema of its own on the run's shared test server (freshSchemaUrl;
 * without PostgreSQL the suite fails with POSTGRES_MISSING, never skipped). The store keeps no
 * clock of its own: every time it stores or compares (outbox leases, provider-call claims, check
 * claims) is one the service passes in, read from the world's manual clock, so the manual clock
 * holds on PostgreSQL as on memory. What does run on real time there is bounded waiting (withLock's
 * lock_timeout, and a start waiting for a create "another instance" may be making: real time
 * bounds it too). A world is closed by `close()` or, at the latest, after its test (forEachStore).
 */
import { Hono } from 'hono';
import {
  createManualClock,
  createMastercardSandbox,
  createVippsSandbox,
  inProcessFetch,
  type ManualClock,
  type MastercardControls,
  type Sandbox,
  type VippsControls,
} from '@pay-with-bank/sandbox';
import { afterEach, describe, expect } from 'vitest';
import { createServer, type PayWithBankServer, type ServerDeps } from '../../src/app.js';
import { Reconciler } from '../../src/payments/reconciler.js';
import type { Env } from '../../src/config.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { Store } from '../../src/store/store.js';
import { SANDBOX_BASE, testConfig } from '../helpers/config.js';
import { json, makeHarnessFor, type Harness } from '../helpers/harness.js';
import { captureLogs } from '../helpers/logs.js';
import { openTestPostgresStore } from '../helpers/postgres.js';
import { shopperAtProvider, type ShopperJourney } from '../helpers/sandbox.js';

export const PUBLIC_URL = 'https://pay.shop.test';
export type VippsApi = 'ecom' | 'epayment';

export interface ProviderCall {
  method: string;
  path: string;
  idempotencyKey: string | null;
  requestId: string | null;
}

/** The stores every fault suite runs on. */
export type StoreKind = 'memory' | 'postgres';
export const STORE_KINDS: readonly StoreKind[] = ['memory', 'postgres'];
export const STORE_TITLES: Record<StoreKind, string> = { memory: 'on memory', postgres: 'on PostgreSQL' };

/**
 * `body` once per store, each in a describe block named after the store ("on memory", "on
 * PostgreSQL"), so that every test name says where it ran. The worlds a test opened and did not
 * close are closed after it (pools ended, so vitest can exit).
 */
export function forEachStore(body: (store: StoreKind) => void): void {
  for (const store of STORE_KINDS) {
    describe(STORE_TITLES[store], () => {
      afterEach(closeOpenWorlds);
      body(store);
    });
  }
}

const openWorlds = new Set<FaultWorld>();

/** Close every world not closed yet (after each test, from forEachStore). */
export async function closeOpenWorlds(): Promise<void> {
  const worlds = [...openWorlds];
  const results = await Promise.allSettled(worlds.map((w) => w.close()));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

async function openStore(kind: StoreKind): Promise<Store> {
  return kind === 'memory' ? new MemoryStore() : openTestPostgresStore();
}

export interface FaultWorld extends Harness {
  /** Which store the server runs on. */
  storeKind: StoreKind;
  clock: ManualClock;
  server: PayWithBankServer;
  mc: MastercardControls;
  vipps: VippsControls;
  /** Every API call the server sent to a provider (after the sandbox's routing, faults included). */
  calls: ProviderCall[];
  count(method: string, path: RegExp): number;
  logs: ReturnType<typeof captureLogs>;
  /** The shopper at the Mastercard hosted pages (never faulted: faults hit API paths only). */
  shopperAtBank(redirectUrl: string, journey?: ShopperJourney): Promise<URL>;
  /** Move the clock (sandbox timers run) and let deliveries settle. */
  advance(ms: number): Promise<void>;
  settle(): Promise<void>;
  /** Close the server and its store (idempotent). */
  close(): Promise<void>;
}

export interface FaultWorldOptions {
  /** The store under the server (default memory). */
  store?: StoreKind;
  vipps?: VippsApi;
  env?: Env;
  deps?: ServerDeps;
  /** Deliver eCom callbacks / ePayment webhooks to the server (default true). */
  deliveries?: boolean;
}

export function vippsEnv(api: VippsApi): Env {
  return {
    PWB_VIPPS_API: api,
    PWB_VIPPS_BASE_URL: `${SANDBOX_BASE}/vipps`,
    PWB_VIPPS_CLIENT_ID: 'sandbox-vipps-client-id',
    PWB_VIPPS_CLIENT_SECRET: 'sandbox-vipps-client-secret',
    PWB_VIPPS_SUBSCRIPTION_KEY: 'sandbox-vipps-subscription-key',
    PWB_VIPPS_MERCHANT_SERIAL_NUMBER: '123456',
    PWB_VIPPS_ORDER_PREFIX: 'shop1',
    ...(api === 'ecom' ? { PWB_VIPPS_CALLBACK_SECRET: 'callback-secret-0123456789-abcdefghijklmnop' } : {}),
  };
}

export async function makeFaultWorld(options: FaultWorldOptions = {}): Promise<FaultWorld> {
  const storeKind = options.store ?? 'memory';
  const store = await openStore(storeKind);
  const clock = createManualClock(Date.UTC(2030, 0, 15, 12, 0, 0));
  const now = () => new Date(clock.now());
  const logs = captureLogs();
  const calls: ProviderCall[] = [];
  let server: PayWithBankServer | null = null;

  // The sandbox's outbound calls (eCom callbacks, ePayment webhooks) reach the server in-process.
  const outbound: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    if (!server || options.deliveries === false || !request.url.startsWith(`${PUBLIC_URL}/`)) {
      throw new TypeError('fetch failed');
    }
    const url = new URL(request.url);
    const body = request.method === 'GET' ? undefined : await request.text();
    return server.fetch(
      new Request(`http://pwb.test${url.pathname}${url.search}`, {
        method: request.method,
        headers: request.headers,
        ...(body === undefined ? {} : { body }),
      }),
    );
  };

  const mastercard = createMastercardSandbox({ publicUrl: SANDBOX_BASE, clock: now, mountPath: '/mastercard' });
  const vipps = createVippsSandbox({ publicUrl: SANDBOX_BASE, clock, mountPath: '/vipps', fetch: outbound });
  const root = new Hono();
  root.route('/mastercard', mastercard.app);
  root.route('/__sandbox/mastercard', mastercard.controlApp);
  root.route('/vipps', vipps.app);
  root.route('/__sandbox/vipps', vipps.controlApp);

  const sandboxFetch = inProcessFetch((request) => root.fetch(request));
  const providerFetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    if (!request.url.startsWith(`${SANDBOX_BASE}/`)) throw new TypeError('fetch failed');
    calls.push({
      method: request.method,
      path: new URL(request.url).pathname,
      idempotencyKey: request.headers.get('idempotency-key'),
      requestId: request.headers.get('x-request-id'),
    });
    return sandboxFetch(input, init);
  };

  server = createServer(
    testConfig({
      PWB_PUBLIC_URL: PUBLIC_URL,
      PWB_PROVIDER_TIMEOUT_MS: '300',
      PWB_LOG_LEVEL: 'debug',
      ...(options.vipps ? vippsEnv(options.vipps) : {}),
      ...options.env,
    }),
    {
      store,
      fetch: providerFetch,
      now,
      backgroundWorkers: false,
      logSink: logs.sink,
      ...options.deps,
    },
  );

  const settle = async () => {
    for (let i = 0; i < 20; i++) {
      await vipps.controls.flush();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const built = server;
  let closing: Promise<void> | null = null;
  const world: FaultWorld = {
    ...makeHarnessFor(server),
    storeKind,
    clock,
    server,
    mc: mastercard.controls,
    vipps: vipps.controls,
    calls,
    count: (method, path) => calls.filter((c) => c.method === method && path.test(c.path)).length,
    logs,
    // shopperAtProvider only needs the sandbox's fetch.
    shopperAtBank: (redirectUrl, journey) => shopperAtProvider(root as unknown as Sandbox, redirectUrl, journey),
    settle,
    async advance(ms) {
      await settle();
      clock.advance(ms);
      await settle();
    },
    close() {
      // The server does not own a store it was given: it is closed here, after the server.
      closing ??= (async () => {
        try {
          await built.close();
        } finally {
          openWorlds.delete(world);
          await store.close();
        }
      })();
      return closing;
    },
  };
  openWorlds.add(world);
  return world;
}

/** A reconciler on the world's services with a short interval (the server's own uses 30 s). */
export function reconcilerFor(world: FaultWorld, intervalMs = 1_000): Reconciler {
  const { store, payments, logger, now } = world.server.services;
  return new Reconciler({ store, payments, logger, now, intervalMs });
}

export interface Started {
  clientToken: string;
  paymentId: string;
  redirectUrl: string;
  providerPaymentId: string;
}

let attempts = 0;
export const newAttemptId = () => `attempt-${String(++attempts).padStart(6, '0')}`;

/** A session and a started payment (bank: DK_TestBank in DKK; vipps: NOK). */
export async function startPayment(world: FaultWorld, method: 'bank' | 'vipps'): Promise<Started> {
  const { clientToken } = await world.createSession(
    method === 'vipps' ? { amount: { value: 49_900, currency: 'NOK' }, description: 'Vipps socks' } : {},
  );
  const res = await world.client(clientToken, 'POST', '/v1/checkout/payments', {
    method,
    attemptId: newAttemptId(),
    ...(method === 'bank' ? { bankId: 'DK_TestBank' } : { phoneNumber: '91234567' }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const body = await json(res);
  const stored = await world.server.services.store.getPayment(body.payment.id);
  return {
    clientToken,
    paymentId: body.payment.id,
    redirectUrl: body.redirectUrl,
    providerPaymentId: stored!.providerPaymentId!,
  };
}

/** POST …/refresh as the element does after the return (the clock moves past the 1 s throttle first). */
export async function refresh(world: FaultWorld, started: Pick<Started, 'clientToken' | 'paymentId'>) {
  world.clock.advance(2_100); // past both the core's 1 s and Vipps' 2 s polling interval
  return world.client(started.clientToken, 'POST', `/v1/checkout/payments/${started.paymentId}/refresh`);
}

export async function storedStatus(world: FaultWorld, paymentId: string) {
  const payment = await world.server.services.store.getPayment(paymentId);
  return payment!;
}

/** Stored state that a failed refresh must not touch. */
export function stateOf(payment: Awaited<ReturnType<typeof storedStatus>>) {
  const { status, providerStatus, version, authorizedAmount, capturedAmount, failure } = payment;
  return { status, providerStatus, version, authorizedAmount, capturedAmount, failure };
}

/**
 * The in-process world for integration tests: the Mastercard sandbox app, a fetch that routes the
 * server's provider calls (and merchant webhooks) into it by URL, and a "shopper" that walks the
 * sandbox's hosted pages (bank choice → login → account + confirm, or reject/cancel) like a browser.
 */
import { createSandbox, type Sandbox } from '@pay-with-bank/sandbox';
import { createServer, type PayWithBankServer, type ServerDeps } from '../../src/app.js';
import type { Env } from '../../src/config.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { Store } from '../../src/store/store.js';
import { TestClock } from './clock.js';
import { SANDBOX_BASE, testConfig } from './config.js';
import { makeHarnessFor, type Harness } from './harness.js';

export interface ProviderCall {
  method: string;
  path: string;
  body: string;
  headers: Headers;
}

export interface World extends Harness {
  sandbox: Sandbox;
  clock: TestClock;
  /** Every request the server sent to the sandbox's API (not the shopper's page visits). */
  providerCalls: ProviderCall[];
  createCalls(): ProviderCall[];
  /** Build another server on the same sandbox (restart), e.g. with the same SQLite file. */
  restart(options?: { store?: Store | 'from-config'; env?: Env }): World;
}

export interface WorldOptions {
  env?: Env;
  /** A store, or 'from-config' to let the server open PWB_DATABASE itself (and close it on close()). Default: memory. */
  store?: Store | 'from-config';
  deps?: ServerDeps;
  sandbox?: Sandbox;
  clock?: TestClock;
  providerCalls?: ProviderCall[];
  slowBankDelayMs?: number;
}

export function makeWorld(options: WorldOptions = {}): World {
  const clock = options.clock ?? new TestClock(new Date().toISOString());
  const sandbox =
    options.sandbox ??
    createSandbox({
      publicUrl: SANDBOX_BASE,
      clock: clock.now,
      mastercard: { slowBankDelayMs: options.slowBankDelayMs ?? 5_000 },
    });
  const providerCalls = options.providerCalls ?? [];
  const routedFetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    if (!request.url.startsWith(`${SANDBOX_BASE}/`))
      throw new TypeError(`fetch failed: no route to ${new URL(request.url).origin}`);
    const copy = request.clone();
    providerCalls.push({
      method: request.method,
      path: new URL(request.url).pathname,
      body: await copy.text(),
      headers: request.headers,
    });
    return sandbox.fetch(request);
  };
  const config = testConfig(options.env);
  const server: PayWithBankServer = createServer(config, {
    ...(options.store === 'from-config' ? {} : { store: options.store ?? new MemoryStore() }),
    fetch: routedFetch,
    now: clock.now,
    backgroundWorkers: false,
    ...options.deps,
  });
  const harness = makeHarnessFor(server);
  return {
    ...harness,
    sandbox,
    clock,
    providerCalls,
    createCalls: () => providerCalls.filter((c) => c.path === '/mastercard/v1/payments/create'),
    restart: (next = {}) =>
      makeWorld({ ...options, ...next, env: next.env ?? options.env, sandbox, clock, providerCalls }),
  };
}

export type ShopperAction = 'confirm' | 'reject' | 'cancel';

export interface ShopperJourney {
  /** Pick this bank in the hosted UI (when the widget did not). */
  chooseBank?: string;
  /** Account to pay from: everyday (plenty), savings, budget (almost empty). */
  account?: 'everyday' | 'savings' | 'budget';
  action?: ShopperAction;
}

/** Walk the hosted pages from the redirect URL; returns the URL the provider sends the shopper back to. */
export async function shopperAtProvider(
  sandbox: Sandbox,
  redirectUrl: string,
  journey: ShopperJourney = {},
): Promise<URL> {
  const start = new URL(redirectUrl);
  const token = start.searchParams.get('startToken')!;
  const paymentId = start.searchParams.get('paymentId')!;
  const page = await sandbox.fetch(new Request(redirectUrl));
  if (page.status !== 200) throw new Error(`hosted start page answered ${page.status}`);
  await page.text();
  const post = async (action: string, fields: Record<string, string>) => {
    const res = await sandbox.fetch(
      new Request(`${SANDBOX_BASE}/mastercard/auth/payment/${encodeURIComponent(paymentId)}/${action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, ...fields }).toString(),
        redirect: 'manual',
      }),
    );
    if (res.status !== 303)
      throw new Error(`hosted ${action} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    return new URL(res.headers.get('location')!);
  };
  const action = journey.action ?? 'confirm';
  if (journey.chooseBank) await post('bank', { providerId: journey.chooseBank });
  if (action === 'cancel') return post('cancel', {});
  // The login (SCA) leads to the account step; its URL carries the bank session the next forms need.
  const accounts = await post('login', { userId: 'shopper', otp: '123456' });
  const accountPage = await sandbox.fetch(new Request(accounts));
  if (accountPage.status !== 200) throw new Error(`hosted account page answered ${accountPage.status}`);
  await accountPage.text();
  const bankSession = accounts.searchParams.get('bankSession');
  const session: Record<string, string> = bankSession ? { bankSession } : {};
  if (action === 'reject') return post('reject', session);
  return post('confirm', { ...session, accountId: journey.account ?? 'everyday' });
}

/**
 * The live status stream with a real (in-process) Vipps sandbox behind the server: the shopper
 * approves in the sandbox (its controls), Vipps' callback / webhook reaches the server, and every
 * open stream gets the change and `end: final` — no browser polling. With the callbacks lost,
 * watching alone finds the approval, asking Vipps on its polling schedule: at most one status call
 * per interval for three streams (the sandbox's call statistics are the judge).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type PayWithBankServer } from '../../src/app.js';
import type { ProviderAdapter } from '../../src/providers/adapter.js';
import { ensureWebhook } from '../../src/providers/vipps/index.js';
import { MemoryStore } from '../../src/store/memory.js';
import { MERCHANT_KEY, RETURN_URL, testConfig } from '../helpers/config.js';
import { createWorld, type Api, type VippsWorld } from '../vipps/helpers.js';
import { SseReader } from './sse.js';

const BASE = 'http://pwb.test';
/** Vipps' schedule (5 s, then every 2 s), shortened so the test runs in real time. */
const FAST_POLICY = { firstPollAfterMs: 300, intervalMs: 400 };

const servers: PayWithBankServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** The world's adapter with another polling policy (everything else is the adapter's own). */
function withPolicy(adapter: ProviderAdapter, policy: typeof FAST_POLICY): ProviderAdapter {
  return Object.create(adapter, { pollingPolicy: { value: policy } }) as ProviderAdapter;
}

async function call(server: PayWithBankServer, method: string, path: string, auth: string, body?: unknown) {
  const response = await server.fetch(
    new Request(`${BASE}${path}`, {
      method,
      headers: { authorization: `Bearer ${auth}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    }),
  );
  return { status: response.status, body: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function checkout(api: Api, options: { policy?: typeof FAST_POLICY } = {}) {
  const world = createWorld(api);
  if (api === 'epayment') {
    const ensured = await ensureWebhook(world.config, world.deps);
    world.adapter = world.makeAdapter({ PWB_VIPPS_WEBHOOK_SECRET: ensured.secret });
  }
  // The server's clock is real (its timers are): the sandbox keeps its own.
  const server = createServer(testConfig(), {
    store: new MemoryStore(),
    adapters: [options.policy ? withPolicy(world.adapter, options.policy) : world.adapter],
    fetch: world.deps.fetch,
    backgroundWorkers: false,
    // The adapter's interval alone (the server's 1 s floor would hide the shortened one).
    refreshIntervalMs: 0,
    live: { heartbeatMs: 60_000 },
  });
  servers.push(server);
  world.receive = (request) => server.fetch(request);
  const created = await call(server, 'POST', '/v1/sessions', MERCHANT_KEY, {
    amount: { value: 49_900, currency: 'NOK' },
    reference: 'ORDER-LIVE-1',
    description: 'One pair of Vipps socks',
    returnUrl: RETURN_URL,
  });
  const token = created.body.clientToken as string;
  const started = await call(server, 'POST', '/v1/checkout/payments', token, {
    method: 'vipps',
    attemptId: 'attempt-0001',
    phoneNumber: '91234567',
  });
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  const paymentId = started.body.payment.id as string;
  const merchantView = await call(server, 'GET', `/v1/payments/${paymentId}`, MERCHANT_KEY);
  return { world, server, token, paymentId, orderId: merchantView.body.payment.providerPaymentId as string };
}

async function openStream(server: PayWithBankServer, token: string, paymentId: string): Promise<SseReader> {
  const response = await server.fetch(
    new Request(`${BASE}/v1/checkout/payments/${paymentId}/events`, { headers: { authorization: `Bearer ${token}` } }),
  );
  expect(response.status).toBe(200);
  return new SseReader(response);
}

/** Vipps status calls for one order (eCom /details, ePayment GET payment). */
function statusCalls(world: VippsWorld, orderId: string): number {
  const byRoute = world.sandbox.controls.stats().byPayment[orderId]?.byRoute ?? {};
  return (
    (byRoute['GET /ecomm/v2/payments/{orderId}/details'] ?? 0) + (byRoute['GET /epayment/v1/payments/{reference}'] ?? 0)
  );
}

describe.each(['ecom', 'epayment'] as const)('live status with vipps-%s', (api) => {
  it('approval in the sandbox reaches every open stream through the callback: authorized, settled, end final', async () => {
    const { world, server, token, paymentId, orderId } = await checkout(api);
    const tabs = [await openStream(server, token, paymentId), await openStream(server, token, paymentId)];
    for (const tab of tabs) expect(await tab.nextPayment()).toMatchObject({ status: 'pending', settled: false });

    world.sandbox.controls.approve(orderId);
    await world.settle();
    for (const tab of tabs) {
      const payment = await tab.nextPayment();
      expect(payment).toMatchObject({ id: paymentId, status: 'authorized', settled: true, next: { type: 'none' } });
      expect(await tab.nextEvent()).toMatchObject({ event: 'end', data: { reason: 'final' } });
      expect(await tab.next()).toBeNull();
    }
    // The news came by callback / webhook: no browser refresh was needed (eCom's callback is not
    // believed, so it prompts exactly one /details call; an ePayment webhook is signed and applied).
    expect(statusCalls(world, orderId)).toBe(api === 'ecom' ? 1 : 0);
    expect(server.live.held).toEqual({ streams: 0, listeners: 0, polled: 0, counted: 0 });
  });

  it('with the callbacks lost, watching finds the approval: ≤ 1 Vipps status call per interval for three streams', async () => {
    const { world, server, token, paymentId, orderId } = await checkout(api, { policy: FAST_POLICY });
    world.receive = async () => new Response(null, { status: 503 });
    const opened = Date.now();
    const tabs = await Promise.all([1, 2, 3].map(() => openStream(server, token, paymentId)));
    for (const tab of tabs) await tab.nextPayment();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const waiting = statusCalls(world, orderId);
    const elapsed = Date.now() - opened;
    // Never before the first-poll delay, then once per interval for the three streams together.
    expect(waiting).toBeGreaterThanOrEqual(2);
    expect(waiting).toBeLessThanOrEqual(
      Math.floor((elapsed - FAST_POLICY.firstPollAfterMs) / FAST_POLICY.intervalMs) + 1,
    );

    world.sandbox.controls.approve(orderId);
    await world.settle();
    const approvedAt = Date.now();
    for (const tab of tabs) expect(await tab.nextPayment(3_000)).toMatchObject({ status: 'authorized', settled: true });
    // Found by the next poll: within an interval (plus scheduling), for all three at once.
    expect(Date.now() - approvedAt).toBeLessThan(FAST_POLICY.intervalMs + 500);
    for (const tab of tabs) expect(await tab.nextEvent()).toMatchObject({ event: 'end', data: { reason: 'final' } });
    const total = statusCalls(world, orderId);
    await new Promise((resolve) => setTimeout(resolve, 2 * FAST_POLICY.intervalMs));
    expect(statusCalls(world, orderId)).toBe(total); // nobody watches a final payment
    const status = await call(server, 'GET', `/v1/payments/${paymentId}`, MERCHANT_KEY);
    expect(status.body.payment.status).toBe('authorized');
  });
});

/**
 * The Vipps adapters inside the real server (injected through ServerDeps.adapters, as the registry
 * will build them): checkout → Vipps landing page → callback / webhook through the server's
 * callback route → status → the merchant captures and refunds through the merchant API.
 */
import { describe, expect, it } from 'vitest';
import { createServer, type PayWithBankServer } from '../../src/app.js';
import { ensureWebhook } from '../../src/providers/vipps/index.js';
import { MemoryStore } from '../../src/store/memory.js';
import { MERCHANT_KEY, RETURN_URL as SHOP_RETURN_URL, testConfig } from '../helpers/config.js';
import { createWorld, PUBLIC_URL, shopper, type Api, type VippsWorld } from './helpers.js';

const BASE = 'http://pwb.test';

function serverFor(world: VippsWorld): PayWithBankServer {
  const server = createServer(testConfig(), {
    store: new MemoryStore(),
    adapters: [world.adapter],
    fetch: world.deps.fetch,
    now: () => new Date(world.clock.now()),
    backgroundWorkers: false,
    refreshIntervalMs: 0,
  });
  // Vipps calls our public URL; here that is the server's fetch.
  world.receive = (request) => server.fetch(request);
  return server;
}

async function call(
  server: PayWithBankServer,
  method: string,
  path: string,
  auth: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const response = await server.fetch(
    new Request(`${BASE}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${auth}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function checkout(api: Api) {
  const world = createWorld(api);
  if (api === 'epayment') {
    const ensured = await ensureWebhook(world.config, world.deps);
    world.adapter = world.makeAdapter({ PWB_VIPPS_WEBHOOK_SECRET: ensured.secret });
  }
  const server = serverFor(world);
  const session = await call(server, 'POST', '/v1/sessions', MERCHANT_KEY, {
    amount: { value: 49_900, currency: 'NOK' },
    reference: 'ORDER-2001',
    description: 'One pair of Vipps socks',
    returnUrl: SHOP_RETURN_URL,
  });
  expect(session.status, JSON.stringify(session.body)).toBe(201);
  expect(session.body.session.methods).toEqual(['vipps']);
  const clientToken = session.body.clientToken as string;
  const started = await call(server, 'POST', '/v1/checkout/payments', clientToken, {
    method: 'vipps',
    attemptId: 'attempt-0001',
    phoneNumber: '91234567',
  });
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  return {
    world,
    server,
    clientToken,
    paymentId: started.body.payment.id as string,
    redirectUrl: started.body.redirectUrl as string,
  };
}

describe.each(['ecom', 'epayment'] as const)('vipps-%s inside the server', (api) => {
  it('pays: reserved via callback/webhook, session paid, then capture in two parts and a refund', async () => {
    const { world, server, clientToken, paymentId, redirectUrl } = await checkout(api);
    // Same attempt again: the same payment, no second Vipps payment.
    const again = await call(server, 'POST', '/v1/checkout/payments', clientToken, {
      method: 'vipps',
      attemptId: 'attempt-0001',
      phoneNumber: '91234567',
    });
    expect(again.body.payment.id).toBe(paymentId);
    const creates = world.calls.filter(
      (c) => c.method === 'POST' && /\/(ecomm\/v2|epayment\/v1)\/payments$/.test(c.path),
    );
    expect(creates).toHaveLength(1);
    // The return target Vipps got is the shop's return URL with our return parameters.
    const sent = JSON.parse(creates[0]!.body);
    const returnTarget = new URL(api === 'ecom' ? sent.merchantInfo.fallBack : sent.returnUrl);
    expect(returnTarget.searchParams.get('pwb_payment')).toBe(paymentId);
    expect(returnTarget.searchParams.get('pwb_return')).toBe(clientToken);

    await shopper(world, redirectUrl, 'confirm');
    // The callback / webhook brought the news before anyone polled. An ePayment webhook is signed and
    // applied as is; an eCom callback body is not signed, so it only prompts one /details call.
    const statusCalls = world.calls.filter(
      (c) => c.path.endsWith('/details') || /\/epayment\/v1\/payments\/[^/]+$/.test(c.path),
    );
    expect(statusCalls).toHaveLength(api === 'ecom' ? 1 : 0);

    const merchantView = await call(server, 'GET', `/v1/payments/${paymentId}`, MERCHANT_KEY);
    expect(merchantView.body.payment).toMatchObject({
      provider: `vipps-${api}`,
      status: 'authorized',
      authorizedAmount: 49_900,
    });
    // Reserved is paid for Vipps (authorizedMeansPaid).
    const sessionView = await call(server, 'GET', `/v1/sessions/${merchantView.body.payment.sessionId}`, MERCHANT_KEY);
    expect(sessionView.status, JSON.stringify(sessionView.body)).toBe(200);
    expect(JSON.stringify(sessionView.body)).toContain('"paid"');

    const first = await call(
      server,
      'POST',
      `/v1/payments/${paymentId}/capture`,
      MERCHANT_KEY,
      { amount: 20_000 },
      { 'idempotency-key': 'ship-part-1' },
    );
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.payment).toMatchObject({ status: 'authorized', capturedAmount: 20_000 });
    const rest = await call(
      server,
      'POST',
      `/v1/payments/${paymentId}/capture`,
      MERCHANT_KEY,
      {},
      { 'idempotency-key': 'ship-part-2' },
    );
    expect(rest.body.payment).toMatchObject({ status: 'completed', capturedAmount: 49_900 });
    const refund = await call(
      server,
      'POST',
      `/v1/payments/${paymentId}/refund`,
      MERCHANT_KEY,
      { amount: 5_000 },
      { 'idempotency-key': 'refund-1' },
    );
    expect(refund.body.payment).toMatchObject({ status: 'completed', refundedAmount: 5_000 });
  });

  it('polling waits Vipps’ 5 s after creation before the first status call, then every 2 s', async () => {
    const { world, server, clientToken, paymentId } = await checkout(api);
    const statusCalls = () =>
      world.calls.filter((c) => c.path.endsWith('/details') || /\/epayment\/v1\/payments\/[^/]+$/.test(c.path)).length;
    const refresh = () => call(server, 'POST', `/v1/checkout/payments/${paymentId}/refresh`, clientToken);
    // Only polling here: callbacks/webhooks (news, which may ask at once) do not reach the server.
    world.receive = async () => new Response(null, { status: 503 });
    await world.settle();
    const atCreation = statusCalls();
    expect(atCreation).toBe(0);
    // The browser polls every second right after the redirect: the stored state answers.
    for (let i = 0; i < 4; i++) {
      await world.advance(1_000);
      expect((await refresh()).status).toBe(200);
    }
    expect(statusCalls()).toBe(atCreation);
    await world.advance(1_000); // 5 s after creation
    await refresh();
    expect(statusCalls()).toBe(atCreation + 1);
    await world.advance(1_000);
    await refresh();
    expect(statusCalls()).toBe(atCreation + 1); // within the 2 s interval
    await world.advance(1_000);
    await refresh();
    expect(statusCalls()).toBe(atCreation + 2);
  });

  it('refuses forged callbacks at the server route and changes nothing', async () => {
    const { world, server, paymentId } = await checkout(api);
    const orderId = (await call(server, 'GET', `/v1/payments/${paymentId}`, MERCHANT_KEY)).body.payment
      .providerPaymentId as string;
    const path =
      api === 'ecom' ? `/v1/callbacks/vipps-ecom/v2/payments/${orderId}` : '/v1/callbacks/vipps-epayment/webhooks';
    const body =
      api === 'ecom'
        ? {
            merchantSerialNumber: '123456',
            orderId,
            transactionInfo: {
              amount: 49_900,
              status: 'RESERVED',
              timeStamp: new Date(world.clock.now()).toISOString(),
            },
          }
        : {
            msn: '123456',
            reference: orderId,
            pspReference: '1',
            name: 'AUTHORIZED',
            amount: { currency: 'NOK', value: 49_900 },
            timestamp: new Date(world.clock.now()).toISOString(),
            success: true,
          };
    const forged = await server.fetch(
      new Request(`${PUBLIC_URL}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'forged' },
        body: JSON.stringify(body),
      }),
    );
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    const view = await call(server, 'GET', `/v1/payments/${paymentId}`, MERCHANT_KEY);
    expect(view.body.payment.status).toBe('pending');
  });

  it('the shopper rejecting reaches the server as cancelled; a new attempt gets a new Vipps payment', async () => {
    const { world, server, clientToken, paymentId, redirectUrl } = await checkout(api);
    await shopper(world, redirectUrl, 'reject');
    const view = await call(server, 'POST', `/v1/checkout/payments/${paymentId}/refresh`, clientToken);
    expect(view.body.payment).toMatchObject({ status: 'cancelled' });
    const retry = await call(server, 'POST', '/v1/checkout/payments', clientToken, {
      method: 'vipps',
      attemptId: 'attempt-0002',
    });
    expect(retry.status, JSON.stringify(retry.body)).toBe(200);
    expect(retry.body.payment.id).not.toBe(paymentId);
    const providerIds = new Set(
      world.calls
        .filter((c) => c.method === 'POST' && /\/(ecomm\/v2|epayment\/v1)\/payments$/.test(c.path))
        .map((c) => (api === 'ecom' ? JSON.parse(c.body).transaction.orderId : JSON.parse(c.body).reference)),
    );
    expect(providerIds.size).toBe(2);
  });

  it('another tab’s start while the first still waits in Vipps continues it: no second Vipps payment', async () => {
    const { world, server, clientToken, paymentId, redirectUrl } = await checkout(api);
    const tab = await call(server, 'POST', '/v1/checkout/payments', clientToken, {
      method: 'vipps',
      attemptId: 'attempt-0002',
    });
    expect(tab.status, JSON.stringify(tab.body)).toBe(200);
    expect(tab.body.payment.id).toBe(paymentId);
    expect(tab.body.redirectUrl).toBe(redirectUrl);
    const creates = world.calls.filter(
      (c) => c.method === 'POST' && /\/(ecomm\/v2|epayment\/v1)\/payments$/.test(c.path),
    );
    expect(creates).toHaveLength(1);
    // Nothing was cancelled: the shopper can still approve it, and that pays the checkout.
    const view = (await call(server, 'GET', `/v1/payments/${paymentId}`, MERCHANT_KEY)).body.payment;
    expect(view.status).toBe('pending');
    await shopper(world, redirectUrl, 'confirm');
    world.clock.advance(5_000); // past the provider's polling interval: the tab's start just checked it
    const done = await call(server, 'POST', `/v1/checkout/payments/${paymentId}/refresh`, clientToken);
    expect(done.body.payment.status).toBe('authorized');
  });

  it('"pay another way" (replace) while the first still waits in Vipps cancels the first at Vipps (no double reservation)', async () => {
    const { world, server, clientToken, paymentId, redirectUrl } = await checkout(api);
    const first = (await call(server, 'GET', `/v1/payments/${paymentId}`, MERCHANT_KEY)).body.payment;
    const second = await call(server, 'POST', '/v1/checkout/payments', clientToken, {
      method: 'vipps',
      attemptId: 'attempt-0002',
      replace: true,
    });
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body.payment.id).not.toBe(paymentId);

    // The replaced payment is cancelled at Vipps and in our store…
    const old = (await call(server, 'GET', `/v1/payments/${paymentId}`, MERCHANT_KEY)).body.payment;
    expect(old.status).toBe('cancelled');
    const atVipps = world.sandbox.controls.inspect(first.providerPaymentId) as unknown as Record<string, unknown>;
    expect(JSON.stringify(atVipps)).toMatch(api === 'ecom' ? /"CANCEL"/ : /"TERMINATED"/);
    // …so the shopper can no longer approve it: only the new attempt can pay the checkout.
    await shopper(world, redirectUrl, 'confirm').catch(() => undefined);
    const still = await call(server, 'POST', `/v1/checkout/payments/${paymentId}/refresh`, clientToken);
    expect(still.body.payment.status).toBe('cancelled');
    const session = await call(server, 'GET', `/v1/checkout/session`, clientToken);
    expect(session.body.payment.id).toBe(second.body.payment.id);
    expect(session.body.payment.status).toBe('pending');
  });
});

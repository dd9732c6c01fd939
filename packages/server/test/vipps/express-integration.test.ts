/**
 * Vipps Hurtigkasse end to end inside the real server, against the in-process Vipps sandbox: the
 * merchant creates an express session (static options or its shipping URL), the shopper consents,
 * picks an address and a shipping method in the sandbox's app, Vipps asks the server for shipping
 * options (the server asks the merchant), reserves items + shipping and calls back; the merchant
 * sees shopper, address, method and total, captures the total; the shopper withdraws consent and
 * the details are erased. Also: consent refused, the merchant's shipping URL failing, forgeries.
 */
import type { ShippingOption, ShippingRequest } from '@pay-with-bank/protocol';
import { VIPPS_EXPRESS_TEST_ADDRESSES, vippsExpressUserFor } from '@pay-with-bank/sandbox';
import { describe, expect, it } from 'vitest';
import { createServer, type PayWithBankServer } from '../../src/app.js';
import { constructShippingRequest } from '../../src/notifications/webhook-event.js';
import { MemoryStore } from '../../src/store/memory.js';
import { MERCHANT_KEY, RETURN_URL, testConfig, WEBHOOK_SECRET } from '../helpers/config.js';
import { createWorld, PUBLIC_URL, type VippsWorld } from './helpers.js';

const BASE = 'http://pwb.test';
const SHIPPING_URL = 'https://shop.example/api/shipping';
const ITEMS = 49_900;
const OPTIONS: ShippingOption[] = [
  { id: 'posten-servicepakke', name: 'Posten Servicepakke', amount: 9_900, default: true, priority: 1 },
  { id: 'pickup-oslo', name: 'Pick up in our Oslo shop', amount: 0, priority: 2 },
];
const KARI = vippsExpressUserFor('91234567');
const [HOME, WORK] = VIPPS_EXPRESS_TEST_ADDRESSES;

/** The merchant's dynamic shipping: cheaper inside Oslo (post codes below 1300). */
function optionsFor(request: ShippingRequest): ShippingOption[] {
  const oslo = Number(request.address.postCode) < 1300;
  return [
    { id: 'helthjem', name: 'Helthjem home delivery', amount: oslo ? 6_900 : 12_900, default: true },
    { id: 'posten-servicepakke', name: 'Posten Servicepakke', amount: oslo ? 7_900 : 9_900 },
  ];
}

interface Express {
  world: VippsWorld;
  server: PayWithBankServer;
  store: MemoryStore;
  /** What the merchant's shipping URL was asked, verified as the merchant would. */
  asked: ShippingRequest[];
  merchant: { answer: (request: ShippingRequest) => Response };
}

function expressWorld(): Express {
  const world = createWorld('ecom');
  const store = new MemoryStore();
  const asked: ShippingRequest[] = [];
  const merchant = { answer: (request: ShippingRequest) => Response.json({ options: optionsFor(request) }) };
  // The server's own outbound calls: only the merchant's shipping URL here.
  const merchantFetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    if (!request.url.startsWith(SHIPPING_URL)) throw new TypeError('fetch failed');
    const verified = constructShippingRequest(await request.text(), request.headers, WEBHOOK_SECRET, {
      now: new Date(world.clock.now()),
    });
    asked.push(verified);
    return merchant.answer(verified);
  };
  const server = createServer(
    testConfig({
      PWB_WEBHOOK_URL: 'https://shop.example/hooks/pay-with-bank',
      PWB_WEBHOOK_SECRET: WEBHOOK_SECRET,
      PWB_RETURN_URL_ALLOWLIST: `https://shop.example/checkout,${SHIPPING_URL}`,
    }),
    {
      store,
      adapters: [world.adapter],
      fetch: merchantFetch,
      now: () => new Date(world.clock.now()),
      backgroundWorkers: false,
      refreshIntervalMs: 0,
    },
  );
  // Vipps calls our public URL; here that is the server's fetch.
  world.receive = (request) => server.fetch(request);
  return { world, server, store, asked, merchant };
}

async function call(server: PayWithBankServer, method: string, path: string, auth: string, body?: unknown) {
  const response = await server.fetch(
    new Request(`${BASE}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${auth}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(method === 'POST' && path.endsWith('/capture') ? { 'idempotency-key': 'shipment-0001' } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function expressCheckout(x: Express, express: Record<string, unknown>) {
  const session = await call(x.server, 'POST', '/v1/sessions', MERCHANT_KEY, {
    amount: { value: ITEMS, currency: 'NOK' },
    reference: 'ORDER-8001',
    description: 'One Vipps hoodie',
    returnUrl: RETURN_URL,
    express,
  });
  expect(session.status, JSON.stringify(session.body)).toBe(201);
  const clientToken = session.body.clientToken as string;
  const started = await call(x.server, 'POST', '/v1/checkout/payments', clientToken, {
    method: 'vipps',
    attemptId: 'attempt-express',
  });
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  const paymentId = started.body.payment.id as string;
  const orderId = (await call(x.server, 'GET', `/v1/payments/${paymentId}`, MERCHANT_KEY)).body.payment
    .providerPaymentId as string;
  const initiate = JSON.parse(x.world.calls.find((c) => c.path === '/vipps/ecomm/v2/payments')!.body);
  return { sessionId: session.body.session.id as string, clientToken, paymentId, orderId, initiate };
}

const merchantPayment = async (x: Express, paymentId: string) =>
  (await call(x.server, 'GET', `/v1/payments/${paymentId}`, MERCHANT_KEY)).body.payment;

describe('Vipps Hurtigkasse inside the server (eCom sandbox)', () => {
  it('static shipping: the shopper picks a method, Vipps reserves items + shipping, the merchant sees who and where, and captures the total', async () => {
    const x = expressWorld();
    const { paymentId, orderId, initiate, clientToken, sessionId } = await expressCheckout(x, {
      shipping: { options: OPTIONS },
    });
    expect(initiate.merchantInfo).toMatchObject({
      paymentType: 'eComm Express Payment',
      staticShippingDetails: [
        expect.objectContaining({ shippingMethodId: 'posten-servicepakke', shippingCost: 99, isDefault: 'Y' }),
        expect.objectContaining({ shippingMethodId: 'pickup-oslo', shippingCost: 0, isDefault: 'N' }),
      ],
    });
    expect(initiate.transaction.useExplicitCheckoutFlow).toBe(true);

    await x.world.sandbox.controls.approveExpress(orderId, { shippingMethodId: 'posten-servicepakke' });
    await x.world.settle();
    // Static options: Vipps never asked anyone; the callback brought the news (one /details read).
    expect(x.world.sandbox.controls.expressExchanges(orderId)).toEqual([]);
    expect(x.asked).toEqual([]);
    const payment = await merchantPayment(x, paymentId);
    expect(payment).toMatchObject({
      status: 'authorized',
      amount: { value: ITEMS + 9_900, currency: 'NOK' },
      authorizedAmount: ITEMS + 9_900,
      shipping: { id: 'posten-servicepakke', name: 'Posten Servicepakke', amount: { value: 9_900, currency: 'NOK' } },
      shopper: {
        firstName: KARI.firstName,
        lastName: KARI.lastName,
        email: KARI.email,
        phoneNumber: '+4791234567',
        address: {
          line1: HOME!.addressLine1,
          line2: HOME!.addressLine2,
          postCode: HOME!.postCode,
          city: HOME!.city,
          country: 'NO',
        },
      },
    });
    // The session stays the items; the browser sees the total and the method, nobody's details.
    const session = await call(x.server, 'GET', `/v1/sessions/${sessionId}`, MERCHANT_KEY);
    expect(session.body.session).toMatchObject({ state: 'paid', amount: { value: ITEMS } });
    const checkout = await call(x.server, 'GET', '/v1/checkout/session', clientToken);
    expect(checkout.body.payment).toMatchObject({
      amount: { value: ITEMS + 9_900 },
      shipping: { name: 'Posten Servicepakke', amount: { value: 9_900, currency: 'NOK' } },
      settled: true,
    });
    expect(JSON.stringify(checkout.body)).not.toMatch(/Nordmann|Karl Johans|kari\.nordmann/);
    // The signed webhook carries the shopper.
    const authorized = (await x.store.listOutbox(paymentId)).find((o) => o.type === 'payment.authorized')!;
    expect(JSON.parse(authorized.payload).payment.shopper.lastName).toBe(KARI.lastName);

    const captured = await call(x.server, 'POST', `/v1/payments/${paymentId}/capture`, MERCHANT_KEY, {});
    expect(captured.status, JSON.stringify(captured.body)).toBe(200);
    expect(captured.body.payment).toMatchObject({ status: 'completed', capturedAmount: ITEMS + 9_900 });
  });

  it('dynamic shipping: Vipps asks the server, the server asks the merchant (signed) for the chosen address, and the price follows the address', async () => {
    const x = expressWorld();
    const { paymentId, orderId, initiate, sessionId } = await expressCheckout(x, {
      shipping: { url: SHIPPING_URL },
      confirmAddress: false,
    });
    expect(initiate.merchantInfo.shippingDetailsPrefix).toBe(`${PUBLIC_URL}/v1/callbacks/vipps-ecom`);
    expect(initiate.merchantInfo).not.toHaveProperty('staticShippingDetails');
    expect(initiate.transaction.useExplicitCheckoutFlow).toBe(false);

    await x.world.sandbox.controls.approveExpress(orderId, {
      addressId: WORK!.addressId,
      shippingMethodId: 'helthjem',
    });
    await x.world.settle();
    const exchanges = x.world.sandbox.controls.expressExchanges(orderId);
    expect(exchanges.at(-1)).toMatchObject({ kind: 'shipping-details', sentAuthorization: true, outcome: 'accepted' });
    expect(x.asked.at(-1)).toEqual({
      sessionId,
      reference: 'ORDER-8001',
      currency: 'NOK',
      address: {
        line1: WORK!.addressLine1,
        line2: WORK!.addressLine2,
        postCode: WORK!.postCode,
        city: 'Oslo',
        country: 'NO',
      },
    });
    expect(await merchantPayment(x, paymentId)).toMatchObject({
      status: 'authorized',
      amount: { value: ITEMS + 6_900 },
      authorizedAmount: ITEMS + 6_900,
      shipping: { id: 'helthjem', name: 'Helthjem home delivery', amount: { value: 6_900 } },
      shopper: { address: { postCode: WORK!.postCode } },
    });
  });

  it('the merchant’s shipping URL failing leaves the shopper without shipping methods: nothing is reserved', async () => {
    const x = expressWorld();
    x.merchant.answer = () => new Response('down for maintenance', { status: 503 });
    const { paymentId, orderId } = await expressCheckout(x, { shipping: { url: SHIPPING_URL } });
    await expect(x.world.sandbox.controls.approveExpress(orderId)).rejects.toMatchObject({
      code: 'shipping_unavailable',
    });
    await x.world.settle();
    const exchange = x.world.sandbox.controls.expressExchanges(orderId).at(-1)!;
    expect(exchange.response?.status).toBe(502);
    expect(JSON.parse(exchange.response!.body).error.code).toBe('shipping_unavailable');
    expect(await merchantPayment(x, paymentId)).toMatchObject({ status: 'pending', shopper: null, shipping: null });
    expect(x.world.sandbox.controls.inspect(orderId)).toBeDefined();
  });

  it('the shopper refusing consent cancels the payment; nothing about them is stored', async () => {
    const x = expressWorld();
    const { paymentId, orderId, clientToken } = await expressCheckout(x, { shipping: { options: OPTIONS } });
    x.world.sandbox.controls.refuseConsent(orderId);
    await x.world.settle();
    const refreshed = await call(x.server, 'POST', `/v1/checkout/payments/${paymentId}/refresh`, clientToken);
    expect(refreshed.body.payment).toMatchObject({ status: 'cancelled', shipping: null });
    expect(await merchantPayment(x, paymentId)).toMatchObject({ status: 'cancelled', shopper: null });
  });

  it('consent removed afterwards: Vipps’ DELETE erases the details and the merchant is notified; the order stays capturable', async () => {
    const x = expressWorld();
    const { paymentId, orderId } = await expressCheckout(x, { shipping: { options: OPTIONS } });
    await x.world.sandbox.controls.approveExpress(orderId, { shippingMethodId: 'pickup-oslo' });
    await x.world.settle();
    expect((await merchantPayment(x, paymentId)).shopper).not.toBeNull();

    const removals = await x.world.sandbox.controls.removeConsent(orderId);
    expect(removals).toHaveLength(1);
    expect(removals[0]).toMatchObject({ kind: 'consent-removal', method: 'DELETE', outcome: 'delivered' });
    expect(removals[0]!.response?.status).toBe(200);
    const erased = await merchantPayment(x, paymentId);
    expect(erased).toMatchObject({ shopper: null, status: 'authorized', shipping: { id: 'pickup-oslo' } });
    const outbox = await x.store.listOutbox(paymentId);
    expect(outbox.map((o) => o.type)).toContain('payment.shopper_erased');
    for (const o of outbox) expect(o.payload).not.toContain(KARI.lastName);
    // /details still names the user: the refresh before the capture does not bring them back.
    const captured = await call(x.server, 'POST', `/v1/payments/${paymentId}/capture`, MERCHANT_KEY, {});
    expect(captured.body.payment).toMatchObject({ status: 'completed', capturedAmount: ITEMS, shopper: null });
  });

  it('refuses forged shipping questions and consent removals at the server route, changing nothing', async () => {
    const x = expressWorld();
    const { paymentId, orderId } = await expressCheckout(x, { shipping: { url: SHIPPING_URL } });
    const shipping = await x.server.fetch(
      new Request(`${PUBLIC_URL}/v1/callbacks/vipps-ecom/v2/payments/${orderId}/shippingDetails`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'forged' },
        body: JSON.stringify({ addressId: 100, addressLine1: 'x', city: 'Oslo', country: 'NO', postCode: '0150' }),
      }),
    );
    expect(shipping.status).toBe(401);
    const removal = await x.server.fetch(
      new Request(`${PUBLIC_URL}/v1/callbacks/vipps-ecom/consents/${orderId}/${'x'.repeat(43)}/v2/consents/u1`, {
        method: 'DELETE',
      }),
    );
    expect(removal.status).toBe(401);
    expect(x.asked).toEqual([]);
    expect((await x.store.listPaymentEvents(paymentId)).map((e) => e.type)).toEqual(['created', 'provider_created']);
  });
});

/**
 * Vipps ePayment Express end to end inside the real server, against the in-process Vipps sandbox:
 * the merchant creates an express session (static options or its shipping URL), the shopper
 * consents, picks an address and an option in the sandbox's app, Vipps asks the server's dynamic
 * shipping callback (the server asks the merchant, signed), authorizes items + shipping and sends
 * the signed authorized webhook; the merchant sees shopper, address, option and total and captures
 * the total. Also: the merchant's shipping URL failing (400: the store cannot deliver), consent
 * refused (ABORTED), forged callbacks. ePayment has no consent removal call (nothing is erased).
 */
import type { ShippingOption, ShippingRequest } from '@pay-with-bank/protocol';
import { VIPPS_EXPRESS_TEST_ADDRESSES, vippsExpressUserFor } from '@pay-with-bank/sandbox';
import { describe, expect, it } from 'vitest';
import { createServer, type PayWithBankServer } from '../../src/app.js';
import { constructShippingRequest } from '../../src/notifications/webhook-event.js';
import { MemoryStore } from '../../src/store/memory.js';
import { MERCHANT_KEY, RETURN_URL, testConfig, WEBHOOK_SECRET } from '../helpers/config.js';
import { ensureWebhook } from '../../src/providers/vipps/index.js';
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

async function expressWorld(): Promise<Express> {
  const world = createWorld('epayment');
  // A registered webhook whose secret the server knows, so the authorized event verifies.
  const ensured = await ensureWebhook(world.config, world.deps);
  world.adapter = world.makeAdapter({ PWB_VIPPS_WEBHOOK_SECRET: ensured.secret });
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
  const reference = (await call(x.server, 'GET', `/v1/payments/${paymentId}`, MERCHANT_KEY)).body.payment
    .providerPaymentId as string;
  const create = JSON.parse(
    x.world.calls.find((c) => c.method === 'POST' && c.path === '/vipps/epayment/v1/payments')!.body,
  );
  return { sessionId: session.body.session.id as string, clientToken, paymentId, reference, create };
}

const merchantPayment = async (x: Express, paymentId: string) =>
  (await call(x.server, 'GET', `/v1/payments/${paymentId}`, MERCHANT_KEY)).body.payment;

const CALLBACK = `${PUBLIC_URL}/v1/callbacks/vipps-epayment/shipping`;

describe('Vipps ePayment Express inside the server (ePayment sandbox)', () => {
  it('fixed options: one group of the merchant’s options, the shopper picks one, Vipps authorizes items + shipping, the merchant sees who and where, and captures the total', async () => {
    const x = await expressWorld();
    const { paymentId, reference, create, clientToken, sessionId } = await expressCheckout(x, {
      shipping: { options: OPTIONS },
    });
    expect(create).toMatchObject({
      amount: { currency: 'NOK', value: ITEMS },
      paymentMethod: { type: 'WALLET' },
      profile: { scope: 'name address email phoneNumber' },
      userFlow: 'WEB_REDIRECT',
      returnUrl: expect.stringMatching(/^https:\/\/shop\.example\/checkout/),
      shipping: {
        fixedOptions: [
          {
            brand: 'OTHER',
            type: 'HOME_DELIVERY',
            options: [
              {
                id: 'posten-servicepakke',
                name: 'Posten Servicepakke',
                amount: { currency: 'NOK', value: 9_900 },
                isDefault: true,
                priority: 1,
              },
              {
                id: 'pickup-oslo',
                name: 'Pick up in our Oslo shop',
                amount: { currency: 'NOK', value: 0 },
                priority: 2,
              },
            ],
          },
        ],
      },
    });
    expect(create.shipping).not.toHaveProperty('dynamicOptions');

    await x.world.sandbox.controls.approveExpress(reference, { shippingMethodId: 'posten-servicepakke' });
    await x.world.settle();
    // Fixed options: Vipps never asked anyone.
    expect(x.world.sandbox.controls.expressExchanges(reference)).toEqual([]);
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
          line2: HOME!.addressLine2 || null,
          postCode: HOME!.postCode,
          city: HOME!.city,
          country: 'NO',
        },
      },
    });
    const session = await call(x.server, 'GET', `/v1/sessions/${sessionId}`, MERCHANT_KEY);
    expect(session.body.session).toMatchObject({ state: 'paid', amount: { value: ITEMS } });
    const checkout = await call(x.server, 'GET', '/v1/checkout/session', clientToken);
    expect(checkout.body.payment).toMatchObject({
      amount: { value: ITEMS + 9_900 },
      shipping: { name: 'Posten Servicepakke', amount: { value: 9_900, currency: 'NOK' } },
    });
    expect(JSON.stringify(checkout.body)).not.toMatch(/Nordmann|kari\.nordmann/);
    const authorized = (await x.store.listOutbox(paymentId)).find((o) => o.type === 'payment.authorized')!;
    expect(JSON.parse(authorized.payload).payment.shopper.lastName).toBe(KARI.lastName);

    const captured = await call(x.server, 'POST', `/v1/payments/${paymentId}/capture`, MERCHANT_KEY, {});
    expect(captured.status, JSON.stringify(captured.body)).toBe(200);
    expect(captured.body.payment).toMatchObject({ status: 'completed', capturedAmount: ITEMS + 9_900 });
    const capture = x.world.calls.find((c) => c.path.endsWith(`/payments/${reference}/capture`))!;
    expect(JSON.parse(capture.body).modificationAmount).toEqual({ currency: 'NOK', value: ITEMS + 9_900 });
  });

  it('dynamic options: Vipps asks our per-payment callback with its token, the server asks the merchant (signed) for that address, and the price follows the address', async () => {
    const x = await expressWorld();
    const { paymentId, reference, create, sessionId } = await expressCheckout(x, { shipping: { url: SHIPPING_URL } });
    expect(create.shipping).toEqual({
      dynamicOptions: { callbackUrl: `${CALLBACK}/${reference}`, callbackAuthorizationToken: expect.any(String) },
    });
    expect(create.shipping.dynamicOptions.callbackAuthorizationToken.length).toBeGreaterThanOrEqual(40);

    await x.world.sandbox.controls.approveExpress(reference, {
      addressId: WORK!.addressId,
      shippingMethodId: 'helthjem',
    });
    await x.world.settle();
    const exchanges = x.world.sandbox.controls.expressExchanges(reference);
    expect(exchanges.at(-1)).toMatchObject({
      kind: 'shipping-details',
      url: `${CALLBACK}/${reference}`,
      sentAuthorization: true,
      outcome: 'accepted',
    });
    expect(JSON.parse(exchanges.at(-1)!.response!.body).groups[0].options).toEqual([
      {
        id: 'helthjem',
        name: 'Helthjem home delivery',
        amount: { currency: 'NOK', value: 6_900 },
        isDefault: true,
        priority: 0,
      },
      {
        id: 'posten-servicepakke',
        name: 'Posten Servicepakke',
        amount: { currency: 'NOK', value: 7_900 },
        isDefault: false,
        priority: 1,
      },
    ]);
    expect(x.asked.at(-1)).toMatchObject({
      sessionId,
      reference: 'ORDER-8001',
      currency: 'NOK',
      address: { line1: WORK!.addressLine1, postCode: WORK!.postCode, country: 'NO' },
    });
    expect(await merchantPayment(x, paymentId)).toMatchObject({
      status: 'authorized',
      amount: { value: ITEMS + 6_900 },
      authorizedAmount: ITEMS + 6_900,
      shipping: { id: 'helthjem', name: 'Helthjem home delivery', amount: { value: 6_900 } },
      shopper: { address: { postCode: WORK!.postCode } },
    });
    const captured = await call(x.server, 'POST', `/v1/payments/${paymentId}/capture`, MERCHANT_KEY, {});
    expect(captured.body.payment).toMatchObject({ status: 'completed', capturedAmount: ITEMS + 6_900 });
  });

  it('the merchant’s shipping URL failing is answered 400: the app says the store cannot deliver there, nothing is authorized', async () => {
    const x = await expressWorld();
    x.merchant.answer = () => new Response('down for maintenance', { status: 503 });
    const { paymentId, reference } = await expressCheckout(x, { shipping: { url: SHIPPING_URL } });
    await expect(x.world.sandbox.controls.approveExpress(reference)).rejects.toMatchObject({
      code: 'shipping_unavailable',
    });
    await x.world.settle();
    const exchange = x.world.sandbox.controls.expressExchanges(reference).at(-1)!;
    expect(exchange.response?.status).toBe(400);
    expect(exchange.outcome).toBe('refused');
    expect(x.asked).toHaveLength(1);
    expect(await merchantPayment(x, paymentId)).toMatchObject({ status: 'pending', shopper: null, shipping: null });
  });

  it('the shopper refusing consent aborts the payment: cancelled, nothing about them stored', async () => {
    const x = await expressWorld();
    const { paymentId, reference, clientToken } = await expressCheckout(x, { shipping: { options: OPTIONS } });
    x.world.sandbox.controls.refuseConsent(reference);
    await x.world.settle();
    const refreshed = await call(x.server, 'POST', `/v1/checkout/payments/${paymentId}/refresh`, clientToken);
    expect(refreshed.body.payment).toMatchObject({ status: 'cancelled', shipping: null });
    expect(await merchantPayment(x, paymentId)).toMatchObject({
      status: 'cancelled',
      shopper: null,
      failure: { code: 'rejected_by_user', providerCode: 'ABORTED' },
    });
  });

  it('refuses forged shipping callbacks at the server route (wrong token, another payment’s token, a body for another payment), changing nothing', async () => {
    const x = await expressWorld();
    const { paymentId, reference, create } = await expressCheckout(x, { shipping: { url: SHIPPING_URL } });
    const token = create.shipping.dynamicOptions.callbackAuthorizationToken as string;
    const ask = (path: string, authorization: string, body: Record<string, unknown>) =>
      x.server.fetch(
        new Request(`${CALLBACK}/${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization },
          body: JSON.stringify(body),
        }),
      );
    const address = { addressLine1: 'x', city: 'Oslo', country: 'NO', postCode: '0150' };
    expect((await ask(reference, 'forged', { reference, ...address })).status).toBe(401);
    const other = `${reference.slice(0, -1)}${reference.endsWith('0') ? '1' : '0'}`;
    expect((await ask(other, token, { reference: other, ...address })).status).toBe(401);
    expect((await ask(reference, token, { reference: other, ...address })).status).toBe(400);
    expect((await ask(reference, token, { reference })).status).toBe(400);
    const removal = await x.server.fetch(
      new Request(`${PUBLIC_URL}/v1/callbacks/vipps-epayment/shipping/${reference}`, { method: 'DELETE' }),
    );
    expect(removal.status).toBe(404);
    expect(x.asked).toEqual([]);
    expect((await x.store.listPaymentEvents(paymentId)).map((e) => e.type)).toEqual(['created', 'provider_created']);
  });
});

/**
 * Express checkout through the provider-neutral core, with a scriptable express provider (the fake
 * adapter): express sessions and their refusals, the express settings an adapter is given, the
 * shipping options the server answers a provider with (the session's, or the merchant's shipping
 * URL's, signed and time-limited), the shopper's details and the total with shipping on the
 * payment, a shipping report that does not match (failed and released), and consent removal.
 */
import type { ShippingOption, Shopper } from '@pay-with-bank/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { constructShippingRequest } from '../../src/notifications/webhook-event.js';
import { SHIPPING_QUOTED_EVENT } from '../../src/payments/ledger.js';
import type { ProviderSnapshot } from '../../src/providers/adapter.js';
import { MemoryStore } from '../../src/store/memory.js';
import { TestClock } from '../helpers/clock.js';
import { RETURN_URL, WEBHOOK_SECRET } from '../helpers/config.js';
import { FakeAdapter } from '../helpers/fake-adapter.js';
import { json, makeHarness, type Harness } from '../helpers/harness.js';

const SHIPPING_URL = 'https://shop.example/api/shipping/quote';
const OPTIONS: ShippingOption[] = [
  { id: 'posten', name: 'Posten Servicepakke', amount: 9_900, default: true, priority: 1 },
  { id: 'pickup', name: 'Pick up in the shop', amount: 0, priority: 2 },
];
const ADDRESS = { line1: 'Robert Levins gate 5', line2: null, postCode: '0154', city: 'Oslo', country: 'NO' };
const ADA: Shopper = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@example.com',
  phoneNumber: '+4791234567',
  address: ADDRESS,
};
const ENV = {
  PWB_WEBHOOK_URL: 'https://shop.example/hooks/pay-with-bank',
  PWB_WEBHOOK_SECRET: WEBHOOK_SECRET,
  PWB_RETURN_URL_ALLOWLIST: 'https://shop.example/checkout,https://shop.example/api/shipping',
};

type Merchant = (request: Request) => Response | Promise<Response>;

interface World {
  h: Harness;
  wallet: FakeAdapter;
  store: MemoryStore;
  clock: TestClock;
  shippingRequests: { request: Request; body: string }[];
  /** How the merchant's shipping URL answers (default: OPTIONS for every address). */
  merchant: { answer: Merchant };
}

function makeWorld(env: Record<string, string | undefined> = ENV): World {
  const wallet = new FakeAdapter({
    id: 'wallet',
    method: 'vipps',
    currencies: ['NOK'],
    express: true,
    authorizedMeansPaid: true,
    capabilities: { callbacks: true, capture: true, cancel: true, refund: true },
  });
  const bank = new FakeAdapter({ id: 'bank', method: 'bank', currencies: ['NOK', 'DKK'] });
  const store = new MemoryStore();
  const clock = new TestClock();
  const shippingRequests: World['shippingRequests'] = [];
  const merchant = { answer: (() => Response.json({ options: OPTIONS })) as Merchant };
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    if (!request.url.startsWith('https://shop.example/api/shipping/')) throw new TypeError('fetch failed');
    shippingRequests.push({ request, body: await request.clone().text() });
    // Like fetch: the caller's signal ends the wait.
    return new Promise<Response>((resolve, reject) => {
      request.signal.addEventListener('abort', () => reject(request.signal.reason), { once: true });
      Promise.resolve(merchant.answer(request)).then(resolve, reject);
    });
  };
  const h = makeHarness({ env, deps: { store, adapters: [bank, wallet], fetch, now: clock.now } });
  return { h, wallet, store, clock, shippingRequests, merchant };
}

const expressSession = (shipping: unknown, extra: Record<string, unknown> = {}) => ({
  amount: { value: 49_900, currency: 'NOK' },
  reference: 'ORDER-7001',
  description: 'One Vipps hoodie',
  returnUrl: RETURN_URL,
  express: { shipping, ...extra },
});

async function createExpress(w: World, shipping: unknown = { options: OPTIONS }, extra = {}) {
  const res = await w.h.merchant('POST', '/v1/sessions', expressSession(shipping, extra));
  expect(res.status, await res.clone().text()).toBe(201);
  return json(res);
}

async function startExpress(w: World, shipping: unknown = { options: OPTIONS }) {
  const { session, clientToken } = await createExpress(w, shipping);
  const started = await w.h.client(clientToken, 'POST', '/v1/checkout/payments', {
    method: 'vipps',
    attemptId: 'attempt-express-1',
  });
  expect(started.status, await started.clone().text()).toBe(200);
  const { payment } = await json(started);
  return { sessionId: session.id as string, clientToken: clientToken as string, paymentId: payment.id as string };
}

const callback = (w: World, body: unknown, method: 'POST' | 'DELETE' = 'POST') =>
  w.h.request(method, '/v1/callbacks/wallet/any', { body, headers: { 'x-fake-auth': 'good' } });

/** The provider reserved the payment and says so; the callback prompts the refresh. */
async function reserve(w: World, providerId: string, snapshot: Partial<ProviderSnapshot>) {
  w.wallet.set(providerId, { status: 'authorized', providerStatus: 'RESERVE', ...snapshot });
  w.clock.advance(2_000);
  const res = await callback(w, { id: providerId, event: `reserve-${providerId}` });
  expect(res.status, await res.clone().text()).toBe(200);
}

let w: World;
beforeEach(() => {
  w = makeWorld();
});

describe('express sessions', () => {
  it('offers only methods whose provider has express checkout, and says so to merchant and browser', async () => {
    const { session, clientToken } = await createExpress(w);
    expect(session.methods).toEqual(['vipps']);
    expect(session.express).toEqual({ shipping: 'static', options: OPTIONS, confirmAddress: true });
    expect(session.amount).toEqual({ value: 49_900, currency: 'NOK' });
    const checkout = await json(await w.h.client(clientToken, 'GET', '/v1/checkout/session'));
    expect(checkout.express).toBe(true);
    expect(checkout.methods).toEqual(['vipps']);
    // An ordinary session says it is not one.
    const ordinary = await w.h.createSession({ amount: { value: 100, currency: 'NOK' } });
    expect(ordinary.session.express).toBeNull();
    const view = await json(await w.h.client(ordinary.clientToken, 'GET', '/v1/checkout/session'));
    expect(view.express).toBe(false);
  });

  it('takes a shipping URL on the allow-list, and confirmAddress as given', async () => {
    const { session } = await createExpress(w, { url: SHIPPING_URL }, { confirmAddress: false });
    expect(session.express).toEqual({ shipping: 'dynamic', options: null, confirmAddress: false });
  });

  it.each([
    ['methods without express', { methods: ['bank'] }, 'NOK', /bank: this provider has no express checkout/],
    ['a currency no express provider takes', {}, 'DKK', /in DKK: bank: this provider has no express checkout/],
  ])('refuses %s as express_not_supported, storing nothing', async (_, extra, currency, message) => {
    const res = await w.h.merchant('POST', '/v1/sessions', {
      ...expressSession({ options: OPTIONS }),
      ...extra,
      amount: { value: 49_900, currency },
    });
    expect(res.status).toBe(422);
    const body = await json(res);
    expect(body.error).toMatchObject({ code: 'express_not_supported', retryable: false });
    expect(body.error.message).toMatch(message);
    expect((await w.store.stats()).sessions).toBe(0);
  });

  it('refuses a shipping URL off the allow-list, naming the field', async () => {
    const res = await w.h.merchant('POST', '/v1/sessions', expressSession({ url: 'https://evil.example/shipping' }));
    expect(res.status).toBe(422);
    const body = await json(res);
    expect(body.error.code).toBe('return_url_not_allowed');
    expect(body.error.details.issues[0].path).toBe('express.shipping.url');
    expect((await w.store.stats()).sessions).toBe(0);
  });

  it('refuses a shipping URL when there is no webhook secret to sign its requests with', async () => {
    const unsigned = makeWorld({ PWB_RETURN_URL_ALLOWLIST: ENV.PWB_RETURN_URL_ALLOWLIST });
    const res = await unsigned.h.merchant('POST', '/v1/sessions', expressSession({ url: SHIPPING_URL }));
    expect(res.status).toBe(422);
    expect((await json(res)).error.message).toMatch(/PWB_WEBHOOK_SECRET/);
    // Static options need no secret.
    expect((await unsigned.h.merchant('POST', '/v1/sessions', expressSession({ options: OPTIONS }))).status).toBe(201);
  });

  it.each([
    ['duplicate option ids', { options: [OPTIONS[0], { ...OPTIONS[0], name: 'Again' }] }],
    ['two defaults', { options: [OPTIONS[0], { ...OPTIONS[1], default: true }] }],
    ['a fractional price', { options: [{ ...OPTIONS[0], amount: 99.5 }] }],
    ['options and a URL', { options: OPTIONS, url: SHIPPING_URL }],
    ['no options', { options: [] }],
  ])('refuses %s as invalid_request', async (_, shipping) => {
    const res = await w.h.merchant('POST', '/v1/sessions', expressSession(shipping));
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe('invalid_request');
  });

  it('refuses an option that would make the total larger than the largest amount', async () => {
    const res = await w.h.merchant('POST', '/v1/sessions', {
      ...expressSession({ options: [{ ...OPTIONS[0], amount: 1_000_000_000 }] }),
    });
    expect(res.status).toBe(400);
    expect((await json(res)).error.details.issues[0].path).toBe('express.shipping.options.0.amount');
  });

  it('is idempotent with its express settings: the same key and body replay, another body is refused', async () => {
    const headers = { 'idempotency-key': 'order-7001' };
    const first = await w.h.merchant('POST', '/v1/sessions', expressSession({ options: OPTIONS }), headers);
    const again = await w.h.merchant('POST', '/v1/sessions', expressSession({ options: OPTIONS }), headers);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await json(again)).session).toEqual((await json(first)).session);
    const other = await w.h.merchant('POST', '/v1/sessions', expressSession({ url: SHIPPING_URL }), headers);
    expect(other.status).toBe(409);
    expect((await w.store.stats()).sessions).toBe(1);
  });
});

describe('express payments', () => {
  it('gives the adapter the express settings: static options, or none when it must ask per address', async () => {
    await startExpress(w);
    expect(w.wallet.calls.create[0]!.express).toEqual({ options: OPTIONS, confirmAddress: true });
    await startExpress(w, { url: SHIPPING_URL });
    expect(w.wallet.calls.create[1]!.express).toEqual({ options: null, confirmAddress: true });
    // An ordinary checkout gets none.
    const { clientToken } = await w.h.createSession({ amount: { value: 100, currency: 'NOK' } });
    await w.h.client(clientToken, 'POST', '/v1/checkout/payments', { method: 'vipps', attemptId: 'attempt-plain-1' });
    expect(w.wallet.calls.create[2]!.express).toBeNull();
  });

  it('answers the provider with the session’s options and keeps them for the check', async () => {
    const { paymentId } = await startExpress(w);
    const res = await callback(w, { kind: 'shipping-quote', id: 'fake-1', address: ADDRESS });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ quoted: OPTIONS });
    expect(w.shippingRequests).toEqual([]);
    const quoted = (await w.store.listPaymentEvents(paymentId)).filter((e) => e.type === SHIPPING_QUOTED_EVENT);
    expect(quoted.map((e) => e.data)).toEqual([{ options: OPTIONS }]);
    // The address is not kept with the quote (it is the shopper's, erased on request).
    expect(JSON.stringify(quoted)).not.toContain('Robert Levins');
  });

  it('stores shopper and shipping with the reservation: the total is items + shipping, the session keeps the items', async () => {
    const { paymentId, sessionId, clientToken } = await startExpress(w);
    await reserve(w, 'fake-1', {
      authorizedAmount: 59_800,
      express: { shopper: ADA, providerUserId: 'user-1', shipping: { methodId: 'posten', amount: 9_900 } },
    });
    const { payment } = await json(await w.h.merchant('GET', `/v1/payments/${paymentId}`));
    expect(payment).toMatchObject({
      status: 'authorized',
      amount: { value: 59_800, currency: 'NOK' },
      authorizedAmount: 59_800,
      shopper: ADA,
      shipping: { id: 'posten', name: 'Posten Servicepakke', amount: { value: 9_900, currency: 'NOK' } },
    });
    const { session, payments } = await json(await w.h.merchant('GET', `/v1/sessions/${sessionId}`));
    expect(session).toMatchObject({ state: 'paid', amount: { value: 49_900, currency: 'NOK' } });
    expect(payments[0].shopper).toEqual(ADA);
    // The webhook carries them too.
    const authorized = (await w.store.listOutbox(paymentId)).find((o) => o.type === 'payment.authorized')!;
    expect(JSON.parse(authorized.payload).payment).toMatchObject({ shopper: ADA, amount: { value: 59_800 } });

    // The browser sees the method and the total, never the shopper's details.
    const checkout = await json(await w.h.client(clientToken, 'GET', '/v1/checkout/session'));
    expect(checkout.payment).toMatchObject({
      amount: { value: 59_800, currency: 'NOK' },
      shipping: { name: 'Posten Servicepakke', amount: { value: 9_900, currency: 'NOK' } },
      settled: true,
    });
    const refreshed = await w.h.client(clientToken, 'POST', `/v1/checkout/payments/${paymentId}/refresh`);
    for (const text of [JSON.stringify(checkout), await refreshed.text()]) {
      for (const personal of ['Ada', 'Lovelace', 'ada@example.com', '91234567', 'Robert Levins', 'user-1']) {
        expect(text).not.toContain(personal);
      }
    }
  });

  it('captures the total with shipping', async () => {
    const { paymentId } = await startExpress(w);
    await reserve(w, 'fake-1', {
      authorizedAmount: 59_800,
      express: { shopper: ADA, providerUserId: 'user-1', shipping: { methodId: 'posten', amount: 9_900 } },
    });
    const captured = await w.h.merchant(
      'POST',
      `/v1/payments/${paymentId}/capture`,
      {},
      { 'idempotency-key': 'shipment-0001' },
    );
    expect(captured.status, await captured.clone().text()).toBe(200);
    expect((await json(captured)).payment).toMatchObject({ status: 'completed', capturedAmount: 59_800 });
    expect(w.wallet.calls.capture).toEqual([
      { providerPaymentId: 'fake-1', amount: { value: 59_800, currency: 'NOK' }, key: 'shipment-0001' },
    ]);
  });

  it.each([
    ['a method never offered', { methodId: 'drone', amount: 0 }, 49_900],
    ['the merchant’s method at the provider’s own price', { methodId: 'posten', amount: 100 }, 50_000],
    ['a reservation that is not items + shipping', { methodId: 'posten', amount: 9_900 }, 49_900],
  ])('fails the payment on %s and releases the reservation', async (_, shipping, reserved) => {
    const { paymentId, sessionId } = await startExpress(w);
    await reserve(w, 'fake-1', {
      authorizedAmount: reserved,
      express: { shopper: ADA, providerUserId: 'u', shipping },
    });
    const stored = (await w.store.getPayment(paymentId))!;
    expect(stored).toMatchObject({ status: 'failed', failure: { code: 'shipping_mismatch' }, amount: 49_900 });
    expect(stored.shipping).toBeNull();
    expect(w.wallet.calls.cancel).toEqual([{ providerPaymentId: 'fake-1', key: `mismatch-${paymentId}` }]);
    expect((await w.store.listOutbox(paymentId)).map((o) => o.type)).toEqual(['payment.pending', 'payment.failed']);
    // The checkout is not paid, and nothing can be captured.
    expect((await json(await w.h.merchant('GET', `/v1/sessions/${sessionId}`))).session.state).toBe('open');
    const capture = await w.h.merchant(
      'POST',
      `/v1/payments/${paymentId}/capture`,
      {},
      { 'idempotency-key': 'capture-0001' },
    );
    expect(capture.status).toBe(409);
    expect(w.wallet.calls.capture).toEqual([]);
  });
});

describe('shipping options from the merchant’s shipping URL', () => {
  it('POSTs the address signed like the webhooks, answers the provider with the options, and checks the choice against them', async () => {
    const { paymentId, sessionId } = await startExpress(w, { url: SHIPPING_URL });
    const res = await callback(w, { kind: 'shipping-quote', id: 'fake-1', address: ADDRESS });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await json(res)).toEqual({ quoted: OPTIONS });

    expect(w.shippingRequests).toHaveLength(1);
    const { request, body } = w.shippingRequests[0]!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe(SHIPPING_URL);
    expect(request.redirect).toBe('manual');
    const verified = constructShippingRequest(body, request.headers, WEBHOOK_SECRET, { now: w.clock.now() });
    expect(verified).toEqual({ sessionId, reference: 'ORDER-7001', currency: 'NOK', address: ADDRESS });
    expect(() =>
      constructShippingRequest(body, request.headers, 'another-secret-of-16+', { now: w.clock.now() }),
    ).toThrow(/signature/);

    await reserve(w, 'fake-1', {
      authorizedAmount: 49_900,
      express: { shopper: ADA, providerUserId: 'user-1', shipping: { methodId: 'pickup', amount: 0 } },
    });
    expect(await w.store.getPayment(paymentId)).toMatchObject({
      status: 'authorized',
      shipping: { id: 'pickup', name: 'Pick up in the shop', amount: 0 },
    });
  });

  it('accepts a method at the price quoted for one address, whichever of several the shopper tried', async () => {
    const { paymentId } = await startExpress(w, { url: SHIPPING_URL });
    w.merchant.answer = async (request) => {
      const { address } = JSON.parse(await request.text());
      const amount = address.postCode === '0154' ? 6_900 : 12_900;
      return Response.json({ options: [{ id: 'home', name: 'Home delivery', amount }] });
    };
    await callback(w, { kind: 'shipping-quote', id: 'fake-1', address: ADDRESS });
    await callback(w, { kind: 'shipping-quote', id: 'fake-1', address: { ...ADDRESS, postCode: '9990' } });
    await reserve(w, 'fake-1', {
      authorizedAmount: 62_800,
      express: { shopper: ADA, providerUserId: 'u', shipping: { methodId: 'home', amount: 12_900 } },
    });
    expect(await w.store.getPayment(paymentId)).toMatchObject({ status: 'authorized', amount: 62_800 });
  });

  it.each<[string, Merchant, Record<string, string>?]>([
    ['an error status', () => new Response('oops', { status: 500 })],
    ['a redirect', () => new Response(null, { status: 302, headers: { location: 'https://evil.example/' } })],
    ['a body that is not JSON', () => new Response('<html>', { status: 200 })],
    ['options that are not valid', () => Response.json({ options: [{ id: 'x', name: 'X', amount: -5 }] })],
    ['no options at all', () => Response.json({ options: [] })],
    [
      'a price that makes the total too large',
      () => Response.json({ options: [{ id: 'x', name: 'X', amount: 999_999_999 }] }),
    ],
    ['an answer too large to read', () => new Response('x'.repeat(70_000), { status: 200 })],
    [
      'no answer in time',
      () => new Promise<Response>((resolve) => setTimeout(() => resolve(Response.json({ options: OPTIONS })), 400)),
      { PWB_SHIPPING_TIMEOUT_MS: '100' },
    ],
  ])('answers shipping_unavailable when the merchant gives %s, and keeps no quote', async (_, answer, env) => {
    w = makeWorld({ ...ENV, ...env });
    const { paymentId } = await startExpress(w, { url: SHIPPING_URL });
    w.merchant.answer = answer;
    const res = await callback(w, { kind: 'shipping-quote', id: 'fake-1', address: ADDRESS });
    expect(res.status).toBe(502);
    expect((await json(res)).error.code).toBe('shipping_unavailable');
    expect((await w.store.listPaymentEvents(paymentId)).map((e) => e.type)).not.toContain(SHIPPING_QUOTED_EVENT);
  });

  it('refuses a quote for an ordinary checkout or a payment already reserved', async () => {
    const { clientToken } = await w.h.createSession({ amount: { value: 100, currency: 'NOK' } });
    await w.h.client(clientToken, 'POST', '/v1/checkout/payments', { method: 'vipps', attemptId: 'attempt-plain-1' });
    const ordinary = await callback(w, { kind: 'shipping-quote', id: 'fake-1', address: ADDRESS });
    expect(ordinary.status).toBe(409);

    await startExpress(w);
    await reserve(w, 'fake-2', {
      authorizedAmount: 59_800,
      express: { shopper: ADA, providerUserId: 'u', shipping: { methodId: 'posten', amount: 9_900 } },
    });
    const late = await callback(w, { kind: 'shipping-quote', id: 'fake-2', address: ADDRESS });
    expect(late.status).toBe(409);
    expect((await json(late)).error.code).toBe('invalid_state');
  });
});

describe('consent removal', () => {
  async function twoPaymentsOf(userId: string) {
    const first = await startExpress(w);
    await reserve(w, 'fake-1', {
      authorizedAmount: 59_800,
      express: { shopper: ADA, providerUserId: userId, shipping: { methodId: 'posten', amount: 9_900 } },
    });
    const second = await startExpress(w);
    await reserve(w, 'fake-2', {
      authorizedAmount: 49_900,
      express: { shopper: ADA, providerUserId: userId, shipping: { methodId: 'pickup', amount: 0 } },
    });
    return [first.paymentId, second.paymentId] as const;
  }

  it('erases the shopper from every payment of theirs, notifies the merchant, and never stores them again', async () => {
    const [first, second] = await twoPaymentsOf('user-1');
    const res = await callback(w, { kind: 'consent-removal', id: 'fake-1', userId: 'user-1' }, 'DELETE');
    expect(res.status, await res.clone().text()).toBe(200);
    for (const paymentId of [first, second]) {
      const { payment } = await json(await w.h.merchant('GET', `/v1/payments/${paymentId}`));
      expect(payment.shopper).toBeNull();
      // What the merchant needs to ship and reconcile stays: the method, the total, the status.
      expect(payment.shipping).not.toBeNull();
      expect(payment.status).toBe('authorized');
      const outbox = await w.store.listOutbox(paymentId);
      const erased = outbox.filter((o) => o.type === 'payment.shopper_erased');
      expect(erased).toHaveLength(1);
      expect(JSON.parse(erased[0]!.payload).payment.shopper).toBeNull();
      expect(JSON.parse(erased[0]!.payload).erasure).toEqual({ reason: 'consent_withdrawn' });
      // Earlier notifications no longer hold the details either.
      for (const o of outbox) expect(o.payload).not.toContain('Lovelace');
      expect(JSON.stringify(await w.store.listPaymentEvents(paymentId))).not.toContain('Lovelace');
    }
    // The provider still reports them: they stay erased.
    w.clock.advance(5_000);
    await w.h.merchant('POST', `/v1/payments/${first}/capture`, {}, { 'idempotency-key': 'shipment-0001' });
    expect((await w.store.getPayment(first))!.shopper).toBeNull();
    // Asked again, there is nothing left to erase (and no second notification).
    expect((await callback(w, { kind: 'consent-removal', id: 'fake-1', userId: 'user-1' }, 'DELETE')).status).toBe(200);
    expect((await w.store.listOutbox(first)).filter((o) => o.type === 'payment.shopper_erased')).toHaveLength(1);
  });

  it('refuses a removal for another user than the payment it came through, changing nothing', async () => {
    await twoPaymentsOf('user-1');
    const before = await w.store.stats();
    const res = await callback(w, { kind: 'consent-removal', id: 'fake-1', userId: 'user-2' }, 'DELETE');
    expect(res.status).toBe(401);
    expect(await w.store.stats()).toEqual(before);
    expect(
      (await w.store.getPayment((await w.store.findPaymentByProviderId('wallet', 'fake-1'))!.id))!.shopper,
    ).toEqual(ADA);
  });

  it('a removal that arrives before the details does not let them be stored later', async () => {
    const { paymentId } = await startExpress(w);
    const res = await callback(w, { kind: 'consent-removal', id: 'fake-1', userId: 'user-9' }, 'DELETE');
    expect(res.status).toBe(200);
    await reserve(w, 'fake-1', {
      authorizedAmount: 59_800,
      express: { shopper: ADA, providerUserId: 'user-9', shipping: { methodId: 'posten', amount: 9_900 } },
    });
    // The payment goes on (shipping and total are the merchant's), the details never land.
    expect(await w.store.getPayment(paymentId)).toMatchObject({ status: 'authorized', amount: 59_800, shopper: null });
  });

  it('on an ordinary payment there is nothing to erase and nothing to notify', async () => {
    const { clientToken } = await w.h.createSession({ amount: { value: 100, currency: 'NOK' } });
    const { payment } = await json(
      await w.h.client(clientToken, 'POST', '/v1/checkout/payments', { method: 'vipps', attemptId: 'attempt-plain-1' }),
    );
    const res = await callback(w, { kind: 'consent-removal', id: 'fake-1', userId: 'user-9' }, 'DELETE');
    expect(res.status).toBe(200);
    expect((await w.store.getPayment(payment.id))!.shopperErasedAt).toBeNull();
    expect((await w.store.listOutbox(payment.id)).map((o) => o.type)).not.toContain('payment.shopper_erased');
  });

  it('refuses forged removals as unauthorized', async () => {
    await twoPaymentsOf('user-1');
    const res = await w.h.request('DELETE', '/v1/callbacks/wallet/any', {
      body: { kind: 'consent-removal', id: 'fake-1', userId: 'user-1' },
      headers: { 'x-fake-auth': 'forged' },
    });
    expect(res.status).toBe(401);
    expect((await w.store.findPaymentByProviderId('wallet', 'fake-1'))!.shopper).toEqual(ADA);
  });
});

describe('retention (PWB_SHOPPER_RETENTION_DAYS)', () => {
  const DAY = 24 * 60 * 60 * 1000;

  it('erases the details of a final payment that many days after its last change, notifies the merchant, and keeps the order', async () => {
    w = makeWorld({ ...ENV, PWB_SHOPPER_RETENTION_DAYS: '30' });
    const done = await startExpress(w);
    await reserve(w, 'fake-1', {
      authorizedAmount: 59_800,
      express: { shopper: ADA, providerUserId: 'user-1', shipping: { methodId: 'posten', amount: 9_900 } },
    });
    w.clock.advance(5_000);
    const capture = await w.h.merchant(
      'POST',
      `/v1/payments/${done.paymentId}/capture`,
      {},
      {
        'idempotency-key': 'shipment-0001',
      },
    );
    expect(capture.status, await capture.clone().text()).toBe(200);
    expect((await w.store.getPayment(done.paymentId))!.status).toBe('completed');
    // Still open (authorised, never captured): kept whatever its age, the merchant may still ship it.
    const open = await startExpress(w);
    await reserve(w, 'fake-2', {
      authorizedAmount: 59_800,
      express: { shopper: ADA, providerUserId: 'user-2', shipping: { methodId: 'posten', amount: 9_900 } },
    });
    const retention = w.h.server.retention!;

    w.clock.advance(29 * DAY);
    expect(await retention.runOnce()).toBe(0);
    expect((await w.store.getPayment(done.paymentId))!.shopper).toEqual(ADA);

    w.clock.advance(2 * DAY);
    expect(await retention.runOnce()).toBe(1);
    const { payment } = await json(await w.h.merchant('GET', `/v1/payments/${done.paymentId}`));
    expect(payment).toMatchObject({ status: 'completed', shopper: null, amount: { value: 59_800, currency: 'NOK' } });
    expect(payment.shipping).toEqual({
      id: 'posten',
      name: 'Posten Servicepakke',
      amount: { value: 9_900, currency: 'NOK' },
    });
    const outbox = await w.store.listOutbox(done.paymentId);
    const notice = outbox.filter((o) => o.type === 'payment.shopper_erased');
    expect(notice.map((o) => JSON.parse(o.payload).erasure)).toEqual([{ reason: 'retention' }]);
    for (const o of outbox) expect(o.payload).not.toContain('Lovelace');
    const events = await w.store.listPaymentEvents(done.paymentId);
    expect(events.filter((e) => e.type === 'shopper_erased').map((e) => [e.source, e.data])).toEqual([
      ['system', { reason: 'retention' }],
    ]);
    expect((await w.store.getPayment(open.paymentId))!.shopper).toEqual(ADA);
    // Nothing left to erase: no second notification.
    expect(await retention.runOnce()).toBe(0);
    expect((await w.store.listOutbox(done.paymentId)).filter((o) => o.type === 'payment.shopper_erased')).toHaveLength(
      1,
    );
  });

  it('is off unless set, and refuses a value that is not a number of days', () => {
    expect(w.h.server.retention).toBeNull();
    for (const bad of ['0', '3651', '30d', '-1', '1.5']) {
      expect(() => makeWorld({ ...ENV, PWB_SHOPPER_RETENTION_DAYS: bad }), bad).toThrow(/PWB_SHOPPER_RETENTION_DAYS/);
    }
  });
});

describe('the merchant erases a shopper on request (DELETE /v1/payments/{id}/shopper)', () => {
  it('erases this payment’s and the same shopper’s other payments’ details, once, and notifies per payment', async () => {
    const first = await startExpress(w);
    await reserve(w, 'fake-1', {
      authorizedAmount: 59_800,
      express: { shopper: ADA, providerUserId: 'user-1', shipping: { methodId: 'posten', amount: 9_900 } },
    });
    const second = await startExpress(w);
    await reserve(w, 'fake-2', {
      authorizedAmount: 49_900,
      express: { shopper: ADA, providerUserId: 'user-1', shipping: { methodId: 'pickup', amount: 0 } },
    });
    const someoneElse = await startExpress(w);
    await reserve(w, 'fake-3', {
      authorizedAmount: 49_900,
      express: { shopper: ADA, providerUserId: 'user-2', shipping: { methodId: 'pickup', amount: 0 } },
    });

    const res = await w.h.merchant('DELETE', `/v1/payments/${second.paymentId}/shopper`);
    expect(res.status, await res.clone().text()).toBe(200);
    const body = await json(res);
    expect(body.erased.sort()).toEqual([first.paymentId, second.paymentId].sort());
    expect(body.payment).toMatchObject({ id: second.paymentId, status: 'authorized', shopper: null });
    expect(body.payment.shipping).toMatchObject({ id: 'pickup' });
    for (const paymentId of [first.paymentId, second.paymentId]) {
      const outbox = await w.store.listOutbox(paymentId);
      const notice = outbox.filter((o) => o.type === 'payment.shopper_erased');
      expect(notice.map((o) => JSON.parse(o.payload).erasure)).toEqual([{ reason: 'merchant_request' }]);
      for (const o of outbox) expect(o.payload).not.toContain('Lovelace');
      const events = await w.store.listPaymentEvents(paymentId);
      expect(events.filter((e) => e.type === 'shopper_erased').map((e) => [e.source, e.data])).toEqual([
        ['merchant', { reason: 'merchant_request' }],
      ]);
    }
    expect((await w.store.getPayment(someoneElse.paymentId))!.shopper).toEqual(ADA);

    // Again: nothing left, no second notification; the provider reporting them again stores nothing.
    const again = await json(await w.h.merchant('DELETE', `/v1/payments/${first.paymentId}/shopper`));
    expect(again.erased).toEqual([]);
    expect(again.payment.shopper).toBeNull();
    w.clock.advance(5_000);
    await w.h.merchant('POST', `/v1/payments/${first.paymentId}/capture`, {}, { 'idempotency-key': 'shipment-0002' });
    expect((await w.store.getPayment(first.paymentId))!.shopper).toBeNull();
    expect((await w.store.listOutbox(first.paymentId)).filter((o) => o.type === 'payment.shopper_erased')).toHaveLength(
      1,
    );
  });

  it('before the provider reported the shopper: only that payment, and their details are never stored', async () => {
    const { paymentId } = await startExpress(w);
    const res = await json(await w.h.merchant('DELETE', `/v1/payments/${paymentId}/shopper`));
    expect(res.erased).toEqual([paymentId]);
    await reserve(w, 'fake-1', {
      authorizedAmount: 59_800,
      express: { shopper: ADA, providerUserId: 'user-1', shipping: { methodId: 'posten', amount: 9_900 } },
    });
    expect(await w.store.getPayment(paymentId)).toMatchObject({ status: 'authorized', amount: 59_800, shopper: null });
  });

  it('an unknown payment is not_found, a malformed id invalid_request, another key unauthorized; nothing changes', async () => {
    const { paymentId } = await startExpress(w);
    const before = await w.store.stats();
    const unknown = await w.h.merchant('DELETE', '/v1/payments/pay_0000000000000000unknown/shopper');
    expect(unknown.status).toBe(404);
    expect((await json(unknown)).error.code).toBe('not_found');
    expect((await w.h.merchant('DELETE', '/v1/payments/not-a-payment/shopper')).status).toBe(400);
    const stranger = await w.h.request('DELETE', `/v1/payments/${paymentId}/shopper`, {
      headers: { authorization: 'Bearer not-the-merchant-key-not-the-key' },
    });
    expect(stranger.status).toBe(401);
    expect(await w.store.stats()).toEqual(before);
  });
});

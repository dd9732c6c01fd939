import { describe, expect, it } from 'vitest';
import { CREDENTIALS, createHarness, toResult, type Harness } from './vipps-harness.js';

const CONTROL = '/__sandbox/vipps';

async function control(h: Harness, method: string, path: string, body?: unknown) {
  return toResult(
    await h.request(`${CONTROL}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}

async function initiate(h: Harness, orderId: string) {
  const result = await h.api('POST', '/ecomm/v2/payments', {
    customerInfo: {},
    merchantInfo: {
      merchantSerialNumber: CREDENTIALS.msn,
      callbackPrefix: 'https://shop.test/cb',
      fallBack: 'https://shop.test/back',
      authToken: 'cb-secret',
    },
    transaction: { amount: 10000, orderId, transactionText: 'Socks' },
  });
  expect(result.status, result.text).toBe(200);
  return result.body as { url: string };
}

const callbacks = (h: Harness, orderId: string) =>
  h.receiver.requests.filter((request) => request.url.endsWith(`/v2/payments/${orderId}`));

describe('Vipps scenario controls over HTTP (/__sandbox/vipps)', () => {
  it('inspects a payment with the paths an e2e test needs, and no secrets', async () => {
    const h = createHarness();
    const { url } = await initiate(h, 'order-ctl-1');
    const inspection = await control(h, 'GET', '/payments/order-ctl-1');
    expect(inspection.status).toBe(200);
    expect(inspection.body).toMatchObject({
      kind: 'ecom',
      payment: { orderId: 'order-ctl-1', status: 'initiated', hasAuthToken: true },
      user: { stage: 'landing', flow: null, phonePath: expect.stringMatching(/^\/vipps\/sandbox-phone\//) },
      callbacks: [],
    });
    expect(inspection.body.user.landingPath).toBe(h.pathOf(url));
    expect(inspection.text).not.toContain('cb-secret');
    expect(inspection.text).not.toContain(CREDENTIALS.clientSecret);
    expect((await control(h, 'GET', '/payments/nope')).status).toBe(404);
  });

  it('approves, rejects and expires payments, with typed errors for the impossible', async () => {
    const h = createHarness();
    await initiate(h, 'order-ctl-2');
    await initiate(h, 'order-ctl-3');
    await initiate(h, 'order-ctl-4');
    const approved = await control(h, 'POST', '/payments/order-ctl-2/approve', { phoneNumber: '91234567' });
    expect(approved.status).toBe(200);
    expect(approved.body.payment.status).toBe('reserved');
    const again = await control(h, 'POST', '/payments/order-ctl-2/approve');
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ error: { code: 'not_waiting', message: expect.any(String) } });
    expect((await control(h, 'POST', '/payments/order-ctl-3/reject')).body.payment).toMatchObject({
      status: 'cancelled',
      cancelledBy: 'user',
    });
    expect((await control(h, 'POST', '/payments/order-ctl-4/expire')).body.payment.status).toBe('expired');
    expect((await control(h, 'POST', '/payments/unknown/expire')).status).toBe(404);
    await h.controls.flush();
    expect(JSON.parse(callbacks(h, 'order-ctl-4')[0]!.body).transactionInfo.status).toBe('REJECTED');
  });

  it('sets the callback mode globally or per order, and validates it', async () => {
    const h = createHarness();
    expect((await control(h, 'PUT', '/callback-mode', { mode: 'never', orderId: 'order-ctl-5' })).status).toBe(204);
    expect((await control(h, 'PUT', '/callback-mode', { mode: 'late', delayMs: 5000 })).status).toBe(204);
    const invalid = await control(h, 'PUT', '/callback-mode', { mode: 'sometimes' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('invalid_request');
    expect((await control(h, 'PUT', '/callback-mode', { mode: 'late', delayMs: -1 })).status).toBe(400);

    await initiate(h, 'order-ctl-5');
    await initiate(h, 'order-ctl-6');
    h.controls.approve('order-ctl-5', '91234567');
    h.controls.approve('order-ctl-6', '91234567');
    await h.advance(4999);
    expect(callbacks(h, 'order-ctl-6')).toHaveLength(0);
    await h.advance(1);
    expect(callbacks(h, 'order-ctl-6')).toHaveLength(1);
    expect(callbacks(h, 'order-ctl-5')).toHaveLength(0);
    expect((await control(h, 'GET', '/callbacks?orderId=order-ctl-5')).body).toEqual([
      expect.objectContaining({ state: 'suppressed' }),
    ]);
  });

  it('shortens timeouts and switches webhook delivery', async () => {
    const h = createHarness();
    expect((await control(h, 'PUT', '/timeouts', { landingTimeoutMs: 1000, appTimeoutMs: 500 })).status).toBe(204);
    expect((await control(h, 'PUT', '/timeouts', { landingTimeoutMs: 0 })).status).toBe(400);
    await initiate(h, 'order-ctl-7');
    await h.advance(1000);
    expect(h.controls.inspect('order-ctl-7')).toMatchObject({ payment: { status: 'expired' } });

    expect((await control(h, 'PUT', '/webhook-delivery', { enabled: false })).status).toBe(204);
    expect((await control(h, 'PUT', '/webhook-delivery', { enabled: 'no' })).status).toBe(400);
    expect((await control(h, 'PUT', '/webhook-retry', { maxAttempts: 2, initialDelayMs: 10 })).status).toBe(204);
    await h.api('POST', '/webhooks/v1/webhooks', {
      url: 'https://merchant.test/h',
      events: ['epayments.payment.created.v1'],
    });
    await h.api(
      'POST',
      '/epayment/v1/payments',
      {
        amount: { currency: 'NOK', value: 1000 },
        paymentMethod: { type: 'WALLET' },
        reference: 'ctl-ref-1',
        userFlow: 'WEB_REDIRECT',
        returnUrl: 'https://shop.test/r',
      },
      { 'Idempotency-Key': 'ctl-1' },
    );
    expect((await control(h, 'GET', '/webhook-deliveries?reference=ctl-ref-1')).body).toEqual([
      expect.objectContaining({ state: 'suppressed' }),
    ]);
  });

  it('counts API calls for polling measurements and resets them', async () => {
    const h = createHarness();
    await initiate(h, 'order-ctl-8');
    await h.api('GET', '/ecomm/v2/payments/order-ctl-8/details');
    await h.api('GET', '/ecomm/v2/payments/order-ctl-8/details');
    const stats = await control(h, 'GET', '/stats');
    expect(stats.body.byRoute).toEqual({
      'POST /accesstoken/get': 1,
      'POST /ecomm/v2/payments': 1,
      'GET /ecomm/v2/payments/{orderId}/details': 2,
    });
    expect(stats.body.byPayment['order-ctl-8'].total).toBe(3);
    expect((await control(h, 'DELETE', '/stats')).status).toBe(204);
    expect((await control(h, 'GET', '/stats')).body).toEqual({ total: 0, byRoute: {}, byPayment: {} });
  });

  it('resets everything but access tokens, including pending timers', async () => {
    const h = createHarness();
    await initiate(h, 'order-ctl-9');
    h.controls.setCallbackMode({ mode: 'never' });
    expect((await control(h, 'POST', '/reset')).status).toBe(204);
    await h.advance(30 * 60_000); // well past the 10 min expiry, within the token's hour
    expect(h.receiver.requests).toHaveLength(0);
    expect((await control(h, 'GET', '/payments/order-ctl-9')).status).toBe(404);
    expect((await h.api('GET', '/ecomm/v2/payments/order-ctl-9/details')).status).toBe(404);
    // The old token still works, and the scenario settings are back to their defaults.
    await initiate(h, 'order-ctl-9');
    h.controls.approve('order-ctl-9', '91234567');
    await h.controls.flush();
    expect(callbacks(h, 'order-ctl-9')).toHaveLength(1);
    expect((await control(h, 'POST', '/tokens/revoke')).status).toBe(204);
    expect((await h.api('GET', '/ecomm/v2/payments/order-ctl-9/details')).status).toBe(401);
  });

  it('injects faults (429/5xx/malformed) into matching API calls, in each API’s error format, without processing them', async () => {
    const h = createHarness();
    await initiate(h, 'order-fault');
    expect(
      (await control(h, 'POST', '/faults', { status: 429, pathPrefix: '/ecomm/v2/payments/order-fault', count: 2 }))
        .status,
    ).toBe(204);
    expect((await control(h, 'POST', '/faults', { status: 503, malformed: true })).status).toBe(400);
    expect((await control(h, 'POST', '/faults', { status: 418 })).status).toBe(400);

    const limited = await h.api('GET', '/ecomm/v2/payments/order-fault/details');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.body).toEqual([expect.objectContaining({ errorGroup: 'VippsError', errorCode: '98' })]);
    // A capture hit by the fault is not processed.
    h.controls.approve('order-fault', '91234567');
    const capture = await h.api(
      'POST',
      '/ecomm/v2/payments/order-fault/capture',
      { merchantInfo: { merchantSerialNumber: CREDENTIALS.msn }, transaction: { amount: 1000, transactionText: 'x' } },
      { 'X-Request-Id': 'fault-1' },
    );
    expect(capture.status).toBe(429);
    expect((await h.api('GET', '/ecomm/v2/payments/order-fault/details')).body.transactionSummary.capturedAmount).toBe(
      0,
    );
    expect(h.controls.stats().byPayment['order-fault']!.byRoute).toMatchObject({
      'GET /ecomm/v2/payments/{orderId}/details': 2,
      'POST /ecomm/v2/payments/{orderId}/capture': 1,
    });

    h.controls.injectFaults({ kind: 'status', status: 500, pathPrefix: '/epayment/' });
    const failed = await h.api('GET', '/epayment/v1/payments/any-reference');
    expect(failed.status).toBe(500);
    expect(failed.headers.get('content-type')).toBe('application/problem+json');
    h.controls.injectFaults({ kind: 'malformed' });
    const malformed = await h.api('GET', '/webhooks/v1/webhooks');
    expect(malformed.status).toBe(200);
    expect(() => JSON.parse(malformed.text)).toThrow();
    h.controls.injectFaults({ kind: 'status', status: 503 }, 3);
    expect((await control(h, 'DELETE', '/faults')).status).toBe(204);
    expect((await h.api('GET', '/webhooks/v1/webhooks')).status).toBe(200);
    // Pages are never faulted.
    h.controls.injectFaults({ kind: 'status', status: 500 });
    expect((await h.browse('/vipps/assets/sandbox.css')).status).toBe(200);
  });

  it('adds latency to API calls on the sandbox clock', async () => {
    const h = createHarness();
    await h.token(); // before the latency: the manual clock does not move by itself
    expect((await control(h, 'PUT', '/latency', { latencyMs: 1500 })).status).toBe(204);
    expect((await control(h, 'PUT', '/latency', { latencyMs: -5 })).status).toBe(400);
    let settled = false;
    const pending = h.api('GET', '/webhooks/v1/webhooks').then((result) => {
      settled = true;
      return result;
    });
    await h.advance(1499);
    expect(settled).toBe(false);
    await h.advance(1);
    expect((await pending).status).toBe(200);
  });

  it('answers malformed control bodies with a typed 400', async () => {
    const h = createHarness();
    const result = toResult(await h.request(`${CONTROL}/timeouts`, { method: 'PUT', body: '{nope' }));
    expect((await result).status).toBe(400);
    expect((await result).body).toEqual({
      error: { code: 'invalid_request', message: 'The request body is not valid JSON.' },
    });
  });
});

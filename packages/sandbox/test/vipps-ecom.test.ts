import { describe, expect, it } from 'vitest';
import {
  CREDENTIALS,
  createHarness,
  hiddenToken,
  IPHONE_UA,
  textOf,
  type Harness,
  type Loose,
} from './vipps-harness.js';
import { assertValid, requestValidator, responseValidator, schemaValidator } from './vipps-spec.js';

const INITIATE = '/ecomm/v2/payments';
const CALLBACK_PREFIX = 'https://shop.test/vipps';
const FALLBACK = 'https://shop.test/checkout/return?order=1';
const AUTH_TOKEN = 'merchant-callback-secret-42';

interface InitiateOptions {
  amount?: number;
  mobileNumber?: string;
  isApp?: boolean;
  skipLandingPage?: boolean;
  transactionText?: string;
  authToken?: string | null;
}

function initiateBody(orderId: string, options: InitiateOptions = {}) {
  return {
    customerInfo: options.mobileNumber !== undefined ? { mobileNumber: options.mobileNumber } : {},
    merchantInfo: {
      merchantSerialNumber: CREDENTIALS.msn as string,
      callbackPrefix: CALLBACK_PREFIX,
      fallBack: FALLBACK,
      ...(options.authToken === null ? {} : { authToken: options.authToken ?? AUTH_TOKEN }),
      ...(options.isApp !== undefined ? { isApp: options.isApp } : {}),
    },
    transaction: {
      amount: options.amount ?? 49900,
      orderId,
      transactionText: options.transactionText ?? 'One pair of Vipps socks',
      ...(options.skipLandingPage !== undefined ? { skipLandingPage: options.skipLandingPage } : {}),
    },
  };
}

async function initiate(h: Harness, orderId: string, options: InitiateOptions = {}) {
  const body = initiateBody(orderId, options);
  assertValid(requestValidator('ecom', 'POST', INITIATE), body, 'initiate request');
  const result = await h.api('POST', INITIATE, body);
  expect(result.status, result.text).toBe(200);
  assertValid(responseValidator('ecom', 'POST', INITIATE, 200), result.body, 'initiate response');
  return result.body as { orderId: string; url: string };
}

async function details(h: Harness, orderId: string) {
  const result = await h.api('GET', `/ecomm/v2/payments/${orderId}/details`);
  expect(result.status, result.text).toBe(200);
  assertValid(responseValidator('ecom', 'GET', '/ecomm/v2/payments/{orderId}/details', 200), result.body, 'details');
  return result.body;
}

const operations = (body: { transactionLogHistory: { operation: string }[] }) =>
  body.transactionLogHistory.map((entry) => entry.operation);

/** Landing page → "Next" with a phone number → push sent. Returns the user token. */
async function pushFromLanding(h: Harness, url: string, phoneNumber = '91234567') {
  const landing = await h.browse(h.pathOf(url));
  expect(landing.status).toBe(200);
  const token = hiddenToken(landing.html);
  const next = await h.browse('/vipps/landing/next', { form: { token, phoneNumber } });
  expect(next.status).toBe(303);
  return token;
}

async function confirmOnPhone(
  h: Harness,
  token: string,
  decision: 'confirm' | 'reject' = 'confirm',
  userAgent?: string,
) {
  const phone = await h.browse(`/vipps/sandbox-phone/${token}`, { userAgent });
  expect(phone.status).toBe(200);
  expect(phone.html).toContain(`action="/vipps/sandbox-phone/${token}/${decision}"`);
  return h.browse(`/vipps/sandbox-phone/${token}/${decision}`, { method: 'POST', userAgent });
}

/** amount undefined: capture everything that is left (the spec's amount is optional). */
function capture(
  h: Harness,
  orderId: string,
  amount: number | undefined,
  requestId: string,
  transactionText = 'Shipped: tracking 123',
) {
  const body = {
    merchantInfo: { merchantSerialNumber: CREDENTIALS.msn },
    transaction: { ...(amount !== undefined ? { amount } : {}), transactionText },
  };
  assertValid(requestValidator('ecom', 'POST', '/ecomm/v2/payments/{orderId}/capture'), body, 'capture request');
  return h.api('POST', `/ecomm/v2/payments/${orderId}/capture`, body, { 'X-Request-Id': requestId });
}

function refund(h: Harness, orderId: string, amount: number, requestId: string) {
  const body = {
    merchantInfo: { merchantSerialNumber: CREDENTIALS.msn },
    transaction: { amount, transactionText: 'Returned' },
  };
  assertValid(requestValidator('ecom', 'POST', '/ecomm/v2/payments/{orderId}/refund'), body, 'refund request');
  return h.api('POST', `/ecomm/v2/payments/${orderId}/refund`, body, { 'X-Request-Id': requestId });
}

function cancel(h: Harness, orderId: string, shouldReleaseRemainingFunds?: boolean) {
  const body = {
    merchantInfo: { merchantSerialNumber: CREDENTIALS.msn },
    transaction: { transactionText: 'Out of stock' },
    ...(shouldReleaseRemainingFunds !== undefined ? { shouldReleaseRemainingFunds } : {}),
  };
  assertValid(requestValidator('ecom', 'PUT', '/ecomm/v2/payments/{orderId}/cancel'), body, 'cancel request');
  return h.api('PUT', `/ecomm/v2/payments/${orderId}/cancel`, body);
}

function expectError(result: { status: number; body: Loose }, status: number, code: string, group?: string) {
  expect(result.status).toBe(status);
  assertValid(responseValidator('ecom', 'POST', INITIATE, status), result.body, 'error');
  expect(result.body).toEqual([expect.objectContaining({ errorCode: code, ...(group ? { errorGroup: group } : {}) })]);
  expect(result.body[0].contextId).toMatch(/^[0-9a-f-]{36}$/);
}

function callbacksFor(h: Harness, orderId: string) {
  return h.receiver.requests.filter((request) => request.url === `${CALLBACK_PREFIX}/v2/payments/${orderId}`);
}

function expectCallback(h: Harness, orderId: string, status: string, amount = 49900) {
  const received = callbacksFor(h, orderId);
  expect(received).toHaveLength(1);
  const [callback] = received;
  expect(callback!.method).toBe('POST');
  // The raw authToken, no scheme.
  expect(callback!.headers.get('authorization')).toBe(AUTH_TOKEN);
  const body = JSON.parse(callback!.body);
  assertValid(requestValidator('ecomMerchant', 'POST', '/callbackPrefix/v2/payments/{orderId}'), body, 'callback');
  expect(body).toMatchObject({ merchantSerialNumber: CREDENTIALS.msn, orderId, transactionInfo: { amount, status } });
  return body;
}

describe('eCom: the desktop journey and the merchant operations', () => {
  it('initiate → landing page → push → confirm on the phone → callback → details → partial capture → refund', async () => {
    const h = createHarness();
    const { url, orderId } = await initiate(h, 'order-1001', { mobileNumber: '91234567' });
    expect(orderId).toBe('order-1001');
    expect(url.startsWith('https://sandbox.test/vipps/')).toBe(true);

    // Before the user reacts: only INITIATE, no summary.
    const initial = await details(h, orderId);
    expect(operations(initial)).toEqual(['INITIATE']);
    expect(initial.transactionSummary).toBeUndefined();

    const landing = await h.browse(h.pathOf(url));
    expect(textOf(landing.html)).toContain('NOK 499.00');
    expect(landing.html).toContain('value="91234567"');
    const token = await pushFromLanding(h, url);
    const waiting = await h.browse(h.pathOf(url));
    expect(textOf(waiting.html)).toMatch(/sent a payment request to \+47 912 34 567/);
    expect(textOf(waiting.html)).toContain('Time left: 5:00');
    // It waits by polling its status every 2 s, never by reloading itself.
    expect(waiting.html).not.toMatch(/http-equiv="refresh"/i);
    expect(waiting.html).toContain(`data-wait-status-url="/vipps/landing/status?token=${token}"`);
    expect(waiting.html).toContain('data-wait-interval-ms="2000"');
    expect(callbacksFor(h, orderId)).toHaveLength(0);

    h.clock.advance(30_000);
    expect(textOf((await h.browse(h.pathOf(url))).html)).toContain('Time left: 4:30');

    const confirmed = await confirmOnPhone(h, token);
    expect(confirmed.status).toBe(303);
    expect(confirmed.location).toBe(`/vipps/sandbox-phone/${token}`);
    expect(textOf((await h.browse(confirmed.location!)).html)).toContain('Payment confirmed');
    await h.controls.flush();
    const callback = expectCallback(h, orderId, 'RESERVED');
    expect(callback.transactionInfo.transactionId).toMatch(/^\d{10}$/);

    // The landing page, still open in the desktop browser, now sends the user back.
    const back = await h.browse(h.pathOf(url));
    expect(back.status).toBe(303);
    expect(back.location).toBe(FALLBACK);

    const reserved = await details(h, orderId);
    expect(operations(reserved)).toEqual(['RESERVE', 'INITIATE']);
    expect(reserved.transactionSummary).toEqual({
      capturedAmount: 0,
      remainingAmountToCapture: 49900,
      refundedAmount: 0,
      remainingAmountToRefund: 0,
      bankIdentificationNumber: expect.any(Number),
    });

    const captured = await capture(h, orderId, 20000, 'capture-1');
    expect(captured.status, captured.text).toBe(200);
    assertValid(
      responseValidator('ecom', 'POST', '/ecomm/v2/payments/{orderId}/capture', 200),
      captured.body,
      'capture',
    );
    expect(captured.body.transactionInfo).toMatchObject({ amount: 20000, status: 'Captured' });
    expect(captured.body.transactionSummary).toMatchObject({ capturedAmount: 20000, remainingAmountToCapture: 29900 });

    // Replaying the same X-Request-Id returns the same result and captures nothing more.
    const replay = await capture(h, orderId, 20000, 'capture-1');
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(captured.body);
    const conflicting = await capture(h, orderId, 10000, 'capture-1');
    expectError(conflicting, 400, '93', 'Payment');
    expectError(await capture(h, orderId, 40000, 'capture-2'), 400, '61', 'Payment');

    const refunded = await refund(h, orderId, 5000, 'refund-1');
    expect(refunded.status, refunded.text).toBe(200);
    assertValid(responseValidator('ecom', 'POST', '/ecomm/v2/payments/{orderId}/refund', 200), refunded.body, 'refund');
    expect(refunded.body.transaction).toMatchObject({ amount: 5000, status: 'Refund' });
    expect(refunded.body.transactionSummary).toMatchObject({ refundedAmount: 5000, remainingAmountToRefund: 15000 });
    expect((await refund(h, orderId, 5000, 'refund-1')).body).toEqual(refunded.body);
    expectError(await refund(h, orderId, 15001, 'refund-2'), 400, '71', 'Payment');

    const final = await details(h, orderId);
    expect(operations(final)).toEqual(['REFUND', 'CAPTURE', 'RESERVE', 'INITIATE']);
    expect(final.transactionLogHistory[1]).toMatchObject({
      requestId: 'capture-1',
      amount: 20000,
      operationSuccess: true,
    });
    expect(final.transactionSummary).toMatchObject({
      capturedAmount: 20000,
      remainingAmountToCapture: 29900,
      refundedAmount: 5000,
      remainingAmountToRefund: 15000,
    });
  });

  it('answers the documented errors: 34 duplicate, 35 not found, 62 nothing reserved, 72/73 refunds, 81 bad phone', async () => {
    const h = createHarness();
    await initiate(h, 'order-dup');
    expectError(await h.api('POST', INITIATE, initiateBody('order-dup')), 400, '34', 'Merchant');
    expectError(await h.api('GET', '/ecomm/v2/payments/no-such-order/details'), 404, '35', 'Merchant');
    expectError(await capture(h, 'order-dup', 1000, 'c-1'), 400, '62', 'Payment');
    expectError(await refund(h, 'order-dup', 1000, 'r-1'), 400, '72', 'Payment');
    expectError(
      await h.api('POST', INITIATE, initiateBody('order-phone', { mobileNumber: '12345678' })),
      400,
      '81',
      'User',
    );
    expect(h.controls.inspect('order-phone')).toBeUndefined();

    // Vipps corrects formats it understands instead of failing (outside the spec's pattern, on purpose).
    const corrected = await h.api('POST', INITIATE, initiateBody('order-phone-2', { mobileNumber: '+47 912 34 567' }));
    expect(corrected.status).toBe(200);
    expect((await h.browse(h.pathOf(corrected.body.url))).html).toContain('value="91234567"');

    await h.api('PUT', '/ecomm/v2/payments/order-dup/cancel', {
      merchantInfo: { merchantSerialNumber: CREDENTIALS.msn },
      transaction: { transactionText: 'Changed my mind' },
    });
    expectError(await refund(h, 'order-dup', 1000, 'r-2'), 400, '73', 'Payment');
  });

  it.each([
    ['amount below 1 NOK', (body: Loose) => (body.transaction.amount = 99), 'transaction.amount'],
    ['amount with decimals', (body: Loose) => (body.transaction.amount = 100.5), 'transaction.amount'],
    ['orderId with spaces', (body: Loose) => (body.transaction.orderId = 'order 1'), 'transaction.orderId'],
    ['orderId of 51 characters', (body: Loose) => (body.transaction.orderId = 'x'.repeat(51)), 'transaction.orderId'],
    [
      'transactionText over 100 characters',
      (body: Loose) => (body.transaction.transactionText = 't'.repeat(101)),
      'transaction.transactionText',
    ],
    [
      'callbackPrefix that is not http(s)',
      (body: Loose) => (body.merchantInfo.callbackPrefix = 'ftp://shop.test'),
      'merchantInfo.callbackPrefix',
    ],
    [
      'fallBack missing (wrong case)',
      (body: Loose) => ((body.merchantInfo.fallback = FALLBACK), delete body.merchantInfo.fallBack),
      'merchantInfo.fallBack',
    ],
    ['customerInfo missing', (body: Loose) => delete body.customerInfo, 'customerInfo'],
  ])(
    'rejects an initiate with %s (InvalidRequest, field as code) and creates nothing',
    async (_label, change, field) => {
      const h = createHarness();
      const body = initiateBody('order-invalid');
      change(body);
      const result = await h.api('POST', INITIATE, body);
      expect(result.status).toBe(400);
      assertValid(responseValidator('ecom', 'POST', INITIATE, 400), result.body, 'error');
      expect(result.body).toContainEqual(expect.objectContaining({ errorGroup: 'InvalidRequest', errorCode: field }));
      expect(h.controls.inspect('order-invalid')).toBeUndefined();
    },
  );

  it('rejects malformed JSON, a foreign MSN in the body and a capture without X-Request-Id', async () => {
    const h = createHarness();
    const malformed = await h.api('POST', INITIATE, '{"transaction": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body[0]).toMatchObject({ errorGroup: 'InvalidRequest', errorCode: 'body' });

    const foreign = initiateBody('order-msn');
    foreign.merchantInfo.merchantSerialNumber = '654321';
    const msn = await h.api('POST', INITIATE, foreign);
    expect(msn.status).toBe(403);
    expect(h.controls.inspect('order-msn')).toBeUndefined();

    await initiate(h, 'order-rid');
    h.controls.approve('order-rid', '91234567');
    const noRequestId = await h.api('POST', '/ecomm/v2/payments/order-rid/capture', {
      merchantInfo: { merchantSerialNumber: CREDENTIALS.msn },
      transaction: { amount: 1000, transactionText: 'x' },
    });
    expect(noRequestId.status).toBe(400);
    expect(noRequestId.body[0]).toMatchObject({ errorGroup: 'InvalidRequest', errorCode: 'X-Request-Id' });
    expect((await details(h, 'order-rid')).transactionSummary.capturedAmount).toBe(0);
  });

  it('captures everything that is left when no amount is given, then refuses more (61)', async () => {
    const h = createHarness();
    await initiate(h, 'order-full');
    h.controls.approve('order-full', '91234567');
    const full = await capture(h, 'order-full', undefined, 'full-1');
    expect(full.status).toBe(200);
    expect(full.body.transactionInfo.amount).toBe(49900);
    expect(full.body.transactionSummary).toMatchObject({
      capturedAmount: 49900,
      remainingAmountToCapture: 0,
      remainingAmountToRefund: 49900,
    });
    expectError(await capture(h, 'order-full', 100, 'full-2'), 400, '61');
    expectError(await cancel(h, 'order-full'), 400, '51', 'Payment');
  });
});

describe('eCom: cancel', () => {
  it('cancels an order before the user acts (CANCEL, no callback) and the user sees it', async () => {
    const h = createHarness();
    const { url } = await initiate(h, 'order-c1');
    const token = await pushFromLanding(h, url);
    const result = await cancel(h, 'order-c1');
    expect(result.status, result.text).toBe(200);
    assertValid(responseValidator('ecom', 'PUT', '/ecomm/v2/payments/{orderId}/cancel', 200), result.body, 'cancel');
    expect(result.body.transactionInfo).toMatchObject({
      status: 'Cancelled',
      amount: 49900,
      transactionText: 'Out of stock',
    });
    expect(operations(await details(h, 'order-c1'))).toEqual(['CANCEL', 'INITIATE']);
    expect(textOf((await h.browse(`/vipps/sandbox-phone/${token}`)).html)).toContain(
      'Payment cancelled by the merchant',
    );
    // The app no longer offers the payment; a stale "Reject" changes nothing.
    expect((await h.browse(`/vipps/sandbox-phone/${token}`)).html).not.toContain('/reject"');
    expect((await h.browse(`/vipps/sandbox-phone/${token}/reject`, { method: 'POST' })).status).toBe(303);
    expect(operations(await details(h, 'order-c1'))).toEqual(['CANCEL', 'INITIATE']);
    expect((await h.browse(h.pathOf(url))).location).toBe(FALLBACK);
    await h.controls.flush();
    expect(callbacksFor(h, 'order-c1')).toHaveLength(0);
  });

  it('voids a reservation, is safe to retry, and refuses after a partial capture unless the rest is released', async () => {
    const h = createHarness();
    await initiate(h, 'order-c2');
    h.controls.approve('order-c2', '91234567');
    const voided = await cancel(h, 'order-c2');
    expect(voided.status).toBe(200);
    expect(voided.body.transactionSummary).toMatchObject({ capturedAmount: 0, remainingAmountToCapture: 0 });
    const again = await cancel(h, 'order-c2');
    expect(again.status).toBe(200);
    expect(operations(await details(h, 'order-c2'))).toEqual(['VOID', 'RESERVE', 'INITIATE']);
    expectError(await capture(h, 'order-c2', 1000, 'c-after-void'), 400, '62');

    await initiate(h, 'order-c3');
    h.controls.approve('order-c3', '91234567');
    expect((await capture(h, 'order-c3', 10000, 'part-1')).status).toBe(200);
    expectError(await cancel(h, 'order-c3'), 400, '51', 'Payment');
    const released = await cancel(h, 'order-c3', true);
    expect(released.status).toBe(200);
    expect(released.body.transactionInfo.amount).toBe(39900);
    expect(released.body.transactionSummary).toMatchObject({
      capturedAmount: 10000,
      remainingAmountToCapture: 0,
      remainingAmountToRefund: 10000,
    });
    expectError(await capture(h, 'order-c3', 100, 'part-2'), 400, '61');
    expect((await refund(h, 'order-c3', 10000, 'refund-all')).status).toBe(200);
  });
});

describe('eCom: the user rejects, cancels or does nothing', () => {
  it('reject on the phone → CANCELLED callback, CANCEL in the log, back to the fallBack', async () => {
    const h = createHarness();
    const { url } = await initiate(h, 'order-r1');
    const token = await pushFromLanding(h, url);
    const rejected = await confirmOnPhone(h, token, 'reject');
    expect(rejected.status).toBe(303);
    await h.controls.flush();
    expectCallback(h, 'order-r1', 'CANCELLED');
    expect(operations(await details(h, 'order-r1'))).toEqual(['CANCEL', 'INITIATE']);
    expect((await h.browse(h.pathOf(url))).location).toBe(FALLBACK);
    expectError(await capture(h, 'order-r1', 1000, 'c'), 400, '62');
  });

  it('"Cancel" on the landing page cancels as the user', async () => {
    const h = createHarness();
    const { url } = await initiate(h, 'order-r2');
    const landing = await h.browse(h.pathOf(url));
    const cancelled = await h.browse('/vipps/landing/cancel', { form: { token: hiddenToken(landing.html) } });
    expect(cancelled.status).toBe(303);
    expect((await h.browse(cancelled.location!)).location).toBe(FALLBACK);
    await h.controls.flush();
    expectCallback(h, 'order-r2', 'CANCELLED');
  });

  it('expires 5 min after initiate when nobody leaves the landing page: REJECTED callback, status REJECTED', async () => {
    const h = createHarness();
    const { url } = await initiate(h, 'order-e1');
    await h.advance(5 * 60_000 - 1);
    expect(callbacksFor(h, 'order-e1')).toHaveLength(0);
    await h.advance(1);
    expectCallback(h, 'order-e1', 'REJECTED');
    expect(operations(await details(h, 'order-e1'))).toEqual(['CANCEL', 'INITIATE']);
    const status = await h.api('GET', '/ecomm/v2/payments/order-e1/status');
    assertValid(responseValidator('ecom', 'GET', '/ecomm/v2/payments/{orderId}/status', 200), status.body, 'status');
    expect(status.body.transactionInfo.status).toBe('REJECTED');
    expect((await h.browse(h.pathOf(url))).location).toBe(FALLBACK);
  });

  it('gives 5 more minutes in the app after the push, then expires; a late confirm changes nothing', async () => {
    const h = createHarness();
    const { url } = await initiate(h, 'order-e2');
    h.clock.advance(4 * 60_000);
    const token = await pushFromLanding(h, url);
    await h.advance(2 * 60_000);
    expect(callbacksFor(h, 'order-e2')).toHaveLength(0);
    expect(textOf((await h.browse(h.pathOf(url))).html)).toContain('Time left: 3:00');
    await h.advance(3 * 60_000);
    expectCallback(h, 'order-e2', 'REJECTED');
    const late = await h.browse(`/vipps/sandbox-phone/${token}/confirm`, { method: 'POST' });
    expect(late.status).toBe(303);
    expect(textOf((await h.browse(late.location!)).html)).toContain('Payment request expired');
    expect(operations(await details(h, 'order-e2'))).toEqual(['CANCEL', 'INITIATE']);
  });

  it('uses configured timeouts (options) and shortened ones (controls)', async () => {
    const h = createHarness({ timing: { landingTimeoutMs: 1000, appTimeoutMs: 2000 } });
    const { url } = await initiate(h, 'order-e3');
    await pushFromLanding(h, url);
    await h.advance(1999);
    expect(callbacksFor(h, 'order-e3')).toHaveLength(0);
    await h.advance(1);
    expectCallback(h, 'order-e3', 'REJECTED');

    h.controls.setTimeouts({ landingTimeoutMs: 100 });
    await initiate(h, 'order-e4');
    await h.advance(100);
    expectCallback(h, 'order-e4', 'REJECTED');
  });
});

describe('eCom: callbacks on time, late, never', () => {
  it('never: no callback is sent, but polling /details still shows the reservation', async () => {
    const h = createHarness();
    h.controls.setCallbackMode({ mode: 'never' }, 'order-n1');
    await initiate(h, 'order-n1');
    h.controls.approve('order-n1', '91234567');
    await h.advance(60_000);
    expect(callbacksFor(h, 'order-n1')).toHaveLength(0);
    expect(h.controls.callbacks('order-n1')).toEqual([
      expect.objectContaining({ status: 'RESERVED', state: 'suppressed', mode: 'never' }),
    ]);
    expect(operations(await details(h, 'order-n1'))).toEqual(['RESERVE', 'INITIATE']);
  });

  it('late: the callback arrives after the configured delay', async () => {
    const h = createHarness();
    h.controls.setCallbackMode({ mode: 'late', delayMs: 10_000 });
    await initiate(h, 'order-l1');
    h.controls.approve('order-l1', '91234567');
    await h.advance(9_999);
    expect(callbacksFor(h, 'order-l1')).toHaveLength(0);
    await h.advance(1);
    expectCallback(h, 'order-l1', 'RESERVED');
    expect(h.controls.callbacks('order-l1')[0]).toMatchObject({ state: 'delivered', attempt: { httpStatus: 200 } });
  });

  it('one attempt with a 3 s timeout: a hanging or failing merchant gets no retry', async () => {
    const h = createHarness();
    h.receiver.hang();
    await initiate(h, 'order-t1');
    h.controls.approve('order-t1', '91234567');
    await h.advance(2_999);
    expect(h.controls.callbacks('order-t1')[0]!.state).toBe('scheduled');
    await h.advance(1);
    expect(h.controls.callbacks('order-t1')[0]).toMatchObject({
      state: 'failed',
      attempt: { httpStatus: null, error: expect.stringMatching(/timed out/) },
    });
    await h.advance(10 * 60_000);
    expect(callbacksFor(h, 'order-t1')).toHaveLength(1);

    h.receiver.respondWith(() => new Response('nope', { status: 500 }));
    await initiate(h, 'order-t2');
    h.controls.approve('order-t2', '91234567');
    await h.advance(10 * 60_000);
    expect(callbacksFor(h, 'order-t2')).toHaveLength(1);
    expect(h.controls.callbacks('order-t2')[0]).toMatchObject({ state: 'failed', attempt: { httpStatus: 500 } });
  });

  it('omits the Authorization header when the merchant gave no authToken', async () => {
    const h = createHarness();
    await initiate(h, 'order-na', { authToken: null });
    h.controls.approve('order-na', '91234567');
    await h.controls.flush();
    expect(callbacksFor(h, 'order-na')[0]!.headers.get('authorization')).toBeNull();
  });
});

describe('eCom: app switch, skipLandingPage and force approve', () => {
  it('a mobile browser goes straight to the app and comes back to the fallBack after confirming', async () => {
    const h = createHarness();
    const { url } = await initiate(h, 'order-m1');
    const landing = await h.browse(h.pathOf(url), { userAgent: IPHONE_UA });
    expect(landing.status).toBe(303);
    const phonePath = landing.location!;
    expect(phonePath).toMatch(/^\/vipps\/sandbox-phone\//);
    const token = phonePath.split('/').pop()!;
    const confirmed = await confirmOnPhone(h, token, 'confirm', IPHONE_UA);
    expect(confirmed.status).toBe(303);
    expect(confirmed.location).toBe(FALLBACK);
    await h.controls.flush();
    expectCallback(h, 'order-m1', 'RESERVED');
  });

  it('isApp switches to the app from any browser; rejecting there also returns to the fallBack', async () => {
    const h = createHarness();
    const { url } = await initiate(h, 'order-m2', { isApp: true });
    const landing = await h.browse(h.pathOf(url));
    expect(landing.location).toMatch(/^\/vipps\/sandbox-phone\//);
    const rejected = await h.browse(`${landing.location}/reject`, { method: 'POST' });
    expect(rejected.location).toBe(FALLBACK);
    await h.controls.flush();
    expectCallback(h, 'order-m2', 'CANCELLED');
  });

  it('the app timeout starts at the app switch', async () => {
    const h = createHarness();
    const { url } = await initiate(h, 'order-m3');
    h.clock.advance(4 * 60_000);
    await h.browse(h.pathOf(url), { userAgent: IPHONE_UA });
    await h.advance(4 * 60_000);
    expect(callbacksFor(h, 'order-m3')).toHaveLength(0);
    await h.advance(60_000);
    expectCallback(h, 'order-m3', 'REJECTED');
  });

  it('skipLandingPage pushes at once and needs a phone number (and a whitelisted sales unit: 38)', async () => {
    const h = createHarness();
    const { url } = await initiate(h, 'order-s1', { skipLandingPage: true, mobileNumber: '91234567' });
    const landing = await h.browse(h.pathOf(url));
    expect(textOf(landing.html)).toContain('Confirm the payment in Vipps');
    const token = hiddenToken(landing.html);
    expect((await confirmOnPhone(h, token)).status).toBe(303);

    const missing = await h.api('POST', INITIATE, initiateBody('order-s2', { skipLandingPage: true }));
    expect(missing.status).toBe(400);
    expect(missing.body[0]).toMatchObject({ errorCode: 'customerInfo.mobileNumber' });

    const strict = createHarness({ skipLandingPageAllowed: false });
    expectError(
      await strict.api('POST', INITIATE, initiateBody('order-s3', { skipLandingPage: true, mobileNumber: '91234567' })),
      400,
      '38',
      'Merchant',
    );
  });

  it('force approve (test environment endpoint) reserves like the app would, once', async () => {
    const h = createHarness();
    await initiate(h, 'order-f1');
    const path = '/ecomm/v2/integration-test/payments/order-f1/approve';
    const body = { customerPhoneNumber: '91234567' };
    assertValid(
      requestValidator('ecom', 'POST', '/ecomm/v2/integration-test/payments/{orderId}/approve'),
      body,
      'approve',
    );
    expect((await h.api('POST', path, body)).status).toBe(200);
    await h.controls.flush();
    expectCallback(h, 'order-f1', 'RESERVED');
    expect((await h.api('POST', path, body)).status).toBe(400);
  });
});

describe('eCom: polling statistics', () => {
  it('counts calls per route and per order, rejected ones included', async () => {
    const h = createHarness();
    await initiate(h, 'order-p1');
    for (let i = 0; i < 3; i++) {
      await h.api('GET', '/ecomm/v2/payments/order-p1/details');
      h.clock.advance(2000);
    }
    await h.request('/vipps/ecomm/v2/payments/order-p1/details'); // no credentials: 401, still counted
    await h.request('/vipps/ecomm/v2/payments', { method: 'POST', body: JSON.stringify(initiateBody('order-p2')) }); // 401 too
    const stats = h.controls.stats();
    expect(stats.byRoute['GET /ecomm/v2/payments/{orderId}/details']).toBe(4);
    expect(stats.byRoute['POST /ecomm/v2/payments']).toBe(2);
    expect(stats.byPayment['order-p2']).toMatchObject({ total: 1 });
    expect(stats.byPayment['order-p1']).toMatchObject({
      total: 5,
      byRoute: { 'POST /ecomm/v2/payments': 1, 'GET /ecomm/v2/payments/{orderId}/details': 4 },
    });
    expect(Date.parse(stats.byPayment['order-p1']!.lastAt) - Date.parse(stats.byPayment['order-p1']!.firstAt)).toBe(
      6000,
    );
  });

  it('inspection never shows the merchant’s authToken', async () => {
    const h = createHarness();
    await initiate(h, 'order-i1');
    const inspection = h.controls.inspect('order-i1');
    expect(JSON.stringify(inspection)).not.toContain(AUTH_TOKEN);
    expect(inspection).toMatchObject({ kind: 'ecom', payment: { hasAuthToken: true, status: 'initiated' } });
    assertValid(
      schemaValidator('ecom', 'TransactionDetails'),
      (inspection as Loose).payment.details,
      'inspect details',
    );
  });
});

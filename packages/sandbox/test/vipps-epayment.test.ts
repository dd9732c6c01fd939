import { describe, expect, it } from 'vitest';
import { createHarness, hiddenToken, IPHONE_UA, textOf, type Harness, type Loose } from './vipps-harness.js';
import { assertValid, parameterNames, requestValidator, responseValidator, schemaValidator } from './vipps-spec.js';

const PAYMENTS = '/epayment/v1/payments';
const RETURN_URL = 'https://shop.test/checkout/return?session=abc';

function createBody(reference: string, overrides: Record<string, unknown> = {}) {
  return {
    amount: { currency: 'NOK', value: 49900 },
    paymentMethod: { type: 'WALLET' },
    reference,
    userFlow: 'WEB_REDIRECT',
    returnUrl: RETURN_URL,
    paymentDescription: 'One pair of Vipps socks',
    ...overrides,
  };
}

async function create(
  h: Harness,
  reference: string,
  overrides: Record<string, unknown> = {},
  key = `key-${reference}`,
) {
  const body = createBody(reference, overrides);
  assertValid(requestValidator('epayment', 'POST', PAYMENTS), body, 'create request');
  const result = await h.api('POST', PAYMENTS, body, { 'Idempotency-Key': key });
  expect(result.status, result.text).toBe(201);
  expect(result.headers.get('content-type')).toBe('application/json');
  assertValid(responseValidator('epayment', 'POST', PAYMENTS, 201), result.body, 'create response');
  return result;
}

async function getPayment(h: Harness, reference: string) {
  const result = await h.api('GET', `${PAYMENTS}/${reference}`);
  expect(result.status, result.text).toBe(200);
  assertValid(
    responseValidator('epayment', 'GET', '/epayment/v1/payments/{reference}', 200),
    result.body,
    'get payment',
  );
  return result.body;
}

async function events(h: Harness, reference: string) {
  const result = await h.api('GET', `${PAYMENTS}/${reference}/events`);
  expect(result.status, result.text).toBe(200);
  assertValid(
    responseValidator('epayment', 'GET', '/epayment/v1/payments/{reference}/events', 200),
    result.body,
    'events',
  );
  return result.body as { name: string; amount: { value: number }; idempotencyKey: string | null }[];
}

async function modify(
  h: Harness,
  reference: string,
  action: 'capture' | 'refund' | 'cancel',
  value: number | null,
  key: string,
  currency = 'NOK',
) {
  const body = value === null ? undefined : { modificationAmount: { currency, value } };
  if (body)
    assertValid(
      requestValidator('epayment', 'POST', `/epayment/v1/payments/{reference}/${action}`),
      body,
      `${action} request`,
    );
  return h.api('POST', `${PAYMENTS}/${reference}/${action}`, body, { 'Idempotency-Key': key });
}

function expectModified(result: { status: number; body: Loose }, action: string) {
  expect(result.status, JSON.stringify(result.body)).toBe(200);
  assertValid(
    responseValidator('epayment', 'POST', `/epayment/v1/payments/{reference}/${action}`, 200),
    result.body,
    action,
  );
}

function expectProblem(result: { status: number; headers: Headers; body: Loose }, status: number, title?: string) {
  expect(result.status).toBe(status);
  expect(result.headers.get('content-type')).toBe('application/problem+json');
  assertValid(schemaValidator('epayment', 'Problem'), result.body, 'problem');
  expect(result.body).toMatchObject({
    status,
    type: `https://httpstatuses.io/${status}`,
    traceId: expect.stringMatching(/^00-[0-9a-f]{32}-/),
  });
  if (title) expect(result.body.title).toBe(title);
}

async function approveViaPages(h: Harness, redirectUrl: string, phoneNumber = '91234567') {
  const landing = await h.browse(h.pathOf(redirectUrl));
  const token = hiddenToken(landing.html);
  expect((await h.browse('/vipps/landing/next', { form: { token, phoneNumber } })).status).toBe(303);
  expect((await h.browse(`/vipps/sandbox-phone/${token}/confirm`, { method: 'POST' })).status).toBe(303);
  return token;
}

describe('ePayment: create and idempotency', () => {
  it('declares Idempotency-Key on create (so requiring it is the spec, not a guess)', () => {
    expect(parameterNames('epayment', 'POST', PAYMENTS)).toContain('Idempotency-Key');
  });

  it('creates a payment (201, redirectUrl) and replays the same answer for the same key and body', async () => {
    const h = createHarness();
    const first = await create(h, 'reference-0001');
    expect(first.body).toEqual({
      redirectUrl: expect.stringMatching(/^https:\/\/sandbox\.test\/vipps\/landing\?token=/),
      reference: 'reference-0001',
    });
    const replay = await create(h, 'reference-0001');
    expect(replay.body).toEqual(first.body);
    expect((await events(h, 'reference-0001')).map((event) => event.name)).toEqual(['CREATED']);

    const payment = await getPayment(h, 'reference-0001');
    expect(payment).toMatchObject({
      state: 'CREATED',
      amount: { currency: 'NOK', value: 49900 },
      aggregate: {
        authorizedAmount: { currency: 'NOK', value: 0 },
        capturedAmount: { currency: 'NOK', value: 0 },
        refundedAmount: { currency: 'NOK', value: 0 },
        cancelledAmount: { currency: 'NOK', value: 0 },
      },
      redirectUrl: first.body.redirectUrl,
      paymentMethod: { type: 'WALLET' },
    });
    expect(payment.pspReference).toMatch(/^\d{10}$/);
  });

  it('answers 409 for the same key with a different body, and for a reused reference', async () => {
    const h = createHarness();
    await create(h, 'reference-0002', {}, 'shared-key');
    const conflict = await h.api(
      'POST',
      PAYMENTS,
      createBody('reference-0002', { amount: { currency: 'NOK', value: 100 } }),
      { 'Idempotency-Key': 'shared-key' },
    );
    expectProblem(conflict, 409, 'Conflict');
    assertValid(responseValidator('epayment', 'POST', PAYMENTS, 409), conflict.body, 'conflict');
    expect((await getPayment(h, 'reference-0002')).amount.value).toBe(49900);

    const reused = await h.api('POST', PAYMENTS, createBody('reference-0002'), { 'Idempotency-Key': 'another-key' });
    expectProblem(reused, 409);
  });

  it.each([
    ['missing', undefined],
    ['longer than 50 characters', 'k'.repeat(51)],
  ])('requires an Idempotency-Key (%s)', async (_label, key) => {
    const h = createHarness();
    const headers: Record<string, string> = key === undefined ? {} : { 'Idempotency-Key': key };
    const result = await h.api('POST', PAYMENTS, createBody('reference-0003'), headers);
    expectProblem(result, 400);
    expect(result.body.extraDetails).toEqual([expect.objectContaining({ name: 'Idempotency-Key' })]);
    expect(h.controls.inspect('reference-0003')).toBeUndefined();
  });

  it.each([
    ['a reference shorter than 8 characters', { reference: 'short' }, 'reference'],
    ['WEB_REDIRECT without returnUrl', { returnUrl: undefined }, 'returnUrl'],
    ['PUSH_MESSAGE without a customer', { userFlow: 'PUSH_MESSAGE' }, 'customer.phoneNumber'],
    ['an unsupported currency', { amount: { currency: 'SEK', value: 1000 } }, 'amount.currency'],
    ['a fractional amount', { amount: { currency: 'NOK', value: 100.5 } }, 'amount.value'],
    ['a phone number that is not an MSISDN', { customer: { phoneNumber: '91234567' } }, 'customer.phoneNumber'],
    ['the QR flow (not emulated)', { userFlow: 'QR' }, 'userFlow'],
    [
      'a javascript: returnUrl for NATIVE_REDIRECT',
      { userFlow: 'NATIVE_REDIRECT', returnUrl: 'javascript:alert(1)' },
      'returnUrl',
    ],
  ])('rejects %s with problem+json naming the field', async (_label, overrides, field) => {
    const h = createHarness();
    const result = await h.api('POST', PAYMENTS, createBody('reference-0004', overrides), {
      'Idempotency-Key': 'k-0004',
    });
    expectProblem(result, 400);
    assertValid(responseValidator('epayment', 'POST', PAYMENTS, 400), result.body, 'bad request');
    expect(result.body.extraDetails).toContainEqual(expect.objectContaining({ name: field }));
    expect(h.controls.inspect(result.body.reference ?? 'reference-0004')).toBeUndefined();
  });

  it('enforces the per-currency minimum (NOK 100 øre; DKK and EUR 1)', async () => {
    const h = createHarness();
    const small = await h.api(
      'POST',
      PAYMENTS,
      createBody('reference-0005', { amount: { currency: 'NOK', value: 99 } }),
      { 'Idempotency-Key': 'k-5' },
    );
    expectProblem(small, 400, 'Amount too small');
    await create(h, 'reference-0006', { amount: { currency: 'DKK', value: 1 } });
    await create(h, 'reference-0007', { amount: { currency: 'EUR', value: 1 } });
    expect((await getPayment(h, 'reference-0006')).amount).toEqual({ currency: 'DKK', value: 1 });
  });
});

describe('ePayment: the user authorizes, the merchant captures, refunds and cancels', () => {
  it('landing page → phone → AUTHORIZED → back to returnUrl; events and aggregates follow', async () => {
    const h = createHarness();
    const { body } = await create(h, 'reference-1001', { customer: { phoneNumber: '4791234567' } });
    const landing = await h.browse(h.pathOf(body.redirectUrl));
    expect(landing.html).toContain('value="91234567"');
    expect(textOf(landing.html)).toContain('NOK 499.00');
    await approveViaPages(h, body.redirectUrl);
    expect((await h.browse(h.pathOf(body.redirectUrl))).location).toBe(RETURN_URL);

    const payment = await getPayment(h, 'reference-1001');
    expect(payment.state).toBe('AUTHORIZED');
    expect(payment.aggregate.authorizedAmount).toEqual({ currency: 'NOK', value: 49900 });
    expect(payment.redirectUrl).toBeUndefined();

    const captured = await modify(h, 'reference-1001', 'capture', 20000, 'cap-1');
    expectModified(captured, 'capture');
    expect(captured.body).toMatchObject({
      state: 'AUTHORIZED',
      reference: 'reference-1001',
      aggregate: { capturedAmount: { value: 20000 } },
    });
    const replay = await modify(h, 'reference-1001', 'capture', 20000, 'cap-1');
    expect(replay.body).toEqual(captured.body);
    expectProblem(await modify(h, 'reference-1001', 'capture', 30000, 'cap-1'), 409);
    const tooHigh = await modify(h, 'reference-1001', 'capture', 30000, 'cap-2');
    expectProblem(tooHigh, 400, 'Capture amount too high');
    assertValid(
      responseValidator('epayment', 'POST', '/epayment/v1/payments/{reference}/capture', 400),
      tooHigh.body,
      'capture error',
    );
    expectProblem(await modify(h, 'reference-1001', 'capture', 100, 'cap-3', 'DKK'), 400, 'Currency mismatch');

    expectModified(await modify(h, 'reference-1001', 'refund', 5000, 'ref-1'), 'refund');
    expectProblem(await modify(h, 'reference-1001', 'refund', 15001, 'ref-2'), 400, 'Refund amount too high');

    const cancelled = await modify(h, 'reference-1001', 'cancel', null, 'can-1');
    expectModified(cancelled, 'cancel');
    expect(cancelled.body.aggregate).toMatchObject({
      authorizedAmount: { value: 49900 },
      capturedAmount: { value: 20000 },
      refundedAmount: { value: 5000 },
      cancelledAmount: { value: 29900 },
    });
    expect(cancelled.body.state).toBe('AUTHORIZED');
    expectProblem(await modify(h, 'reference-1001', 'capture', 100, 'cap-4'), 400, 'Capture amount too high');

    const log = await events(h, 'reference-1001');
    expect(log.map((event) => event.name)).toEqual(['CREATED', 'AUTHORIZED', 'CAPTURED', 'REFUNDED', 'CANCELLED']);
    expect(log.map((event) => event.idempotencyKey)).toEqual(['key-reference-1001', null, 'cap-1', 'ref-1', 'can-1']);
    expect(log[2]!.amount.value).toBe(20000);
  });

  it('refuses to capture or refund before the user has authorized', async () => {
    const h = createHarness();
    await create(h, 'reference-1002');
    const early = await modify(h, 'reference-1002', 'capture', 100, 'cap-early');
    expectProblem(early, 400, 'Cannot capture before reservation');
    expect(early.body.extraDetails).toEqual([{ name: 'ErrorCode', reason: '6080' }]);
    expectProblem(
      await modify(h, 'reference-1002', 'refund', 100, 'ref-early'),
      400,
      'Attempted refund before reservation',
    );
  });

  it('cannot cancel a fully captured payment', async () => {
    const h = createHarness();
    await create(h, 'reference-1003');
    h.controls.approve('reference-1003', '91234567');
    expectModified(await modify(h, 'reference-1003', 'capture', 49900, 'cap-all'), 'capture');
    expectProblem(
      await modify(h, 'reference-1003', 'cancel', null, 'can-all'),
      400,
      'Cannot cancel a captured payment',
    );
  });

  it('answers 404 problem+json for an unknown reference', async () => {
    const h = createHarness();
    expectProblem(await h.api('GET', `${PAYMENTS}/reference-none`), 404);
    expectProblem(await modify(h, 'reference-none', 'capture', 100, 'k'), 404);
  });
});

describe('ePayment: the user aborts or does nothing, the merchant terminates', () => {
  it('reject on the phone → ABORTED, and the landing page returns to returnUrl', async () => {
    const h = createHarness();
    const { body } = await create(h, 'reference-2001');
    const landing = await h.browse(h.pathOf(body.redirectUrl));
    const token = hiddenToken(landing.html);
    await h.browse('/vipps/landing/next', { form: { token, phoneNumber: '41234567' } });
    await h.browse(`/vipps/sandbox-phone/${token}/reject`, { method: 'POST' });
    expect((await getPayment(h, 'reference-2001')).state).toBe('ABORTED');
    expect((await h.browse(h.pathOf(body.redirectUrl))).location).toBe(RETURN_URL);
    expect((await events(h, 'reference-2001')).map((event) => event.name)).toEqual(['CREATED', 'ABORTED']);
  });

  it('expires after 5 min on the landing page + 5 min in the app → EXPIRED', async () => {
    const h = createHarness();
    const { body } = await create(h, 'reference-2002');
    h.clock.advance(5 * 60_000 - 1);
    const landing = await h.browse(h.pathOf(body.redirectUrl));
    await h.browse('/vipps/landing/next', { form: { token: hiddenToken(landing.html), phoneNumber: '91234567' } });
    await h.advance(5 * 60_000 - 1);
    expect((await getPayment(h, 'reference-2002')).state).toBe('CREATED');
    await h.advance(1);
    expect((await getPayment(h, 'reference-2002')).state).toBe('EXPIRED');
    expect((await events(h, 'reference-2002')).map((event) => event.name)).toEqual(['CREATED', 'EXPIRED']);
  });

  it('cancel before the user acts → TERMINATED; the phone no longer offers it', async () => {
    const h = createHarness();
    const { body } = await create(h, 'reference-2003');
    const landing = await h.browse(h.pathOf(body.redirectUrl));
    const token = hiddenToken(landing.html);
    await h.browse('/vipps/landing/next', { form: { token, phoneNumber: '91234567' } });
    const terminated = await modify(h, 'reference-2003', 'cancel', null, 'term-1');
    expectModified(terminated, 'cancel');
    expect(terminated.body.state).toBe('TERMINATED');
    expect(textOf((await h.browse(`/vipps/sandbox-phone/${token}`)).html)).toContain(
      'Payment cancelled by the merchant',
    );
    await h.browse(`/vipps/sandbox-phone/${token}/confirm`, { method: 'POST' });
    expect((await getPayment(h, 'reference-2003')).state).toBe('TERMINATED');
    expectModified(await modify(h, 'reference-2003', 'cancel', null, 'term-2'), 'cancel');
  });
});

describe('ePayment: user flows', () => {
  it('PUSH_MESSAGE: no redirectUrl, the phone gets the request at once', async () => {
    const h = createHarness();
    const result = await create(h, 'reference-3001', {
      userFlow: 'PUSH_MESSAGE',
      customer: { phoneNumber: '4791234567' },
      returnUrl: undefined,
    });
    expect(result.body).toEqual({ reference: 'reference-3001' });
    const phonePath = h.controls.inspect('reference-3001')!.user!.phonePath;
    expect(textOf((await h.browse(phonePath)).html)).toContain('Payment request');
    const confirmed = await h.browse(`${phonePath}/confirm`, { method: 'POST' });
    expect(textOf((await h.browse(confirmed.location!)).html)).toContain('You can go back to the browser now.');
    expect((await getPayment(h, 'reference-3001')).state).toBe('AUTHORIZED');
  });

  it('NATIVE_REDIRECT: app switch from any browser, back to a custom-scheme returnUrl', async () => {
    const h = createHarness();
    const { body } = await create(h, 'reference-3002', {
      userFlow: 'NATIVE_REDIRECT',
      returnUrl: 'myshop://vipps-return',
    });
    const landing = await h.browse(h.pathOf(body.redirectUrl));
    expect(landing.location).toMatch(/^\/vipps\/sandbox-phone\//);
    const confirmed = await h.browse(`${landing.location}/confirm`, { method: 'POST' });
    expect(confirmed.location).toBe('myshop://vipps-return');
    expect((await getPayment(h, 'reference-3002')).state).toBe('AUTHORIZED');
  });

  it('WEB_REDIRECT on a phone: app switch, then back to returnUrl', async () => {
    const h = createHarness();
    const { body } = await create(h, 'reference-3003');
    const landing = await h.browse(h.pathOf(body.redirectUrl), { userAgent: IPHONE_UA });
    expect(landing.status).toBe(303);
    const rejected = await h.browse(`${landing.location}/reject`, { method: 'POST', userAgent: IPHONE_UA });
    expect(rejected.location).toBe(RETURN_URL);
    expect((await getPayment(h, 'reference-3003')).state).toBe('ABORTED');
  });

  it('validates the phone number on the landing page for the payment’s market (DKK: Danish numbers)', async () => {
    const h = createHarness();
    const { body } = await create(h, 'reference-3004', { amount: { currency: 'DKK', value: 2500 } });
    const landing = await h.browse(h.pathOf(body.redirectUrl));
    const token = hiddenToken(landing.html);
    const invalid = await h.browse('/vipps/landing/next', { form: { token, phoneNumber: '0123' } });
    expect(invalid.status).toBe(422);
    expect(invalid.html).toMatch(/role="alert">Enter a valid mobile number, for example 21234567\./);
    expect((await h.browse('/vipps/landing/next', { form: { token, phoneNumber: '+45 21 23 45 67' } })).status).toBe(
      303,
    );
    expect(textOf((await h.browse(h.pathOf(body.redirectUrl))).html)).toContain('+45 21 23 45 67');
  });

  it('force approve (test environment endpoint)', async () => {
    const h = createHarness();
    await create(h, 'reference-3005');
    const path = `${PAYMENTS.replace('/payments', '')}/test/payments/reference-3005/approve`;
    const body = { customer: { phoneNumber: '4791234567' } };
    assertValid(
      requestValidator('epayment', 'POST', '/epayment/v1/test/payments/{reference}/approve'),
      body,
      'approve',
    );
    expect((await h.api('POST', path, body)).status).toBe(200);
    expect((await getPayment(h, 'reference-3005')).state).toBe('AUTHORIZED');
    expectProblem(await h.api('POST', path, body), 400);
  });

  it('shares the profile sub once authorized when a scope was requested', async () => {
    const h = createHarness();
    await create(h, 'reference-3006', { profile: { scope: 'name phoneNumber' } });
    expect((await getPayment(h, 'reference-3006')).profile).toEqual({});
    h.controls.approve('reference-3006', '91234567');
    expect((await getPayment(h, 'reference-3006')).profile.sub).toMatch(/^[0-9a-f-]{36}$/);
  });
});

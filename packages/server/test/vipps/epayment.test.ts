/**
 * The ePayment v1 adapter against the Vipps sandbox: create (idempotent per attempt), the
 * shopper's journey, refresh mapping, capture / refund / cancel and the problem+json errors.
 * Webhooks have their own file.
 */
import { describe, expect, it } from 'vitest';
import { ensureWebhook } from '../../src/providers/vipps/index.js';
import {
  allSecrets,
  createWorld,
  paymentInput,
  providerError,
  PUBLIC_URL,
  RETURN_URL,
  shopper,
  type VippsWorld,
} from './helpers.js';
import { EPAYMENT_WEBHOOK_EVENTS } from '../../src/providers/vipps/webhooks.js';

const MINUTE = 60_000;
const WEBHOOK_URL = `${PUBLIC_URL}/v1/callbacks/vipps-epayment/webhooks`;
const createCalls = (world: VippsWorld) =>
  world.calls.filter((c) => c.method === 'POST' && c.path === '/vipps/epayment/v1/payments');

/** A world whose adapter knows the webhook secret from a registration made beforehand. */
async function registeredWorld() {
  const world = createWorld('epayment');
  const ensured = await ensureWebhook(world.config, world.deps);
  world.adapter = world.makeAdapter({ PWB_VIPPS_WEBHOOK_SECRET: ensured.secret });
  return { world, secret: ensured.secret };
}

async function authorized(world: VippsWorld, value = 49_900, currency: 'NOK' | 'DKK' | 'EUR' = 'NOK') {
  const created = await world.adapter.createPayment(paymentInput({ amount: { value, currency } }));
  await shopper(world, created.redirectUrl, 'confirm', {
    phone: currency === 'DKK' ? '21234567' : currency === 'EUR' ? '401234567' : '91234567',
  });
  return created.providerPaymentId;
}

describe('ePayment: create', () => {
  it('sends the spec body with a derived reference and Idempotency-Key', async () => {
    const { world } = await registeredWorld();
    const input = paymentInput({ phoneNumber: '91234567', description: 'Two pairs of socks' });
    const created = await world.adapter.createPayment(input);
    const [call] = createCalls(world);
    const body = JSON.parse(call!.body);
    expect(body).toEqual({
      amount: { currency: 'NOK', value: 49_900 },
      paymentMethod: { type: 'WALLET' },
      reference: created.providerPaymentId,
      userFlow: 'WEB_REDIRECT',
      returnUrl: RETURN_URL,
      customer: { phoneNumber: '4791234567' },
      paymentDescription: 'Two pairs of socks',
    });
    expect(created.providerPaymentId).toMatch(/^shop1-[0-9a-f]{32}$/);
    expect(call!.headers.get('idempotency-key')).toMatch(/^pwb-create-[0-9a-f]{32}$/);
    expect(call!.headers.get('idempotency-key')!.length).toBeLessThanOrEqual(50);
    expect(created.redirectUrl).toMatch(/^https:\/\/sandbox\.test\/vipps\/landing\?token=/);
    expect(created.snapshot).toMatchObject({ status: 'pending', providerStatus: 'CREATED' });
    expect(created.expiresAt!.getTime() - world.clock.now()).toBe(10 * MINUTE);
  });

  it('the same attempt retried sends the same key and gets the same payment back, not a second one', async () => {
    const { world } = await registeredWorld();
    const input = paymentInput();
    const first = await world.adapter.createPayment(input);
    const again = await world.adapter.createPayment(input);
    expect(again.providerPaymentId).toBe(first.providerPaymentId);
    expect(again.redirectUrl).toBe(first.redirectUrl);
    const [a, b] = createCalls(world);
    expect(a!.headers.get('idempotency-key')).toBe(b!.headers.get('idempotency-key'));
    // A different attempt is a different payment.
    const other = await world.adapter.createPayment(paymentInput());
    expect(other.providerPaymentId).not.toBe(first.providerPaymentId);
  });

  it('mobile uses NATIVE_REDIRECT; confirming in the app returns to the returnUrl', async () => {
    const { world } = await registeredWorld();
    const created = await world.adapter.createPayment(paymentInput({ mobile: true }));
    expect(JSON.parse(createCalls(world)[0]!.body).userFlow).toBe('NATIVE_REDIRECT');
    expect(await shopper(world, created.redirectUrl, 'confirm', { mobile: true })).toBe(RETURN_URL);
    expect((await world.adapter.refresh(created.providerPaymentId)).status).toBe('authorized');
  });

  it('takes NOK, DKK and EUR (restrictable by PWB_VIPPS_CURRENCIES), no phone number outside Norway', async () => {
    const { world } = await registeredWorld();
    expect(world.adapter.currencies).toEqual(['NOK', 'DKK', 'EUR']);
    const dkk = await world.adapter.createPayment(
      paymentInput({ amount: { value: 10_000, currency: 'DKK' }, phoneNumber: '91234567' }),
    );
    expect(JSON.parse(createCalls(world)[0]!.body)).not.toHaveProperty('customer');
    await shopper(world, dkk.redirectUrl, 'confirm', { phone: '21234567' });
    expect(await world.adapter.refresh(dkk.providerPaymentId)).toMatchObject({
      status: 'authorized',
      authorizedAmount: 10_000,
    });

    const nokOnly = world.makeAdapter({ PWB_VIPPS_CURRENCIES: 'NOK' });
    expect(nokOnly.currencies).toEqual(['NOK']);
    expect(
      (await providerError(() => nokOnly.createPayment(paymentInput({ amount: { value: 1000, currency: 'EUR' } }))))
        .code,
    ).toBe('invalid_request');
  });

  it('a short description is replaced by the reference (paymentDescription needs 3+ characters)', async () => {
    const { world } = await registeredWorld();
    await world.adapter.createPayment(paymentInput({ description: 'x', reference: 'ORD-7' }));
    expect(JSON.parse(createCalls(world)[0]!.body).paymentDescription).toBe('Order ORD-7');
  });
});

describe('ePayment: the shopper in Vipps and refresh', () => {
  it('confirm → AUTHORIZED → authorized with aggregate amounts', async () => {
    const { world } = await registeredWorld();
    const reference = await authorized(world);
    expect(await world.adapter.refresh(reference)).toMatchObject({
      status: 'authorized',
      providerStatus: 'AUTHORIZED',
      authorizedAmount: 49_900,
      capturedAmount: 0,
      refundedAmount: 0,
      cancelledAmount: 0,
    });
  });

  it('reject in the app → ABORTED → cancelled by the user', async () => {
    const { world } = await registeredWorld();
    const created = await world.adapter.createPayment(paymentInput());
    await shopper(world, created.redirectUrl, 'reject');
    expect(await world.adapter.refresh(created.providerPaymentId)).toMatchObject({
      status: 'cancelled',
      providerStatus: 'ABORTED',
      failure: { code: 'rejected_by_user' },
    });
  });

  it('nobody acts → EXPIRED → expired', async () => {
    const { world } = await registeredWorld();
    const created = await world.adapter.createPayment(paymentInput());
    await world.advance(5 * MINUTE + 1);
    expect(await world.adapter.refresh(created.providerPaymentId)).toMatchObject({
      status: 'expired',
      providerStatus: 'EXPIRED',
      failure: { code: 'expired' },
    });
  });

  it('an unknown reference is not_found', async () => {
    const { world } = await registeredWorld();
    expect((await providerError(() => world.adapter.refresh('shop1-ffffffffffffffffffffffffffffffff'))).code).toBe(
      'not_found',
    );
  });
});

describe('ePayment: capture, refund, cancel', () => {
  it('partial capture stays authorized; the rest completes; partial refund; Idempotency-Key sent', async () => {
    const { world } = await registeredWorld();
    const reference = await authorized(world);
    expect(await world.adapter.capture!(reference, { value: 20_000, currency: 'NOK' }, 'cap-1')).toMatchObject({
      status: 'authorized',
      capturedAmount: 20_000,
    });
    expect(await world.adapter.capture!(reference, { value: 29_900, currency: 'NOK' }, 'cap-2')).toMatchObject({
      status: 'completed',
      capturedAmount: 49_900,
    });
    expect(await world.adapter.refund!(reference, { value: 5_000, currency: 'NOK' }, 'ref-1')).toMatchObject({
      status: 'completed',
      refundedAmount: 5_000,
    });
    expect(await world.adapter.refresh(reference)).toMatchObject({
      status: 'completed',
      capturedAmount: 49_900,
      refundedAmount: 5_000,
    });
    const capture = world.calls.find((c) => c.path.endsWith('/capture'))!;
    expect(capture.headers.get('idempotency-key')).toBe('cap-1');
    expect(JSON.parse(capture.body)).toEqual({ modificationAmount: { currency: 'NOK', value: 20_000 } });
  });

  it('the same key replays; the same key with another amount is refused (409 → invalid_state)', async () => {
    const { world } = await registeredWorld();
    const reference = await authorized(world);
    await world.adapter.capture!(reference, { value: 10_000, currency: 'NOK' }, 'cap-same');
    expect(
      (await world.adapter.capture!(reference, { value: 10_000, currency: 'NOK' }, 'cap-same')).capturedAmount,
    ).toBe(10_000);
    expect(
      (await providerError(() => world.adapter.capture!(reference, { value: 20_000, currency: 'NOK' }, 'cap-same')))
        .code,
    ).toBe('invalid_state');
    expect((await world.adapter.refresh(reference)).capturedAmount).toBe(10_000);
  });

  it('capture above the reservation is amount_exceeds_authorized; refund above the capture is amount_exceeds_captured', async () => {
    const { world } = await registeredWorld();
    const reference = await authorized(world);
    const over = await providerError(() =>
      world.adapter.capture!(reference, { value: 49_901, currency: 'NOK' }, 'cap-x'),
    );
    expect(over.code).toBe('amount_exceeds_authorized');
    expect(over.message).toContain('Capture amount too high');
    await world.adapter.capture!(reference, { value: 1_000, currency: 'NOK' }, 'cap-y');
    expect(
      (await providerError(() => world.adapter.refund!(reference, { value: 1_001, currency: 'NOK' }, 'ref-x'))).code,
    ).toBe('amount_exceeds_captured');
  });

  it('capture before approval is invalid_state', async () => {
    const { world } = await registeredWorld();
    const created = await world.adapter.createPayment(paymentInput());
    expect(
      (
        await providerError(() =>
          world.adapter.capture!(created.providerPaymentId, { value: 100, currency: 'NOK' }, 'cap-z'),
        )
      ).code,
    ).toBe('invalid_state');
  });

  it('cancel: an authorization → cancelled (released); before approval → TERMINATED; after a partial capture → completed', async () => {
    const { world } = await registeredWorld();
    const first = await authorized(world);
    expect(await world.adapter.cancel!(first, 'c-1')).toMatchObject({
      status: 'cancelled',
      cancelledAmount: 49_900,
      failure: { code: 'cancelled' },
    });

    const pending = await world.adapter.createPayment(paymentInput());
    expect(await world.adapter.cancel!(pending.providerPaymentId, 'c-2')).toMatchObject({
      status: 'cancelled',
      providerStatus: 'TERMINATED',
      failure: { code: 'cancelled' },
    });

    const partial = await authorized(world);
    await world.adapter.capture!(partial, { value: 9_900, currency: 'NOK' }, 'cap-p');
    expect(await world.adapter.cancel!(partial, 'c-3')).toMatchObject({
      status: 'completed',
      capturedAmount: 9_900,
      cancelledAmount: 40_000,
    });
    const cancelCall = world.calls.filter((c) => c.path.endsWith('/cancel')).at(-1)!;
    expect(cancelCall.headers.get('idempotency-key')).toBe('c-3');
  });

  it('a currency other than the payment’s is refused before calling Vipps', async () => {
    const { world } = await registeredWorld();
    const reference = await authorized(world);
    const before = world.calls.length;
    const error = await providerError(() =>
      world.adapter.capture!(reference, { value: 100, currency: 'SEK' }, 'cap-sek'),
    );
    expect(error.code).toBe('invalid_request');
    expect(world.calls.length).toBe(before);
  });
});

describe('ePayment: problem+json mapping', () => {
  const problem = (status: number, title: string, detail: string, extraDetails: unknown[] = []) =>
    new Response(
      JSON.stringify({ type: 'https://example.test/problem', title, detail, status, traceId: 'trace-1', extraDetails }),
      {
        status,
        headers: { 'content-type': 'application/problem+json' },
      },
    );

  it.each([
    [
      problem(400, 'User not found', 'The phone number is not a registered user.', [
        { name: 'customer.phoneNumber', reason: 'User not found' },
      ]),
      'invalid_request',
    ],
    [
      problem(400, 'Bad Request', 'See extraDetails for further details', [
        { name: 'returnUrl', reason: 'a valid returnUrl is required' },
      ]),
      'provider_error',
    ],
    [problem(409, 'Conflict', 'A payment with this reference already exists.'), 'invalid_state'],
    [problem(404, 'Payment not found', 'No payment'), 'not_found'],
    [problem(403, 'Forbidden', 'Invalid MSN'), 'provider_error'],
  ])('%# → %s', async (response, expected) => {
    const { world } = await registeredWorld();
    world.fault = (call) =>
      call.method === 'POST' && call.path === '/vipps/epayment/v1/payments' ? response.clone() : undefined;
    const error = await providerError(() => world.adapter.createPayment(paymentInput({ phoneNumber: '91234567' })));
    expect(error.code).toBe(expected);
    for (const secret of allSecrets(world.config))
      expect(JSON.stringify([error.message, error.details])).not.toContain(secret);
  });

  it('shows the provider’s fields for a validation error', async () => {
    const { world } = await registeredWorld();
    world.fault = (call) =>
      call.path === '/vipps/epayment/v1/payments'
        ? problem(400, 'Bad Request', 'See extraDetails for further details', [
            { name: 'paymentDescription', reason: 'too long' },
          ])
        : undefined;
    const error = await providerError(() => world.adapter.createPayment(paymentInput()));
    expect(error.message).toBe('Vipps refused to start the Vipps payment: Bad Request (paymentDescription: too long)');
  });
});

describe('ePayment: webhook registration', () => {
  it('registers our URL for every payment event before the first payment, once', async () => {
    const world = createWorld('epayment');
    await world.adapter.createPayment(paymentInput());
    await world.adapter.createPayment(paymentInput());
    const hooks = world.calls.filter((c) => c.path === '/vipps/webhooks/v1/webhooks');
    expect(hooks.map((c) => c.method)).toEqual(['GET', 'POST']);
    expect(JSON.parse(hooks[1]!.body)).toEqual({
      url: WEBHOOK_URL,
      events: [...EPAYMENT_WEBHOOK_EVENTS],
    });
  });

  it('ensureWebhook returns the secret; with that secret configured nothing is re-registered; without it the registration is replaced', async () => {
    const world = createWorld('epayment');
    const first = await ensureWebhook(world.config, world.deps);
    expect(first.registered).toBe(true);
    expect(first.secret.length).toBeGreaterThanOrEqual(16);
    const known = await ensureWebhook({ ...world.config, webhookSecret: first.secret }, world.deps);
    expect(known).toEqual({ id: first.id, secret: first.secret, registered: false });

    const unknown = await ensureWebhook(world.config, world.deps);
    expect(unknown.registered).toBe(true);
    expect(unknown.secret).not.toBe(first.secret);
    // The old registration was deleted; the new one is found as is.
    const latest = await ensureWebhook({ ...world.config, webhookSecret: unknown.secret }, world.deps);
    expect(latest).toEqual({ id: unknown.id, secret: unknown.secret, registered: false });
    const hooks = world.calls.filter((c) => c.path.startsWith('/vipps/webhooks/v1/webhooks/'));
    expect(hooks.map((c) => c.method)).toEqual(['DELETE']);
    expect(hooks[0]!.path).toBe(`/vipps/webhooks/v1/webhooks/${first.id}`);
    expect(world.logs.text()).not.toContain(first.secret);
    expect(world.logs.text()).not.toContain(unknown.secret);
  });

  it('a failing registration does not block payments (polling still works) and is retried a minute later', async () => {
    const world = createWorld('epayment');
    const listCalls = () =>
      world.calls.filter((c) => c.method === 'GET' && c.path === '/vipps/webhooks/v1/webhooks').length;
    world.fault = (call) =>
      call.path.startsWith('/vipps/webhooks/') ? new Response('down', { status: 503 }) : undefined;
    const created = await world.adapter.createPayment(paymentInput());
    expect(created.snapshot.status).toBe('pending');
    expect(world.logs.text()).toContain('vipps webhook registration failed');
    expect(listCalls()).toBe(1);
    world.fault = null;
    // Within the minute: payments go ahead without asking Vipps about webhooks again.
    await world.adapter.createPayment(paymentInput());
    expect(listCalls()).toBe(1);
    await world.advance(61_000);
    await world.adapter.createPayment(paymentInput());
    expect(listCalls()).toBe(2);
    expect(world.calls.filter((c) => c.method === 'POST' && c.path === '/vipps/webhooks/v1/webhooks')).toHaveLength(1);
    expect(await world.adapter.ensureWebhook!()).toBe(true);
  });

  it('an explicit ensureWebhook() (start-up) is not held back by an earlier failure', async () => {
    const world = createWorld('epayment');
    world.fault = (call) =>
      call.path.startsWith('/vipps/webhooks/') ? new Response('down', { status: 503 }) : undefined;
    expect(await world.adapter.ensureWebhook!()).toBe(false);
    world.fault = null;
    expect(await world.adapter.ensureWebhook!()).toBe(true);
  });
});

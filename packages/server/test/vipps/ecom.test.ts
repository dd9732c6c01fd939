/**
 * The eCom v2 adapter against the Vipps sandbox: initiate, the shopper's journey through the
 * landing page and the sandbox phone, callbacks (authenticated by the derived authToken), refresh
 * mapping, capture / refund / cancel and the provider's error codes.
 */
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/errors.js';
import { deriveAuthToken } from '../../src/providers/vipps/ids.js';
import {
  allSecrets,
  CALLBACK_SECRET,
  createWorld,
  deliverTo,
  paymentInput,
  providerError,
  PUBLIC_URL,
  RETURN_URL,
  shopper,
  type VippsWorld,
  asStatus,
} from './helpers.js';

const MINUTE = 60_000;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- request bodies are read loosely in tests
type LooseJson = Record<string, any>;
const initiateBody = (world: VippsWorld) =>
  JSON.parse(world.calls.filter((c) => c.path === '/vipps/ecomm/v2/payments').at(-1)!.body) as LooseJson;

async function reserved(world: VippsWorld, amount = 49_900) {
  const created = await world.adapter.createPayment(paymentInput({ amount: { value: amount, currency: 'NOK' } }));
  await shopper(world, created.redirectUrl, 'confirm');
  return created.providerPaymentId;
}

function callbackRequest(orderId: string, body: unknown, authorization: string | null): Request {
  return new Request(`${PUBLIC_URL}/v1/callbacks/vipps-ecom/v2/payments/${orderId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization === null ? {} : { authorization }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const callbackBody = (orderId: string, status = 'RESERVED') => ({
  merchantSerialNumber: '123456',
  orderId,
  transactionInfo: { amount: 49_900, status, timeStamp: '2030-01-15T12:01:00.000Z', transactionId: '5001234567' },
});

describe('eCom: initiate', () => {
  it('sends the spec body: derived orderId, øre, fallBack, callbackPrefix, per-order authToken, phone', async () => {
    const world = createWorld('ecom');
    const input = paymentInput({ phoneNumber: '+4791234567', description: 'Two pairs of socks' });
    const created = await world.adapter.createPayment(input);
    const body = initiateBody(world);
    const orderId = body.transaction.orderId as string;
    expect(orderId).toMatch(/^shop1-[0-9a-f]{32}$/);
    expect(created.providerPaymentId).toBe(orderId);
    expect(body).toEqual({
      customerInfo: { mobileNumber: '91234567' },
      merchantInfo: {
        merchantSerialNumber: '123456',
        callbackPrefix: `${PUBLIC_URL}/v1/callbacks/vipps-ecom`,
        fallBack: RETURN_URL,
        authToken: deriveAuthToken(CALLBACK_SECRET, '123456', orderId),
        isApp: false,
        paymentType: 'eComm Regular Payment',
      },
      transaction: { orderId, amount: 49_900, transactionText: 'Two pairs of socks' },
    });
    expect(body.merchantInfo.authToken).not.toContain(CALLBACK_SECRET);
    expect(created.redirectUrl).toMatch(
      /^https:\/\/sandbox\.test\/vipps\/dwo-api-application\/v1\/deeplink\/vippsgateway\?v=2&token=/,
    );
    expect(created.snapshot).toMatchObject({ status: 'pending', providerStatus: 'INITIATE' });
    // 5 minutes on the landing page + 5 in the app.
    expect(created.expiresAt!.getTime() - world.clock.now()).toBe(10 * MINUTE);
    // The sandbox shows the pre-filled number on the landing page.
    const landing = await world.browse(created.redirectUrl);
    expect(landing.html).toContain('value="91234567"');
  });

  it('takes NOK only and refuses other currencies before calling Vipps', async () => {
    const world = createWorld('ecom');
    expect(world.adapter.currencies).toEqual(['NOK']);
    const error = await providerError(() =>
      world.adapter.createPayment(paymentInput({ amount: { value: 1000, currency: 'DKK' } })),
    );
    expect(error.code).toBe('invalid_request');
    expect(world.calls).toHaveLength(0);
  });

  it('never creates two Vipps payments for one attempt: the same payment id again is refused (error 34)', async () => {
    const world = createWorld('ecom');
    const input = paymentInput();
    const created = await world.adapter.createPayment(input);
    const error = await providerError(() => world.adapter.createPayment(input));
    expect(error.code).toBe('invalid_state');
    expect(error.details).toMatchObject({ providerCode: '34' });
    expect(world.sandbox.controls.inspect(created.providerPaymentId)?.kind).toBe('ecom');
    expect(world.calls.filter((c) => c.path === '/vipps/ecomm/v2/payments')).toHaveLength(2);
  });

  it('gives each attempt and each shop prefix its own orderId, and both shops can pay on one sales unit', async () => {
    const world = createWorld('ecom');
    const other = world.makeAdapter({ PWB_VIPPS_ORDER_PREFIX: 'shop2' });
    const input = paymentInput();
    const [a, b, c] = [
      await world.adapter.createPayment(input),
      await other.createPayment(input),
      await world.adapter.createPayment(paymentInput()),
    ];
    expect(new Set([a.providerPaymentId, b.providerPaymentId, c.providerPaymentId]).size).toBe(3);
    expect(b.providerPaymentId).toMatch(/^shop2-/);
  });

  it('refuses a return URL longer than eCom allows (255) with a clear message, before calling Vipps', async () => {
    const world = createWorld('ecom');
    const returnUrl = `https://shop.test/checkout/return?order=${'x'.repeat(200)}&pwb_return=pwb_ct_x&pwb_payment=pay_x`;
    const error = await providerError(() => world.adapter.createPayment(paymentInput({ returnUrl })));
    expect(error.code).toBe('invalid_request');
    expect(error.message).toMatch(/return URL is too long/);
    expect(world.calls).toHaveLength(0);
  });

  it('refuses a phone number that is not a Norwegian mobile without calling Vipps', async () => {
    const world = createWorld('ecom');
    const error = await providerError(() => world.adapter.createPayment(paymentInput({ phoneNumber: '12345' })));
    expect(error.code).toBe('invalid_request');
    expect(error.message).toMatch(/phone number/i);
    expect(world.calls).toHaveLength(0);
  });
});

describe('eCom: the shopper in Vipps, callbacks and refresh', () => {
  it('desktop confirm → RESERVED callback accepted (authorized) and refresh says authorized', async () => {
    const world = createWorld('ecom');
    const created = await world.adapter.createPayment(paymentInput());
    const orderId = created.providerPaymentId;
    const returnedTo = await shopper(world, created.redirectUrl, 'confirm');
    expect(returnedTo).toContain('/vipps/sandbox-phone/'); // push flow: the desktop browser waits on the landing page
    expect(world.deliveries).toHaveLength(1);
    const [delivery] = world.deliveries;
    expect(delivery!.url).toBe(`${PUBLIC_URL}/v1/callbacks/vipps-ecom/v2/payments/${orderId}`);
    expect(delivery!.error).toBeUndefined();
    // Accepted, but only as a prompt: the unsigned body's status is never applied as such.
    expect(delivery!.result).toEqual({ providerPaymentId: orderId, eventKey: expect.any(String) });
    expect(delivery!.result!.eventKey).toMatch(new RegExp(`^vipps-ecom:${orderId}:RESERVED:\\d{10}$`));
    expect(world.sandbox.controls.callbacks(orderId)[0]!.state).toBe('delivered');

    const snapshot = await world.adapter.refresh(orderId);
    expect(snapshot).toMatchObject({
      status: 'authorized',
      providerStatus: 'RESERVE',
      authorizedAmount: 49_900,
      capturedAmount: 0,
      refundedAmount: 0,
      cancelledAmount: 0,
    });
    expect(snapshot.failure ?? null).toBeNull();
  });

  it('mobile (isApp): the landing URL switches to the app, confirming returns to the fallBack URL', async () => {
    const world = createWorld('ecom');
    const created = await world.adapter.createPayment(paymentInput({ mobile: true }));
    expect(initiateBody(world).merchantInfo.isApp).toBe(true);
    const returnedTo = await shopper(world, created.redirectUrl, 'confirm', { mobile: true });
    expect(returnedTo).toBe(RETURN_URL);
    expect((await world.adapter.refresh(created.providerPaymentId)).status).toBe('authorized');
  });

  it('the shopper rejects in the app → CANCELLED callback and refresh: cancelled by the user', async () => {
    const world = createWorld('ecom');
    const created = await world.adapter.createPayment(paymentInput());
    await shopper(world, created.redirectUrl, 'reject');
    expect(world.deliveries[0]!.result?.eventKey).toMatch(/:CANCELLED:/);
    expect(world.deliveries[0]!.result?.snapshot).toBeUndefined();
    const snapshot = await world.adapter.refresh(created.providerPaymentId);
    expect(snapshot).toMatchObject({
      status: 'cancelled',
      providerStatus: 'CANCEL',
      failure: { code: 'rejected_by_user' },
      authorizedAmount: 0,
    });
  });

  it('the shopper cancels on the landing page → cancelled', async () => {
    const world = createWorld('ecom');
    const created = await world.adapter.createPayment(paymentInput());
    await shopper(world, created.redirectUrl, 'cancel-on-landing');
    expect((await world.adapter.refresh(created.providerPaymentId)).status).toBe('cancelled');
  });

  it('nobody acts for 5 minutes → REJECTED callback and refresh: expired (the log alone says CANCEL)', async () => {
    const world = createWorld('ecom');
    const created = await world.adapter.createPayment(paymentInput());
    expect((await world.adapter.refresh(created.providerPaymentId)).status).toBe('pending');
    await world.advance(5 * MINUTE + 1_000);
    expect(world.deliveries[0]!.result?.eventKey).toMatch(/:REJECTED:/);
    expect(world.deliveries[0]!.result?.snapshot).toBeUndefined();
    const snapshot = await world.adapter.refresh(created.providerPaymentId);
    expect(snapshot).toMatchObject({ status: 'expired', providerStatus: 'REJECTED', failure: { code: 'expired' } });
    expect(world.calls.some((c) => c.path.endsWith('/status'))).toBe(true);
  });

  it('telling a timeout from a cancel: a transient /status failure fails the refresh, a gone endpoint means cancelled', async () => {
    const world = createWorld('ecom');
    const created = await world.adapter.createPayment(paymentInput());
    world.sandbox.controls.expire(created.providerPaymentId);
    await world.settle();
    world.fault = (call) => (call.path.endsWith('/status') ? new Response('busy', { status: 503 }) : undefined);
    expect((await providerError(() => world.adapter.refresh(created.providerPaymentId))).code).toBe(
      'provider_unavailable',
    );
    world.fault = (call) => (call.path.endsWith('/status') ? new Response('gone', { status: 410 }) : undefined);
    expect(await world.adapter.refresh(created.providerPaymentId)).toMatchObject({
      status: 'cancelled',
      providerStatus: 'CANCEL',
    });
    world.fault = null;
    expect(await world.adapter.refresh(created.providerPaymentId)).toMatchObject({
      status: 'expired',
      providerStatus: 'REJECTED',
    });
  });

  it('the user confirms after the push but the app times out → expired', async () => {
    const world = createWorld('ecom');
    const created = await world.adapter.createPayment(paymentInput());
    const landing = await world.browse(created.redirectUrl);
    const token = /name="token" value="([^"]+)"/.exec(landing.html)![1]!;
    await world.browse('/vipps/landing/next', { form: { token, phoneNumber: '91234567' } });
    await world.advance(4 * MINUTE);
    expect((await world.adapter.refresh(created.providerPaymentId)).status).toBe('pending');
    await world.advance(2 * MINUTE);
    expect((await world.adapter.refresh(created.providerPaymentId)).status).toBe('expired');
  });

  it('a callback that never comes is covered by refresh', async () => {
    const world = createWorld('ecom');
    const created = await world.adapter.createPayment(paymentInput());
    world.sandbox.controls.setCallbackMode({ mode: 'never' }, created.providerPaymentId);
    await shopper(world, created.redirectUrl, 'confirm');
    expect(world.deliveries).toHaveLength(0);
    expect((await world.adapter.refresh(created.providerPaymentId)).status).toBe('authorized');
  });
});

describe('eCom: callback authentication and validation', () => {
  it('accepts the token Vipps echoes (derived from the secret and the orderId) and replays give the same eventKey', async () => {
    const world = createWorld('ecom');
    const orderId = (await world.adapter.createPayment(paymentInput())).providerPaymentId;
    const token = initiateBody(world).merchantInfo.authToken as string;
    const first = asStatus(
      await world.adapter.handleCallback!(
        callbackRequest(orderId, callbackBody(orderId), token),
        `v2/payments/${orderId}`,
      ),
    );
    const again = asStatus(
      await world.adapter.handleCallback!(
        callbackRequest(orderId, callbackBody(orderId), token),
        `v2/payments/${orderId}`,
      ),
    );
    expect(first.eventKey).toBe(again.eventKey);
    expect(first).toEqual({ providerPaymentId: orderId, eventKey: expect.stringMatching(/:RESERVED:/) });
    const sale = asStatus(
      await world.adapter.handleCallback!(
        callbackRequest(orderId, callbackBody(orderId, 'SALE'), token),
        `v2/payments/${orderId}`,
      ),
    );
    expect(sale.snapshot).toBeUndefined();
    expect(sale.eventKey).not.toBe(first.eventKey);
  });

  it('refuses a wrong token, another order’s token, a missing token and a token derived from another secret', async () => {
    const world = createWorld('ecom');
    const a = (await world.adapter.createPayment(paymentInput())).providerPaymentId;
    const b = (await world.adapter.createPayment(paymentInput())).providerPaymentId;
    const tokenOfB = deriveAuthToken(CALLBACK_SECRET, '123456', b);
    const attempts: (string | null)[] = [
      'not-the-token',
      tokenOfB,
      null,
      '',
      deriveAuthToken('another-secret-0123456789-abcdefghijklmno', '123456', a),
      `Bearer ${deriveAuthToken(CALLBACK_SECRET, '123456', a)}`,
    ];
    for (const authorization of attempts) {
      const error = await providerError(() =>
        world.adapter.handleCallback!(callbackRequest(a, callbackBody(a), authorization), `v2/payments/${a}`),
      );
      expect(error.code, String(authorization)).toBe('unauthorized');
      expect(error.message).not.toContain(CALLBACK_SECRET);
    }
  });

  it('refuses malformed or mismatched bodies (after authentication) with invalid_request', async () => {
    const world = createWorld('ecom');
    const orderId = (await world.adapter.createPayment(paymentInput())).providerPaymentId;
    const token = deriveAuthToken(CALLBACK_SECRET, '123456', orderId);
    const bodies: unknown[] = [
      'not json',
      {},
      { ...callbackBody(orderId), transactionInfo: { status: 'RESERVED' } },
      { ...callbackBody(orderId), transactionInfo: { ...callbackBody(orderId).transactionInfo, amount: -1 } },
      callbackBody('shop1-00000000000000000000000000000000'),
      { ...callbackBody(orderId), merchantSerialNumber: '654321' },
    ];
    for (const body of bodies) {
      const error = await providerError(() =>
        world.adapter.handleCallback!(callbackRequest(orderId, body, token), `v2/payments/${orderId}`),
      );
      expect(error.code, JSON.stringify(body)).toBe('invalid_request');
    }
  });

  it('answers not_found for paths that are not a payment callback', async () => {
    const world = createWorld('ecom');
    // (`v2/payments/{orderId}/shippingDetails` and `consents/…` are the express endpoints: ecom-express.test.ts.)
    for (const subPath of ['', 'v2/consents/abc', 'v2/payments/a/b', 'v2/payments/bad_id!', 'consents/a']) {
      const error = await providerError(() => world.adapter.handleCallback!(callbackRequest('x', {}, 'x'), subPath));
      expect(error.code, subPath).toBe('not_found');
    }
  });

  it('an unknown callback status is accepted without a snapshot (the core refreshes)', async () => {
    const world = createWorld('ecom');
    const orderId = (await world.adapter.createPayment(paymentInput())).providerPaymentId;
    const token = deriveAuthToken(CALLBACK_SECRET, '123456', orderId);
    const result = asStatus(
      await world.adapter.handleCallback!(
        callbackRequest(orderId, callbackBody(orderId, 'SOMETHING_NEW'), token),
        `v2/payments/${orderId}`,
      ),
    );
    expect(result.providerPaymentId).toBe(orderId);
    expect(result.snapshot).toBeUndefined();
  });

  it('verifies tokens of a previous secret during rotation (PWB_VIPPS_CALLBACK_SECRET=new,old)', async () => {
    const world = createWorld('ecom');
    const orderId = (await world.adapter.createPayment(paymentInput())).providerPaymentId;
    const rotated = world.makeAdapter({
      PWB_VIPPS_CALLBACK_SECRET: `new-secret-0123456789-abcdefghijklmnopq,${CALLBACK_SECRET}`,
    });
    const oldToken = deriveAuthToken(CALLBACK_SECRET, '123456', orderId);
    const result = await rotated.handleCallback!(
      callbackRequest(orderId, callbackBody(orderId), oldToken),
      `v2/payments/${orderId}`,
    );
    expect(result.providerPaymentId).toBe(orderId);
    // The new secret signs new orders.
    const next = await rotated.createPayment(paymentInput());
    expect(initiateBody(world).merchantInfo.authToken).toBe(
      deriveAuthToken('new-secret-0123456789-abcdefghijklmnopq', '123456', next.providerPaymentId),
    );
  });

  it('a callback delivered to a server restarted with the same secret is still accepted', async () => {
    const world = createWorld('ecom');
    const created = await world.adapter.createPayment(paymentInput());
    world.adapter = world.makeAdapter(); // restart: nothing kept in memory
    await shopper(world, created.redirectUrl, 'confirm');
    expect(world.deliveries[0]!.result?.providerPaymentId).toBe(created.providerPaymentId);
    // And a server with a different secret refuses it.
    const stranger = world.makeAdapter({ PWB_VIPPS_CALLBACK_SECRET: 'different-secret-0123456789-abcdefghijk' });
    const response = await deliverTo(
      stranger,
      new Request(world.deliveries[0]!.url, {
        method: 'POST',
        headers: world.deliveries[0]!.headers,
        body: world.deliveries[0]!.body,
      }),
      [],
    );
    expect(response.status).toBe(401);
  });
});

describe('eCom: capture, refund, cancel', () => {
  it('partial capture stays authorized with capturedAmount; capturing the rest completes; partial refund', async () => {
    const world = createWorld('ecom');
    const orderId = await reserved(world);
    const partial = await world.adapter.capture!(orderId, { value: 20_000, currency: 'NOK' }, 'cap-1');
    expect(partial).toMatchObject({ status: 'authorized', capturedAmount: 20_000, refundedAmount: 0 });
    expect(await world.adapter.refresh(orderId)).toMatchObject({
      status: 'authorized',
      providerStatus: 'CAPTURE',
      capturedAmount: 20_000,
      authorizedAmount: 49_900,
    });

    const rest = await world.adapter.capture!(orderId, { value: 29_900, currency: 'NOK' }, 'cap-2');
    expect(rest).toMatchObject({ status: 'completed', capturedAmount: 49_900 });
    expect(await world.adapter.refresh(orderId)).toMatchObject({ status: 'completed', capturedAmount: 49_900 });

    const refund = await world.adapter.refund!(orderId, { value: 10_000, currency: 'NOK' }, 'ref-1');
    expect(refund).toMatchObject({ status: 'completed', capturedAmount: 49_900, refundedAmount: 10_000 });
    expect(await world.adapter.refresh(orderId)).toMatchObject({
      status: 'completed',
      providerStatus: 'REFUND',
      refundedAmount: 10_000,
    });

    const captureCall = world.calls.find((c) => c.path.endsWith('/capture'))!;
    expect(captureCall.headers.get('x-request-id')).toBe('cap-1');
    expect(JSON.parse(captureCall.body)).toEqual({
      merchantInfo: { merchantSerialNumber: '123456' },
      transaction: { amount: 20_000, transactionText: `Capture ${orderId}` },
    });
  });

  it('the same idempotency key captures once (X-Request-Id), and a long key is hashed to ≤ 40 characters', async () => {
    const world = createWorld('ecom');
    const orderId = await reserved(world);
    await world.adapter.capture!(orderId, { value: 10_000, currency: 'NOK' }, 'same-key-1');
    const replay = await world.adapter.capture!(orderId, { value: 10_000, currency: 'NOK' }, 'same-key-1');
    expect(replay.capturedAmount).toBe(10_000);
    const longKey = 'k'.repeat(80);
    await world.adapter.capture!(orderId, { value: 1_000, currency: 'NOK' }, longKey);
    const sent = world.calls
      .filter((c) => c.path.endsWith('/capture'))
      .at(-1)!
      .headers.get('x-request-id')!;
    expect(sent.length).toBeLessThanOrEqual(40);
    expect((await world.adapter.refresh(orderId)).capturedAmount).toBe(11_000);
  });

  it('capturing more than reserved is amount_exceeds_authorized (error 61)', async () => {
    const world = createWorld('ecom');
    const orderId = await reserved(world);
    const error = await providerError(() =>
      world.adapter.capture!(orderId, { value: 50_000, currency: 'NOK' }, 'too-much'),
    );
    expect(error.code).toBe('amount_exceeds_authorized');
    expect(error.details).toMatchObject({ providerCode: '61' });
    expect((await world.adapter.refresh(orderId)).capturedAmount).toBe(0);
  });

  it('refunding more than captured is amount_exceeds_captured (71); refunding a reservation is invalid_state (72)', async () => {
    const world = createWorld('ecom');
    const orderId = await reserved(world);
    const reservedOnly = await providerError(() =>
      world.adapter.refund!(orderId, { value: 100, currency: 'NOK' }, 'ref-a'),
    );
    expect(reservedOnly.code).toBe('invalid_state');
    await world.adapter.capture!(orderId, { value: 10_000, currency: 'NOK' }, 'cap-a');
    const error = await providerError(() =>
      world.adapter.refund!(orderId, { value: 10_001, currency: 'NOK' }, 'ref-b'),
    );
    expect(error.code).toBe('amount_exceeds_captured');
  });

  it('capturing before the user confirmed is invalid_state (62); an unknown order is not_found (35)', async () => {
    const world = createWorld('ecom');
    const created = await world.adapter.createPayment(paymentInput());
    expect(
      (
        await providerError(() =>
          world.adapter.capture!(created.providerPaymentId, { value: 100, currency: 'NOK' }, 'k1'),
        )
      ).code,
    ).toBe('invalid_state');
    expect((await providerError(() => world.adapter.refresh('shop1-ffffffffffffffffffffffffffffffff'))).code).toBe(
      'not_found',
    );
  });

  it('cancelling a reservation → cancelled by the merchant, the whole amount released', async () => {
    const world = createWorld('ecom');
    const orderId = await reserved(world);
    const snapshot = await world.adapter.cancel!(orderId, 'cancel-1');
    expect(snapshot).toMatchObject({
      status: 'cancelled',
      providerStatus: 'VOID',
      cancelledAmount: 49_900,
      failure: { code: 'cancelled' },
    });
    const cancelCall = world.calls.find((c) => c.path.endsWith('/cancel'))!;
    expect(cancelCall.method).toBe('PUT');
    expect(JSON.parse(cancelCall.body)).toMatchObject({
      merchantInfo: { merchantSerialNumber: '123456' },
      shouldReleaseRemainingFunds: true,
    });
  });

  it('cancelling after a partial capture releases the rest → completed with cancelledAmount', async () => {
    const world = createWorld('ecom');
    const orderId = await reserved(world);
    await world.adapter.capture!(orderId, { value: 30_000, currency: 'NOK' }, 'cap-p');
    const snapshot = await world.adapter.cancel!(orderId, 'cancel-p');
    expect(snapshot).toMatchObject({ status: 'completed', capturedAmount: 30_000, cancelledAmount: 19_900 });
  });

  it('cancelling before the user acted → cancelled by the merchant; a fully captured payment cannot be cancelled (51)', async () => {
    const world = createWorld('ecom');
    const created = await world.adapter.createPayment(paymentInput());
    expect(await world.adapter.cancel!(created.providerPaymentId, 'c-1')).toMatchObject({
      status: 'cancelled',
      failure: { code: 'cancelled' },
    });
    const orderId = await reserved(world);
    await world.adapter.capture!(orderId, { value: 49_900, currency: 'NOK' }, 'cap-all');
    const error = await providerError(() => world.adapter.cancel!(orderId, 'c-2'));
    expect(error.code).toBe('invalid_state');
    expect(error.details).toMatchObject({ providerCode: '51' });
  });
});

describe('eCom: provider error mapping', () => {
  const errorArray = (code: string, group: string, message: string) =>
    Response.json([{ errorGroup: group, errorCode: code, errorMessage: message, contextId: 'ctx-1' }], { status: 400 });

  it.each([
    ['81', 'User', 'User not registered with Vipps', 'invalid_request'],
    ['82', 'User', 'User app version not supported', 'invalid_request'],
    ['45', 'Payment', 'Reservation failed', 'invalid_state'],
    ['94', 'VippsError', 'Order locked and is already processing', 'provider_unavailable'],
    ['98', 'VippsError', 'Too many concurrent requests', 'provider_unavailable'],
    ['99', 'VippsError', 'Internal error', 'provider_unavailable'],
    ['customerInfo.mobileNumber', 'InvalidRequest', 'must be 8 digits', 'invalid_request'],
    ['transaction.amount', 'InvalidRequest', 'must be at least 100 øre', 'provider_error'],
  ])('error %s (%s) → %s', async (code, group, message, expected) => {
    const world = createWorld('ecom');
    world.fault = (call) => (call.path === '/vipps/ecomm/v2/payments' ? errorArray(code, group, message) : undefined);
    const error = await providerError(() => world.adapter.createPayment(paymentInput({ phoneNumber: '91234567' })));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.code).toBe(expected);
    if (code === '81') expect(error.message).toMatch(/phone number/i);
  });

  it('keeps the provider’s reason but scrubs every secret out of it', async () => {
    const world = createWorld('ecom');
    const leaky = `bad request from ${world.config.clientId} with ${world.config.subscriptionKey} and ${CALLBACK_SECRET} Bearer abc.def`;
    world.fault = (call) =>
      call.path === '/vipps/ecomm/v2/payments' ? errorArray('someField', 'InvalidRequest', leaky) : undefined;
    const error = await providerError(() => world.adapter.createPayment(paymentInput()));
    expect(error.code).toBe('provider_error');
    expect(error.message).toContain('bad request from [redacted]');
    const text = JSON.stringify([error.message, error.details]);
    for (const secret of [...allSecrets(world.config), 'abc.def']) expect(text).not.toContain(secret);
  });

  it('maps Azure errors and bodies it cannot read without leaking them', async () => {
    const world = createWorld('ecom');
    world.fault = (call) =>
      call.path === '/vipps/ecomm/v2/payments' ? new Response('<html>bad gateway</html>', { status: 400 }) : undefined;
    expect((await providerError(() => world.adapter.createPayment(paymentInput()))).code).toBe('provider_error');
    world.fault = (call) =>
      call.path === '/vipps/ecomm/v2/payments'
        ? Response.json(
            {
              responseInfo: { responseCode: 400, responseMessage: 'Bad Request' },
              result: { message: 'Something about the request' },
            },
            { status: 400 },
          )
        : undefined;
    const azure = await providerError(() => world.adapter.createPayment(paymentInput()));
    expect(azure.message).toContain('Something about the request');
  });
});

/**
 * Vipps ePayment Express on the ePayment adapter, as pure functions and at handleCallback: the
 * create fields (`profile.scope`, one shipping group of fixed options or our dynamic callback with
 * its derived token, never both), the dynamic shipping callback (authenticated by that token
 * before anything is read, its address validated with zod, answered `{ groups }` or declined with
 * 400), and `userDetails` / `shippingDetails` / `profile.sub` of GET and the authorized webhook.
 */
import type { ShippingOption } from '@pay-with-bank/protocol';
import { describe, expect, it } from 'vitest';
import type { ShippingQuoteCallback } from '../../src/providers/adapter.js';
import { buildEpaymentCreateBody } from '../../src/providers/vipps/epayment-adapter.js';
import {
  EpaymentShippingQuestion,
  epaymentExpressOf,
  toEpaymentShippingGroups,
} from '../../src/providers/vipps/epayment-express.js';
import { epaymentEventToSnapshot, epaymentToSnapshot } from '../../src/providers/vipps/epayment-mapping.js';
import { EpaymentPayment, EpaymentWebhookEvent } from '../../src/providers/vipps/epayment-schemas.js';
import { deriveOrderId, deriveShippingToken, verifyShippingToken } from '../../src/providers/vipps/ids.js';
import {
  CALLBACK_SECRET,
  CREDENTIALS,
  createWorld,
  paymentInput,
  providerError,
  PUBLIC_URL,
  vippsConfig,
} from './helpers.js';

const MSN = '123456';
const OPTIONS: ShippingOption[] = [
  { id: 'posten', name: 'Posten Servicepakke', amount: 9_950, default: true, priority: 3 },
  { id: 'pickup', name: 'Pick up in the shop', amount: 0 },
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- request bodies are read loosely
type Loose = Record<string, any>;

function create(options: ShippingOption[] | null, env: Record<string, string> = {}) {
  const config = vippsConfig('epayment', env);
  const input = paymentInput({ express: { options, confirmAddress: false } });
  const body = buildEpaymentCreateBody(config, input, PUBLIC_URL) as Loose;
  return { body, reference: deriveOrderId('shop1', input.paymentId) };
}

describe('ePayment Express: create', () => {
  it('fixed options: WALLET, the four scopes, the items as amount, one OTHER / HOME_DELIVERY group in minor units', () => {
    const { body } = create(OPTIONS);
    expect(body).toMatchObject({
      amount: { currency: 'NOK', value: 49_900 },
      paymentMethod: { type: 'WALLET' },
      profile: { scope: 'name address email phoneNumber' },
      userFlow: 'WEB_REDIRECT',
    });
    expect(body.shipping).toEqual({
      fixedOptions: [
        {
          brand: 'OTHER',
          type: 'HOME_DELIVERY',
          isDefault: true,
          priority: 0,
          options: [
            {
              id: 'posten',
              name: 'Posten Servicepakke',
              amount: { currency: 'NOK', value: 9_950 },
              isDefault: true,
              priority: 3,
            },
            // No priority given: the merchant's order.
            {
              id: 'pickup',
              name: 'Pick up in the shop',
              amount: { currency: 'NOK', value: 0 },
              isDefault: false,
              priority: 1,
            },
          ],
        },
      ],
    });
  });

  it('dynamic options: our per-reference callback URL and a token derived from the client secret (or PWB_VIPPS_CALLBACK_SECRET)', () => {
    const { body, reference } = create(null);
    expect(body.shipping).toEqual({
      dynamicOptions: {
        callbackUrl: `${PUBLIC_URL}/v1/callbacks/vipps-epayment/shipping/${reference}`,
        callbackAuthorizationToken: deriveShippingToken(CREDENTIALS.clientSecret, MSN, reference),
      },
    });
    const configured = create(null, { PWB_VIPPS_CALLBACK_SECRET: CALLBACK_SECRET });
    expect(configured.body.shipping.dynamicOptions.callbackAuthorizationToken).toBe(
      deriveShippingToken(CALLBACK_SECRET, MSN, configured.reference),
    );
    // One token per payment; it is no secret in itself.
    expect(body.shipping.dynamicOptions.callbackAuthorizationToken).not.toContain(CREDENTIALS.clientSecret);
  });

  it('an ordinary payment sends neither profile nor shipping; NATIVE_REDIRECT stays for phones', () => {
    const config = vippsConfig('epayment');
    const body = buildEpaymentCreateBody(config, paymentInput({ mobile: true }), PUBLIC_URL) as Loose;
    expect(body).not.toHaveProperty('profile');
    expect(body).not.toHaveProperty('shipping');
    const express = buildEpaymentCreateBody(
      config,
      paymentInput({ mobile: true, express: { options: OPTIONS, confirmAddress: true } }),
      PUBLIC_URL,
    ) as Loose;
    expect(express.userFlow).toBe('NATIVE_REDIRECT');
  });

  it('declares express checkout', () => {
    expect(createWorld('epayment').adapter.express).toEqual({ supported: true });
  });

  it('groups carry the currency they are given', () => {
    const [group] = toEpaymentShippingGroups(OPTIONS, 'DKK') as Loose[];
    expect(group!.options.map((o: Loose) => o.amount.currency)).toEqual(['DKK', 'DKK']);
  });
});

describe('ePayment Express: the dynamic shipping callback', () => {
  const address = {
    addressLine1: 'Karl Johans gate 22',
    addressLine2: 'Leilighet H0301',
    city: 'Oslo',
    postCode: '0159',
    country: 'NO',
  };
  const ask = (reference: string, authorization: string | null, body: unknown) =>
    createWorld('epayment').adapter.handleCallback!(
      new Request(`${PUBLIC_URL}/v1/callbacks/vipps-epayment/shipping/${reference}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
      `shipping/${reference}`,
    );
  const reference = deriveOrderId('shop1', paymentInput().paymentId);
  const token = deriveShippingToken(CREDENTIALS.clientSecret, MSN, reference);

  it('is authenticated by the token as sent, and answered { groups } or declined with 400', async () => {
    const result = (await ask(reference, token, { reference, ...address })) as ShippingQuoteCallback;
    expect(result).toMatchObject({
      kind: 'shipping-quote',
      providerPaymentId: reference,
      address: {
        line1: 'Karl Johans gate 22',
        line2: 'Leilighet H0301',
        postCode: '0159',
        city: 'Oslo',
        country: 'NO',
      },
    });
    expect(result.reply(OPTIONS.slice(1), 'NOK')).toEqual({
      groups: [
        {
          brand: 'OTHER',
          type: 'HOME_DELIVERY',
          isDefault: true,
          priority: 0,
          options: [
            {
              id: 'pickup',
              name: 'Pick up in the shop',
              amount: { currency: 'NOK', value: 0 },
              isDefault: false,
              priority: 0,
            },
          ],
        },
      ],
    });
    expect(result.decline?.()).toMatchObject({ status: 400 });
  });

  it('refuses a missing, wrong or other payment’s token before reading the body; then a malformed or mismatched body', async () => {
    expect(await providerError(() => ask(reference, null, 'not json'))).toMatchObject({ code: 'unauthorized' });
    expect(await providerError(() => ask(reference, 'forged', 'not json'))).toMatchObject({ code: 'unauthorized' });
    const other = deriveOrderId('shop1', paymentInput().paymentId);
    expect(
      await providerError(() => ask(reference, deriveShippingToken(CREDENTIALS.clientSecret, MSN, other), 'x')),
    ).toMatchObject({
      code: 'unauthorized',
    });
    // The eCom authToken label is not this one.
    expect(verifyShippingToken([CREDENTIALS.clientSecret], MSN, reference, token)).toBe(true);
    expect(await providerError(() => ask(reference, token, 'not json'))).toMatchObject({ code: 'invalid_request' });
    expect(await providerError(() => ask(reference, token, { reference, city: 'Oslo' }))).toMatchObject({
      code: 'invalid_request',
    });
    expect(await providerError(() => ask(reference, token, { ...address, reference: other }))).toMatchObject({
      code: 'invalid_request',
    });
    expect(await providerError(() => ask('bad/ref', token, { reference, ...address }))).toMatchObject({
      code: 'not_found',
    });
  });

  it('validates the callback body with zod (camelCase, no addressId)', () => {
    expect(EpaymentShippingQuestion.safeParse({ reference, ...address }).success).toBe(true);
    expect(EpaymentShippingQuestion.safeParse({ reference, ...address, addressLine2: null }).success).toBe(true);
    expect(EpaymentShippingQuestion.safeParse({ reference, ...address, postCode: 159 }).success).toBe(false);
    expect(EpaymentShippingQuestion.safeParse({ ...address }).success).toBe(false);
  });
});

describe('ePayment Express: after the authorization', () => {
  const authorized = {
    reference: 'shop1-0123456789abcdef0123456789abcdef',
    state: 'AUTHORIZED',
    amount: { currency: 'NOK', value: 54_800 },
    aggregate: {
      authorizedAmount: { currency: 'NOK', value: 54_800 },
      cancelledAmount: { currency: 'NOK', value: 0 },
      capturedAmount: { currency: 'NOK', value: 0 },
      refundedAmount: { currency: 'NOK', value: 0 },
    },
    pspReference: 'psp-1',
    profile: { sub: 'c3f9d4b2-0000-4000-8000-000000000001' },
    userDetails: { email: 'kari@example.com', firstName: 'Kari', lastName: 'Nordmann', mobileNumber: '4791234567' },
    shippingDetails: {
      address: { addressLine1: 'Bryggen 15', addressLine2: '', city: 'Bergen', country: 'NO', postCode: '5003' },
      shippingCost: 4_900,
      shippingOptionId: 'pickup-1',
      shippingOptionName: 'PostNord Kiwi',
    },
  };

  it('GET: the shopper (MSISDN as +47…), sub, the option id and its cost in minor units; none of it in raw', () => {
    const snapshot = epaymentToSnapshot(EpaymentPayment.parse(authorized));
    expect(snapshot).toMatchObject({ status: 'authorized', authorizedAmount: 54_800 });
    expect(snapshot.express).toEqual({
      shopper: {
        firstName: 'Kari',
        lastName: 'Nordmann',
        email: 'kari@example.com',
        phoneNumber: '+4791234567',
        address: { line1: 'Bryggen 15', line2: null, postCode: '5003', city: 'Bergen', country: 'NO' },
      },
      providerUserId: 'c3f9d4b2-0000-4000-8000-000000000001',
      shipping: { methodId: 'pickup-1', amount: 4_900 },
    });
    expect(JSON.stringify(snapshot.raw)).not.toMatch(/Nordmann|Bryggen|kari/);
  });

  it('a malformed part is left out, never failing the status read; an ordinary payment has no express', () => {
    const broken = epaymentToSnapshot(
      EpaymentPayment.parse({ ...authorized, shippingDetails: { shippingCost: 'free' }, profile: null }),
    );
    expect(broken.status).toBe('authorized');
    expect(broken.express).toMatchObject({
      shipping: null,
      providerUserId: null,
      shopper: { lastName: 'Nordmann', address: null },
    });
    const { userDetails: _u, shippingDetails: _s, profile: _p, ...ordinary } = authorized;
    expect(epaymentToSnapshot(EpaymentPayment.parse(ordinary)).express).toBeUndefined();
    expect(epaymentExpressOf({})).toBeUndefined();
  });

  it('the signed authorized webhook carries the same', () => {
    const event = EpaymentWebhookEvent.parse({
      msn: MSN,
      reference: authorized.reference,
      pspReference: 'psp-1',
      name: 'AUTHORIZED',
      amount: { currency: 'NOK', value: 54_800 },
      timestamp: '2030-01-15T12:00:00Z',
      success: true,
      profile: authorized.profile,
      userDetails: authorized.userDetails,
      shippingDetails: authorized.shippingDetails,
    });
    expect(epaymentEventToSnapshot(event)).toMatchObject({
      status: 'authorized',
      authorizedAmount: 54_800,
      express: { shipping: { methodId: 'pickup-1', amount: 4_900 }, providerUserId: authorized.profile.sub },
    });
  });
});

/**
 * Vipps Hurtigkasse on the eCom v2 adapter, against the spec's shapes: the express initiate fields
 * (static options or the shipping callback, the consent-removal prefix, the explicit flow), the
 * shipping details request Vipps sends (authenticated like the callback, answered in
 * FetchShippingCostResponse form), the consent removal (authenticated by the token in the prefix we
 * gave) and the userDetails / shippingDetails of `GET …/details`.
 */
import type { ShippingOption } from '@pay-with-bank/protocol';
import { describe, expect, it } from 'vitest';
import type { ShippingQuoteCallback } from '../../src/providers/adapter.js';
import { buildEcomInitiateBody } from '../../src/providers/vipps/ecom-adapter.js';
import { countryCode, ecomExpressOf, toMinor } from '../../src/providers/vipps/ecom-express.js';
import { ecomDetailsToSnapshot } from '../../src/providers/vipps/ecom-mapping.js';
import { EcomDetails } from '../../src/providers/vipps/ecom-schemas.js';
import { deriveAuthToken, deriveConsentToken, deriveOrderId } from '../../src/providers/vipps/ids.js';
import { createLogger, REDACTED } from '../../src/log.js';
import { CALLBACK_SECRET, createWorld, paymentInput, providerError, PUBLIC_URL, vippsConfig } from './helpers.js';

const MSN = '123456';
const OPTIONS: ShippingOption[] = [
  { id: 'posten-servicepakke', name: 'Posten Servicepakke', amount: 9_950, default: true, priority: 1 },
  { id: 'pickup', name: 'Pick up in the shop', amount: 0 },
];
const PREFIX = `${PUBLIC_URL}/v1/callbacks/vipps-ecom`;

function express(options: ShippingOption[] | null, confirmAddress = true) {
  const config = vippsConfig('ecom');
  const input = paymentInput({ express: { options, confirmAddress } });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the request body is read loosely
  const body = buildEcomInitiateBody(config, PUBLIC_URL, input) as Record<string, any>;
  return { body, orderId: deriveOrderId('shop1', input.paymentId) };
}

describe('eCom express: initiate', () => {
  it('static options: eComm Express Payment with staticShippingDetails in NOK, the consent prefix, the explicit flow', () => {
    const { body, orderId } = express(OPTIONS);
    const token = deriveConsentToken(CALLBACK_SECRET, MSN, orderId);
    expect(body.merchantInfo).toMatchObject({
      paymentType: 'eComm Express Payment',
      callbackPrefix: PREFIX,
      authToken: deriveAuthToken(CALLBACK_SECRET, MSN, orderId),
      consentRemovalPrefix: `${PREFIX}/consents/${orderId}/${token}`,
      staticShippingDetails: [
        {
          isDefault: 'Y',
          priority: 1,
          shippingCost: 99.5,
          shippingMethod: 'Posten Servicepakke',
          shippingMethodId: 'posten-servicepakke',
        },
        // No priority given: the merchant's order.
        {
          isDefault: 'N',
          priority: 1,
          shippingCost: 0,
          shippingMethod: 'Pick up in the shop',
          shippingMethodId: 'pickup',
        },
      ],
    });
    // Vipps does not call the shipping callback when the options are static: none is offered.
    expect(body.merchantInfo).not.toHaveProperty('shippingDetailsPrefix');
    expect(body.transaction).toMatchObject({ orderId, amount: 49_900, useExplicitCheckoutFlow: true });
    // The consent token is not the authToken (a leaked one vouches for less), nor the secret.
    expect(token).not.toBe(body.merchantInfo.authToken);
    expect(JSON.stringify(body)).not.toContain(CALLBACK_SECRET);
    for (const url of [body.merchantInfo.consentRemovalPrefix, body.merchantInfo.callbackPrefix] as string[]) {
      expect(url.length).toBeLessThanOrEqual(255);
    }
  });

  it('options per address: the shipping details prefix instead of static options; confirmAddress false as given', () => {
    const { body } = express(null, false);
    expect(body.merchantInfo).toMatchObject({ paymentType: 'eComm Express Payment', shippingDetailsPrefix: PREFIX });
    expect(body.merchantInfo).not.toHaveProperty('staticShippingDetails');
    expect(body.transaction.useExplicitCheckoutFlow).toBe(false);
  });

  it('an ordinary payment stays a regular payment, without any express field', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the request body is read loosely
    const body = buildEcomInitiateBody(vippsConfig('ecom'), PUBLIC_URL, paymentInput()) as Record<string, any>;
    expect(body.merchantInfo).toMatchObject({ paymentType: 'eComm Regular Payment' });
    for (const field of ['consentRemovalPrefix', 'shippingDetailsPrefix', 'staticShippingDetails']) {
      expect(body.merchantInfo).not.toHaveProperty(field);
    }
    expect(body.transaction).not.toHaveProperty('useExplicitCheckoutFlow');
  });

  it('refuses a public URL too long for the consent prefix (255) before calling Vipps', () => {
    const longUrl = `https://${'a'.repeat(140)}.example`; // fine for callbackPrefix (≤ 255), not with the consent path
    expect(() =>
      buildEcomInitiateBody(
        vippsConfig('ecom'),
        longUrl,
        paymentInput({ express: { options: OPTIONS, confirmAddress: true } }),
      ),
    ).toThrow(/too long for Vipps eCom express/);
  });

  it('declares express checkout', () => {
    expect(createWorld('ecom').adapter.express).toEqual({ supported: true });
    // ePayment has its own Express (test/vipps/epayment-express.test.ts).
    expect(createWorld('epayment').adapter.express).toEqual({ supported: true });
  });
});

function shippingRequest(orderId: string, body: unknown, authorization: string | null): Request {
  return new Request(`${PREFIX}/v2/payments/${orderId}/shippingDetails`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization === null ? {} : { authorization }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** ShippingCostAndMethod, as in the spec's example. */
const QUESTION = {
  addressId: 3960,
  addressLine1: 'Dronning Eufemias gate 42',
  addressLine2: null,
  country: 'NO',
  city: 'OSLO',
  postCode: '0191',
  addressType: 'H',
};

describe('eCom express: the shipping details request', () => {
  it('is authenticated like the callback, and answered as FetchShippingCostResponse with our options', async () => {
    const { adapter } = createWorld('ecom');
    const orderId = deriveOrderId('shop1', paymentInput().paymentId);
    const token = deriveAuthToken(CALLBACK_SECRET, MSN, orderId);
    const result = await adapter.handleCallback!(
      shippingRequest(orderId, QUESTION, token),
      `v2/payments/${orderId}/shippingDetails`,
    );
    expect(result).toMatchObject({
      kind: 'shipping-quote',
      providerPaymentId: orderId,
      address: { line1: 'Dronning Eufemias gate 42', line2: null, postCode: '0191', city: 'OSLO', country: 'NO' },
    });
    expect((result as ShippingQuoteCallback).reply(OPTIONS, 'NOK')).toEqual({
      addressId: 3960,
      orderId,
      shippingDetails: [
        {
          isDefault: 'Y',
          priority: 1,
          shippingCost: 99.5,
          shippingMethod: 'Posten Servicepakke',
          shippingMethodId: 'posten-servicepakke',
        },
        {
          isDefault: 'N',
          priority: 1,
          shippingCost: 0,
          shippingMethod: 'Pick up in the shop',
          shippingMethodId: 'pickup',
        },
      ],
    });
  });

  it('refuses a missing or wrong token before reading the body, and a malformed address after', async () => {
    const { adapter } = createWorld('ecom');
    const orderId = deriveOrderId('shop1', paymentInput().paymentId);
    const other = deriveOrderId('shop1', paymentInput().paymentId);
    const path = `v2/payments/${orderId}/shippingDetails`;
    for (const auth of [
      null,
      'nope',
      deriveAuthToken(CALLBACK_SECRET, MSN, other),
      deriveConsentToken(CALLBACK_SECRET, MSN, orderId),
    ]) {
      const error = await providerError(() =>
        adapter.handleCallback!(shippingRequest(orderId, '{garbage', auth), path),
      );
      expect(error.code).toBe('unauthorized');
    }
    const token = deriveAuthToken(CALLBACK_SECRET, MSN, orderId);
    for (const body of [
      '{garbage',
      { ...QUESTION, addressId: 'x' },
      { addressId: 1 },
      { ...QUESTION, city: undefined },
    ]) {
      const error = await providerError(() => adapter.handleCallback!(shippingRequest(orderId, body, token), path));
      expect(error.code).toBe('invalid_request');
    }
  });
});

function consentRequest(subPath: string): Request {
  return new Request(`${PREFIX}/${subPath}`, { method: 'DELETE' });
}

describe('eCom express: consent removal', () => {
  it('is authenticated by the token in the prefix we gave; the user id is URL-decoded', async () => {
    const { adapter } = createWorld('ecom');
    const orderId = deriveOrderId('shop1', paymentInput().paymentId);
    const token = deriveConsentToken(CALLBACK_SECRET, MSN, orderId);
    const subPath = `consents/${orderId}/${token}/v2/consents/${encodeURIComponent('uiJskNQ6qNN1iwN891uuob==')}`;
    expect(await adapter.handleCallback!(consentRequest(subPath), subPath)).toEqual({
      kind: 'consent-removal',
      providerPaymentId: orderId,
      providerUserId: 'uiJskNQ6qNN1iwN891uuob==',
    });
  });

  it('refuses another order’s token, the authToken, a wrong token, and a user id outside the spec’s pattern', async () => {
    const { adapter } = createWorld('ecom');
    const orderId = deriveOrderId('shop1', paymentInput().paymentId);
    const other = deriveOrderId('shop1', paymentInput().paymentId);
    for (const token of [
      deriveConsentToken(CALLBACK_SECRET, MSN, other),
      deriveAuthToken(CALLBACK_SECRET, MSN, orderId),
      'x'.repeat(43),
    ]) {
      const subPath = `consents/${orderId}/${token}/v2/consents/user-1`;
      expect((await providerError(() => adapter.handleCallback!(consentRequest(subPath), subPath))).code).toBe(
        'unauthorized',
      );
    }
    const token = deriveConsentToken(CALLBACK_SECRET, MSN, orderId);
    for (const userId of ['', '%3Cscript%3E', 'a'.repeat(101), '%E0%A4%A']) {
      const subPath = `consents/${orderId}/${token}/v2/consents/${userId}`;
      const error = await providerError(() => adapter.handleCallback!(consentRequest(subPath), subPath));
      expect(['invalid_request', 'not_found']).toContain(error.code);
    }
  });

  it('never lets its token reach a log line', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', sink: (line) => lines.push(line) });
    const token = deriveConsentToken(CALLBACK_SECRET, MSN, 'shop1-0123');
    logger.info('request', { path: `/v1/callbacks/vipps-ecom/consents/shop1-0123/${token}/v2/consents/u1` });
    expect(lines.join('\n')).not.toContain(token);
    expect(lines.join('\n')).toContain(`/consents/shop1-0123/${REDACTED}/v2/consents/u1`);
  });
});

describe('eCom express: the details of an express payment', () => {
  const details = (extra: Record<string, unknown>) =>
    EcomDetails.parse({
      orderId: 'shop1-1',
      transactionLogHistory: [
        { amount: 59_850, operation: 'RESERVE', operationSuccess: true, transactionText: 'x' },
        { amount: 49_900, operation: 'INITIATE', operationSuccess: true, transactionText: 'x' },
      ],
      ...extra,
    });

  it('reads userDetails and shippingDetails into the shopper and the reported choice', () => {
    const snapshot = ecomDetailsToSnapshot(
      details({
        userDetails: {
          userId: 'uiJskNQ6qNN1iwN891uuob==',
          firstName: 'Ada',
          lastName: 'Lovelace',
          email: 'user@example.com',
          mobileNumber: '91234567',
          bankIdVerified: 'Y',
        },
        shippingDetails: {
          address: {
            addressLine1: 'Robert Levins gate 5',
            addressLine2: 'Att: Rune Garborg',
            city: 'Oslo',
            country: 'Norway',
            postCode: '0154',
          },
          shippingCost: 99.5,
          shippingMethod: 'Posten Servicepakke',
          shippingMethodId: 'posten-servicepakke',
        },
      }),
    );
    expect(snapshot).toMatchObject({ status: 'authorized', authorizedAmount: 59_850 });
    expect(snapshot.express).toEqual({
      shopper: {
        firstName: 'Ada',
        lastName: 'Lovelace',
        email: 'user@example.com',
        phoneNumber: '+4791234567',
        address: {
          line1: 'Robert Levins gate 5',
          line2: 'Att: Rune Garborg',
          postCode: '0154',
          city: 'Oslo',
          country: 'NO',
        },
      },
      providerUserId: 'uiJskNQ6qNN1iwN891uuob==',
      shipping: { methodId: 'posten-servicepakke', amount: 9_950 },
    });
    // None of it goes into the raw provider data kept with events.
    expect(JSON.stringify(snapshot.raw)).not.toMatch(/Ada|Lovelace|Levins|uiJsk/);
  });

  it('reads the express callback’s zipCode as well; a malformed part is left out, never failing the status', () => {
    expect(
      ecomExpressOf({
        shippingDetails: {
          address: { addressLine1: 'A 1', city: 'Oslo', country: 'Norway', zipCode: '0191' },
          shippingCost: 0,
          shippingMethodId: 'pickup',
        },
      }),
    ).toEqual({
      shopper: {
        firstName: null,
        lastName: null,
        email: null,
        phoneNumber: null,
        address: { line1: 'A 1', line2: null, postCode: '0191', city: 'Oslo', country: 'NO' },
      },
      providerUserId: null,
      shipping: { methodId: 'pickup', amount: 0 },
    });
    const broken = ecomDetailsToSnapshot(
      details({ userDetails: { firstName: 'no id' }, shippingDetails: { shippingCost: 'free' } }),
    );
    expect(broken.status).toBe('authorized');
    expect(broken.express).toEqual({ shopper: null, providerUserId: null, shipping: null });
    expect(ecomDetailsToSnapshot(details({})).express).toBeUndefined();
  });

  it('converts NOK to øre exactly, leaving a fraction of an øre visible', () => {
    expect(toMinor(99.5)).toBe(9_950);
    expect(toMinor(0.1 + 0.2)).toBe(30);
    expect(toMinor(1234.56)).toBe(123_456);
    expect(toMinor(10.005)).toBe(1000.5);
  });

  it('names countries by ISO code', () => {
    expect(['Norway', 'NO', 'no', 'Norge', 'Sweden', 'DK'].map(countryCode)).toEqual([
      'NO',
      'NO',
      'NO',
      'NO',
      'SE',
      'DK',
    ]);
    expect(countryCode('Atlantis')).toBe('Atlantis');
  });
});

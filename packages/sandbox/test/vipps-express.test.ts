/**
 * eCom v2 express checkout (Vipps Hurtigkasse): initiation, the phone's consent/address/shipping
 * steps (old and explicit flow), static and dynamic shipping, the shippingDetails call failing,
 * the express callback, /details and consent removal. Every express message is checked against
 * the spec (swagger.yaml + ms_import.yaml) with Ajv.
 */
import { describe, expect, it } from 'vitest';
import { EXPRESS_TEST_ADDRESSES, expressUserFor } from '../src/vipps/index.js';
import { CREDENTIALS, createHarness, IPHONE_UA, textOf, type Loose } from './vipps-harness.js';
import { assertValid, responseValidator, schemaValidator } from './vipps-spec.js';
import {
  AUTH_TOKEN,
  CALLBACK_PREFIX,
  callbacksFor,
  checkConsentRemoval,
  checkedShippingRequests,
  CONSENT_PREFIX,
  consentRemovalsAt,
  details,
  dynamicOptions,
  expressBody,
  FALLBACK,
  INITIATE,
  initiateExpress,
  ITEMS,
  merchantAnswersShipping,
  phonePath,
  phoneStep,
  pushFromLanding,
  radios,
  SHIPPING_PREFIX,
  shippingRequests,
  STATIC_OPTIONS,
  theCallback,
  theExpressCallback,
} from './vipps-express-helpers.js';

const operations = (body: { transactionLogHistory: { operation: string; amount: number }[] }) =>
  body.transactionLogHistory.map((entry) => `${entry.operation} ${entry.amount}`);

function expectInitiateError(result: { status: number; body: Loose }, code: string) {
  expect(result.status).toBe(400);
  assertValid(responseValidator('ecom', 'POST', INITIATE, 400), result.body, 'error');
  expect(result.body).toContainEqual(expect.objectContaining({ errorGroup: 'InvalidRequest', errorCode: code }));
}

const HOME = EXPRESS_TEST_ADDRESSES[0]!;
const BERGEN = EXPRESS_TEST_ADDRESSES[2]!;
const TROMSO = EXPRESS_TEST_ADDRESSES[3]!;

describe('express initiation', () => {
  it('accepts "eComm Express Payment" with consentRemovalPrefix and shippingDetailsPrefix or staticShippingDetails', async () => {
    const h = createHarness();
    const dynamic = await initiateExpress(h, 'express-dynamic');
    expect(dynamic.url).toMatch(
      /^https:\/\/sandbox\.test\/vipps\/dwo-api-application\/v1\/deeplink\/vippsgateway\?v=2&token=/,
    );
    const inspected = h.controls.inspect('express-dynamic');
    expect(inspected).toMatchObject({
      kind: 'ecom',
      payment: {
        amount: ITEMS,
        express: {
          consentRemovalPrefix: CONSENT_PREFIX,
          shippingDetailsPrefix: SHIPPING_PREFIX,
          staticShippingDetails: null,
          explicitCheckoutFlow: false,
          itemsAmount: ITEMS,
          consent: 'pending',
          user: null,
        },
      },
    });

    await initiateExpress(h, 'express-static', { staticShipping: STATIC_OPTIONS, explicit: true });
    const express = (h.controls.inspect('express-static') as Loose).payment.express;
    expect(express.shippingDetailsPrefix).toBeNull();
    expect(express.explicitCheckoutFlow).toBe(true);
    // As the app lists them: by priority, NOK converted to øre exactly.
    expect(express.staticShippingDetails.map((o: Loose) => [o.shippingMethodId, o.costOre, o.isDefault])).toEqual([
      ['servicepakke', 9900, true],
      ['express', 14900, false],
      ['pickup', 4950, false],
    ]);
    expect(operations(await details(h, 'express-static'))).toEqual([`INITIATE ${ITEMS}`]);
  });

  it('refuses an express payment without consentRemovalPrefix, as the spec requires it, and creates nothing', async () => {
    const h = createHarness();
    const body = expressBody('express-no-consent', { consentPrefix: null });
    expectInitiateError(await h.api('POST', INITIATE, body), 'merchantInfo.consentRemovalPrefix');
    expect(h.controls.inspect('express-no-consent')).toBeUndefined();
  });

  it.each([
    ['neither shippingDetailsPrefix nor staticShippingDetails', { shippingPrefix: null }],
    ['an empty staticShippingDetails and no prefix', { shippingPrefix: null, staticShipping: [] }],
  ])('refuses an express payment with %s', async (_label, init) => {
    const h = createHarness();
    expectInitiateError(
      await h.api('POST', INITIATE, expressBody('express-no-shipping', init)),
      'merchantInfo.shippingDetailsPrefix',
    );
    expect(h.controls.inspect('express-no-shipping')).toBeUndefined();
  });

  it.each([
    [
      'isDefault that is not Y/N',
      (o: Loose) => (o.isDefault = 'yes'),
      'merchantInfo.staticShippingDetails.0.isDefault',
    ],
    [
      'a cost with three decimals',
      (o: Loose) => (o.shippingCost = 9.999),
      'merchantInfo.staticShippingDetails.0.shippingCost',
    ],
    ['a negative cost', (o: Loose) => (o.shippingCost = -1), 'merchantInfo.staticShippingDetails.0.shippingCost'],
    [
      'no shippingMethodId',
      (o: Loose) => delete o.shippingMethodId,
      'merchantInfo.staticShippingDetails.0.shippingMethodId',
    ],
    [
      'a method name over 256 characters',
      (o: Loose) => (o.shippingMethod = 'x'.repeat(257)),
      'merchantInfo.staticShippingDetails.0.shippingMethod',
    ],
  ])('refuses staticShippingDetails with %s (field as the error code)', async (_label, change, code) => {
    const h = createHarness();
    const options = STATIC_OPTIONS.map((option) => ({ ...option }));
    change(options[0]);
    expectInitiateError(
      await h.api('POST', INITIATE, expressBody('express-bad-static', { staticShipping: options })),
      code,
    );
  });

  it('refuses duplicate shippingMethodIds and express URLs that are not http(s)', async () => {
    const h = createHarness();
    const duplicate = [
      STATIC_OPTIONS[0],
      { ...STATIC_OPTIONS[1], shippingMethodId: STATIC_OPTIONS[0]!.shippingMethodId },
    ];
    expectInitiateError(
      await h.api('POST', INITIATE, expressBody('express-dup', { staticShipping: duplicate })),
      'merchantInfo.staticShippingDetails.1.shippingMethodId',
    );
    expectInitiateError(
      await h.api('POST', INITIATE, expressBody('express-url', { consentPrefix: 'ftp://shop.test/consents' })),
      'merchantInfo.consentRemovalPrefix',
    );
    expectInitiateError(
      await h.api('POST', INITIATE, expressBody('express-url', { shippingPrefix: 'not a url' })),
      'merchantInfo.shippingDetailsPrefix',
    );
  });

  it('leaves regular payments as they were: express fields without paymentType express are ignored', async () => {
    const h = createHarness();
    const body: Loose = expressBody('regular-with-extras');
    body.merchantInfo.paymentType = 'eComm Regular Payment';
    body.transaction.useExplicitCheckoutFlow = true;
    const result = await h.api('POST', INITIATE, body);
    expect(result.status, result.text).toBe(200);
    expect((h.controls.inspect('regular-with-extras') as Loose).payment.express).toBeNull();
    h.controls.approve('regular-with-extras', '91234567');
    await h.controls.flush();
    expect(theCallback(h, 'regular-with-extras').transactionInfo).toMatchObject({ status: 'RESERVED', amount: ITEMS });
    const regular = await details(h, 'regular-with-extras');
    expect(regular.userDetails).toBeUndefined();
    expect(regular.shippingDetails).toBeUndefined();
    expect(shippingRequests(h, 'regular-with-extras')).toHaveLength(0);
  });

  it('is not supported by force approve (as the spec says): error 91, nothing happens', async () => {
    const h = createHarness();
    await initiateExpress(h, 'express-force', { staticShipping: STATIC_OPTIONS });
    const result = await h.api('POST', '/ecomm/v2/integration-test/payments/express-force/approve', {});
    expect(result.status).toBe(400);
    expect(result.body).toEqual([expect.objectContaining({ errorGroup: 'VippsError', errorCode: '91' })]);
    expect(operations(await details(h, 'express-force'))).toEqual([`INITIATE ${ITEMS}`]);
  });
});

describe('express on the sandbox phone: static shipping, old flow', () => {
  it('consent → address and shipping on the payment page (default preselected) → RESERVE of items + shipping → express callback → details', async () => {
    const h = createHarness();
    const { url } = await initiateExpress(h, 'express-1', { staticShipping: STATIC_OPTIONS, mobileNumber: '91234567' });
    const landing = await h.browse(h.pathOf(url));
    expect(textOf(landing.html)).toContain('NOK 499.00');
    expect(textOf(landing.html)).toContain('Plus shipping, chosen in Vipps.');
    const token = await pushFromLanding(h, url);

    // 1. Consent: what will be shared, before anything else.
    const consent = await h.browse(phonePath(token));
    expect(consent.html).toMatch(/<h1>Share your information\?<\/h1>/);
    const user = expressUserFor('91234567');
    const consentText = textOf(consent.html);
    expect(consentText).toContain('Name: Kari Nordmann');
    expect(consentText).toContain(`Email address: ${user.email}`);
    expect(consentText).toContain('Phone number: +47 912 34 567');
    expect(consentText).toContain('Address: Karl Johans gate 22, Leilighet H0301, 0159 Oslo');
    expect(consent.html).toContain(`action="/vipps/sandbox-phone/${token}/consent/accept"`);
    expect(consent.html).not.toContain('/confirm"');
    // Confirming before consenting changes nothing.
    await phoneStep(h, token, 'confirm');
    expect(operations(await details(h, 'express-1'))).toEqual([`INITIATE ${ITEMS}`]);

    await phoneStep(h, token, 'consent/accept');

    // 2. The payment page: addresses (Home checked), shipping by priority with the default checked.
    const payment = await h.browse(phonePath(token));
    expect(payment.html).toMatch(/<h1>Payment request<\/h1>/);
    const choices = radios(payment.html);
    expect(choices.filter((r) => r.name === 'addressId').map((r) => [r.value, r.checked])).toEqual([
      ['100', true],
      ['101', false],
      ['102', false],
      ['103', false],
    ]);
    expect(choices.filter((r) => r.name === 'shippingMethodId').map((r) => [r.label, r.checked])).toEqual([
      ['Posten Servicepakke, NOK 99.00, total NOK 598.00', true],
      ['Posten Express, NOK 149.00, total NOK 648.00', false],
      ['Hent i butikk, NOK 49.50, total NOK 548.50', false],
    ]);
    // No lookup with static shipping details.
    expect(shippingRequests(h, 'express-1')).toHaveLength(0);

    // 3. Another address and another shipping method, then Confirm.
    await phoneStep(h, token, 'address', { addressId: String(BERGEN.addressId) });
    await phoneStep(h, token, 'confirm', { shippingMethodId: 'express' });
    const result = await h.browse(phonePath(token));
    expect(result.html).toMatch(/<h1>Payment confirmed<\/h1>/);
    expect(textOf(result.html)).toContain('NOK 648.00');
    expect(textOf(result.html)).toContain(
      'Including shipping: Posten Express (NOK 149.00), to Bryggen 15, 5003 Bergen.',
    );
    expect((await h.browse(h.pathOf(url))).location).toBe(FALLBACK);

    // 4. The express callback: RESERVE, the total, the user and the shipping details.
    await h.controls.flush();
    const callback = theExpressCallback(h, 'express-1');
    expect(callback).toEqual({
      merchantSerialNumber: CREDENTIALS.msn,
      orderId: 'express-1',
      shippingDetails: {
        address: {
          addressLine1: 'Bryggen 15',
          addressLine2: '',
          city: 'Bergen',
          country: 'Norway',
          zipCode: '5003',
          postCode: '5003',
        },
        shippingCost: 149,
        shippingMethod: 'Posten Express',
        shippingMethodId: 'express',
      },
      transactionInfo: {
        amount: ITEMS + 14900,
        status: 'RESERVE',
        timeStamp: expect.any(String),
        transactionId: expect.stringMatching(/^\d{10}$/),
      },
      userDetails: user,
    });

    // 5. /details: the log (INITIATE of the items, RESERVE of items + shipping), the user and shipping.
    const reserved = await details(h, 'express-1');
    expect(operations(reserved)).toEqual([`RESERVE ${ITEMS + 14900}`, `INITIATE ${ITEMS}`]);
    expect(reserved.transactionSummary).toMatchObject({ remainingAmountToCapture: ITEMS + 14900 });
    expect(reserved.userDetails).toEqual(user);
    expect(reserved.shippingDetails).toEqual({
      address: { addressLine1: 'Bryggen 15', addressLine2: '', city: 'Bergen', country: 'Norway', postCode: '5003' },
      shippingCost: 149,
      shippingMethod: 'Posten Express',
      shippingMethodId: 'express',
    });
    assertValid(schemaValidator('ecom', 'UserDetails'), reserved.userDetails, 'UserDetails');
    assertValid(schemaValidator('ecom', 'PaymentShippingDetails'), reserved.shippingDetails, 'PaymentShippingDetails');

    // 6. The merchant captures the total with shipping.
    const captured = await h.api(
      'POST',
      '/ecomm/v2/payments/express-1/capture',
      { merchantInfo: { merchantSerialNumber: CREDENTIALS.msn }, transaction: { transactionText: 'Shipped' } },
      { 'X-Request-Id': 'capture-express-1' },
    );
    expect(captured.status, captured.text).toBe(200);
    expect(captured.body.transactionInfo.amount).toBe(ITEMS + 14900);
  });

  it('preselects the first option when none is the default, and the first default when several are', async () => {
    const h = createHarness();
    const none = STATIC_OPTIONS.map((option) => ({ ...option, isDefault: 'N' }));
    await initiateExpress(h, 'express-none-default', { staticShipping: none });
    await h.controls.approveExpress('express-none-default');
    expect((await details(h, 'express-none-default')).shippingDetails.shippingMethodId).toBe('servicepakke');

    const both = STATIC_OPTIONS.map((option) => ({ ...option, isDefault: 'Y' }));
    await initiateExpress(h, 'express-two-defaults', { staticShipping: both });
    await h.controls.approveExpress('express-two-defaults');
    expect((await details(h, 'express-two-defaults')).shippingDetails.shippingMethodId).toBe('servicepakke');
  });

  it('shows at most 10 options (the first 10 by priority) and takes free shipping (0 NOK)', async () => {
    const h = createHarness();
    const many = Array.from({ length: 12 }, (_, i) => ({
      isDefault: i === 11 ? 'Y' : 'N',
      priority: 12 - i,
      shippingCost: i === 11 ? 0 : 10 + i,
      shippingMethod: `Method ${i}`,
      shippingMethodId: `m${i}`,
    }));
    const { url } = await initiateExpress(h, 'express-many', { staticShipping: many });
    const token = await pushFromLanding(h, url);
    await phoneStep(h, token, 'consent/accept');
    const shipping = radios((await h.browse(phonePath(token))).html).filter((r) => r.name === 'shippingMethodId');
    expect(shipping).toHaveLength(10);
    expect(shipping[0]).toMatchObject({ value: 'm11', checked: true, label: 'Method 11, free, total NOK 499.00' });
    await phoneStep(h, token, 'confirm', { shippingMethodId: 'm11' });
    await h.controls.flush();
    // Free shipping: valid in swagger.yaml (minimum 0), below ms_import.yaml's minimum of 1.00.
    expect(theExpressCallback(h, 'express-many', true).transactionInfo.amount).toBe(ITEMS);
    expect((await details(h, 'express-many')).shippingDetails.shippingCost).toBe(0);
  });

  it('after an app switch (mobile), Confirm goes back to the store', async () => {
    const h = createHarness();
    const { url } = await initiateExpress(h, 'express-app', { staticShipping: STATIC_OPTIONS });
    const phone = (await h.browse(h.pathOf(url), { userAgent: IPHONE_UA })).location!;
    const token = phone.split('/').pop()!;
    await h.browse(`${phone}/consent/accept`, { method: 'POST', userAgent: IPHONE_UA });
    const confirmed = await h.browse(`${phone}/confirm`, {
      form: { shippingMethodId: 'pickup' },
      userAgent: IPHONE_UA,
    });
    expect(confirmed.location).toBe(FALLBACK);
    await h.controls.flush();
    // No number was entered: the app's own user (the default test number).
    expect(theExpressCallback(h, 'express-app').userDetails).toEqual(expressUserFor('91234567'));
    expect(token).toBeTruthy();
  });
});

describe('express: dynamic shipping from the merchant', () => {
  it('asks shippingDetailsPrefix for the selected address (spec body, authToken) and again for another address', async () => {
    const h = createHarness();
    merchantAnswersShipping(h);
    const { url } = await initiateExpress(h, 'express-dyn');
    const token = await pushFromLanding(h, url, '41234567');
    await phoneStep(h, token, 'consent/accept');

    const [first] = checkedShippingRequests(h, 'express-dyn');
    expect(first!.request.headers.get('authorization')).toBe(AUTH_TOKEN);
    expect(first!.body).toEqual({
      addressId: HOME.addressId,
      addressLine1: HOME.addressLine1,
      addressLine2: HOME.addressLine2,
      city: HOME.city,
      country: 'NO',
      postCode: HOME.postCode,
      addressType: 'H',
    });
    const page = await h.browse(phonePath(token));
    expect(radios(page.html).filter((r) => r.name === 'shippingMethodId')).toEqual([
      {
        name: 'shippingMethodId',
        value: 'mailbox',
        checked: false,
        label: 'Bring Pakke i postkassen, NOK 39.00, total NOK 538.00',
      },
      {
        name: 'shippingMethodId',
        value: 'home',
        checked: true,
        label: 'Bring Hjemlevering, NOK 79.00, total NOK 578.00',
      },
    ]);

    // Tromsø: the merchant's options for that address.
    await phoneStep(h, token, 'address', { addressId: String(TROMSO.addressId) });
    const requests = checkedShippingRequests(h, 'express-dyn');
    expect(requests.map((r) => r.body.postCode)).toEqual([HOME.postCode, TROMSO.postCode]);
    expect(requests[1]!.body).toMatchObject({ addressId: TROMSO.addressId, addressType: 'O', city: 'Tromsø' });
    const north = radios((await h.browse(phonePath(token))).html).filter((r) => r.name === 'shippingMethodId');
    expect(north.find((r) => r.value === 'home')?.label).toBe('Bring Hjemlevering, NOK 199.00, total NOK 698.00');

    await phoneStep(h, token, 'confirm', { shippingMethodId: 'home' });
    await h.controls.flush();
    const callback = theExpressCallback(h, 'express-dyn');
    expect(callback.transactionInfo.amount).toBe(ITEMS + 19900);
    expect(callback.shippingDetails).toMatchObject({
      address: { addressLine1: 'Storgata 90', city: 'Tromsø', zipCode: '9008' },
      shippingCost: 199,
      shippingMethodId: 'home',
    });
    expect(callback.userDetails.mobileNumber).toBe('41234567');

    // The sandbox records each call and what it accepted.
    const exchanges = h.controls.expressExchanges('express-dyn');
    expect(exchanges.map((e) => [e.kind, e.outcome, e.response?.status, e.sentAuthorization])).toEqual([
      ['shipping-details', 'accepted', 200, true],
      ['shipping-details', 'accepted', 200, true],
    ]);
    for (const exchange of exchanges) {
      assertValid(
        responseValidator('ecom', 'POST', '/shippingDetailsPrefix/v2/payments/{orderId}/shippingDetails', 200),
        JSON.parse(exchange.response!.body),
        'accepted answer',
      );
    }
    expect(JSON.stringify(exchanges)).not.toContain(AUTH_TOKEN);
  });

  it('uses only the static list when both staticShippingDetails and a prefix are given (the spec: the callback is not used)', async () => {
    const h = createHarness();
    merchantAnswersShipping(h);
    await initiateExpress(h, 'express-both', { staticShipping: STATIC_OPTIONS, shippingPrefix: SHIPPING_PREFIX });
    await h.controls.approveExpress('express-both', { addressId: BERGEN.addressId });
    expect(shippingRequests(h, 'express-both')).toHaveLength(0);
    expect((await details(h, 'express-both')).shippingDetails.shippingMethodId).toBe('servicepakke');
  });

  it('sends no Authorization header to shippingDetails without an authToken', async () => {
    const h = createHarness();
    merchantAnswersShipping(h);
    await initiateExpress(h, 'express-noauth', { authToken: null });
    await h.controls.approveExpress('express-noauth');
    expect(checkedShippingRequests(h, 'express-noauth')[0]!.request.headers.get('authorization')).toBeNull();
    expect(h.controls.expressExchanges('express-noauth')[0]!.sentAuthorization).toBe(false);
  });

  it('pins a spec discrepancy: free shipping (0 NOK) is valid in swagger.yaml, not in ms_import.yaml; the sandbox takes it', async () => {
    const free = {
      isDefault: 'Y',
      priority: 1,
      shippingCost: 0,
      shippingMethod: 'Gratis frakt',
      shippingMethodId: 'free',
    };
    expect(schemaValidator('ecom', 'ShippingDetails')(free)).toBe(true);
    expect(schemaValidator('ecomMerchant', 'ShippingDetails')(free)).toBe(false);
    const h = createHarness();
    merchantAnswersShipping(h, (request) => {
      const asked = JSON.parse(request.body);
      return Response.json({ addressId: asked.addressId, orderId: 'express-free', shippingDetails: [free] });
    });
    await initiateExpress(h, 'express-free');
    await h.controls.approveExpress('express-free');
    expect((await details(h, 'express-free')).transactionLogHistory[0].amount).toBe(ITEMS);
  });
});

// Keeps the imports of later describe blocks honest when they are split out.
void [CALLBACK_PREFIX, callbacksFor, checkConsentRemoval, consentRemovalsAt, dynamicOptions];

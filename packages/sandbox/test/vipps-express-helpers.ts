/**
 * Helpers of the express checkout (Vipps Hurtigkasse) tests: initiation bodies, a merchant that
 * answers Vipps' shippingDetails, callback and consent removal calls, the phone's steps, and the
 * checks of every express message against the eCom v2 spec (swagger.yaml + ms_import.yaml).
 */
import { expect } from 'vitest';
import { CREDENTIALS, hiddenToken, textOf, type Harness, type Loose, type ReceivedRequest } from './vipps-harness.js';
import { assertValid, parameterNames, requestValidator, responseValidator, schemaValidator } from './vipps-spec.js';

export const INITIATE = '/ecomm/v2/payments';
export const CALLBACK_PREFIX = 'https://shop.test/vipps';
export const SHIPPING_PREFIX = 'https://shop.test/vipps/shipping';
export const CONSENT_PREFIX = 'https://shop.test/vipps/consents';
export const FALLBACK = 'https://shop.test/checkout/return?order=1';
export const AUTH_TOKEN = 'merchant-callback-secret-42';
export const ITEMS = 49900;

export const SHIPPING_PATH = '/shippingDetailsPrefix/v2/payments/{orderId}/shippingDetails';
export const CONSENT_PATH = '/consentRemovalPrefix/v2/consents/{userId}';
export const CALLBACK_PATH = '/callbackPrefix/v2/payments/{orderId}';
export const DETAILS_PATH = '/ecomm/v2/payments/{orderId}/details';

/** The spec's ShippingDetails, as a merchant sends them (NOK, not øre). */
export const STATIC_OPTIONS = [
  { isDefault: 'N', priority: 2, shippingCost: 149.0, shippingMethod: 'Posten Express', shippingMethodId: 'express' },
  {
    isDefault: 'Y',
    priority: 1,
    shippingCost: 99.0,
    shippingMethod: 'Posten Servicepakke',
    shippingMethodId: 'servicepakke',
  },
  { isDefault: 'N', priority: 3, shippingCost: 49.5, shippingMethod: 'Hent i butikk', shippingMethodId: 'pickup' },
];

export interface ExpressInit {
  staticShipping?: Loose[] | null;
  shippingPrefix?: string | null;
  consentPrefix?: string | null;
  explicit?: boolean;
  mobileNumber?: string;
  authToken?: string | null;
  isApp?: boolean;
  amount?: number;
  transactionText?: string;
}

export function expressBody(orderId: string, init: ExpressInit = {}) {
  const staticShipping = init.staticShipping === undefined ? null : init.staticShipping;
  const shippingPrefix =
    init.shippingPrefix === undefined ? (staticShipping ? null : SHIPPING_PREFIX) : init.shippingPrefix;
  const consentPrefix = init.consentPrefix === undefined ? CONSENT_PREFIX : init.consentPrefix;
  return {
    customerInfo: init.mobileNumber !== undefined ? { mobileNumber: init.mobileNumber } : {},
    merchantInfo: {
      merchantSerialNumber: CREDENTIALS.msn as string,
      callbackPrefix: CALLBACK_PREFIX,
      fallBack: FALLBACK,
      paymentType: 'eComm Express Payment',
      ...(init.authToken === null ? {} : { authToken: init.authToken ?? AUTH_TOKEN }),
      ...(consentPrefix !== null ? { consentRemovalPrefix: consentPrefix } : {}),
      ...(shippingPrefix !== null ? { shippingDetailsPrefix: shippingPrefix } : {}),
      ...(staticShipping !== null ? { staticShippingDetails: staticShipping } : {}),
      ...(init.isApp !== undefined ? { isApp: init.isApp } : {}),
    },
    transaction: {
      amount: init.amount ?? ITEMS,
      orderId,
      transactionText: init.transactionText ?? 'One pair of Vipps socks',
      ...(init.explicit !== undefined ? { useExplicitCheckoutFlow: init.explicit } : {}),
    },
  };
}

/** Initiates an express payment; the request and the answer are checked against the spec. */
export async function initiateExpress(h: Harness, orderId: string, init: ExpressInit = {}) {
  const body = expressBody(orderId, init);
  assertValid(requestValidator('ecom', 'POST', INITIATE), body, 'express initiate request');
  const result = await h.api('POST', INITIATE, body);
  expect(result.status, result.text).toBe(200);
  assertValid(responseValidator('ecom', 'POST', INITIATE, 200), result.body, 'initiate response');
  return result.body as { orderId: string; url: string };
}

export async function details(h: Harness, orderId: string) {
  const result = await h.api('GET', `/ecomm/v2/payments/${orderId}/details`);
  expect(result.status, result.text).toBe(200);
  assertValid(responseValidator('ecom', 'GET', DETAILS_PATH, 200), result.body, 'details');
  return result.body;
}

/** Shipping options per postcode, the way a merchant's shippingDetails endpoint might decide them. */
export function dynamicOptions(postCode: string) {
  const north = Number(postCode) >= 8000;
  return [
    {
      isDefault: 'Y',
      priority: 1,
      shippingCost: north ? 199.0 : 79.0,
      shippingMethod: 'Bring Hjemlevering',
      shippingMethodId: 'home',
    },
    {
      isDefault: 'N',
      priority: 0,
      shippingCost: 39.0,
      shippingMethod: 'Bring Pakke i postkassen',
      shippingMethodId: 'mailbox',
    },
  ];
}

/**
 * The merchant: answers shippingDetails from `dynamicOptions` (checked against the spec before it
 * is sent), callbacks and consent removals with 200.
 */
export function merchantAnswersShipping(
  h: Harness,
  shipping?: (request: ReceivedRequest) => Response | Promise<Response>,
) {
  h.receiver.respondWith((request) => {
    if (request.url.endsWith('/shippingDetails')) {
      if (shipping) return shipping(request);
      const asked = JSON.parse(request.body);
      const orderId = /\/v2\/payments\/([^/]+)\/shippingDetails$/.exec(request.url)![1]!;
      const answer = { addressId: asked.addressId, orderId, shippingDetails: dynamicOptions(asked.postCode) };
      assertValid(responseValidator('ecom', 'POST', SHIPPING_PATH, 200), answer, 'shippingDetails answer');
      return Response.json(answer);
    }
    return new Response('ok', { status: 200 });
  });
}

export function shippingRequests(h: Harness, orderId: string) {
  return h.receiver.requests.filter(
    (request) => request.url === `${SHIPPING_PREFIX}/v2/payments/${orderId}/shippingDetails`,
  );
}

/** The shippingDetails requests the sandbox sent, each checked against ShippingCostAndMethod. */
export function checkedShippingRequests(h: Harness, orderId: string) {
  return shippingRequests(h, orderId).map((request) => {
    expect(request.method).toBe('POST');
    expect(request.headers.get('content-type')).toContain('application/json');
    const body = JSON.parse(request.body);
    assertValid(requestValidator('ecom', 'POST', SHIPPING_PATH), body, 'shippingDetails request');
    assertValid(schemaValidator('ecomMerchant', 'ShippingCostAndMethod'), body, 'ShippingCostAndMethod');
    return { request, body };
  });
}

export function callbacksFor(h: Harness, orderId: string) {
  return h.receiver.requests.filter((request) => request.url === `${CALLBACK_PREFIX}/v2/payments/${orderId}`);
}

/**
 * The one callback of an order, checked against the spec (express or regular body). `swaggerOnly`:
 * free shipping (0 NOK) is valid in swagger.yaml but below ms_import.yaml's minimum of 1.00.
 */
export function theCallback(h: Harness, orderId: string, swaggerOnly = false) {
  const received = callbacksFor(h, orderId);
  expect(received).toHaveLength(1);
  const callback = received[0]!;
  expect(callback.method).toBe('POST');
  expect(callback.headers.get('authorization')).toBe(AUTH_TOKEN);
  const body = JSON.parse(callback.body);
  if (swaggerOnly) {
    // swagger.yaml's path refers to ms_import.yaml; its own components are the other half of the spec.
    assertValid(schemaValidator('ecom', 'TransactionUpdateCallbackOneOf'), body, 'callback (swagger.yaml)');
  } else {
    assertValid(requestValidator('ecomMerchant', 'POST', CALLBACK_PATH), body, 'callback');
    assertValid(requestValidator('ecom', 'POST', CALLBACK_PATH), body, 'callback (swagger.yaml path)');
    assertValid(schemaValidator('ecom', 'TransactionUpdateCallbackOneOf'), body, 'callback (swagger.yaml)');
  }
  return body;
}

/** The express callback (status RESERVE): ExpressCheckOutPaymentRequest of both spec files. */
export function theExpressCallback(h: Harness, orderId: string, swaggerOnly = false) {
  const body = theCallback(h, orderId, swaggerOnly);
  assertValid(schemaValidator('ecom', 'ExpressCheckOutPaymentRequest'), body, 'ExpressCheckOutPaymentRequest');
  if (!swaggerOnly) {
    assertValid(
      schemaValidator('ecomMerchant', 'ExpressCheckOutPaymentRequest'),
      body,
      'ExpressCheckOutPaymentRequest',
    );
  }
  expect(body.transactionInfo.status).toBe('RESERVE');
  return body;
}

export function consentRemovalsAt(h: Harness, prefix = CONSENT_PREFIX) {
  return h.receiver.requests.filter((request) => request.url.startsWith(`${prefix}/v2/consents/`));
}

/** A consent removal call as the spec describes it: DELETE {prefix}/v2/consents/{URL-encoded userId}, no body. */
export function checkConsentRemoval(request: ReceivedRequest, prefix: string, userId: string) {
  expect(parameterNames('ecom', 'DELETE', CONSENT_PATH)).toContain('userId');
  expect(parameterNames('ecomMerchant', 'DELETE', CONSENT_PATH)).toEqual(['userId']);
  expect(request.method).toBe('DELETE');
  expect(request.url).toBe(`${prefix}/v2/consents/${encodeURIComponent(userId)}`);
  expect(decodeURIComponent(request.url.slice(`${prefix}/v2/consents/`.length))).toBe(userId);
  expect(request.body).toBe('');
  // The spec lists no Authorization for this call (unlike the callback and shippingDetails).
  expect(request.headers.get('authorization')).toBeNull();
}

// ---------------------------------------------------------------- the phone

/** Landing page → "Next" with a phone number → the push. Returns the user token. */
export async function pushFromLanding(h: Harness, url: string, phoneNumber = '91234567') {
  const landing = await h.browse(h.pathOf(url));
  expect(landing.status).toBe(200);
  const token = hiddenToken(landing.html);
  const next = await h.browse('/vipps/landing/next', { form: { token, phoneNumber } });
  expect(next.status).toBe(303);
  return token;
}

export const phonePath = (token: string, action = '') => `/vipps/sandbox-phone/${token}${action ? `/${action}` : ''}`;

/** Posts one of the phone's forms and follows the redirect back to the phone page. */
export async function phoneStep(h: Harness, token: string, action: string, form: Record<string, string> = {}) {
  const posted = await h.browse(phonePath(token, action), { method: 'POST', form });
  expect(posted.status, posted.html).toBe(303);
  return posted;
}

/**
 * Event-loop turns, so a request started without awaiting it gets as far as it can (h.settle()
 * returns at once while nothing is in flight yet).
 */
export async function turns(count = 50) {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Runs a request that waits for the merchant (or its timeout) while the clock moves by `advanceMs`. */
export async function whileClockMoves<T>(h: Harness, request: Promise<T>, advanceMs: number): Promise<T> {
  await turns();
  await h.advance(advanceMs);
  return request;
}

/** Radio buttons of a page: `{ name, value, checked, label }` (label: the text of the span after the input). */
export function radios(html: string) {
  const found: { name: string; value: string; checked: boolean; label: string }[] = [];
  const pattern = /<input\s+type="radio"\s+name="([^"]+)"\s+value="([^"]*)"([^>]*)>\s*<span>([\s\S]*?)<\/span>/g;
  for (const match of html.matchAll(pattern)) {
    found.push({
      name: match[1]!,
      value: match[2]!,
      checked: /\bchecked\b/.test(match[3]!),
      label: textOf(match[4]!),
    });
  }
  return found;
}

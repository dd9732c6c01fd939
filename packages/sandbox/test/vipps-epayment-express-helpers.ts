/**
 * Helpers of the ePayment Express tests: create bodies (checked against the stored spec where it
 * applies and against the documented Express shape), a merchant answering the dynamic shipping
 * callback, and reads of GET, events and webhooks checked against both.
 */
import { expect } from 'vitest';
import { type Harness, type Loose } from './vipps-harness.js';
import { assertValid, requestValidator, responseValidator } from './vipps-spec.js';
import {
  DynamicCallbackAnswer,
  DynamicCallbackRequest,
  ExpressCreateRequest,
  mustParse,
  Problem,
} from './vipps-epayment-express-schemas.js';

export const PAYMENTS = '/epayment/v1/payments';
export const RETURN_URL = 'https://shop.test/checkout/return?session=express';
export const CALLBACK_URL = 'https://shop.test/vipps/epayment/shipping?session=express';
export const CALLBACK_TOKEN = 'Bearer merchant-shipping-secret-7';
export const ITEMS = 49900;
export const SCOPE = 'name address email phoneNumber';

/** Two groups as a shop would send them: Posten home delivery (default) and a PostNord pickup point. */
export const FIXED_GROUPS = [
  {
    brand: 'POSTNORD',
    type: 'PICKUP_POINT',
    priority: 1,
    options: [
      {
        id: 'postnord-pickup-1',
        name: 'PostNord Kiwi Grünerløkka',
        amount: { currency: 'NOK', value: 4900 },
        meta: 'Thorvald Meyers gate 40, 0555 Oslo',
        priority: 1,
      },
      {
        id: 'postnord-pickup-2',
        name: 'PostNord Coop Torshov',
        amount: { currency: 'NOK', value: 4900 },
        priority: 0,
      },
    ],
  },
  {
    brand: 'POSTEN',
    type: 'HOME_DELIVERY',
    isDefault: true,
    priority: 0,
    options: [
      {
        id: 'posten-home',
        name: 'Posten home standard',
        amount: { currency: 'NOK', value: 9900 },
        estimatedDelivery: '1–3 business days',
        isDefault: true,
      },
    ],
  },
];

export interface ExpressCreateInit {
  fixed?: Loose[] | null;
  dynamic?: { callbackUrl: string; callbackAuthorizationToken: string } | null;
  scope?: string | null;
  userFlow?: 'WEB_REDIRECT' | 'NATIVE_REDIRECT' | 'PUSH_MESSAGE';
  phoneNumber?: string;
  amount?: Loose;
  extra?: Record<string, unknown>;
}

export function expressCreateBody(reference: string, init: ExpressCreateInit = {}) {
  const fixed = init.fixed === undefined ? (init.dynamic ? null : FIXED_GROUPS) : init.fixed;
  const dynamic = init.dynamic ?? null;
  const userFlow = init.userFlow ?? 'WEB_REDIRECT';
  return {
    amount: init.amount ?? { currency: 'NOK', value: ITEMS },
    paymentMethod: { type: 'WALLET' },
    reference,
    userFlow,
    ...(userFlow === 'PUSH_MESSAGE' ? {} : { returnUrl: RETURN_URL }),
    ...(init.phoneNumber ? { customer: { phoneNumber: init.phoneNumber } } : {}),
    paymentDescription: 'One pair of Vipps socks',
    ...(init.scope === null ? {} : { profile: { scope: init.scope ?? SCOPE } }),
    shipping: {
      ...(fixed ? { fixedOptions: fixed } : {}),
      ...(dynamic ? { dynamicOptions: dynamic } : {}),
    },
    ...init.extra,
  };
}

/** Creates an Express payment; request and answer checked against the spec and the documented Express shape. */
export async function createExpress(h: Harness, reference: string, init: ExpressCreateInit = {}) {
  const body = expressCreateBody(reference, init);
  // The stored spec has no `shipping`, but everything else of the request must still be valid there.
  assertValid(requestValidator('epayment', 'POST', PAYMENTS), body, 'create request');
  mustParse(ExpressCreateRequest, body, 'Express create request');
  const result = await h.api('POST', PAYMENTS, body, { 'Idempotency-Key': `key-${reference}` });
  expect(result.status, result.text).toBe(201);
  assertValid(responseValidator('epayment', 'POST', PAYMENTS, 201), result.body, 'create response');
  return result.body as { redirectUrl?: string; reference: string };
}

/** A create call that must fail: 400 problem+json, returned for the caller's checks. */
export async function createRefused(h: Harness, body: unknown, key = 'key-refused') {
  const result = await h.api('POST', PAYMENTS, body, { 'Idempotency-Key': key });
  expect(result.status, result.text).toBe(400);
  expect(result.headers.get('content-type')).toBe('application/problem+json');
  return mustParse(Problem, result.body, 'problem');
}

export async function getPayment(h: Harness, reference: string) {
  const result = await h.api('GET', `${PAYMENTS}/${reference}`);
  expect(result.status, result.text).toBe(200);
  assertValid(
    responseValidator('epayment', 'GET', '/epayment/v1/payments/{reference}', 200),
    result.body,
    'get payment',
  );
  return result.body;
}

export async function events(h: Harness, reference: string) {
  const result = await h.api('GET', `${PAYMENTS}/${reference}/events`);
  expect(result.status, result.text).toBe(200);
  assertValid(
    responseValidator('epayment', 'GET', '/epayment/v1/payments/{reference}/events', 200),
    result.body,
    'events',
  );
  return result.body as { name: string; amount: { value: number } }[];
}

/** Shipping groups per postcode, the way a merchant's dynamic shipping endpoint might decide them. */
export function dynamicGroups(postCode: string) {
  const north = Number(postCode) >= 8000;
  return [
    {
      brand: 'BRING',
      type: 'HOME_DELIVERY',
      isDefault: true,
      priority: 0,
      options: [
        { id: 'bring-home', name: 'Bring Hjemlevering', amount: { currency: 'NOK', value: north ? 19900 : 7900 } },
      ],
    },
    {
      brand: 'POSTEN',
      type: 'MAILBOX',
      priority: 1,
      options: [{ id: 'posten-mailbox', name: 'Posten Pakke i postkassen', amount: { currency: 'NOK', value: 3900 } }],
    },
  ];
}

/** The merchant: answers the dynamic shipping callback from `dynamicGroups` (checked first), anything else 200. */
export function merchantAnswersGroups(h: Harness, answer?: (body: Loose) => Response | Promise<Response>) {
  h.receiver.respondWith((request) => {
    if (request.url === CALLBACK_URL) {
      const asked = JSON.parse(request.body);
      if (answer) return answer(asked);
      const groups = { groups: dynamicGroups(asked.postCode) };
      mustParse(DynamicCallbackAnswer, groups, 'dynamic shipping answer');
      return Response.json(groups);
    }
    return new Response('ok', { status: 200 });
  });
}

/** The dynamic shipping calls the sandbox made, each checked against the documented request. */
export function shippingCalls(h: Harness) {
  return h.receiver.requests
    .filter((request) => request.url === CALLBACK_URL)
    .map((request) => {
      expect(request.method).toBe('POST');
      expect(request.headers.get('content-type')).toContain('application/json');
      expect(request.headers.get('authorization')).toBe(CALLBACK_TOKEN);
      return mustParse(DynamicCallbackRequest, JSON.parse(request.body), 'dynamic shipping request');
    });
}

export function extraDetail(problem: { extraDetails: { name: string; reason: string }[] }, name: string) {
  return problem.extraDetails.find((detail) => detail.name === name)?.reason;
}

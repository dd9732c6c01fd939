/**
 * ePayment Express with `shipping.dynamicOptions`: the callback Vipps sends with the user's address
 * (`POST {callbackUrl}`, `Authorization: {callbackAuthorizationToken}`, `{ reference, addressLine1, … }`),
 * the `{ groups }` answer, HTTP 400 ("cannot ship to that address"), and a merchant that is slow,
 * fails or answers nonsense: really, or through the same scenario controls as eCom's Hurtigkasse.
 */
import { describe, expect, it } from 'vitest';
import { createHarness, textOf, type Harness, type Loose } from './vipps-harness.js';
import { phonePath, phoneStep, pushFromLanding, radios, whileClockMoves } from './vipps-express-helpers.js';
import {
  CALLBACK_TOKEN,
  CALLBACK_URL,
  createExpress,
  getPayment,
  ITEMS,
  merchantAnswersGroups,
  shippingCalls,
} from './vipps-epayment-express-helpers.js';

const DYNAMIC = { callbackUrl: CALLBACK_URL, callbackAuthorizationToken: CALLBACK_TOKEN };

async function onThePhone(h: Harness, reference: string) {
  const created = await createExpress(h, reference, { dynamic: DYNAMIC });
  return pushFromLanding(h, created.redirectUrl!);
}

async function consentWhile(h: Harness, token: string, advanceMs: number) {
  const posted = await whileClockMoves(h, h.browse(phonePath(token, 'consent/accept'), { method: 'POST' }), advanceMs);
  expect(posted.status).toBe(303);
  return h.browse(phonePath(token));
}

function expectNoShipping(html: string, message: string) {
  expect(html).toMatch(new RegExp(`<p class="error" role="alert">${message}</p>`));
  expect(radios(html).filter((r) => r.name === 'shippingMethodId')).toEqual([]);
  expect(html).not.toMatch(/Confirm address and shipping/);
  expect(html).toMatch(/<button type="submit" class="secondary">Try again<\/button>/);
}

describe('ePayment Express: dynamic shipping', () => {
  it('asks the merchant with the address after consent, again for another address; the chosen option is reserved', async () => {
    const h = createHarness();
    merchantAnswersGroups(h);
    const token = await onThePhone(h, 'dynamic-1');
    // Nothing is sent before the user consents (the address is not the merchant's to know yet).
    expect(shippingCalls(h)).toHaveLength(0);
    await phoneStep(h, token, 'consent/accept');

    expect(shippingCalls(h)).toEqual([
      {
        reference: 'dynamic-1',
        addressLine1: 'Karl Johans gate 22',
        addressLine2: 'Leilighet H0301',
        city: 'Oslo',
        postCode: '0159',
        country: 'NO',
      },
    ]);
    const delivery = await h.browse(phonePath(token));
    expect(
      radios(delivery.html)
        .filter((r) => r.name === 'shippingMethodId')
        .map((r) => [r.value, r.label, r.checked]),
    ).toEqual([
      ['bring-home', 'Bring Hjemlevering, NOK 79.00, total NOK 578.00', true],
      ['posten-mailbox', 'Posten Pakke i postkassen, NOK 39.00, total NOK 538.00', false],
    ]);

    // Tromsø: the merchant is asked again and prices the north differently.
    await phoneStep(h, token, 'address', { addressId: '103' });
    expect(shippingCalls(h).map((call) => [call.postCode, call.city])).toEqual([
      ['0159', 'Oslo'],
      ['9008', 'Tromsø'],
    ]);
    const north = radios((await h.browse(phonePath(token))).html).find((r) => r.value === 'bring-home');
    expect(north?.label).toBe('Bring Hjemlevering, NOK 199.00, total NOK 698.00');
    await phoneStep(h, token, 'delivery', { shippingMethodId: 'bring-home' });
    await phoneStep(h, token, 'confirm');

    const got = await getPayment(h, 'dynamic-1');
    expect(got.state).toBe('AUTHORIZED');
    expect(got.amount).toEqual({ currency: 'NOK', value: ITEMS + 19900 });
    expect(got.shippingDetails).toMatchObject({
      shippingOptionId: 'bring-home',
      shippingCost: 19900,
      address: { addressLine1: 'Storgata 90', postCode: '9008', city: 'Tromsø' },
    });
    const exchanges = h.controls.expressExchanges('dynamic-1');
    expect(exchanges.map((e) => [e.kind, e.method, e.url, e.outcome, e.sentAuthorization])).toEqual([
      ['shipping-details', 'POST', CALLBACK_URL, 'accepted', true],
      ['shipping-details', 'POST', CALLBACK_URL, 'accepted', true],
    ]);
    // The token is sent but never recorded.
    expect(JSON.stringify(exchanges)).not.toContain(CALLBACK_TOKEN);
  });

  it('HTTP 400 from the merchant: "The store cannot deliver to this address"; another address can still work', async () => {
    const h = createHarness();
    merchantAnswersGroups(h, (asked) =>
      asked.city === 'Tromsø'
        ? new Response('{"title":"No delivery north of the Arctic Circle"}', { status: 400 })
        : Response.json({
            groups: [
              {
                brand: 'POSTEN',
                type: 'HOME_DELIVERY',
                options: [{ id: 'home', name: 'Posten', amount: { currency: 'NOK', value: 9900 } }],
              },
            ],
          }),
    );
    const token = await onThePhone(h, 'dynamic-400');
    await phoneStep(h, token, 'consent/accept');
    await phoneStep(h, token, 'address', { addressId: '103' });
    expectNoShipping((await h.browse(phonePath(token))).html, 'The store cannot deliver to this address');
    expect(h.controls.expressExchanges('dynamic-400').at(-1)).toMatchObject({
      outcome: 'refused',
      response: { status: 400 },
      error: 'HTTP 400',
    });
    await phoneStep(h, token, 'address', { addressId: '102' });
    await phoneStep(h, token, 'delivery');
    await phoneStep(h, token, 'confirm');
    expect((await getPayment(h, 'dynamic-400')).amount.value).toBe(ITEMS + 9900);
  });

  it('a merchant that does not answer within the timeout (10 s): "No shipping methods found"; "Try again" asks again', async () => {
    const h = createHarness();
    merchantAnswersGroups(h);
    const token = await onThePhone(h, 'dynamic-slow');
    h.receiver.hang();
    expectNoShipping((await consentWhile(h, token, 10_000)).html, 'No shipping methods found');
    expect(h.controls.expressExchanges('dynamic-slow')).toEqual([
      expect.objectContaining({ outcome: 'timeout', error: 'timed out after 10000 ms', response: null }),
    ]);
    merchantAnswersGroups(h);
    await phoneStep(h, token, 'shipping/retry');
    expect(radios((await h.browse(phonePath(token))).html).some((r) => r.value === 'bring-home')).toBe(true);
    // Still waiting: nothing was authorized by the failed lookup.
    expect((await getPayment(h, 'dynamic-slow')).state).toBe('CREATED');
  });

  it.each([
    ['not JSON', () => new Response('<html>oops</html>', { status: 200 }), 'Payment failed', /not JSON/],
    ['no groups', () => Response.json({ options: [] }), 'Payment failed', /groups/],
    [
      'an option in another currency',
      () =>
        Response.json({
          groups: [
            {
              brand: 'OTHER',
              type: 'OTHER',
              options: [{ id: 'a', name: 'A', amount: { currency: 'EUR', value: 100 } }],
            },
          ],
        }),
      'Payment failed',
      /currency/,
    ],
    [
      'an id used twice',
      () =>
        Response.json({
          groups: [
            {
              brand: 'OTHER',
              type: 'OTHER',
              options: [{ id: 'a', name: 'A', amount: { currency: 'NOK', value: 100 } }],
            },
            {
              brand: 'BRING',
              type: 'OTHER',
              options: [{ id: 'a', name: 'B', amount: { currency: 'NOK', value: 200 } }],
            },
          ],
        }),
      'Payment failed',
      /unique/,
    ],
    ['HTTP 500', () => new Response('down', { status: 500 }), 'Payment failed', /HTTP 500/],
    ['an empty list of groups', () => Response.json({ groups: [] }), 'No shipping methods found', /lists no shipping/],
  ])(
    'a merchant answering %s: the app says so and nothing can be confirmed',
    async (_label, answer, message, error) => {
      const h = createHarness();
      merchantAnswersGroups(h, answer);
      const token = await onThePhone(h, 'dynamic-bad');
      await phoneStep(h, token, 'consent/accept');
      expectNoShipping((await h.browse(phonePath(token))).html, message);
      expect(h.controls.expressExchanges('dynamic-bad')[0]!.error).toMatch(error);
      await phoneStep(h, token, 'confirm');
      expect((await getPayment(h, 'dynamic-bad')).state).toBe('CREATED');
    },
  );

  it('the scenario controls work per reference: slow, fail (400 and 500) and nonsense, the merchant being asked in every mode', async () => {
    const h = createHarness();
    merchantAnswersGroups(h);
    h.controls.setTimeouts({ shippingDetailsTimeoutMs: 500 });
    const cases = [
      ['scn-slow', { mode: 'slow' as const }, 'No shipping methods found', 'timeout'],
      ['scn-refused', { mode: 'fail' as const, status: 400 }, 'The store cannot deliver to this address', 'refused'],
      ['scn-fail', { mode: 'fail' as const }, 'Payment failed', 'http-error'],
      ['scn-nonsense', { mode: 'nonsense' as const }, 'Payment failed', 'invalid'],
    ] as const;
    for (const [reference, scenario, message, outcome] of cases) {
      // Over HTTP, as an e2e test would set it (also before the payment exists).
      const set = await h.request('/__sandbox/vipps/shipping-details-scenario', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...scenario, orderId: reference }),
      });
      expect(set.status).toBe(204);
      const token = await onThePhone(h, reference);
      expectNoShipping((await consentWhile(h, token, 500)).html, message);
      expect(h.controls.expressExchanges(reference)).toEqual([
        expect.objectContaining({
          outcome,
          scenario: scenario.mode,
          response: expect.objectContaining({ status: 200 }),
        }),
      ]);
    }
    // A slow answer within the timeout still counts.
    h.controls.setShippingDetailsScenario({ mode: 'slow', delayMs: 200 }, 'scn-late');
    const token = await onThePhone(h, 'scn-late');
    const page = await consentWhile(h, token, 200);
    expect(radios(page.html).some((r) => r.value === 'bring-home')).toBe(true);
    expect(shippingCalls(h).filter((call) => call.reference.startsWith('scn-'))).toHaveLength(5);
  });

  it('approve over HTTP waits for the merchant and reserves the chosen address and option', async () => {
    const h = createHarness();
    merchantAnswersGroups(h);
    await createExpress(h, 'dynamic-control', { dynamic: DYNAMIC });
    const approved = await h.request('/__sandbox/vipps/payments/dynamic-control/approve', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phoneNumber: '41234567', addressId: 101, shippingMethodId: 'posten-mailbox' }),
    });
    expect(approved.status).toBe(200);
    const inspection = (await approved.json()) as Loose;
    expect(inspection.payment.state).toBe('AUTHORIZED');
    const got = await getPayment(h, 'dynamic-control');
    expect(got.amount.value).toBe(ITEMS + 3900);
    expect(got.userDetails).toMatchObject({ mobileNumber: '4741234567', email: 'kari.nordmann+41234567@example.com' });
    expect(got.shippingDetails).toMatchObject({ shippingOptionId: 'posten-mailbox', address: { postCode: '0191' } });

    // No options for the address: 409 shipping_unavailable, the payment keeps waiting.
    merchantAnswersGroups(h, () => new Response('', { status: 400 }));
    await createExpress(h, 'dynamic-nothing', { dynamic: DYNAMIC });
    const refused = await h.request('/__sandbox/vipps/payments/dynamic-nothing/approve', { method: 'POST' });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as Loose).error.code).toBe('shipping_unavailable');
    expect(textOf(JSON.stringify(h.controls.inspect('dynamic-nothing')))).toContain('"status":"failed"');
  });
});

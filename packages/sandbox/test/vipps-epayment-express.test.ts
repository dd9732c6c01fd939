/**
 * ePayment Express (`shipping` in POST /epayment/v1/payments): what creation accepts and refuses,
 * the phone's flow with fixed options (consent → delivery → payment summary), and what GET, the
 * event log, the `authorized` webhook and capture show afterwards. Shapes: vipps-epayment-express-schemas.ts.
 */
import { describe, expect, it } from 'vitest';
import { verifyVippsWebhook } from '../src/vipps/index.js';
import { createHarness, IPHONE_UA, textOf, type Harness, type Loose } from './vipps-harness.js';
import { assertValid, schemaValidator } from './vipps-spec.js';
import { phonePath, phoneStep, pushFromLanding, radios } from './vipps-express-helpers.js';
import {
  CALLBACK_TOKEN,
  CALLBACK_URL,
  createExpress,
  createRefused,
  events,
  expressCreateBody,
  extraDetail,
  FIXED_GROUPS,
  getPayment,
  ITEMS,
  PAYMENTS,
  RETURN_URL,
} from './vipps-epayment-express-helpers.js';
import { AuthorizedExpressPayment, AuthorizedWebhookExtras, mustParse } from './vipps-epayment-express-schemas.js';

const HOOK_URL = 'https://shop.test/hooks/vipps';

async function registerWebhook(h: Harness) {
  const result = await h.api('POST', '/webhooks/v1/webhooks', {
    url: HOOK_URL,
    events: ['epayments.payment.created.v1', 'epayments.payment.authorized.v1', 'epayments.payment.aborted.v1'],
  });
  expect(result.status, result.text).toBe(201);
  return result.body.secret as string;
}

/** Desktop: landing page → Next → the phone after the push, at the consent step. */
async function toConsent(h: Harness, reference: string) {
  const created = await createExpress(h, reference);
  return pushFromLanding(h, created.redirectUrl!);
}

describe('ePayment Express: creation', () => {
  it('accepts WALLET + the four scope values + shipping.fixedOptions or shipping.dynamicOptions', async () => {
    const h = createHarness();
    await createExpress(h, 'express-fixed-1');
    await createExpress(h, 'express-dynamic-1', {
      dynamic: { callbackUrl: CALLBACK_URL, callbackAuthorizationToken: CALLBACK_TOKEN },
    });
    // The scope values in any order; PUSH_MESSAGE and NATIVE_REDIRECT too; allowedCountries with NO.
    await createExpress(h, 'express-order-1', { scope: 'phoneNumber email address name' });
    await createExpress(h, 'express-push-1', { userFlow: 'PUSH_MESSAGE', phoneNumber: '4791234567' });
    await createExpress(h, 'express-native-1', { userFlow: 'NATIVE_REDIRECT' });
    await createExpress(h, 'express-countries', {
      extra: { shipping: { fixedOptions: FIXED_GROUPS, allowedCountries: ['NO', 'SE'] } },
    });

    const fixed = (h.controls.inspect('express-fixed-1') as Loose).payment;
    expect(fixed.state).toBe('CREATED');
    expect(fixed.amount).toEqual({ currency: 'NOK', value: ITEMS });
    // As the app lists them: groups by priority, options by priority in the group; the default group's default option.
    expect(
      fixed.express.fixedOptions.map((o: Loose) => [o.shippingMethodId, o.costOre, o.isDefault, o.group.brand]),
    ).toEqual([
      ['posten-home', 9900, true, 'POSTEN'],
      ['postnord-pickup-2', 4900, false, 'POSTNORD'],
      ['postnord-pickup-1', 4900, false, 'POSTNORD'],
    ]);
    expect(fixed.express).toMatchObject({
      callbackUrl: null,
      explicitCheckoutFlow: true,
      itemsAmount: ITEMS,
      consent: 'pending',
    });

    const dynamic = (h.controls.inspect('express-dynamic-1') as Loose).payment.express;
    expect(dynamic).toMatchObject({
      fixedOptions: null,
      callbackUrl: CALLBACK_URL,
      hasCallbackAuthorizationToken: true,
    });
    // The merchant's secret never shows in inspection.
    expect(JSON.stringify(h.controls.inspect('express-dynamic-1'))).not.toContain(CALLBACK_TOKEN);
    expect((h.controls.inspect('express-countries') as Loose).payment.express.allowedCountries).toEqual(['NO', 'SE']);

    // Until the user has acted, GET is a regular CREATED payment without profile data.
    const got = await getPayment(h, 'express-fixed-1');
    expect(got).toMatchObject({ state: 'CREATED', profile: {}, amount: { value: ITEMS } });
    expect(got.userDetails).toBeUndefined();
    expect(got.shippingDetails).toBeUndefined();
  });

  it('refuses Express without profile.scope (4140) and with a scope that is not exactly the four values (4080)', async () => {
    const h = createHarness();
    const missing = await createRefused(h, expressCreateBody('express-noscope', { scope: null }), 'k1');
    expect(missing.title).toBe('Missing required parameter');
    expect(extraDetail(missing, 'ErrorCode')).toBe('4140');
    expect(extraDetail(missing, 'profile.scope')).toBe('is required for Express');

    const fewer = await createRefused(h, expressCreateBody('express-fewer', { scope: 'name email' }), 'k2');
    expect(fewer.title).toBe('Invalid scope');
    expect(extraDetail(fewer, 'ErrorCode')).toBe('4080');
    expect(extraDetail(fewer, 'profile.scope')).toContain('missing: address phoneNumber');

    const more = await createRefused(
      h,
      expressCreateBody('express-more', { scope: `${'name address email phoneNumber'} birthDate` }),
      'k3',
    );
    expect(extraDetail(more, 'ErrorCode')).toBe('4080');
    expect(extraDetail(more, 'profile.scope')).toContain('not allowed: birthDate');

    for (const reference of ['express-noscope', 'express-fewer', 'express-more']) {
      expect(h.controls.inspect(reference)).toBeUndefined();
    }
  });

  it('checks profile.scope of every payment: unknown values (4080), nin without approval (5030)', async () => {
    const h = createHarness();
    const regular = (scope: string) => ({
      amount: { currency: 'NOK', value: 10000 },
      paymentMethod: { type: 'WALLET' },
      reference: `scope-${scope.replace(/\W/g, '')}`,
      userFlow: 'WEB_REDIRECT',
      returnUrl: RETURN_URL,
      profile: { scope },
    });
    const unknown = await createRefused(h, regular('name shoeSize'), 'k1');
    expect([unknown.title, extraDetail(unknown, 'ErrorCode')]).toEqual(['Invalid scope', '4080']);
    const twice = await createRefused(h, regular('name name'), 'k2');
    expect(extraDetail(twice, 'profile.scope')).toBe('lists a value twice');
    const nin = await createRefused(h, regular('name nin'), 'k3');
    expect([nin.title, extraDetail(nin, 'ErrorCode')]).toEqual(['Illegal scope', '5030']);
    // Profile sharing without Express takes any of the documented values.
    const ok = await h.api('POST', PAYMENTS, regular('birthDate email'), { 'Idempotency-Key': 'k4' });
    expect(ok.status, ok.text).toBe(201);
  });

  it.each([
    [
      'both fixedOptions and dynamicOptions',
      {
        shipping: {
          fixedOptions: FIXED_GROUPS,
          dynamicOptions: { callbackUrl: CALLBACK_URL, callbackAuthorizationToken: CALLBACK_TOKEN },
        },
      },
      'shipping',
    ],
    ['neither', { shipping: {} }, 'shipping'],
    ['an empty fixedOptions', { shipping: { fixedOptions: [] } }, 'shipping.fixedOptions'],
    [
      'a group without options',
      { shipping: { fixedOptions: [{ brand: 'POSTEN', type: 'HOME_DELIVERY', options: [] }] } },
      'shipping.fixedOptions.0.options',
    ],
    [
      'an unknown brand',
      { shipping: { fixedOptions: [{ ...FIXED_GROUPS[1], brand: 'UPS' }] } },
      'shipping.fixedOptions.0.brand',
    ],
    [
      'an unknown type',
      { shipping: { fixedOptions: [{ ...FIXED_GROUPS[1], type: 'DRONE' }] } },
      'shipping.fixedOptions.0.type',
    ],
    [
      'an option in another currency',
      {
        shipping: {
          fixedOptions: [
            { ...FIXED_GROUPS[1], options: [{ id: 'x', name: 'X', amount: { currency: 'DKK', value: 100 } }] },
          ],
        },
      },
      'shipping.fixedOptions.0.options.0.amount.currency',
    ],
    [
      'an option amount in kroner',
      {
        shipping: {
          fixedOptions: [
            { ...FIXED_GROUPS[1], options: [{ id: 'x', name: 'X', amount: { currency: 'NOK', value: 99.5 } }] },
          ],
        },
      },
      'shipping.fixedOptions.0.options.0.amount.value',
    ],
    [
      'an option id used twice',
      { shipping: { fixedOptions: [FIXED_GROUPS[1], { ...FIXED_GROUPS[1], brand: 'BRING' }] } },
      'shipping.fixedOptions.1.options.0.id',
    ],
    [
      'an option without a name',
      {
        shipping: {
          fixedOptions: [{ ...FIXED_GROUPS[1], options: [{ id: 'x', amount: { currency: 'NOK', value: 0 } }] }],
        },
      },
      'shipping.fixedOptions.0.options.0.name',
    ],
    [
      'a dynamic callbackUrl that is not a URL',
      { shipping: { dynamicOptions: { callbackUrl: 'shipping', callbackAuthorizationToken: 't' } } },
      'shipping.dynamicOptions.callbackUrl',
    ],
    [
      'dynamicOptions without callbackAuthorizationToken',
      { shipping: { dynamicOptions: { callbackUrl: CALLBACK_URL } } },
      'shipping.dynamicOptions.callbackAuthorizationToken',
    ],
    ['a CARD payment', { paymentMethod: { type: 'CARD' } }, 'paymentMethod.type'],
    [
      'DKK (the sandbox: Express in NOK only)',
      {
        amount: { currency: 'DKK', value: 10000 },
        shipping: {
          fixedOptions: [
            { ...FIXED_GROUPS[1], options: [{ id: 'x', name: 'X', amount: { currency: 'DKK', value: 100 } }] },
          ],
        },
      },
      'amount.currency',
    ],
    [
      'allowedCountries without NO (the sandbox: Norwegian test addresses)',
      { shipping: { fixedOptions: FIXED_GROUPS, allowedCountries: ['SE'] } },
      'shipping.allowedCountries',
    ],
    [
      'allowedCountries that are not ISO codes',
      { shipping: { fixedOptions: FIXED_GROUPS, allowedCountries: ['Norway'] } },
      'shipping.allowedCountries.0',
    ],
  ])('refuses Express with %s (400, the field in extraDetails, nothing created)', async (_label, extra, field) => {
    const h = createHarness();
    const problem = await createRefused(h, expressCreateBody('express-bad', { extra }));
    expect(problem.title).toBe('Bad Request');
    expect(problem.detail).toBe('See extraDetails for further details');
    expect(problem.extraDetails.map((d) => d.name)).toContain(field);
    // A malformed body has no error code ("without an error code", ePayment API Errors).
    expect(extraDetail(problem, 'ErrorCode')).toBeUndefined();
    expect(h.controls.inspect('express-bad')).toBeUndefined();
  });

  it('refuses force approve for Express payments (test environment: "Express is not supported")', async () => {
    const h = createHarness();
    await createExpress(h, 'express-force');
    const result = await h.api('POST', '/epayment/v1/test/payments/express-force/approve', {
      customer: { phoneNumber: '4791234567' },
    });
    expect(result.status).toBe(400);
    const problem = result.body as Loose;
    expect(problem.title).toBe('Operation not supported');
    expect(extraDetail(problem, 'ErrorCode')).toBe('10060');
    expect((await getPayment(h, 'express-force')).state).toBe('CREATED');
  });
});

describe('ePayment Express: the phone with fixed options', () => {
  it('consent → delivery (groups, address) → payment summary → AUTHORIZED with the total; GET, events, webhook, capture', async () => {
    const h = createHarness();
    const secret = await registerWebhook(h);
    const created = await createExpress(h, 'express-flow-1');

    const landing = await h.browse(h.pathOf(created.redirectUrl!));
    expect(textOf(landing.html)).toContain('Plus shipping, chosen in Vipps.');
    const token = await pushFromLanding(h, created.redirectUrl!);

    const consent = await h.browse(phonePath(token));
    expect(consent.html).toMatch(/<h1>Share your information\?<\/h1>/);
    expect(textOf(consent.html)).toContain('Name: Kari Nordmann');
    await phoneStep(h, token, 'consent/accept');
    // Fixed options: the merchant is never asked.
    expect(h.receiver.requests.filter((r) => r.url === CALLBACK_URL)).toHaveLength(0);

    // ePayment always has the delivery step (the app's "delivery options" screen) before the summary.
    const delivery = await h.browse(phonePath(token));
    expect(delivery.html).toMatch(/<h1>Choose delivery<\/h1>/);
    const options = radios(delivery.html).filter((r) => r.name === 'shippingMethodId');
    expect(options.map((r) => [r.value, r.label, r.checked])).toEqual([
      ['posten-home', 'Posten home standard, NOK 99.00, total NOK 598.00', true],
      ['postnord-pickup-2', 'PostNord Coop Torshov, NOK 49.00, total NOK 548.00', false],
      ['postnord-pickup-1', 'PostNord Kiwi Grünerløkka, NOK 49.00, total NOK 548.00', false],
    ]);
    // Carrier, kind, delivery estimate and meta describe each radio, outside its accessible name.
    expect(delivery.html).toMatch(/aria-describedby="shipping-details-0"/);
    // The accessible name is the label's text: the details are outside it.
    const homeLabel = delivery.html.split('</label').find((chunk) => chunk.includes('value="posten-home"'))!;
    expect(homeLabel).not.toContain('Home delivery');
    expect(delivery.html).toMatch(
      /<p class="hint option-details" id="shipping-details-0">Posten · Home delivery · 1–3 business days<\/p>/,
    );
    expect(textOf(delivery.html)).toContain('Posten · Home delivery · 1–3 business days');
    expect(textOf(delivery.html)).toContain('PostNord · Pickup point · Thorvald Meyers gate 40, 0555 Oslo');

    await phoneStep(h, token, 'address', { addressId: '102' });
    await phoneStep(h, token, 'delivery', { shippingMethodId: 'postnord-pickup-1' });
    const summary = await h.browse(phonePath(token));
    expect(summary.html).toMatch(/<h1>Payment request<\/h1>/);
    expect(textOf(summary.html)).toContain('Items NOK 499.00 Shipping NOK 49.00 Total NOK 548.00');
    expect(textOf(summary.html)).toContain('Delivery address Bryggen 15, 5003 Bergen');
    await phoneStep(h, token, 'confirm');
    await h.controls.flush();

    const result = await h.browse(phonePath(token));
    expect(result.html).toMatch(/<h1>Payment confirmed<\/h1>/);
    expect(textOf(result.html)).toContain(
      'Including shipping: PostNord Kiwi Grünerløkka (NOK 49.00), to Bryggen 15, 5003 Bergen.',
    );
    // Back on the desktop: the landing page sends the browser to the returnUrl.
    expect((await h.browse(h.pathOf(created.redirectUrl!))).location).toBe(RETURN_URL);

    const got = mustParse(AuthorizedExpressPayment, await getPayment(h, 'express-flow-1'), 'GET payment');
    expect(got.amount).toEqual({ currency: 'NOK', value: ITEMS + 4900 });
    expect(got.userDetails).toEqual({
      email: 'kari.nordmann+91234567@example.com',
      firstName: 'Kari',
      lastName: 'Nordmann',
      mobileNumber: '4791234567',
    });
    expect(got.shippingDetails).toEqual({
      address: { addressLine1: 'Bryggen 15', addressLine2: '', city: 'Bergen', country: 'NO', postCode: '5003' },
      shippingCost: 4900,
      shippingOptionId: 'postnord-pickup-1',
      shippingOptionName: 'PostNord Kiwi Grünerløkka',
    });
    expect((got as Loose).aggregate.authorizedAmount).toEqual({ currency: 'NOK', value: ITEMS + 4900 });

    // The event log: CREATED of the items, AUTHORIZED of the total.
    expect((await events(h, 'express-flow-1')).map((e) => `${e.name} ${e.amount.value}`)).toEqual([
      `CREATED ${ITEMS}`,
      `AUTHORIZED ${ITEMS + 4900}`,
    ]);

    // The authorized webhook carries profile.sub, userDetails and shippingDetails; it is signed as usual.
    const hooks = h.receiver.requests.filter((r) => r.url === HOOK_URL);
    expect(hooks.map((r) => JSON.parse(r.body).name)).toEqual(['CREATED', 'AUTHORIZED']);
    for (const hook of hooks) {
      assertValid(schemaValidator('epayment', 'WebhookEvent'), JSON.parse(hook.body), 'webhook');
      const url = new URL(hook.url);
      expect(
        verifyVippsWebhook({
          secret,
          method: 'POST',
          pathAndQuery: url.pathname + url.search,
          host: url.host,
          headers: hook.headers,
          body: hook.body,
        }),
      ).toBe(true);
    }
    expect(JSON.parse(hooks[0]!.body).userDetails).toBeUndefined();
    const authorized = mustParse(AuthorizedWebhookExtras, JSON.parse(hooks[1]!.body), 'authorized webhook');
    expect(authorized.profile.sub).toBe(got.profile.sub);
    expect(authorized.userDetails).toEqual(got.userDetails);
    expect(authorized.shippingDetails).toEqual(got.shippingDetails);
    expect((authorized as Loose).amount).toEqual({ currency: 'NOK', value: ITEMS + 4900 });

    // The merchant captures the total with shipping, not more.
    const capture = await h.api(
      'POST',
      `${PAYMENTS}/express-flow-1/capture`,
      { modificationAmount: { currency: 'NOK', value: ITEMS + 4900 } },
      { 'Idempotency-Key': 'capture-1' },
    );
    expect(capture.status, capture.text).toBe(200);
    expect(capture.body.aggregate.capturedAmount.value).toBe(ITEMS + 4900);
    const more = await h.api(
      'POST',
      `${PAYMENTS}/express-flow-1/capture`,
      { modificationAmount: { currency: 'NOK', value: 1 } },
      { 'Idempotency-Key': 'capture-2' },
    );
    expect(more.body.title).toBe('Capture amount too high');
  });

  it('the default option is reserved when the user keeps it; the summary can go back to delivery', async () => {
    const h = createHarness();
    const token = await toConsent(h, 'express-default');
    await phoneStep(h, token, 'consent/accept');
    await phoneStep(h, token, 'delivery');
    await phoneStep(h, token, 'delivery/change');
    expect((await h.browse(phonePath(token))).html).toMatch(/<h1>Choose delivery<\/h1>/);
    // Confirm is not possible before the delivery is confirmed again.
    await phoneStep(h, token, 'confirm');
    expect((await getPayment(h, 'express-default')).state).toBe('CREATED');
    await phoneStep(h, token, 'delivery');
    await phoneStep(h, token, 'confirm');
    const got = await getPayment(h, 'express-default');
    expect(got.amount.value).toBe(ITEMS + 9900);
    expect(got.shippingDetails).toMatchObject({ shippingOptionId: 'posten-home', address: { postCode: '0159' } });
  });

  it('"Do not share": ABORTED, nothing shared (no sub, userDetails or shippingDetails), the aborted webhook is plain', async () => {
    const h = createHarness();
    await registerWebhook(h);
    const token = await toConsent(h, 'express-refuse');
    await phoneStep(h, token, 'consent/refuse');
    await h.controls.flush();
    const result = await h.browse(phonePath(token));
    expect(result.html).toMatch(/<h1>Payment rejected<\/h1>/);
    expect(textOf(result.html)).toContain('You chose not to share your information with the store.');
    const got = await getPayment(h, 'express-refuse');
    expect(got).toMatchObject({ state: 'ABORTED', profile: {}, amount: { value: ITEMS } });
    expect(got.userDetails).toBeUndefined();
    expect(got.shippingDetails).toBeUndefined();
    const aborted = h.receiver.requests.filter((r) => r.url === HOOK_URL).map((r) => JSON.parse(r.body));
    expect(aborted.map((e) => e.name)).toEqual(['CREATED', 'ABORTED']);
    expect(Object.keys(aborted[1]!).sort()).toEqual(
      ['amount', 'idempotencyKey', 'msn', 'name', 'pspReference', 'reference', 'success', 'timestamp'].sort(),
    );
  });

  it('after an app switch (mobile) the phone returns to the returnUrl once the user confirms', async () => {
    const h = createHarness();
    const created = await createExpress(h, 'express-mobile', { userFlow: 'NATIVE_REDIRECT' });
    const landing = await h.browse(h.pathOf(created.redirectUrl!), { userAgent: IPHONE_UA });
    expect(landing.status).toBe(303);
    const token = /sandbox-phone\/([^/?]+)/.exec(landing.location!)![1]!;
    await phoneStep(h, token, 'consent/accept');
    await phoneStep(h, token, 'delivery', { shippingMethodId: 'postnord-pickup-2' });
    const confirmed = await h.browse(phonePath(token, 'confirm'), { method: 'POST', form: {}, userAgent: IPHONE_UA });
    expect(confirmed.location).toBe(RETURN_URL);
    expect((await getPayment(h, 'express-mobile')).amount.value).toBe(ITEMS + 4900);
  });

  it('a user who does nothing after consenting: EXPIRED, nothing shared', async () => {
    const h = createHarness();
    const token = await toConsent(h, 'express-expire');
    await phoneStep(h, token, 'consent/accept');
    await h.advance(5 * 60_000);
    const got = await getPayment(h, 'express-expire');
    expect(got.state).toBe('EXPIRED');
    expect(got.userDetails).toBeUndefined();
  });
});

/**
 * Express checkout: the explicit flow (`useExplicitCheckoutFlow`), the user refusing consent, the
 * user removing consent afterwards (`DELETE {consentRemovalPrefix}/v2/consents/{userId}`) and what
 * /details tells about the user.
 */
import { describe, expect, it } from 'vitest';
import { expressUserFor } from '../src/vipps/index.js';
import { createHarness, IPHONE_UA, textOf } from './vipps-harness.js';
import { schemaValidator } from './vipps-spec.js';
import {
  callbacksFor,
  checkConsentRemoval,
  CONSENT_PREFIX,
  consentRemovalsAt,
  details,
  FALLBACK,
  initiateExpress,
  ITEMS,
  merchantAnswersShipping,
  phonePath,
  phoneStep,
  pushFromLanding,
  radios,
  shippingRequests,
  STATIC_OPTIONS,
  theCallback,
  theExpressCallback,
  whileClockMoves,
} from './vipps-express-helpers.js';

describe('express: useExplicitCheckoutFlow', () => {
  it('the user confirms address and shipping on their own step, then the payment with the total', async () => {
    const h = createHarness();
    merchantAnswersShipping(h);
    const { url } = await initiateExpress(h, 'explicit-1', { explicit: true });
    const token = await pushFromLanding(h, url);
    await phoneStep(h, token, 'consent/accept');

    const delivery = await h.browse(phonePath(token));
    expect(delivery.html).toMatch(/<h1>Choose delivery<\/h1>/);
    expect(delivery.html).toMatch(/<legend>Delivery address<\/legend>/);
    expect(delivery.html).toMatch(/<legend>Shipping method<\/legend>/);
    expect(delivery.html).toMatch(/<button type="submit" class="primary">Confirm address and shipping<\/button>/);
    // No payment confirmation on this step; a forged Confirm changes nothing.
    expect(delivery.html).not.toContain(`/sandbox-phone/${token}/confirm"`);
    await phoneStep(h, token, 'confirm');
    expect((await details(h, 'explicit-1')).transactionLogHistory).toHaveLength(1);

    await phoneStep(h, token, 'address', { addressId: '101' });
    await phoneStep(h, token, 'delivery', { shippingMethodId: 'mailbox' });
    const payment = await h.browse(phonePath(token));
    expect(payment.html).toMatch(/<h1>Payment request<\/h1>/);
    expect(radios(payment.html)).toEqual([]);
    const text = textOf(payment.html);
    expect(text).toContain('NOK 538.00');
    expect(text).toContain('Delivery address Dronning Eufemias gate 42, Att: Kari Nordmann, 0191 Oslo');
    expect(text).toContain('Shipping method Bring Pakke i postkassen');
    expect(text).toContain('Items NOK 499.00 Shipping NOK 39.00 Total NOK 538.00');

    // "Change delivery" goes back one step; the choice is kept.
    await phoneStep(h, token, 'delivery/change');
    const again = radios((await h.browse(phonePath(token))).html);
    expect(again.find((r) => r.checked && r.name === 'addressId')?.value).toBe('101');
    expect(again.find((r) => r.checked && r.name === 'shippingMethodId')?.value).toBe('mailbox');
    await phoneStep(h, token, 'delivery', { shippingMethodId: 'mailbox' });

    // On the payment step the shipping method of the form does not count: the confirmed one does.
    await phoneStep(h, token, 'confirm', { shippingMethodId: 'home' });
    await h.controls.flush();
    const callback = theExpressCallback(h, 'explicit-1');
    expect(callback.transactionInfo.amount).toBe(ITEMS + 3900);
    expect(callback.shippingDetails).toMatchObject({ shippingMethodId: 'mailbox', address: { postCode: '0191' } });
  });

  it('without it (the old flow) there is no delivery step: shipping is chosen on the payment page', async () => {
    const h = createHarness();
    const { url } = await initiateExpress(h, 'old-flow', { staticShipping: STATIC_OPTIONS, explicit: false });
    const token = await pushFromLanding(h, url);
    await phoneStep(h, token, 'consent/accept');
    const page = await h.browse(phonePath(token));
    expect(page.html).toMatch(/<h1>Payment request<\/h1>/);
    expect(page.html).toMatch(/<button type="submit" class="primary" form="confirm-payment">Confirm<\/button>/);
    expect(radios(page.html).filter((r) => r.name === 'shippingMethodId' && r.checked)).toHaveLength(1);
  });
});

describe('express: the user refuses consent', () => {
  it('"Do not share": the payment is cancelled by the user (CANCEL, CANCELLED callback), nothing is shared', async () => {
    const h = createHarness();
    merchantAnswersShipping(h);
    const { url } = await initiateExpress(h, 'refuse-1');
    const token = await pushFromLanding(h, url);
    const consent = await h.browse(phonePath(token));
    expect(consent.html).toMatch(/<button type="submit" class="secondary">Do not share<\/button>/);
    await phoneStep(h, token, 'consent/refuse');

    const result = await h.browse(phonePath(token));
    expect(result.html).toMatch(/<h1>Payment rejected<\/h1>/);
    expect(textOf(result.html)).toContain('You chose not to share your information with the store.');
    expect((await h.browse(h.pathOf(url))).location).toBe(FALLBACK);
    await h.controls.flush();
    // The regular body: no user or shipping details for a payment that did not go through.
    const callback = theCallback(h, 'refuse-1');
    expect(callback).toEqual({
      merchantSerialNumber: '123456',
      orderId: 'refuse-1',
      transactionInfo: expect.objectContaining({ status: 'CANCELLED', amount: ITEMS }),
    });
    const cancelled = await details(h, 'refuse-1');
    expect(cancelled.transactionLogHistory.map((e: { operation: string }) => e.operation)).toEqual([
      'CANCEL',
      'INITIATE',
    ]);
    expect(cancelled.userDetails).toBeUndefined();
    expect(shippingRequests(h, 'refuse-1')).toHaveLength(0);
    expect(h.controls.inspect('refuse-1')).toMatchObject({ payment: { express: { consent: 'refused', user: null } } });
    // Consent cannot be given afterwards.
    await phoneStep(h, token, 'consent/accept');
    expect(h.controls.inspect('refuse-1')).toMatchObject({
      payment: { status: 'cancelled', express: { consent: 'refused' } },
    });
  });

  it('after an app switch it goes back to the store; as a control it works from the landing page on', async () => {
    const h = createHarness();
    const { url } = await initiateExpress(h, 'refuse-app', { staticShipping: STATIC_OPTIONS });
    const phone = (await h.browse(h.pathOf(url), { userAgent: IPHONE_UA })).location!;
    const refused = await h.browse(`${phone}/consent/refuse`, { method: 'POST', userAgent: IPHONE_UA });
    expect(refused.location).toBe(FALLBACK);

    await initiateExpress(h, 'refuse-control', { staticShipping: STATIC_OPTIONS });
    h.controls.refuseConsent('refuse-control');
    await h.controls.flush();
    expect(theCallback(h, 'refuse-control').transactionInfo.status).toBe('CANCELLED');
    expect(() => h.controls.refuseConsent('refuse-control')).toThrow(/not waiting/);

    await initiateExpress(h, 'consented', { staticShipping: STATIC_OPTIONS });
    await h.controls.approveExpress('consented');
    expect(() => h.controls.refuseConsent('consented')).toThrow(/not waiting/);
  });
});

describe('express: consent removal', () => {
  it('the user removes consent: DELETE {consentRemovalPrefix}/v2/consents/{userId}, recorded with the answer', async () => {
    const h = createHarness();
    merchantAnswersShipping(h);
    await initiateExpress(h, 'consent-1', { mobileNumber: '91234567' });
    await h.controls.approveExpress('consent-1');
    await h.controls.flush();
    const { userId } = theExpressCallback(h, 'consent-1').userDetails;
    expect(userId).toBe(expressUserFor('91234567').userId);

    const exchanges = await h.controls.removeConsent('consent-1');
    const [removal] = consentRemovalsAt(h);
    checkConsentRemoval(removal!, CONSENT_PREFIX, userId);
    expect(exchanges).toEqual([
      expect.objectContaining({
        kind: 'consent-removal',
        orderIds: ['consent-1'],
        method: 'DELETE',
        url: removal!.url,
        sentAuthorization: false,
        requestBody: null,
        response: { status: 200, body: 'ok' },
        outcome: 'delivered',
        error: null,
      }),
    ]);
    expect(h.controls.expressExchanges('consent-1').map((e) => e.kind)).toEqual([
      'shipping-details',
      'consent-removal',
    ]);
    expect(h.controls.inspect('consent-1')).toMatchObject({
      payment: { express: { consentRemovedAt: expect.any(Number) } },
    });
    // Once only.
    await expect(h.controls.removeConsent('consent-1')).rejects.toMatchObject({ code: 'not_waiting' });
    expect(consentRemovalsAt(h)).toHaveLength(1);
    // The payment itself is unchanged; /details still tells what Vipps knows.
    expect((await details(h, 'consent-1')).userDetails.userId).toBe(userId);
  });

  it('one call per consentRemovalPrefix among the user’s consented orders at the merchant; failures are recorded', async () => {
    const h = createHarness();
    const otherPrefix = 'https://shop.test/vipps/consents/order-2';
    h.receiver.respondWith((request) =>
      request.url.startsWith(otherPrefix) ? new Response('no', { status: 500 }) : new Response('ok'),
    );
    await initiateExpress(h, 'same-user-1', { staticShipping: STATIC_OPTIONS, mobileNumber: '91234567' });
    await initiateExpress(h, 'same-user-2', {
      staticShipping: STATIC_OPTIONS,
      mobileNumber: '91234567',
      consentPrefix: otherPrefix,
    });
    await initiateExpress(h, 'other-user', { staticShipping: STATIC_OPTIONS, mobileNumber: '41234567' });
    for (const order of ['same-user-1', 'same-user-2', 'other-user']) await h.controls.approveExpress(order);
    await h.controls.flush();

    const exchanges = await h.controls.removeConsent('same-user-2');
    const userId = expressUserFor('91234567').userId;
    expect(exchanges.map((e) => [e.orderIds, e.outcome, e.response?.status])).toEqual([
      [['same-user-1'], 'delivered', 200],
      [['same-user-2'], 'failed', 500],
    ]);
    checkConsentRemoval(
      consentRemovalsAt(h, CONSENT_PREFIX).find((r) => !r.url.startsWith(otherPrefix))!,
      CONSENT_PREFIX,
      userId,
    );
    checkConsentRemoval(consentRemovalsAt(h, otherPrefix)[0]!, otherPrefix, userId);
    expect(exchanges[1]!.error).toBe('HTTP 500');
    // The other user's consent stands.
    expect(h.controls.inspect('other-user')).toMatchObject({ payment: { express: { consentRemovedAt: null } } });
    expect(callbacksFor(h, 'other-user')).toHaveLength(1);
  });

  it('needs a given consent, and gives up after the callback timeout (3 s)', async () => {
    const h = createHarness();
    await initiateExpress(h, 'no-consent-yet', { staticShipping: STATIC_OPTIONS });
    await expect(h.controls.removeConsent('no-consent-yet')).rejects.toMatchObject({ code: 'not_waiting' });
    await initiateExpress(h, 'consent-slow', { staticShipping: STATIC_OPTIONS });
    await h.controls.approveExpress('consent-slow');
    await h.controls.flush();
    h.receiver.hang();
    const [exchange] = await whileClockMoves(h, h.controls.removeConsent('consent-slow'), 3000);
    expect(exchange).toMatchObject({ outcome: 'failed', error: 'timed out after 3000 ms', response: null });
  });

  it('by the user instead of one order: POST /consents/remove { phoneNumber } or { userId }', async () => {
    const h = createHarness();
    await initiateExpress(h, 'user-1', { staticShipping: STATIC_OPTIONS, mobileNumber: '91234567' });
    await initiateExpress(h, 'user-2', { staticShipping: STATIC_OPTIONS, mobileNumber: '91234567' });
    await initiateExpress(h, 'user-3', { staticShipping: STATIC_OPTIONS, mobileNumber: '41234567' });
    for (const order of ['user-1', 'user-2', 'user-3']) await h.controls.approveExpress(order);
    const remove = async (body: unknown) => {
      const response = await h.request('/__sandbox/vipps/consents/remove', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as { exchanges: { orderIds: string[] }[] } };
    };
    const byPhone = await remove({ phoneNumber: '+47 912 34 567' });
    expect(byPhone.status).toBe(200);
    // Same sales unit and prefix: one call for both orders.
    expect(byPhone.body.exchanges.map((e) => e.orderIds)).toEqual([['user-1', 'user-2']]);
    checkConsentRemoval(consentRemovalsAt(h)[0]!, CONSENT_PREFIX, expressUserFor('91234567').userId);
    expect((await remove({ phoneNumber: '91234567' })).status).toBe(409);

    const byUserId = await remove({ userId: expressUserFor('41234567').userId });
    expect(byUserId.body.exchanges.map((e) => e.orderIds)).toEqual([['user-3']]);
    for (const invalid of [
      {},
      { phoneNumber: '91234567', userId: 'abc' },
      { phoneNumber: '1234' },
      { userId: 'not valid!' },
    ]) {
      expect((await remove(invalid)).status, JSON.stringify(invalid)).toBe(400);
    }
    expect(consentRemovalsAt(h)).toHaveLength(2);
  });
});

describe('express: /details', () => {
  it('has userDetails and shippingDetails only once reserved; the same phone number is the same userId', async () => {
    const h = createHarness();
    await initiateExpress(h, 'details-1', { staticShipping: STATIC_OPTIONS, mobileNumber: '91234567' });
    const before = await details(h, 'details-1');
    expect(before.userDetails).toBeUndefined();
    expect(before.shippingDetails).toBeUndefined();
    await h.controls.approveExpress('details-1', { shippingMethodId: 'pickup', addressId: 103 });
    const after = await details(h, 'details-1');
    expect(after.userDetails).toEqual(expressUserFor('91234567'));
    expect(after.shippingDetails).toMatchObject({
      address: { addressLine1: 'Storgata 90', city: 'Tromsø', postCode: '9008', country: 'Norway' },
      shippingCost: 49.5,
      shippingMethod: 'Hent i butikk',
      shippingMethodId: 'pickup',
    });
    expect(after.transactionLogHistory[0]).toMatchObject({ operation: 'RESERVE', amount: ITEMS + 4950 });

    await initiateExpress(h, 'details-2', { staticShipping: STATIC_OPTIONS, mobileNumber: '91234567' });
    await initiateExpress(h, 'details-3', { staticShipping: STATIC_OPTIONS, mobileNumber: '48059528' });
    await h.controls.approveExpress('details-2');
    await h.controls.approveExpress('details-3');
    const ids = await Promise.all(
      ['details-2', 'details-3'].map(async (id) => (await details(h, id)).userDetails.userId),
    );
    expect(ids[0]).toBe(after.userDetails.userId);
    expect(ids[1]).not.toBe(after.userDetails.userId);
    for (const id of ids)
      expect(schemaValidator('ecom', 'UserDetails')({ ...after.userDetails, userId: id })).toBe(true);
  });
});

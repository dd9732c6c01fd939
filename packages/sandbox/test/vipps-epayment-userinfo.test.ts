/**
 * The Userinfo API for ePayment (`GET /vipps-userinfo-api/userinfo/{sub}` with the merchant's access
 * token), the `sub` (stable per user and sales unit), the 168-hour limit, and what happens when the
 * user removes the consent: for ePayment nothing is sent to the merchant, and the Userinfo API keeps
 * answering within the 168 hours (Userinfo API FAQ).
 */
import { describe, expect, it } from 'vitest';
import { expressUserFor, subFor, USERINFO_RETENTION_MS } from '../src/vipps/index.js';
import { createHarness, type Harness, type Loose } from './vipps-harness.js';
import { assertValid, responseValidator } from './vipps-spec.js';
import {
  createExpress,
  expressCreateBody,
  getPayment,
  PAYMENTS,
  RETURN_URL,
} from './vipps-epayment-express-helpers.js';
import { mustParse, Problem, Userinfo } from './vipps-epayment-express-schemas.js';

const USERINFO = '/vipps-userinfo-api/userinfo';

/** An Express payment the user approves (controls): returns its sub. */
async function approvedExpress(h: Harness, reference: string, phoneNumber = '91234567') {
  await createExpress(h, reference);
  await h.controls.approveExpress(reference, { phoneNumber, shippingMethodId: 'posten-home' });
  return (await getPayment(h, reference)).profile.sub as string;
}

/** Userinfo with the merchant's token; `headers` replace the defaults. */
async function userinfo(h: Harness, sub: string, headers?: Record<string, string>) {
  const init = headers ?? { Authorization: `Bearer ${await h.token()}` };
  const response = await h.request(`/vipps${USERINFO}/${encodeURIComponent(sub)}`, { headers: init });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type'), body: text ? JSON.parse(text) : null };
}

describe('Userinfo API after an ePayment Express payment', () => {
  it('answers the claims of name, address, email and phoneNumber with the merchant access token', async () => {
    const h = createHarness();
    const sub = await approvedExpress(h, 'userinfo-1');
    expect(sub).toBe(subFor('123456', '4791234567'));
    const result = await userinfo(h, sub);
    expect(result.status).toBe(200);
    expect(result.type).toBe('application/json');
    const claims = mustParse(Userinfo, result.body, 'userinfo');
    expect(claims).toEqual({
      sub,
      name: 'Kari Nordmann',
      given_name: 'Kari',
      family_name: 'Nordmann',
      email: 'kari.nordmann+91234567@example.com',
      email_verified: true,
      phone_number: '4791234567',
      phone_number_verified: true,
      address: {
        street_address: 'Karl Johans gate 22\nLeilighet H0301',
        postal_code: '0159',
        region: 'OSLO',
        country: 'NO',
        formatted: 'Karl Johans gate 22\nLeilighet H0301\n0159 OSLO\nNO',
        address_type: 'home',
      },
      other_addresses: [
        expect.objectContaining({
          street_address: 'Dronning Eufemias gate 42\nAtt: Kari Nordmann',
          address_type: 'work',
        }),
        expect.objectContaining({ street_address: 'Bryggen 15', region: 'BERGEN', address_type: 'other' }),
        expect.objectContaining({ street_address: 'Storgata 90', region: 'TROMSØ', address_type: 'other' }),
      ],
    });
    // The subscription key and the MSN may be sent as well (both optional in the reference).
    const withKeys = await userinfo(h, sub, await h.apiHeaders());
    expect(withKeys.status).toBe(200);
    expect(h.controls.stats().byRoute['GET /vipps-userinfo-api/userinfo/{sub}']).toBe(2);
  });

  it('gives the same sub for the same user at the same sales unit, another at another sales unit', async () => {
    const h = createHarness();
    const first = await approvedExpress(h, 'userinfo-same-1');
    const second = await approvedExpress(h, 'userinfo-same-2');
    const other = await approvedExpress(h, 'userinfo-other', '41234567');
    expect(second).toBe(first);
    expect(other).not.toBe(first);
    expect(subFor('654321', '4791234567')).not.toBe(first);
  });

  it('profile sharing without Express: only the scopes asked for, in GET userDetails and in Userinfo', async () => {
    const h = createHarness();
    const body = {
      amount: { currency: 'NOK', value: 10000 },
      paymentMethod: { type: 'WALLET' },
      reference: 'profile-only-1',
      userFlow: 'WEB_REDIRECT',
      returnUrl: RETURN_URL,
      profile: { scope: 'name birthDate' },
    };
    expect((await h.api('POST', PAYMENTS, body, { 'Idempotency-Key': 'p1' })).status).toBe(201);
    h.controls.approve('profile-only-1', '91234567');
    const got = await getPayment(h, 'profile-only-1');
    expect(got.userDetails).toEqual({ firstName: 'Kari', lastName: 'Nordmann' });
    expect(got.shippingDetails).toBeUndefined();
    const claims = mustParse(Userinfo, (await userinfo(h, got.profile.sub)).body, 'userinfo');
    expect(Object.keys(claims).sort()).toEqual(['birthdate', 'family_name', 'given_name', 'name', 'sub']);
  });

  it('refuses without a valid token (401), with another MSN (403), for a sub that shared nothing with this sales unit (404)', async () => {
    const h = createHarness();
    const sub = await approvedExpress(h, 'userinfo-auth');
    const check = (result: { status: number; type: string | null; body: Loose }, status: number) => {
      expect(result.status).toBe(status);
      expect(result.type).toBe('application/problem+json');
      mustParse(Problem, result.body, `problem ${status}`);
    };
    check(await userinfo(h, sub, {}), 401);
    check(await userinfo(h, sub, { Authorization: 'Bearer not-a-token' }), 401);
    check(await userinfo(h, sub, { Authorization: `bearer ${await h.token()}` }), 401);
    check(
      await userinfo(h, sub, { Authorization: `Bearer ${await h.token()}`, 'Ocp-Apim-Subscription-Key': 'wrong' }),
      401,
    );
    check(
      await userinfo(h, sub, { Authorization: `Bearer ${await h.token()}`, 'Merchant-Serial-Number': '654321' }),
      403,
    );
    check(await userinfo(h, '0f3c6f4e-1111-4222-a333-444455556666'), 404);

    // A token that has expired.
    h.clock.advance(3600 * 1000);
    check(await userinfo(h, sub), 401);
  });

  it('meets injected faults like the other APIs (pathPrefix /vipps-userinfo-api/userinfo)', async () => {
    const h = createHarness();
    const sub = await approvedExpress(h, 'userinfo-fault');
    h.controls.injectFaults({ kind: 'status', status: 503, pathPrefix: '/vipps-userinfo-api/userinfo' });
    const faulted = await userinfo(h, sub);
    expect(faulted.status).toBe(503);
    expect(faulted.type).toBe('application/problem+json');
    expect((await userinfo(h, sub)).status).toBe(200);
    expect(h.controls.stats().byRoute['GET /vipps-userinfo-api/userinfo/{sub}']).toBe(2);
  });

  it('answers for 168 hours after the payment, then 403 (the time limit), also when the user paid again earlier', async () => {
    const h = createHarness();
    const sub = await approvedExpress(h, 'userinfo-time-1');
    // Access tokens live for an hour: fetch one as a merchant would.
    const newToken = async () => {
      const token = await h.request('/vipps/accesstoken/get', { method: 'POST', headers: h.tokenHeaders });
      return ((await token.json()) as Loose).access_token as string;
    };
    const fresh = async () => userinfo(h, sub, { Authorization: `Bearer ${await newToken()}` });
    h.clock.advance(USERINFO_RETENTION_MS - 1000);
    expect((await fresh()).status).toBe(200);
    h.clock.advance(1000);
    const expired = await fresh();
    expect(expired.status).toBe(403);
    expect(expired.body.detail).toContain('168 hours');
    // A new payment session shares the profile again for another 168 hours.
    const created = await h.request(`/vipps${PAYMENTS}`, {
      method: 'POST',
      headers: {
        ...(await h.apiHeaders()),
        Authorization: `Bearer ${await newToken()}`,
        'Idempotency-Key': 'time-2',
      },
      body: JSON.stringify(expressCreateBody('userinfo-time-2')),
    });
    expect(created.status).toBe(201);
    await h.controls.approveExpress('userinfo-time-2');
    expect((await fresh()).status).toBe(200);
  });
});

describe('ePayment: the user removes the consent', () => {
  it('nothing is sent to the merchant, GET is unchanged and Userinfo keeps answering within the 168 hours', async () => {
    const h = createHarness();
    const sub = await approvedExpress(h, 'revoke-1');
    const before = await getPayment(h, 'revoke-1');
    const requestsBefore = h.receiver.requests.length;

    // Over HTTP, as an e2e test would: by payment…
    const removed = await h.request('/__sandbox/vipps/payments/revoke-1/remove-consent', { method: 'POST' });
    expect(removed.status).toBe(200);
    expect(await removed.json()).toEqual({ exchanges: [] });
    expect(h.receiver.requests.length).toBe(requestsBefore);
    expect(h.controls.inspect('revoke-1')).toMatchObject({
      payment: { sharedProfile: { revokedAt: expect.any(Number) }, express: { consentRemovedAt: expect.any(Number) } },
    });
    const again = await h.request('/__sandbox/vipps/payments/revoke-1/remove-consent', { method: 'POST' });
    expect(again.status).toBe(409);

    expect(await getPayment(h, 'revoke-1')).toEqual(before);
    expect((await userinfo(h, sub)).status).toBe(200);
  });

  it('by user: every consent of that user (ePayment and eCom) is removed; 409 when there is none', async () => {
    const h = createHarness();
    await approvedExpress(h, 'revoke-user-1');
    await approvedExpress(h, 'revoke-user-2');
    const removed = await h.request('/__sandbox/vipps/consents/remove', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phoneNumber: '91234567' }),
    });
    expect(removed.status).toBe(200);
    // No eCom orders: no consent removal calls.
    expect(await removed.json()).toEqual({ exchanges: [] });
    for (const reference of ['revoke-user-1', 'revoke-user-2']) {
      expect((h.controls.inspect(reference) as Loose).payment.sharedProfile.revokedAt).not.toBeNull();
    }
    await expect(h.controls.removeUserConsent({ userId: expressUserFor('91234567').userId })).rejects.toMatchObject({
      code: 'not_waiting',
    });
    // A payment that shared nothing has no consent to remove.
    await createExpress(h, 'revoke-none');
    await expect(h.controls.removeConsent('revoke-none')).rejects.toMatchObject({ code: 'not_waiting' });
  });

  it('the user is asked for consent again in the next payment and the sub stays the same', async () => {
    const h = createHarness();
    const sub = await approvedExpress(h, 'reconsent-1');
    await h.controls.removeConsent('reconsent-1');
    await createExpress(h, 'reconsent-2');
    expect((h.controls.inspect('reconsent-2') as Loose).payment.express.consent).toBe('pending');
    await h.controls.approveExpress('reconsent-2');
    expect((await getPayment(h, 'reconsent-2')).profile.sub).toBe(sub);
  });

  it('refuse-consent over HTTP: ABORTED and the inspection says why', async () => {
    const h = createHarness();
    await createExpress(h, 'refuse-http');
    const refused = await h.request('/__sandbox/vipps/payments/refuse-http/refuse-consent', { method: 'POST' });
    expect(refused.status).toBe(200);
    const inspection = (await refused.json()) as Loose;
    expect(inspection.payment).toMatchObject({
      state: 'ABORTED',
      express: { consent: 'refused' },
      sharedProfile: null,
    });
    const result = await h.api('GET', `${PAYMENTS}/refuse-http`);
    assertValid(responseValidator('epayment', 'GET', '/epayment/v1/payments/{reference}', 200), result.body, 'get');
    expect(result.body.profile).toEqual({});
    // The body of an Express create is refused for a refused payment's reference (it exists).
    const reuse = await h.api('POST', PAYMENTS, expressCreateBody('refuse-http'), { 'Idempotency-Key': 'other' });
    expect(reuse.status).toBe(409);
  });
});

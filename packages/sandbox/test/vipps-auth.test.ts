import { describe, expect, it } from 'vitest';
import { createVippsSandbox, VippsSandboxOptionsError } from '../src/vipps/index.js';
import { CREDENTIALS, createHarness, toResult } from './vipps-harness.js';
import { assertValid, responseValidator, schemaValidator } from './vipps-spec.js';

const order = (orderId: string) => ({
  customerInfo: {},
  merchantInfo: {
    merchantSerialNumber: CREDENTIALS.msn,
    callbackPrefix: 'https://shop.test/cb',
    fallBack: 'https://shop.test/done',
  },
  transaction: { amount: 10000, orderId, transactionText: 'Socks' },
});

describe('Vipps access token', () => {
  it('issues a token shaped exactly as the spec (all values strings), valid for 3600 s by default', async () => {
    const h = createHarness();
    const result = await toResult(
      await h.request('/vipps/accesstoken/get', { method: 'POST', headers: h.tokenHeaders }),
    );
    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    assertValid(responseValidator('accessToken', 'POST', '/accesstoken/get', 200), result.body, 'token response');
    const now = Math.floor(h.clock.now() / 1000);
    expect(result.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: '3600',
      ext_expires_in: '3600',
      not_before: String(now),
      expires_on: String(now + 3600),
    });
    expect(typeof result.body.access_token).toBe('string');
  });

  it('honours a configured lifetime and rejects the token once expired', async () => {
    const h = createHarness({ timing: { tokenLifetimeSeconds: 60 } });
    const token = await h.token();
    const headers = { ...(await h.apiHeaders()), Authorization: `Bearer ${token}` };
    expect((await h.request('/vipps/ecomm/v2/payments/nope/details', { headers })).status).toBe(404);
    h.clock.advance(60_000);
    const expired = await toResult(await h.request('/vipps/ecomm/v2/payments/nope/details', { headers }));
    expect(expired.status).toBe(401);
    assertValid(responseValidator('ecom', 'GET', '/ecomm/v2/payments/{orderId}/details', 401), expired.body, 'expired');
    expect(expired.body.result.message).toMatch(/expired/);
  });

  it.each([
    ['no subscription key', { 'Ocp-Apim-Subscription-Key': undefined }, 401, /missing subscription key/],
    ['a wrong subscription key', { 'Ocp-Apim-Subscription-Key': 'nope' }, 401, /invalid subscription key/],
    ['no client_id', { client_id: undefined }, 400, /client_id/],
    ['a wrong client_id', { client_id: 'someone-else' }, 401, /AADSTS700016/],
    ['a wrong client_secret', { client_secret: 'guess' }, 401, /AADSTS7000215/],
    ['a foreign Merchant-Serial-Number', { 'Merchant-Serial-Number': '999999' }, 401, /Merchant-Serial-Number/],
    ['a too long Vipps-System-Name', { 'Vipps-System-Name': 'x'.repeat(31) }, 400, /30 characters/],
  ])('refuses a token request with %s', async (_label, change, status, message) => {
    const h = createHarness();
    const headers: Record<string, string> = { ...h.tokenHeaders };
    for (const [name, value] of Object.entries(change)) {
      if (value === undefined) delete headers[name];
      else headers[name] = value;
    }
    const result = await toResult(await h.request('/vipps/accesstoken/get', { method: 'POST', headers }));
    expect(result.status).toBe(status);
    expect(result.text).toMatch(message);
    // Secrets are never echoed back.
    expect(result.text).not.toContain(CREDENTIALS.clientSecret);
    expect(result.text).not.toContain('someone-else');
    expect(result.text).not.toContain('guess');
  });
});

describe('Vipps API authentication', () => {
  const cases: [string, (headers: Record<string, string>) => void, number][] = [
    ['without a subscription key', (headers) => delete headers['Ocp-Apim-Subscription-Key'], 401],
    ['with a wrong subscription key', (headers) => (headers['Ocp-Apim-Subscription-Key'] = 'other'), 401],
    ['without a token', (headers) => delete headers['Authorization'], 401],
    [
      'with a lower-case bearer scheme',
      (headers) => (headers['Authorization'] = headers['Authorization']!.replace('Bearer', 'bearer')),
      401,
    ],
    ['with an unknown token', (headers) => (headers['Authorization'] = 'Bearer bm9wZQ=='), 401],
    ['for another sales unit', (headers) => (headers['Merchant-Serial-Number'] = '654321'), 403],
    [
      'with a too long Vipps-System-Plugin-Name',
      (headers) => (headers['Vipps-System-Plugin-Name'] = 'p'.repeat(31)),
      400,
    ],
  ];

  it.each(cases)('eCom answers a call %s in the spec’s error format', async (_label, change, status) => {
    const h = createHarness();
    const headers = await h.apiHeaders();
    change(headers);
    const result = await toResult(
      await h.request('/vipps/ecomm/v2/payments', { method: 'POST', headers, body: JSON.stringify(order('auth-1')) }),
    );
    expect(result.status).toBe(status);
    assertValid(responseValidator('ecom', 'POST', '/ecomm/v2/payments', status), result.body, 'eCom auth error');
    // Nothing was created.
    expect(h.controls.inspect('auth-1')).toBeUndefined();
  });

  it.each(cases)('ePayment answers a call %s with problem+json', async (_label, change, status) => {
    const h = createHarness();
    const headers = await h.apiHeaders({ 'Idempotency-Key': 'auth-key-1' });
    change(headers);
    const result = await toResult(await h.request('/vipps/epayment/v1/payments/reference-1', { headers }));
    expect(result.status).toBe(status);
    expect(result.headers.get('content-type')).toBe('application/problem+json');
    assertValid(schemaValidator('epayment', 'Problem'), result.body, 'ePayment auth error');
  });

  it('requires the Merchant-Serial-Number on ePayment (required there) but not on eCom (optional there)', async () => {
    const h = createHarness();
    const headers = await h.apiHeaders();
    delete headers['Merchant-Serial-Number'];
    const epayment = await toResult(await h.request('/vipps/epayment/v1/payments/reference-1', { headers }));
    expect(epayment.status).toBe(400);
    expect(epayment.body.extraDetails).toEqual([
      { name: 'Merchant-Serial-Number', reason: expect.stringMatching(/required/) },
    ]);
    const ecom = await toResult(await h.request('/vipps/ecomm/v2/payments/unknown-order/details', { headers }));
    expect(ecom.status).toBe(404);
    expect(ecom.body[0].errorCode).toBe('35');
  });

  it('rejects a token used with another subscription key and every token after revokeTokens()', async () => {
    const h = createHarness({ credentials: { subscriptionKey: 'key-a' } });
    const tokenHeaders = { ...h.tokenHeaders, 'Ocp-Apim-Subscription-Key': 'key-a' };
    const token = (await toResult(await h.request('/vipps/accesstoken/get', { method: 'POST', headers: tokenHeaders })))
      .body.access_token;
    const headers = {
      Authorization: `Bearer ${token}`,
      'Ocp-Apim-Subscription-Key': 'key-a',
      'Merchant-Serial-Number': CREDENTIALS.msn,
    };
    expect((await h.request('/vipps/webhooks/v1/webhooks', { headers })).status).toBe(200);
    h.controls.revokeTokens();
    expect((await h.request('/vipps/webhooks/v1/webhooks', { headers })).status).toBe(401);
  });

  it('validates its options with a readable error', () => {
    expect(() => createVippsSandbox({ publicUrl: 'not a url' })).toThrow(VippsSandboxOptionsError);
    expect(() => createVippsSandbox({ credentials: { merchantSerialNumber: '12' } })).toThrow(/merchantSerialNumber/);
    expect(() => createVippsSandbox({ timing: { landingTimeoutMs: -1 } })).toThrow(/landingTimeoutMs/);
  });
});

describe('Vipps sandbox composition', () => {
  it('accepts the sandbox-wide `() => Date` clock: moving it forward expires payments', async () => {
    let now = new Date('2025-03-01T12:00:00Z');
    const h = createHarness({ clock: () => now });
    const created = await h.api('POST', '/ecomm/v2/payments', order('clock-1'));
    expect(created.status).toBe(200);
    now = new Date(now.getTime() + 10 * 60_000 + 1);
    const details = await h.api('GET', '/ecomm/v2/payments/clock-1/details');
    expect(details.body.transactionLogHistory.map((entry: { operation: string }) => entry.operation)).toEqual([
      'CANCEL',
      'INITIATE',
    ]);
    expect(h.controls.inspect('clock-1')).toMatchObject({ payment: { status: 'expired' } });
  });

  it('refuses oversized bodies before reading them (413 in the API’s own format)', async () => {
    const h = createHarness();
    const huge = JSON.stringify({ ...order('big-1'), padding: 'x'.repeat(300 * 1024) });
    const ecom = await h.api('POST', '/ecomm/v2/payments', huge);
    expect(ecom.status).toBe(413);
    expect(ecom.body[0]).toMatchObject({ errorGroup: 'InvalidRequest', errorCode: 'body' });
    const epayment = await h.api('POST', '/epayment/v1/payments', huge, { 'Idempotency-Key': 'big' });
    expect(epayment.status).toBe(413);
    expect(epayment.headers.get('content-type')).toBe('application/problem+json');
    expect(h.controls.inspect('big-1')).toBeUndefined();
  });
});

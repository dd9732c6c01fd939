import { describe, expect, it } from 'vitest';
import { createSandbox } from '../src/index.js';
import { createReceiver, toResult } from './vipps-harness.js';

describe('Vipps inside the whole sandbox (createSandbox)', () => {
  it('serves the API at /vipps, its pages below it and its controls at /__sandbox/vipps', async () => {
    const receiver = createReceiver();
    const sandbox = createSandbox({
      publicUrl: 'http://127.0.0.1:4999',
      vipps: { fetch: receiver.fetch, merchantName: 'Demo Shop' },
    });
    const call = (path: string, init?: RequestInit) => sandbox.fetch(new Request(`http://127.0.0.1:4999${path}`, init));

    const tokenHeaders = {
      client_id: 'sandbox-vipps-client-id',
      client_secret: 'sandbox-vipps-client-secret',
      'Ocp-Apim-Subscription-Key': 'sandbox-vipps-subscription-key',
      'Merchant-Serial-Number': '123456',
    };
    const token = await toResult(await call('/vipps/accesstoken/get', { method: 'POST', headers: tokenHeaders }));
    expect(token.status).toBe(200);

    const headers = {
      Authorization: `Bearer ${token.body.access_token}`,
      'Ocp-Apim-Subscription-Key': 'sandbox-vipps-subscription-key',
      'Merchant-Serial-Number': '123456',
      'Idempotency-Key': 'composition-1',
      'content-type': 'application/json',
    };
    const created = await toResult(
      await call('/vipps/epayment/v1/payments', {
        method: 'POST',
        headers,
        body: JSON.stringify({
          amount: { currency: 'NOK', value: 15000 },
          paymentMethod: { type: 'WALLET' },
          reference: 'composition-ref-1',
          userFlow: 'WEB_REDIRECT',
          returnUrl: 'http://127.0.0.1:4030/return',
        }),
      }),
    );
    expect(created.status, created.text).toBe(201);
    expect(created.body.redirectUrl).toMatch(/^http:\/\/127\.0\.0\.1:4999\/vipps\/landing\?token=/);

    const landing = await call(new URL(created.body.redirectUrl).pathname + new URL(created.body.redirectUrl).search);
    expect(landing.status).toBe(200);
    expect(await landing.text()).toContain('Demo Shop');

    const approved = await toResult(
      await call('/__sandbox/vipps/payments/composition-ref-1/approve', { method: 'POST' }),
    );
    expect(approved.status).toBe(200);
    expect(approved.body.payment.state).toBe('AUTHORIZED');
    expect(sandbox.controls.vipps?.inspect('composition-ref-1')).toMatchObject({ kind: 'epayment' });
    expect((await toResult(await call('/__sandbox/vipps/stats'))).body.byRoute['POST /epayment/v1/payments']).toBe(1);
  });
});

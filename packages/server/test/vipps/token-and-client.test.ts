/**
 * Access token and HTTP client behaviour against the Vipps sandbox: caching, renewal before
 * expiry, one renewal after a 401, shared in-flight requests, the headers on every call, timeouts,
 * and provider failures mapped to typed errors that never contain a secret.
 */
import { describe, expect, it } from 'vitest';
import { renewalDelayMs } from '../../src/providers/vipps/token.js';
import { allSecrets, createWorld, paymentInput, providerError, type RecordedCall } from './helpers.js';

const MINUTE = 60_000;
const apiCalls = (calls: RecordedCall[]) => calls.filter((c) => !c.path.endsWith('/accesstoken/get'));
const detailsCalls = (calls: RecordedCall[]) => calls.filter((c) => c.path.endsWith('/details'));

async function createdOrder(world: ReturnType<typeof createWorld>) {
  const created = await world.adapter.createPayment(paymentInput());
  return created.providerPaymentId;
}

describe('access token', () => {
  it('is fetched once and reused by later calls', async () => {
    const world = createWorld('ecom');
    const orderId = await createdOrder(world);
    for (let i = 0; i < 4; i++) await world.adapter.refresh(orderId);
    expect(world.tokenCalls()).toBe(1);
    expect(detailsCalls(world.calls)).toHaveLength(4);
  });

  it('is shared by concurrent callers: one token request in flight', async () => {
    const world = createWorld('epayment', { env: { PWB_VIPPS_WEBHOOK_SECRET: undefined } });
    const inputs = [paymentInput(), paymentInput(), paymentInput(), paymentInput()];
    const created = await Promise.all(inputs.map((input) => world.adapter.createPayment(input)));
    expect(new Set(created.map((c) => c.providerPaymentId)).size).toBe(4);
    expect(world.tokenCalls()).toBe(1);
  });

  it('is renewed 5 minutes before it expires (1 hour lifetime), never used after', async () => {
    const world = createWorld('ecom', { tokenLifetimeSeconds: 3600 });
    const orderId = await createdOrder(world);
    await world.advance(54 * MINUTE);
    await world.adapter.refresh(orderId);
    expect(world.tokenCalls()).toBe(1);
    await world.advance(2 * MINUTE); // 56 minutes: inside the 5-minute margin
    await world.adapter.refresh(orderId);
    expect(world.tokenCalls()).toBe(2);
    await world.advance(50 * MINUTE);
    await world.adapter.refresh(orderId);
    expect(world.tokenCalls()).toBe(2);
    // Never refused: the renewal happened before the sandbox would have said 401.
    expect(detailsCalls(world.calls)).toHaveLength(3);
  });

  it('is renewed at half-life when the lifetime is short', async () => {
    expect(renewalDelayMs(600_000)).toBe(300_000);
    expect(renewalDelayMs(3_600_000)).toBe(3_300_000);
    expect(renewalDelayMs(86_400_000)).toBe(86_100_000);
    const world = createWorld('ecom', { tokenLifetimeSeconds: 120 });
    const orderId = await createdOrder(world);
    await world.advance(55_000);
    await world.adapter.refresh(orderId);
    expect(world.tokenCalls()).toBe(1);
    await world.advance(10_000); // 65 s > 60 s half-life
    await world.adapter.refresh(orderId);
    expect(world.tokenCalls()).toBe(2);
  });

  it('keeps using a still-valid token when an early renewal fails', async () => {
    const world = createWorld('ecom', { tokenLifetimeSeconds: 3600 });
    const orderId = await createdOrder(world);
    await world.advance(57 * MINUTE);
    world.fault = (call) =>
      call.path.endsWith('/accesstoken/get') ? new Response('down', { status: 503 }) : undefined;
    // (The shopper never acted, so by now the payment has timed out.)
    const snapshot = await world.adapter.refresh(orderId);
    expect(snapshot.status).toBe('expired');
    expect(world.logs.text()).toContain('renewal failed');
    // Once it really expired, a failing token endpoint is an error (not a stale token).
    await world.advance(4 * MINUTE);
    const error = await providerError(() => world.adapter.refresh(orderId));
    expect(error.code).toBe('provider_unavailable');
  });

  it('after a 401 is renewed once and the call retried', async () => {
    const world = createWorld('ecom');
    const orderId = await createdOrder(world);
    world.sandbox.controls.revokeTokens();
    const snapshot = await world.adapter.refresh(orderId);
    expect(snapshot.status).toBe('pending');
    expect(world.tokenCalls()).toBe(2);
    expect(detailsCalls(world.calls)).toHaveLength(2);
    const [refused, retried] = detailsCalls(world.calls);
    expect(refused!.headers.get('authorization')).not.toBe(retried!.headers.get('authorization'));
  });

  it('after a 401 from many calls at once is renewed only once', async () => {
    const world = createWorld('ecom');
    const orderId = await createdOrder(world);
    world.sandbox.controls.revokeTokens();
    await Promise.all([1, 2, 3, 4].map(() => world.adapter.refresh(orderId)));
    expect(world.tokenCalls()).toBe(2);
  });

  it('does not loop when Vipps keeps answering 401: provider_error without secrets', async () => {
    const world = createWorld('ecom');
    const orderId = await createdOrder(world);
    world.fault = (call) =>
      call.path.endsWith('/details')
        ? new Response(
            JSON.stringify({
              responseInfo: { responseCode: 401, responseMessage: 'Unauthorized' },
              result: { message: `bad key ${world.config.subscriptionKey}` },
            }),
            { status: 401 },
          )
        : undefined;
    const error = await providerError(() => world.adapter.refresh(orderId));
    expect(error.code).toBe('provider_error');
    expect(detailsCalls(world.calls)).toHaveLength(2);
    expect(world.tokenCalls()).toBe(2);
    for (const secret of allSecrets(world.config))
      expect(JSON.stringify([error.message, error.details])).not.toContain(secret);
  });

  it('with wrong API keys fails as provider_error naming the variables, never their values', async () => {
    const world = createWorld('ecom');
    const adapter = world.makeAdapter({ PWB_VIPPS_CLIENT_SECRET: 'wrong-client-secret-value-123' });
    const error = await providerError(() => adapter.createPayment(paymentInput()));
    expect(error.code).toBe('provider_error');
    expect(error.message).toContain('PWB_VIPPS_CLIENT_SECRET');
    for (const secret of [...allSecrets(world.config), 'wrong-client-secret-value-123']) {
      expect(error.message).not.toContain(secret);
      expect(JSON.stringify(error.details ?? null)).not.toContain(secret);
    }
    expect(world.calls.filter((c) => c.path.endsWith('/ecomm/v2/payments'))).toHaveLength(0);
  });

  it('rejects a token response that does not match the spec', async () => {
    const world = createWorld('ecom');
    world.fault = (call) =>
      call.path.endsWith('/accesstoken/get')
        ? new Response(JSON.stringify({ token_type: 'Bearer', expires_in: 'soon', access_token: 'x' }), { status: 200 })
        : undefined;
    const error = await providerError(() => world.adapter.createPayment(paymentInput()));
    expect(error.code).toBe('provider_error');
    expect(error.details).toEqual({ fields: ['expires_in'] });
  });
});

describe('headers on every call', () => {
  it('token request: keys, MSN and system headers; API calls: bearer, key, MSN and system headers ≤ 30 characters', async () => {
    const world = createWorld('epayment', { env: { PWB_VIPPS_WEBHOOK_SECRET: undefined } });
    const created = await world.adapter.createPayment(paymentInput());
    await world.adapter.refresh(created.providerPaymentId);
    const token = world.calls.find((c) => c.path.endsWith('/accesstoken/get'))!;
    expect(token.method).toBe('POST');
    expect(token.headers.get('client_id')).toBe(world.config.clientId);
    expect(token.headers.get('client_secret')).toBe(world.config.clientSecret);
    expect(token.headers.get('ocp-apim-subscription-key')).toBe(world.config.subscriptionKey);
    expect(token.headers.get('merchant-serial-number')).toBe('123456');

    const calls = apiCalls(world.calls);
    // Webhook list + register, create, get.
    expect(calls.map((c) => `${c.method} ${c.path.replace(/\/payments\/.+$/, '/payments/{ref}')}`)).toEqual([
      'GET /vipps/webhooks/v1/webhooks',
      'POST /vipps/webhooks/v1/webhooks',
      'POST /vipps/epayment/v1/payments',
      'GET /vipps/epayment/v1/payments/{ref}',
    ]);
    for (const call of [token, ...calls]) {
      for (const name of [
        'Vipps-System-Name',
        'Vipps-System-Version',
        'Vipps-System-Plugin-Name',
        'Vipps-System-Plugin-Version',
      ]) {
        const value = call.headers.get(name);
        expect(value, `${name} on ${call.path}`).toBeTruthy();
        expect(value!.length).toBeLessThanOrEqual(30);
      }
    }
    for (const call of calls) {
      expect(call.headers.get('authorization')).toMatch(/^Bearer \S+$/);
      expect(call.headers.get('ocp-apim-subscription-key')).toBe(world.config.subscriptionKey);
      expect(call.headers.get('merchant-serial-number')).toBe('123456');
      expect(call.headers.get('client_secret')).toBeNull();
    }
    expect(
      calls
        .find((c) => c.method === 'POST' && c.path.endsWith('/epayment/v1/payments'))!
        .headers.get('idempotency-key'),
    ).toMatch(/^pwb-create-/);
  });

  it('the configured system headers are sent as given', async () => {
    const world = createWorld('ecom', {
      env: { PWB_VIPPS_SYSTEM_NAME: 'acme-shop', PWB_VIPPS_SYSTEM_VERSION: '2.4.1' },
    });
    await world.adapter.createPayment(paymentInput());
    const initiate = world.calls.find((c) => c.path === '/vipps/ecomm/v2/payments')!;
    expect(initiate.headers.get('vipps-system-name')).toBe('acme-shop');
    expect(initiate.headers.get('vipps-system-version')).toBe('2.4.1');
    expect(initiate.headers.get('vipps-system-plugin-name')).toBe('pay-with-bank-server');
  });
});

describe('transport failures', () => {
  it('a call that does not answer in time is provider_timeout', async () => {
    const world = createWorld('ecom', { timeoutMs: 150 });
    const orderId = await createdOrder(world);
    world.fault = (call) => (call.path.endsWith('/details') ? new Promise<Response>(() => undefined) : undefined);
    const started = Date.now();
    const error = await providerError(() => world.adapter.refresh(orderId));
    expect(error.code).toBe('provider_timeout');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('an unreachable Vipps is provider_unavailable', async () => {
    const world = createWorld('ecom');
    world.fault = () => {
      throw new TypeError('fetch failed');
    };
    expect((await providerError(() => world.adapter.createPayment(paymentInput()))).code).toBe('provider_unavailable');
  });

  it.each([500, 502, 503, 429])('HTTP %i is provider_unavailable', async (status) => {
    const world = createWorld('epayment', { env: { PWB_VIPPS_WEBHOOK_SECRET: 'configured-webhook-secret-abc' } });
    const created = await world.adapter.createPayment(paymentInput());
    world.fault = (call) =>
      call.method === 'GET' && call.path.includes('/epayment/') ? new Response('oops', { status }) : undefined;
    expect((await providerError(() => world.adapter.refresh(created.providerPaymentId))).code).toBe(
      'provider_unavailable',
    );
  });

  it('a body that is not JSON or not the spec is provider_error', async () => {
    const world = createWorld('ecom');
    const orderId = await createdOrder(world);
    world.fault = (call) => (call.path.endsWith('/details') ? new Response('<html>', { status: 200 }) : undefined);
    expect((await providerError(() => world.adapter.refresh(orderId))).code).toBe('provider_error');
    world.fault = (call) =>
      call.path.endsWith('/details') ? Response.json({ orderId, transactionLogHistory: [] }) : undefined;
    const invalid = await providerError(() => world.adapter.refresh(orderId));
    expect(invalid.code).toBe('provider_error');
    expect(invalid.details).toEqual({ fields: ['transactionLogHistory'] });
  });

  it('never writes a credential or token to the logs', async () => {
    const world = createWorld('ecom');
    const orderId = await createdOrder(world);
    world.sandbox.controls.revokeTokens();
    await world.adapter.refresh(orderId);
    world.fault = () => new Response('x', { status: 500 });
    await providerError(() => world.adapter.refresh(orderId));
    const text = world.logs.text();
    expect(text).toContain('provider call');
    for (const secret of allSecrets(world.config)) expect(text).not.toContain(secret);
    for (const call of apiCalls(world.calls)) {
      const token = call.headers.get('authorization')!.slice('Bearer '.length);
      expect(text).not.toContain(token);
    }
  });
});

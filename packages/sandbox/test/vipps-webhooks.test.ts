import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EPAYMENT_WEBHOOK_EVENTS, signVippsWebhook, verifyVippsWebhook } from '../src/vipps/index.js';
import { createHarness, type Harness, type ReceivedRequest } from './vipps-harness.js';
import { assertValid, requestValidator, responseValidator, schemaValidator } from './vipps-spec.js';

const WEBHOOKS = '/webhooks/v1/webhooks';
const HOOK_URL = 'https://merchant.test:8443/hooks/vipps?tenant=a';

async function register(h: Harness, url = HOOK_URL, events: string[] = [...EPAYMENT_WEBHOOK_EVENTS]) {
  const body = { url, events };
  assertValid(requestValidator('webhooks', 'POST', '/v1/webhooks'), body, 'register request');
  const result = await h.api('POST', WEBHOOKS, body);
  expect(result.status, result.text).toBe(201);
  assertValid(responseValidator('webhooks', 'POST', '/v1/webhooks', 201), result.body, 'register response');
  return result.body as { id: string; secret: string };
}

async function createPayment(h: Harness, reference: string) {
  const result = await h.api(
    'POST',
    '/epayment/v1/payments',
    {
      amount: { currency: 'NOK', value: 10000 },
      paymentMethod: { type: 'WALLET' },
      reference,
      userFlow: 'WEB_REDIRECT',
      returnUrl: 'https://shop.test/r',
    },
    { 'Idempotency-Key': `create-${reference}` },
  );
  expect(result.status, result.text).toBe(201);
}

/** Verifies a delivery the way a merchant would, with nothing from the sandbox's code. */
function expectSignedBy(request: ReceivedRequest, secret: string) {
  const url = new URL(request.url);
  const contentHash = createHash('sha256').update(request.body).digest('base64');
  expect(request.headers.get('x-ms-content-sha256')).toBe(contentHash);
  const date = request.headers.get('x-ms-date');
  expect(date).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  const toSign = `POST\n${url.pathname}${url.search}\n${date};${url.host};${contentHash}`;
  const signature = createHmac('sha256', secret).update(toSign).digest('base64');
  expect(request.headers.get('authorization')).toBe(
    `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
  );
}

const eventsAt = (h: Harness, url = HOOK_URL) =>
  h.receiver.requests.filter((request) => request.url === url).map((request) => JSON.parse(request.body));

describe('Webhooks API', () => {
  it('registers, lists (without secrets) and deletes webhooks', async () => {
    const h = createHarness();
    const hook = await register(h, 'https://merchant.test/hooks', ['epayments.payment.authorized.v1']);
    expect(hook.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(hook.secret.length).toBeGreaterThanOrEqual(32);

    const list = await h.api('GET', WEBHOOKS);
    assertValid(responseValidator('webhooks', 'GET', '/v1/webhooks', 200), list.body, 'list');
    expect(list.body).toEqual({
      webhooks: [{ id: hook.id, url: 'https://merchant.test/hooks', events: ['epayments.payment.authorized.v1'] }],
    });
    expect(list.text).not.toContain(hook.secret);

    const deleted = await h.api('DELETE', `${WEBHOOKS}/${hook.id}`);
    expect(deleted.status).toBe(204);
    expect((await h.api('GET', WEBHOOKS)).body).toEqual({ webhooks: [] });
    expect((await h.api('DELETE', `${WEBHOOKS}/${hook.id}`)).status).toBe(404);
    const notUuid = await h.api('DELETE', `${WEBHOOKS}/not-a-uuid`);
    expect(notUuid.status).toBe(400);
    assertValid(responseValidator('webhooks', 'DELETE', '/v1/webhooks/{id}', 400), notUuid.body, 'delete 400');
  });

  it.each([
    ['an unknown event', { url: 'https://merchant.test/h', events: ['epayments.payment.teleported.v1'] }],
    ['no events', { url: 'https://merchant.test/h', events: [] }],
    ['a url that is not http(s)', { url: 'mailto:ops@merchant.test', events: ['epayments.payment.created.v1'] }],
    ['no url', { events: ['epayments.payment.created.v1'] }],
  ])('rejects a registration with %s (problem+json as in the spec)', async (_label, body) => {
    const h = createHarness();
    const result = await h.api('POST', WEBHOOKS, body);
    expect(result.status).toBe(400);
    expect(result.headers.get('content-type')).toBe('application/problem+json');
    assertValid(responseValidator('webhooks', 'POST', '/v1/webhooks', 400), result.body, 'register 400');
    expect((await h.api('GET', WEBHOOKS)).body.webhooks).toEqual([]);
  });

  it('allows at most 5 webhooks per event', async () => {
    const h = createHarness();
    for (let i = 0; i < 5; i++) await register(h, `https://merchant.test/h${i}`, ['epayments.payment.captured.v1']);
    const sixth = await h.api('POST', WEBHOOKS, {
      url: 'https://merchant.test/h6',
      events: ['epayments.payment.captured.v1'],
    });
    expect(sixth.status).toBe(400);
    assertValid(schemaValidator('webhooks', 'ProblemDetails'), sixth.body, 'limit');
  });
});

describe('webhook deliveries', () => {
  it('delivers every ePayment event, signed exactly as Vipps signs (verified independently)', async () => {
    const h = createHarness();
    const hook = await register(h);
    await createPayment(h, 'webhook-ref-1');
    h.controls.approve('webhook-ref-1', '91234567');
    for (const [action, body] of [
      ['capture', { modificationAmount: { currency: 'NOK', value: 6000 } }],
      ['refund', { modificationAmount: { currency: 'NOK', value: 1000 } }],
      ['cancel', undefined],
    ] as const) {
      const result = await h.api('POST', `/epayment/v1/payments/webhook-ref-1/${action}`, body, {
        'Idempotency-Key': `${action}-1`,
      });
      expect(result.status, result.text).toBe(200);
    }
    await h.controls.flush();

    const received = h.receiver.requests.filter((request) => request.url === HOOK_URL);
    expect(received.map((request) => JSON.parse(request.body).name)).toEqual([
      'CREATED',
      'AUTHORIZED',
      'CAPTURED',
      'REFUNDED',
      'CANCELLED',
    ]);
    for (const request of received) {
      expect(request.method).toBe('POST');
      expect(request.headers.get('content-type')).toBe('application/json');
      expectSignedBy(request, hook.secret);
      assertValid(schemaValidator('epayment', 'WebhookEvent'), JSON.parse(request.body), 'webhook event');
    }
    expect(JSON.parse(received[2]!.body)).toMatchObject({
      msn: '123456',
      reference: 'webhook-ref-1',
      name: 'CAPTURED',
      amount: { currency: 'NOK', value: 6000 },
      idempotencyKey: 'capture-1',
      success: true,
    });
    expect(new Date(received[0]!.headers.get('x-ms-date')!).getTime()).toBe(h.clock.now() - (h.clock.now() % 1000));
    // A wrong secret does not verify: the check above can fail.
    expect(() => expectSignedBy(received[0]!, 'not-the-secret')).toThrow();
  });

  it('sends only the subscribed events, and nothing after the webhook is deleted', async () => {
    const h = createHarness();
    const hook = await register(h, 'https://merchant.test/only-authorized', ['epayments.payment.authorized.v1']);
    await createPayment(h, 'webhook-ref-2');
    h.controls.approve('webhook-ref-2', '91234567');
    await h.controls.flush();
    expect(eventsAt(h, 'https://merchant.test/only-authorized').map((event) => event.name)).toEqual(['AUTHORIZED']);
    await h.api('DELETE', `${WEBHOOKS}/${hook.id}`);
    await createPayment(h, 'webhook-ref-3');
    h.controls.approve('webhook-ref-3', '91234567');
    await h.controls.flush();
    expect(eventsAt(h, 'https://merchant.test/only-authorized')).toHaveLength(1);
  });

  it('retries a failing merchant with exponential backoff, re-signing each attempt', async () => {
    const h = createHarness({ timing: { webhookRetry: { maxAttempts: 5, initialDelayMs: 1000, multiplier: 4 } } });
    const hook = await register(h, HOOK_URL, ['epayments.payment.created.v1']);
    let calls = 0;
    h.receiver.respondWith(() => new Response(null, { status: ++calls <= 2 ? 503 : 204 }));
    const start = h.clock.now();
    await createPayment(h, 'webhook-ref-4');
    await h.settle();
    expect(calls).toBe(1);
    await h.advance(999);
    expect(calls).toBe(1);
    await h.advance(1);
    expect(calls).toBe(2);
    await h.advance(3999);
    expect(calls).toBe(2);
    await h.advance(1);
    expect(calls).toBe(3);
    await h.advance(60 * 60_000);
    expect(calls).toBe(3);

    const [delivery] = h.controls.webhookDeliveries('webhook-ref-4');
    expect(delivery).toMatchObject({ state: 'delivered', event: 'epayments.payment.created.v1', nextAttemptAt: null });
    expect(delivery!.attempts.map((attempt) => [Date.parse(attempt.at) - start, attempt.httpStatus])).toEqual([
      [0, 503],
      [1000, 503],
      [5000, 204],
    ]);
    const received = h.receiver.requests.filter((request) => request.url === HOOK_URL);
    expect(new Set(received.map((request) => request.headers.get('x-ms-date'))).size).toBe(3);
    for (const request of received) expectSignedBy(request, hook.secret);
  });

  it('gives up after maxAttempts (bounded), and times out a hanging merchant', async () => {
    const h = createHarness({
      timing: { webhookRetry: { maxAttempts: 3, initialDelayMs: 100, multiplier: 2 }, webhookTimeoutMs: 10_000 },
    });
    await register(h, HOOK_URL, ['epayments.payment.created.v1']);
    h.receiver.respondWith(() => new Response('down', { status: 500 }));
    await createPayment(h, 'webhook-ref-5');
    // Step by step: each retry is scheduled when the previous attempt has settled.
    for (let i = 0; i < 20; i++) await h.advance(1000);
    const [failed] = h.controls.webhookDeliveries('webhook-ref-5');
    expect(failed).toMatchObject({ state: 'failed', nextAttemptAt: null });
    expect(failed!.attempts).toHaveLength(3);

    h.receiver.hang();
    await createPayment(h, 'webhook-ref-6');
    await h.advance(9_999);
    expect(h.controls.webhookDeliveries('webhook-ref-6')[0]!.attempts).toHaveLength(0);
    await h.advance(1);
    expect(h.controls.webhookDeliveries('webhook-ref-6')[0]!.attempts[0]).toMatchObject({
      httpStatus: null,
      error: expect.stringMatching(/timed out/),
    });
  });

  it('records but does not send events while delivery is switched off', async () => {
    const h = createHarness();
    await register(h);
    h.controls.setWebhookDelivery(false);
    await createPayment(h, 'webhook-ref-7');
    await h.advance(60_000);
    expect(eventsAt(h)).toHaveLength(0);
    expect(h.controls.webhookDeliveries('webhook-ref-7')).toEqual([
      expect.objectContaining({ state: 'suppressed', attempts: [] }),
    ]);
    h.controls.setWebhookDelivery(true);
    h.controls.approve('webhook-ref-7', '91234567');
    await h.controls.flush();
    expect(eventsAt(h).map((event) => event.name)).toEqual(['AUTHORIZED']);
  });
});

describe('signVippsWebhook / verifyVippsWebhook', () => {
  // The sample of Vipps MobilePay's "Request authentication" guide.
  const sample = {
    secret: 'A0+AeKBRG2KRGvnNwJpQlb6IJFk48CKXCIcrLoHncVJKDILsQSxS6NWCccwWm6r6FhGKhiHTBsG2wo/xU6FY/A==',
    url: 'https://webhook.site/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63',
    body: '{"some-unique-content":"ee6e441b-cc4a-46f8-895d-a5af79bcc233/hello-world"}',
    date: 'Thu, 30 Mar 2023 08:38:32 GMT',
  };

  it('reproduces the documented sample signature', () => {
    expect(signVippsWebhook(sample)).toEqual({
      'x-ms-date': sample.date,
      'x-ms-content-sha256': 'lNlsp1XA03N34HrQsVzPgJKtC+r7l/RBF4V3JQUWMj4=',
      authorization:
        'HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=agAiSyogQbDHpeucoNwYz+yAr5nJ+v+zasdkSbqzv+U=',
    });
  });

  it('verifies the sample and refuses a changed body, host or secret', () => {
    const headers = new Headers(signVippsWebhook(sample) as unknown as Record<string, string>);
    const input = {
      secret: sample.secret,
      method: 'POST',
      pathAndQuery: '/e2cee29b-012e-4f1d-8ef4-e95fd74a7a63',
      host: 'webhook.site',
      headers,
      body: sample.body,
    };
    expect(verifyVippsWebhook(input)).toBe(true);
    expect(verifyVippsWebhook({ ...input, body: sample.body.replace('hello', 'HELLO') })).toBe(false);
    expect(verifyVippsWebhook({ ...input, host: 'evil.example' })).toBe(false);
    expect(verifyVippsWebhook({ ...input, secret: 'other' })).toBe(false);
  });
});

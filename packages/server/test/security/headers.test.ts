/**
 * Security headers on EVERY response: each route's success, every kind of error (400, 401, 404,
 * 405, 409, 413, 415, 422, 429, 500, 502), unknown paths, HEAD and CORS preflights, in-process and
 * over real HTTP. A JSON API needs no content sources at all, must never be framed, sniffed,
 * cached or leak its URL in a Referer, and is not embeddable cross-origin.
 */
import { describe, expect, it } from 'vitest';
import { routes } from '../../src/http/routes/index.js';
import { ProviderError } from '../../src/errors.js';
import { MemoryStore } from '../../src/store/memory.js';
import { MERCHANT_KEY, SHOP_ORIGIN } from '../helpers/config.js';
import { FakeAdapter } from '../helpers/fake-adapter.js';
import { makeHarness } from '../helpers/harness.js';
import { overHttp, securityWorld, type SecurityWorld } from './helpers.js';

const HTTPS_PUBLIC_URL = { PWB_PUBLIC_URL: 'https://pay.example' };

/** What every response must carry, and why. */
function headerProblems(res: Response): string[] {
  const h = res.headers;
  const problems: string[] = [];
  const csp = h.get('content-security-policy') ?? '';
  // JSON needs no scripts, styles, images or connections: nothing may load in its context.
  if (!/(^|;)\s*default-src 'none'/.test(csp)) problems.push(`CSP default-src 'none' missing: ${csp}`);
  // Never framed (clickjacking), stated twice for old and new browsers.
  if (!/(^|;)\s*frame-ancestors 'none'/.test(csp)) problems.push(`CSP frame-ancestors 'none' missing: ${csp}`);
  if (h.get('x-frame-options') !== 'DENY') problems.push(`X-Frame-Options ${h.get('x-frame-options')}`);
  if (h.get('x-content-type-options') !== 'nosniff') problems.push('X-Content-Type-Options nosniff missing');
  if (h.get('referrer-policy') !== 'no-referrer') problems.push(`Referrer-Policy ${h.get('referrer-policy')}`);
  if (h.get('cross-origin-resource-policy') !== 'same-origin') {
    problems.push(`Cross-Origin-Resource-Policy ${h.get('cross-origin-resource-policy')}`);
  }
  if (h.get('cross-origin-opener-policy') !== 'same-origin') {
    problems.push(`Cross-Origin-Opener-Policy ${h.get('cross-origin-opener-policy')}`);
  }
  if (!/^max-age=\d{7,}/.test(h.get('strict-transport-security') ?? '')) {
    problems.push(`Strict-Transport-Security ${h.get('strict-transport-security')}`);
  }
  if (h.get('cache-control') !== 'no-store') problems.push(`Cache-Control ${h.get('cache-control')}`);
  if (h.get('access-control-allow-credentials') !== null) problems.push('credentials allowed cross-origin');
  return problems;
}

async function providerPaymentId(world: SecurityWorld, paymentId: string): Promise<string> {
  return (await world.store.getPayment(paymentId))!.providerPaymentId!;
}

describe('security headers', () => {
  it('are on the success response of every route in the route table', async () => {
    const world = securityWorld(HTTPS_PUBLIC_URL);
    const { h, fake, clock } = world;
    const a = await world.shopper('ORDER-A');
    const authorise = async (paymentId: string) => {
      fake.set(await providerPaymentId(world, paymentId), {
        status: 'authorized',
        providerStatus: 'AUTHORIZED',
        authorizedAmount: 12500,
      });
      clock.advance(2000);
    };
    const capturable = await world.shopper('ORDER-C');
    await authorise(capturable.paymentId);
    const cancellable = await world.shopper('ORDER-D');
    const callbackTarget = await world.shopper('ORDER-E');

    const successes: Record<string, () => Promise<Response>> = {
      health: () => h.request('GET', '/healthz'),
      openapi: () => h.request('GET', '/openapi.json'),
      createSession: () =>
        h.merchant('POST', '/v1/sessions', {
          amount: { value: 100, currency: 'DKK' },
          reference: 'R-1',
          description: 'd',
          returnUrl: 'https://shop.example/checkout',
        }),
      getSession: () => h.merchant('GET', `/v1/sessions/${a.sessionId}`),
      listPayments: () => h.merchant('GET', '/v1/payments?limit=5'),
      getPayment: () => h.merchant('GET', `/v1/payments/${a.paymentId}`),
      capturePayment: () => h.merchant('POST', `/v1/payments/${capturable.paymentId}/capture`, { amount: 100 }),
      refundPayment: () => h.merchant('POST', `/v1/payments/${capturable.paymentId}/refund`, { amount: 100 }),
      cancelPayment: () => h.merchant('POST', `/v1/payments/${cancellable.paymentId}/cancel`),
      // Nothing to erase on an ordinary payment, still answered.
      eraseShopper: () => h.merchant('DELETE', `/v1/payments/${a.paymentId}/shopper`),
      getCheckoutSession: () => h.client(a.token, 'GET', '/v1/checkout/session'),
      listCheckoutBanks: () => h.client(a.token, 'GET', '/v1/checkout/banks'),
      startCheckoutPayment: () =>
        h.client(a.token, 'POST', '/v1/checkout/payments', { method: 'bank', attemptId: 'attempt-headers-1' }),
      refreshCheckoutPayment: () => h.client(a.token, 'POST', `/v1/checkout/payments/${a.paymentId}/refresh`),
      streamCheckoutPayment: () => h.client(a.token, 'GET', `/v1/checkout/payments/${a.paymentId}/events`),
      providerCallback: async () =>
        h.request('POST', '/v1/callbacks/fake/events', {
          headers: { 'x-fake-auth': 'good' },
          body: { id: await providerPaymentId(world, callbackTarget.paymentId), event: 'evt-1', status: 'authorized' },
        }),
      // A consent removal (express checkout): nothing to erase on an ordinary payment, still answered.
      providerCallbackDelete: async () =>
        h.request('DELETE', '/v1/callbacks/fake/consents', {
          headers: { 'x-fake-auth': 'good' },
          body: {
            kind: 'consent-removal',
            id: await providerPaymentId(world, callbackTarget.paymentId),
            userId: 'u-1',
          },
        }),
    };
    expect(Object.keys(successes).sort()).toEqual(routes.map((r) => r.operationId).sort());
    for (const [operation, send] of Object.entries(successes)) {
      const res = await send();
      const stream = routes.find((r) => r.operationId === operation)!.response.events !== undefined;
      expect(res.status, `${operation}: ${res.status} ${stream ? '' : await res.clone().text()}`).toBeLessThan(300);
      expect(headerProblems(res), operation).toEqual([]);
      expect(res.headers.get('content-type'), operation).toMatch(stream ? /^text\/event-stream/ : /^application\/json/);
      await res.body?.cancel(); // the live status stream stays open otherwise
    }
  });

  it('are on every kind of error, unknown paths, HEAD and CORS preflights', async () => {
    const store = new MemoryStore();
    const fake = new FakeAdapter();
    const h = makeHarness({
      env: { ...HTTPS_PUBLIC_URL, PWB_RATE_LIMIT_PER_MINUTE: '1' },
      deps: { adapters: [fake], store },
    });
    const { clientToken } = await h.createSession();
    const responses: Record<string, Response> = {};
    responses.notFound = await h.request('GET', '/nope/../../etc/passwd');
    responses.rootNotFound = await h.request('GET', '/');
    responses.badRequest = await h.merchant('GET', '/v1/payments/not-an-id');
    responses.unauthorized = await h.request('GET', '/v1/payments');
    responses.methodNotAllowed = await h.request('DELETE', '/v1/sessions');
    responses.payloadTooLarge = await h.request('POST', '/v1/sessions', {
      rawBody: 'x'.repeat(20_000),
      headers: { authorization: `Bearer ${MERCHANT_KEY}`, 'content-type': 'application/json' },
    });
    responses.unsupportedMediaType = await h.request('POST', '/v1/sessions', {
      rawBody: '{}',
      headers: { authorization: `Bearer ${MERCHANT_KEY}`, 'content-type': 'text/plain' },
    });
    responses.returnUrlNotAllowed = await h.merchant('POST', '/v1/sessions', {
      amount: { value: 100, currency: 'DKK' },
      reference: 'R-1',
      description: 'd',
      returnUrl: 'https://evil.example/checkout',
    });
    fake.failNext.create = new ProviderError('provider_error', 'The bank said no.');
    responses.providerError = await h.client(clientToken, 'POST', '/v1/checkout/payments', {
      method: 'bank',
      attemptId: 'attempt-0001',
    });
    responses.rateLimited = await h.client(clientToken, 'GET', '/v1/checkout/session');
    responses.unknownPayment = await h.merchant('POST', '/v1/payments/pay_AAAAAAAAAAAAAAAAAAAAAA/cancel');
    const [failed] = await store.listPayments({ limit: 1 });
    responses.invalidState = await h.merchant('POST', `/v1/payments/${failed!.id}/cancel`);
    responses.head = await h.request('HEAD', '/healthz');
    responses.preflight = await h.request('OPTIONS', '/v1/checkout/payments', {
      headers: { origin: SHOP_ORIGIN, 'access-control-request-method': 'POST' },
    });
    responses.preflightElsewhere = await h.request('OPTIONS', '/v1/sessions', {
      headers: { origin: SHOP_ORIGIN, 'access-control-request-method': 'POST' },
    });
    store.findSessionByTokenHash = async () => {
      throw new Error('disk on fire');
    };
    responses.internalError = await h.client(clientToken, 'GET', '/v1/checkout/session');

    expect(Object.fromEntries(Object.entries(responses).map(([k, r]) => [k, r.status]))).toEqual({
      notFound: 404,
      rootNotFound: 404,
      badRequest: 400,
      unauthorized: 401,
      methodNotAllowed: 405,
      payloadTooLarge: 413,
      unsupportedMediaType: 415,
      returnUrlNotAllowed: 422,
      providerError: 502,
      rateLimited: 429,
      unknownPayment: 404,
      invalidState: 409,
      head: 200,
      preflight: 204,
      preflightElsewhere: 405,
      internalError: 500,
    });
    for (const [name, res] of Object.entries(responses)) expect(headerProblems(res), name).toEqual([]);
  });

  it('are sent over real HTTP too (the Node entry point adds nothing and drops nothing)', async () => {
    await overHttp(HTTPS_PUBLIC_URL, async (base) => {
      for (const path of ['/healthz', '/nope', '/v1/payments']) {
        const res = await fetch(`${base}${path}`);
        expect(headerProblems(res), path).toEqual([]);
        await res.text();
      }
    });
  });

  it('use no Content-Security-Policy source that would let anything load', async () => {
    const h = makeHarness({ deps: { adapters: [new FakeAdapter()] } });
    const csp = (await h.request('GET', '/healthz')).headers.get('content-security-policy')!;
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*|data:|https?:/);
  });
});

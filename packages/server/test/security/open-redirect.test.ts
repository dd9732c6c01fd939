/**
 * No open redirect (design invariant 10). The server itself never redirects (no 3xx, no Location);
 * the browser is sent to exactly two kinds of places:
 *  - the provider's page, as the provider returned it (http(s) only: a provider answering a
 *    javascript: or data: URL is a provider_error and nothing reaches the browser);
 *  - back to the merchant's return URL, which must match PWB_RETURN_URL_ALLOWLIST
 *    (here https://shop.example/checkout) through every parsing trick below.
 */
import { createSandbox } from '@pay-with-bank/sandbox';
import { describe, expect, it } from 'vitest';
import { MERCHANT_KEY, RETURN_URL, SANDBOX_BASE } from '../helpers/config.js';
import { json } from '../helpers/harness.js';
import { makeWorld, shopperAtProvider } from '../helpers/sandbox.js';
import { securityWorld } from './helpers.js';

const OFF_LIST = [
  // scheme tricks
  'javascript:alert(document.domain)//https://shop.example/checkout',
  'data:text/html,<script>alert(1)</script>',
  'http://shop.example/checkout',
  'ftp://shop.example/checkout',
  'https:shop.example/checkout/../../evil',
  // userinfo
  'https://shop@evil.example/checkout',
  'https://shop.example@evil.example/checkout',
  'https://shop.example:443@evil.example/checkout',
  'https://user:pass@shop.example/checkout',
  'https://:@shop.example/checkout', // empty userinfo: the URL parser drops it, the raw input still has it
  'https://@shop.example/checkout',
  // backslashes (WHATWG URL reads them as slashes in http(s) URLs)
  'https://evil.example\\@shop.example/checkout',
  'https:\\\\evil.example\\checkout',
  'https://shop.example\\@evil.example/checkout',
  'https://shop.example/checkout\\..\\..\\admin',
  // unicode hosts / IDN homographs
  'https://shop.exаmple/checkout', // Cyrillic а
  'https://shöp.example/checkout',
  'https://shop.example\u3002evil.example/checkout', // ideographic full stop
  'https://xn--shop-xxa.example/checkout',
  // other hosts that look close
  'https://shop.example.evil.example/checkout',
  'https://evilshop.example/checkout',
  'https://shop.example%2eevil.example/checkout',
  'https://shop.example./checkout',
  'https://evil.example/https://shop.example/checkout',
  'https://evil.example#https://shop.example/checkout',
  'https://evil.example?https://shop.example/checkout',
  // other port
  'https://shop.example:8443/checkout',
  'https://shop.example:80/checkout',
  // path traversal out of the allowed prefix
  'https://shop.example/checkout/../admin',
  'https://shop.example/checkout/%2e%2e/admin',
  'https://shop.example/checkout/%2E%2E%2Fadmin',
  'https://shop.example/checkout/..%2fadmin',
  'https://shop.example/checkout/..%5cadmin',
  'https://shop.example/checkout%2f..%2fadmin',
  'https://shop.example/checkout/%252e%252e/evil', // double-encoded dot segments
  'https://shop.example/checkout/%25252e%25252e/evil',
  'https://shop.example/checkout-evil',
  'https://shop.example/checkoutevil/x',
  'https://shop.example/',
  'https://shop.example/other/checkout',
  // scheme-relative and relative
  '//evil.example/checkout',
  '///evil.example/checkout',
  '/\\evil.example/checkout',
  '/checkout',
  'evil.example/checkout',
];

const ON_LIST = [
  'https://shop.example/checkout',
  'https://shop.example/checkout/',
  'https://shop.example/checkout/return?order=1#top',
  'https://SHOP.example:443/checkout/return', // the same origin, spelled differently
];

/** A merchant creating a session with this return URL. */
function createWith(world: ReturnType<typeof securityWorld>, returnUrl: string) {
  return world.h.merchant('POST', '/v1/sessions', {
    amount: { value: 100, currency: 'DKK' },
    reference: 'R-1',
    description: 'd',
    returnUrl,
  });
}

describe('return URLs are held to the allow-list', () => {
  it.each(OFF_LIST)('refuses %s, creating nothing', async (returnUrl) => {
    const world = securityWorld();
    const res = await createWith(world, returnUrl);
    expect([400, 422]).toContain(res.status);
    const body = await json(res);
    expect(['return_url_not_allowed', 'invalid_request']).toContain(body.error.code);
    expect((await world.store.stats()).sessions).toBe(0);
  });

  it.each(ON_LIST)('admits %s', async (returnUrl) => {
    const world = securityWorld();
    const res = await createWith(world, returnUrl);
    expect(res.status).toBe(201);
    // Stored (and shown to the merchant) as the URL the shopper will actually be sent to.
    const { session } = await json(res);
    expect(session.returnUrl).toBe(new URL(returnUrl).href);
  });

  it('sends the provider back to the session’s own return URL, with our parameters replacing forged ones', async () => {
    const world = securityWorld();
    const a = await world.shopper('ORDER-A', {
      returnUrl: `${RETURN_URL}?order=7&pwb_return=pwb_ct_forged&pwb_payment=pay_forged`,
    });
    const sent = new URL(world.fake.calls.create[0]!.returnUrl);
    expect(`${sent.origin}${sent.pathname}`).toBe(RETURN_URL);
    expect(sent.searchParams.getAll('pwb_return')).toEqual([a.token]);
    expect(sent.searchParams.getAll('pwb_payment')).toEqual([a.paymentId]);
    expect(sent.searchParams.get('order')).toBe('7');
  });
});

describe('redirects handed to the browser', () => {
  it('are the provider’s own page, and the server itself never redirects', async () => {
    const world = makeWorld();
    const seen: Response[] = [];
    const original = world.server.fetch;
    world.server.fetch = async (request: Request) => {
      const response = await original(request);
      seen.push(response.clone());
      return response;
    };
    const { clientToken } = await world.createSession();
    const started = await json(
      await world.client(clientToken, 'POST', '/v1/checkout/payments', {
        method: 'bank',
        attemptId: 'attempt-0001',
        bankId: 'DK_TestBank',
      }),
    );
    const redirect = new URL(started.redirectUrl);
    // Exactly what the provider answered to the create call.
    const created = world.sandbox.controls.mastercard.listPayments();
    expect(created).toHaveLength(1);
    expect(redirect.origin).toBe(new URL(SANDBOX_BASE).origin);
    expect(redirect.pathname.startsWith('/mastercard/')).toBe(true);
    expect(started.payment.redirectUrl).toBe(started.redirectUrl);
    const back = await shopperAtProvider(world.sandbox, started.redirectUrl);
    expect(`${back.origin}${back.pathname}`).toBe(RETURN_URL);
    world.clock.advance(2000);
    await world.client(clientToken, 'POST', `/v1/checkout/payments/${started.payment.id}/refresh`);
    await world.client(clientToken, 'GET', '/v1/checkout/session');
    expect(seen.length).toBeGreaterThanOrEqual(4);
    for (const response of seen) {
      expect(response.status < 300 || response.status >= 400).toBe(true);
      expect(response.headers.get('location')).toBeNull();
    }
  });

  it.each([
    'javascript:alert(document.domain)',
    'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'vbscript:msgbox(1)',
    '//evil.example/pay',
    'not a url',
  ])('refuses a provider answer pointing the shopper at %s', async (evil) => {
    const sandbox = createSandbox({ publicUrl: SANDBOX_BASE });
    // A compromised or broken provider: its create answer carries a hostile redirect URL.
    const rewriting: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      const response = await sandbox.fetch(request);
      if (!new URL(request.url).pathname.endsWith('/v1/payments/create')) return response;
      const body = (await response.json()) as Record<string, unknown>;
      return new Response(JSON.stringify({ ...body, redirectUrl: evil }), {
        status: response.status,
        headers: { 'content-type': 'application/json' },
      });
    };
    const world = makeWorld({ sandbox, deps: { fetch: rewriting } });
    const { clientToken } = await world.createSession();
    const res = await world.client(clientToken, 'POST', '/v1/checkout/payments', {
      method: 'bank',
      attemptId: 'attempt-0001',
    });
    expect(res.status).toBe(502);
    const text = await res.text();
    expect(JSON.parse(text).error.code).toBe('provider_error');
    expect(text).not.toContain(evil);
    const session = await json(await world.client(clientToken, 'GET', '/v1/checkout/session'));
    expect(session.payment.status).toBe('failed');
    expect(session.payment.redirectUrl).toBeNull();
    const merchantView = await json(
      await world.request('GET', `/v1/payments/${session.payment.id}`, {
        headers: { authorization: `Bearer ${MERCHANT_KEY}` },
      }),
    );
    expect(JSON.stringify(merchantView)).not.toContain(evil);
  });
});

/**
 * Express checkout's scenario controls, programmatic and over HTTP (`/__sandbox/vipps`), all
 * validated with zod, and the express pages' accessibility basics (the axe run is in e2e).
 */
import { describe, expect, it } from 'vitest';
import { createHarness, textOf, toResult, type Harness } from './vipps-harness.js';
import {
  consentRemovalsAt,
  details,
  expressBody,
  INITIATE,
  initiateExpress,
  ITEMS,
  merchantAnswersShipping,
  phonePath,
  phoneStep,
  pushFromLanding,
  STATIC_OPTIONS,
  turns,
  whileClockMoves,
} from './vipps-express-helpers.js';

async function control(h: Harness, method: string, path: string, body?: unknown) {
  return toResult(
    await h.request(`/__sandbox/vipps${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
}

describe('express controls over HTTP', () => {
  it('approve with the address and shipping method, refuse consent, remove consent, list the express calls', async () => {
    const h = createHarness();
    merchantAnswersShipping(h);
    await initiateExpress(h, 'http-1');
    const approved = await control(h, 'POST', '/payments/http-1/approve', {
      phoneNumber: '41234567',
      addressId: 102,
      shippingMethodId: 'mailbox',
    });
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body).toMatchObject({
      kind: 'ecom',
      payment: {
        status: 'reserved',
        amount: ITEMS + 3900,
        express: {
          consent: 'given',
          user: { mobileNumber: '41234567' },
          reserved: { address: { addressId: 102 }, option: { shippingMethodId: 'mailbox' } },
        },
      },
    });
    expect(JSON.stringify(approved.body)).not.toContain('merchant-callback-secret-42');

    const removed = await control(h, 'POST', '/payments/http-1/remove-consent');
    expect(removed.status, removed.text).toBe(200);
    expect(removed.body.exchanges).toEqual([
      expect.objectContaining({ kind: 'consent-removal', outcome: 'delivered' }),
    ]);
    expect(consentRemovalsAt(h)).toHaveLength(1);
    expect((await control(h, 'POST', '/payments/http-1/remove-consent')).status).toBe(409);

    const log = await control(h, 'GET', '/express-exchanges?orderId=http-1');
    expect(log.body.map((e: { kind: string }) => e.kind)).toEqual(['shipping-details', 'consent-removal']);
    expect((await control(h, 'GET', '/express-exchanges?orderId=nobody')).body).toEqual([]);

    await initiateExpress(h, 'http-2', { staticShipping: STATIC_OPTIONS });
    const refused = await control(h, 'POST', '/payments/http-2/refuse-consent');
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({ payment: { status: 'cancelled', express: { consent: 'refused' } } });
    expect((await control(h, 'POST', '/payments/http-2/refuse-consent')).status).toBe(409);
  });

  it('the shipping scenario and timeout: slow beyond the timeout → approve answers 409 shipping_unavailable', async () => {
    const h = createHarness();
    merchantAnswersShipping(h);
    expect((await control(h, 'PUT', '/timeouts', { shippingDetailsTimeoutMs: 200 })).status).toBe(204);
    expect((await control(h, 'PUT', '/shipping-details-scenario', { mode: 'slow', orderId: 'http-slow' })).status).toBe(
      204,
    );
    await initiateExpress(h, 'http-slow');
    const result = await whileClockMoves(h, control(h, 'POST', '/payments/http-slow/approve', {}), 200);
    expect(result.status).toBe(409);
    expect(result.body).toEqual({
      error: { code: 'shipping_unavailable', message: expect.stringContaining('no shipping methods') },
    });
    expect((await control(h, 'GET', '/express-exchanges?orderId=http-slow')).body[0]).toMatchObject({
      outcome: 'timeout',
      scenario: 'slow',
    });

    expect((await control(h, 'PUT', '/shipping-details-scenario', { mode: 'fail' })).status).toBe(204);
    await initiateExpress(h, 'http-fail');
    expect((await control(h, 'POST', '/payments/http-fail/approve')).status).toBe(409);
    expect(h.controls.expressExchanges('http-fail')[0]).toMatchObject({ error: 'HTTP 500 (scenario: fail)' });
  });

  it.each([
    ['/shipping-details-scenario', { mode: 'sometimes' }],
    ['/shipping-details-scenario', { mode: 'fail', status: 200 }],
    ['/shipping-details-scenario', { mode: 'slow', delayMs: -1 }],
    ['/shipping-details-scenario', { mode: 'nonsense', extra: true }],
    ['/shipping-details-scenario', { mode: 'normal', orderId: 'not an order id' }],
    ['/timeouts', { shippingDetailsTimeoutMs: 0 }],
    ['/timeouts', { shippingDetailsTimeoutMs: 'fast' }],
  ])('PUT %s refuses %j with 400 invalid_request', async (path, body) => {
    const h = createHarness();
    const result = await control(h, 'PUT', path, body);
    expect(result.status).toBe(400);
    expect(result.body.error.code).toBe('invalid_request');
  });

  it('approve refuses express choices for regular payments and unknown choices for express ones; unknown orders are 404', async () => {
    const h = createHarness();
    const regular: Record<string, unknown> = expressBody('regular-1');
    (regular.merchantInfo as Record<string, unknown>).paymentType = 'eComm Regular Payment';
    expect((await h.api('POST', INITIATE, regular)).status).toBe(200);
    expect((await control(h, 'POST', '/payments/regular-1/approve', { addressId: 100 })).status).toBe(400);
    expect((await control(h, 'POST', '/payments/regular-1/refuse-consent')).status).toBe(400);
    expect((await control(h, 'POST', '/payments/regular-1/remove-consent')).status).toBe(400);

    await initiateExpress(h, 'express-choices', { staticShipping: STATIC_OPTIONS });
    expect((await control(h, 'POST', '/payments/express-choices/approve', { addressId: 999 })).status).toBe(400);
    expect((await control(h, 'POST', '/payments/express-choices/approve', { shippingMethodId: 'drone' })).status).toBe(
      400,
    );
    expect((await control(h, 'POST', '/payments/express-choices/approve', { addressId: '100' })).status).toBe(400);
    expect((await control(h, 'POST', '/payments/no-such-order/refuse-consent')).status).toBe(404);
    expect((await control(h, 'POST', '/payments/no-such-order/remove-consent')).status).toBe(404);
  });

  it('reset forgets the express calls, the scenarios and the timeout', async () => {
    const h = createHarness();
    merchantAnswersShipping(h);
    h.controls.setShippingDetailsScenario({ mode: 'nonsense' });
    h.controls.setTimeouts({ shippingDetailsTimeoutMs: 100 });
    await initiateExpress(h, 'before-reset');
    await expect(h.controls.approveExpress('before-reset')).rejects.toMatchObject({ code: 'shipping_unavailable' });
    expect((await control(h, 'POST', '/reset')).status).toBe(204);
    expect(h.controls.expressExchanges()).toEqual([]);
    await initiateExpress(h, 'after-reset');
    await h.controls.approveExpress('after-reset');
    expect(h.controls.inspect('after-reset')).toMatchObject({ payment: { status: 'reserved' } });
  });
});

describe('express controls in code', () => {
  it('approve() reserves at once with static shipping, and in the background (flush) with dynamic shipping', async () => {
    const h = createHarness();
    merchantAnswersShipping(h);
    await initiateExpress(h, 'sync', { staticShipping: STATIC_OPTIONS });
    h.controls.approve('sync', '91234567');
    expect(h.controls.inspect('sync')).toMatchObject({ payment: { status: 'reserved', amount: ITEMS + 9900 } });

    await initiateExpress(h, 'async');
    h.controls.approve('async');
    expect(h.controls.inspect('async')).toMatchObject({ payment: { status: 'initiated' } });
    await h.controls.flush();
    expect(h.controls.inspect('async')).toMatchObject({ payment: { status: 'reserved', amount: ITEMS + 7900 } });
    expect((await details(h, 'async')).shippingDetails.shippingMethodId).toBe('home');
  });

  it('approveExpress() continues where the user left off on the phone', async () => {
    const h = createHarness();
    merchantAnswersShipping(h);
    const { url } = await initiateExpress(h, 'resume', { explicit: true });
    const token = await pushFromLanding(h, url);
    await phoneStep(h, token, 'consent/accept');
    await phoneStep(h, token, 'address', { addressId: '103' });
    await h.controls.approveExpress('resume');
    const reserved = await details(h, 'resume');
    expect(reserved.shippingDetails).toMatchObject({
      address: { city: 'Tromsø' },
      shippingMethodId: 'home',
      shippingCost: 199,
    });
    await expect(h.controls.approveExpress('resume')).rejects.toMatchObject({ code: 'not_waiting' });
    expect(() => h.controls.setShippingDetailsScenario({ mode: 'fail', status: 204 })).toThrow(/status/);
  });
});

describe('express pages: accessibility basics and strict CSP', () => {
  async function everyExpressPage(h: Harness) {
    const pages: Record<string, string> = {};
    const headers: Record<string, Headers> = {};
    const visit = async (name: string, path: string) => {
      const page = await h.browse(path);
      expect(page.status, name).toBe(200);
      pages[name] = page.html;
      headers[name] = page.headers;
    };
    merchantAnswersShipping(h);
    const explicit = await initiateExpress(h, 'pages-explicit', {
      explicit: true,
      transactionText: '<b>Socks</b> & "shoes"',
    });
    const token = await pushFromLanding(h, explicit.url);
    await visit('consent', phonePath(token));
    await phoneStep(h, token, 'consent/accept');
    await visit('delivery', phonePath(token));
    await phoneStep(h, token, 'delivery');
    await visit('payment (explicit)', phonePath(token));
    await phoneStep(h, token, 'confirm');
    await visit('result', phonePath(token));

    merchantAnswersShipping(h, (request) =>
      Response.json({
        addressId: JSON.parse(request.body).addressId,
        orderId: 'pages-old',
        shippingDetails: [
          { isDefault: 'Y', shippingCost: 10, shippingMethod: '<img src=x onerror=alert(1)>', shippingMethodId: 'x"y' },
        ],
      }),
    );
    const old = await initiateExpress(h, 'pages-old');
    const oldToken = await pushFromLanding(h, old.url);
    await phoneStep(h, oldToken, 'consent/accept');
    await visit('payment (old flow)', phonePath(oldToken));

    h.controls.setShippingDetailsScenario({ mode: 'fail' });
    const failing = await initiateExpress(h, 'pages-failing');
    const failingToken = await pushFromLanding(h, failing.url);
    await phoneStep(h, failingToken, 'consent/accept');
    await visit('no shipping methods', phonePath(failingToken));

    h.controls.setShippingDetailsScenario({ mode: 'slow', delayMs: 1000 });
    const slow = await initiateExpress(h, 'pages-slow');
    const slowToken = await pushFromLanding(h, slow.url);
    const step = h.browse(phonePath(slowToken, 'consent/accept'), { method: 'POST' });
    await turns();
    await visit('getting shipping options', phonePath(slowToken));
    await whileClockMoves(h, step, 1000);

    await phoneStep(h, failingToken, 'reject');
    await visit('rejected', phonePath(failingToken));
    return { pages, headers };
  }

  it('one h1, lang, no script or inline style, never framed; radios grouped in fieldsets with legends, each in its label', async () => {
    const h = createHarness();
    const { pages, headers } = await everyExpressPage(h);
    expect(Object.keys(pages)).toHaveLength(8);
    for (const [name, html] of Object.entries(pages)) {
      const csp = headers[name]!.get('content-security-policy') ?? '';
      expect(csp, name).toContain("default-src 'none'");
      expect(csp, name).toContain("frame-ancestors 'none'");
      expect(csp, name).not.toMatch(/script-src|unsafe-inline/);
      expect(headers[name]!.get('x-frame-options'), name).toBe('DENY');
      expect(html, name).toMatch(/<html lang="en">/);
      expect(html.match(/<h1>/g), name).toHaveLength(1);
      // In tags, that is: escaped merchant text may well read "onerror=".
      expect(html, name).not.toMatch(/<script|<[^>]*\s(on[a-z]+|style)=[^>]*>/i);
      // Every radio is inside a <label class="choice">, inside a fieldset with a legend.
      const radiosOnPage = html.match(/type="radio"/g)?.length ?? 0;
      expect(html.match(/<label class="choice"\s*><input\s+type="radio"/g)?.length ?? 0, name).toBe(radiosOnPage);
      for (const fieldset of html.match(/<fieldset>[\s\S]*?<\/fieldset>/g) ?? []) {
        expect(fieldset, name).toMatch(/^<fieldset>\s*<legend>[^<]+<\/legend>/);
      }
      if (radiosOnPage > 0) expect(html, name).toMatch(/<fieldset>/);
      // Every button has a visible name.
      for (const button of html.match(/<button[^>]*>([\s\S]*?)<\/button>/g) ?? []) {
        expect(textOf(button).length, `${name}: ${button}`).toBeGreaterThan(1);
      }
    }
    expect(pages['no shipping methods']).toMatch(/role="alert">Payment failed</);
    expect(pages['getting shipping options']).toMatch(/role="status"/);
    expect(pages['consent']).toMatch(/<ul class="shared" aria-labelledby="consent-text">/);
    expect(pages['consent']).toMatch(/<p id="consent-text">/);
  });

  it('escape the merchant\u2019s texts (transaction text, shipping method names and ids)', async () => {
    const h = createHarness();
    const { pages } = await everyExpressPage(h);
    for (const html of Object.values(pages)) {
      expect(html).not.toContain('<b>Socks</b>');
      expect(html).not.toContain('<img src=x');
    }
    expect(pages['consent']).toContain('&lt;b&gt;Socks&lt;/b&gt; &amp; &quot;shoes&quot;');
    expect(pages['payment (old flow)']).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(pages['payment (old flow)']).toContain('value="x&quot;y"');
  });
});

/**
 * Express checkout when the merchant's shippingDetails endpoint is slow, fails or answers nonsense:
 * the app shows "No shipping methods found" (timeout, no options) or "Payment failed" (an incorrect
 * answer), the payment cannot be completed and ends as cancelled by the user or expired. Both the
 * merchant really misbehaving and the scenario controls that pretend it does.
 */
import { describe, expect, it } from 'vitest';
import { createHarness, textOf, type Harness } from './vipps-harness.js';
import {
  checkedShippingRequests,
  details,
  initiateExpress,
  ITEMS,
  merchantAnswersShipping,
  phonePath,
  phoneStep,
  pushFromLanding,
  radios,
  theCallback,
  theExpressCallback,
  turns,
  whileClockMoves,
} from './vipps-express-helpers.js';

/** An express order on the phone, just before consent; the merchant answers shipping normally. */
async function onThePhone(h: Harness, orderId: string) {
  const { url } = await initiateExpress(h, orderId);
  return pushFromLanding(h, url);
}

/** Consent while the clock moves by `advanceMs` (the page answers once the lookup is over). */
async function consentWhile(h: Harness, token: string, advanceMs: number) {
  const posted = await whileClockMoves(h, h.browse(phonePath(token, 'consent/accept'), { method: 'POST' }), advanceMs);
  expect(posted.status).toBe(303);
  return h.browse(phonePath(token));
}

function expectNoShipping(html: string, message: 'No shipping methods found' | 'Payment failed') {
  expect(html).toMatch(new RegExp(`<p class="error" role="alert">${message}</p>`));
  expect(radios(html).filter((r) => r.name === 'shippingMethodId')).toEqual([]);
  // Nothing to confirm: the payment cannot be completed.
  expect(html).not.toMatch(/>\s*Confirm\s*</);
  expect(html).toMatch(/<button type="submit" class="secondary">Try again<\/button>/);
}

describe('express: the shippingDetails call is slow', () => {
  it('a merchant that answers after the timeout (10 s by default): "No shipping methods found", then the payment expires (REJECTED)', async () => {
    const h = createHarness();
    merchantAnswersShipping(h);
    const token = await onThePhone(h, 'slow-1');
    h.receiver.hang();
    const page = await consentWhile(h, token, 10_000);
    expectNoShipping(page.html, 'No shipping methods found');
    expect(checkedShippingRequests(h, 'slow-1')).toHaveLength(1);
    expect(h.controls.expressExchanges('slow-1')).toEqual([
      expect.objectContaining({ outcome: 'timeout', error: 'timed out after 10000 ms', response: null }),
    ]);

    // The user cannot confirm (a forged Confirm changes nothing)…
    await phoneStep(h, token, 'confirm', { shippingMethodId: 'home' });
    expect((await details(h, 'slow-1')).transactionLogHistory).toHaveLength(1);
    // …so the payment times out like any other: CANCEL in the log, REJECTED callback (regular body).
    merchantAnswersShipping(h);
    await h.advance(300_000);
    expect(textOf((await h.browse(phonePath(token))).html)).toContain('Payment request expired');
    await h.controls.flush();
    expect(theCallback(h, 'slow-1').transactionInfo).toMatchObject({ status: 'REJECTED', amount: ITEMS });
    const expired = await details(h, 'slow-1');
    expect(expired.transactionLogHistory.map((e: { operation: string }) => e.operation)).toEqual([
      'CANCEL',
      'INITIATE',
    ]);
    expect(expired.userDetails).toBeUndefined();
  });

  it('the timeout is configurable (setTimeouts), and the scenario "slow" makes a prompt merchant late', async () => {
    const h = createHarness();
    merchantAnswersShipping(h);
    h.controls.setTimeouts({ shippingDetailsTimeoutMs: 500 });
    h.controls.setShippingDetailsScenario({ mode: 'slow' }, 'slow-2');
    const token = await onThePhone(h, 'slow-2');
    const page = await consentWhile(h, token, 500);
    expectNoShipping(page.html, 'No shipping methods found');
    // The merchant was asked and answered; the answer came "too late".
    const [exchange] = h.controls.expressExchanges('slow-2');
    expect(exchange).toMatchObject({ outcome: 'timeout', scenario: 'slow', response: { status: 200 } });
    expect(exchange!.error).toBe('timed out after 500 ms (scenario: slow)');

    // "Try again" once the merchant is quick again: the options appear and the payment completes.
    h.controls.setShippingDetailsScenario({ mode: 'normal' }, 'slow-2');
    await phoneStep(h, token, 'shipping/retry');
    expect(radios((await h.browse(phonePath(token))).html).filter((r) => r.name === 'shippingMethodId')).toHaveLength(
      2,
    );
    await phoneStep(h, token, 'confirm');
    await h.controls.flush();
    expect(theExpressCallback(h, 'slow-2').transactionInfo.amount).toBe(ITEMS + 7900);
  });

  it('slow but within the timeout (delayMs): the options are shown after the delay', async () => {
    const h = createHarness();
    merchantAnswersShipping(h);
    h.controls.setShippingDetailsScenario({ mode: 'slow', delayMs: 3000 });
    const token = await onThePhone(h, 'slow-3');
    const step = h.browse(phonePath(token, 'consent/accept'), { method: 'POST' });
    await turns();
    await h.advance(2999);
    // Still asking: another tab sees the waiting page.
    const meanwhile = await h.browse(phonePath(token));
    expect(meanwhile.html).toMatch(/<h1>Getting shipping options<\/h1>/);
    expect(meanwhile.html).toMatch(/role="status">Asking Sandbox Merchant AS for shipping options/);
    await h.advance(1);
    await step;
    expect(radios((await h.browse(phonePath(token))).html).filter((r) => r.name === 'shippingMethodId')).toHaveLength(
      2,
    );
    expect(h.controls.expressExchanges('slow-3')[0]).toMatchObject({ outcome: 'accepted', scenario: 'slow' });
  });
});

describe('express: the shippingDetails call fails', () => {
  it('a merchant answering 500: "Payment failed"; the user cancels (CANCEL, CANCELLED callback)', async () => {
    const h = createHarness();
    merchantAnswersShipping(h, () => new Response('oops', { status: 500 }));
    const token = await onThePhone(h, 'fail-1');
    await phoneStep(h, token, 'consent/accept');
    expectNoShipping((await h.browse(phonePath(token))).html, 'Payment failed');
    expect(h.controls.expressExchanges('fail-1')[0]).toMatchObject({
      outcome: 'http-error',
      error: 'HTTP 500',
      response: { status: 500, body: 'oops' },
    });
    // Another address asks again; still failing.
    await phoneStep(h, token, 'address', { addressId: '101' });
    expect(checkedShippingRequests(h, 'fail-1').map((r) => r.body.addressId)).toEqual([100, 101]);

    await phoneStep(h, token, 'reject');
    expect(textOf((await h.browse(phonePath(token))).html)).toContain('Payment rejected');
    await h.controls.flush();
    expect(theCallback(h, 'fail-1').transactionInfo.status).toBe('CANCELLED');
  });

  it('the scenario "fail" turns a good answer into the given status (default 500); a network error is "No shipping methods found"', async () => {
    const h = createHarness();
    merchantAnswersShipping(h);
    h.controls.setShippingDetailsScenario({ mode: 'fail', status: 503 });
    const token = await onThePhone(h, 'fail-2');
    await phoneStep(h, token, 'consent/accept');
    expectNoShipping((await h.browse(phonePath(token))).html, 'Payment failed');
    expect(h.controls.expressExchanges('fail-2')[0]).toMatchObject({
      outcome: 'http-error',
      scenario: 'fail',
      error: 'HTTP 503 (scenario: fail)',
      response: { status: 200 },
    });
    await expect(h.controls.approveExpress('fail-2')).rejects.toMatchObject({ code: 'shipping_unavailable' });

    h.controls.setShippingDetailsScenario({ mode: 'normal' });
    merchantAnswersShipping(h, () => Promise.reject(new TypeError('fetch failed')));
    const other = await onThePhone(h, 'fail-3');
    await phoneStep(h, other, 'consent/accept');
    expectNoShipping((await h.browse(phonePath(other))).html, 'No shipping methods found');
    expect(h.controls.expressExchanges('fail-3')[0]).toMatchObject({ outcome: 'network-error', error: 'fetch failed' });
  });
});

describe('express: the shippingDetails answer is nonsense', () => {
  const answers: [string, (asked: { addressId: number }) => Response][] = [
    ['not JSON', () => new Response('<html>hello</html>', { status: 200 })],
    ['no shippingDetails', (asked) => Response.json({ addressId: asked.addressId, orderId: 'nonsense' })],
    [
      'isDefault "maybe"',
      (asked) =>
        Response.json({
          addressId: asked.addressId,
          orderId: 'nonsense',
          shippingDetails: [{ isDefault: 'maybe', shippingCost: 10, shippingMethod: 'X', shippingMethodId: 'x' }],
        }),
    ],
    [
      'a cost in øre as a string',
      (asked) =>
        Response.json({
          addressId: asked.addressId,
          orderId: 'nonsense',
          shippingDetails: [{ isDefault: 'Y', shippingCost: '7900', shippingMethod: 'X', shippingMethodId: 'x' }],
        }),
    ],
    [
      'another addressId',
      () =>
        Response.json({
          addressId: 999,
          orderId: 'nonsense',
          shippingDetails: [{ isDefault: 'Y', shippingCost: 10, shippingMethod: 'X', shippingMethodId: 'x' }],
        }),
    ],
  ];

  it.each(answers)('%s: "Payment failed", the answer is recorded, nothing can be confirmed', async (_label, answer) => {
    const h = createHarness();
    merchantAnswersShipping(h, (request) => answer(JSON.parse(request.body)));
    const token = await onThePhone(h, 'nonsense');
    await phoneStep(h, token, 'consent/accept');
    expectNoShipping((await h.browse(phonePath(token))).html, 'Payment failed');
    const [exchange] = h.controls.expressExchanges('nonsense');
    expect(exchange).toMatchObject({ outcome: 'invalid', response: { status: 200 } });
    expect(exchange!.error).toMatch(/not JSON|not a FetchShippingCostResponse|addressId 999/);
  });

  it('an empty list: "No shipping methods found"', async () => {
    const h = createHarness();
    merchantAnswersShipping(h, (request) =>
      Response.json({ addressId: JSON.parse(request.body).addressId, orderId: 'empty', shippingDetails: [] }),
    );
    const token = await onThePhone(h, 'empty');
    await phoneStep(h, token, 'consent/accept');
    expectNoShipping((await h.browse(phonePath(token))).html, 'No shipping methods found');
    expect(h.controls.expressExchanges('empty')[0]).toMatchObject({ outcome: 'empty' });
  });

  it('the scenario "nonsense" turns a good answer into an invalid one', async () => {
    const h = createHarness();
    merchantAnswersShipping(h);
    h.controls.setShippingDetailsScenario({ mode: 'nonsense' }, 'nonsense-2');
    const token = await onThePhone(h, 'nonsense-2');
    await phoneStep(h, token, 'consent/accept');
    expectNoShipping((await h.browse(phonePath(token))).html, 'Payment failed');
    expect(h.controls.expressExchanges('nonsense-2')[0]).toMatchObject({ outcome: 'invalid', scenario: 'nonsense' });
    // Other orders are not affected.
    const other = await onThePhone(h, 'nonsense-3');
    await phoneStep(h, other, 'consent/accept');
    expect(radios((await h.browse(phonePath(other))).html).filter((r) => r.name === 'shippingMethodId')).toHaveLength(
      2,
    );
  });

  it('an answer for an address the user has left is ignored (only the latest lookup counts)', async () => {
    const h = createHarness();
    const pending: ((response: Response) => void)[] = [];
    merchantAnswersShipping(h, () => new Promise<Response>((resolve) => pending.push(resolve)));
    const token = await onThePhone(h, 'stale');
    const first = h.browse(phonePath(token, 'consent/accept'), { method: 'POST' });
    await turns();
    const second = h.browse(phonePath(token, 'address'), { method: 'POST', form: { addressId: '102' } });
    await turns();
    expect(pending).toHaveLength(2);
    const answer = (addressId: number, id: string) =>
      Response.json({
        addressId,
        orderId: 'stale',
        shippingDetails: [{ isDefault: 'Y', shippingCost: 10, shippingMethod: id, shippingMethodId: id }],
      });
    pending[1]!(answer(102, 'bergen'));
    pending[0]!(answer(100, 'oslo'));
    await Promise.all([first, second]);
    await h.settle();
    const shipping = radios((await h.browse(phonePath(token))).html).filter((r) => r.name === 'shippingMethodId');
    expect(shipping.map((r) => r.value)).toEqual(['bergen']);
  });
});

/**
 * Issue 7 (#4, #5): the shopper's return page survives a reload and back/forward (the element keeps the
 * return token in the tab's history entry, not in the URL, cookies or storage), and after a declined
 * payment "Try again" brings back the bank list with the previous bank selected, so another bank can pay.
 */
import { expect, test, type Page } from '@playwright/test';
import { E2E } from './env.js';
import { atBank, backAtShop, checkout, orderRow, payWithBank, widget } from './shop.js';

/** Records the return URL the provider sent the shopper to (it carries pwb_return / pwb_payment). */
function recordReturnUrl(page: Page): () => string {
  let returnUrl = '';
  page.on('request', (req) => {
    const url = req.url();
    if (req.isNavigationRequest() && url.startsWith(`${E2E.shopUrl}/checkout/return?`) && url.includes('pwb_return=')) {
      returnUrl = url;
    }
  });
  return () => returnUrl;
}

/** The widget shows the completed payment for `orderId` (not "Loading payment…"). */
async function expectCompleted(page: Page, orderId: string) {
  const w = widget(page);
  await expect(w.getByRole('heading', { name: 'Payment complete' })).toBeVisible();
  await expect(w.getByText(orderId)).toBeVisible();
  await expect(w.getByRole('heading', { name: 'Loading payment…' })).toHaveCount(0);
}

test('the return page shows the result again after a reload and after back/forward', async ({ page }) => {
  const { orderId } = await checkout(page);
  const returnUrl = recordReturnUrl(page);
  await payWithBank(page, 'Test Bank');
  await atBank(page);
  await backAtShop(page);
  await expectCompleted(page, orderId);
  // The element took the token out of the address bar…
  await expect.poll(() => page.url()).not.toContain('pwb_return');
  expect(page.url()).not.toContain('pwb_payment');
  expect(returnUrl()).toContain('pwb_return=');

  // …and a reload of the same tab still finds it (in the history entry's state), not in storage.
  await page.reload();
  await expectCompleted(page, orderId);
  expect(page.url()).not.toContain('pwb_return');
  const storage = await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length }));
  expect(storage).toEqual({ local: 0, session: 0 });

  // Away to the shop and back: the entry shows the result again.
  await page.getByRole('link', { name: 'Continue shopping' }).click();
  await expect(page).toHaveURL(`${E2E.shopUrl}/`);
  await page.goBack();
  await expect(page).toHaveURL(/\/checkout\/return/);
  await expectCompleted(page, orderId);

  // Back to the provider's page before it, then forward onto the return entry again.
  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`^${E2E.sandboxUrl}/`));
  await page.goForward();
  await expect(page).toHaveURL(/\/checkout\/return/);
  await expectCompleted(page, orderId);

  // A fresh tab (no history state) still resumes from the token in the return URL.
  const tab = await page.context().newPage();
  await tab.goto(returnUrl());
  await expectCompleted(tab, orderId);
  await tab.close();
});

test('a declined payment: "Try again" shows the bank list with Fail Bank selected, and another bank pays', async ({
  page,
}) => {
  const { orderId } = await checkout(page);
  const starts: Array<Record<string, unknown>> = [];
  page.on('request', (req) => {
    if (req.method() === 'POST' && req.url() === `${E2E.serverUrl}/v1/checkout/payments`) {
      starts.push(JSON.parse(req.postData() ?? '{}') as Record<string, unknown>);
    }
  });
  await payWithBank(page, 'Fail Bank');
  await atBank(page);
  await backAtShop(page);
  const w = widget(page);
  await expect(w.getByRole('heading', { name: 'Payment failed' })).toBeVisible();
  await expect(w.locator('[data-failure-reason]')).toContainText(/declined/i);

  // Two clear actions on the result; "Try again" does not go straight back to the same bank.
  await expect(w.getByRole('button', { name: 'Choose another way to pay' })).toBeVisible();
  await w.getByRole('button', { name: 'Try again' }).click();
  const heading = w.getByRole('heading', { name: 'Choose your bank' });
  await expect(heading).toBeVisible();
  await expect(heading).toBeFocused();
  await expect(w.getByRole('radio', { name: 'Fail Bank', exact: true })).toBeChecked();
  expect(page.url()).toMatch(/\/checkout\/return/);
  expect(starts).toHaveLength(1);

  // The shopper picks another bank; the server accepts the new attempt (the failed one is not open).
  await w.getByRole('radio', { name: 'Test Bank', exact: true }).check();
  await w.getByRole('button', { name: /^Pay / }).click();
  await page.waitForURL(new RegExp(`^${E2E.sandboxUrl}/mastercard/`));
  expect(starts).toHaveLength(2);
  expect(starts[1]!.attemptId).not.toEqual(starts[0]!.attemptId);
  expect(starts[1]).not.toHaveProperty('replace');
  await atBank(page);
  await backAtShop(page);
  await expectCompleted(page, orderId);

  const row = await orderRow(page, orderId);
  await expect(row.getByTestId('session-state')).toHaveText('paid');
  await expect(row.getByTestId('payment-status')).toHaveText('completed (bank)');
});

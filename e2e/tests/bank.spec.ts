/**
 * Pay by bank (Mastercard Open Finance), the seed's journey end to end over the demo: shop → widget →
 * companion server → sandbox's hosted pages (bank choice, SCA, account, confirm) → back to the shop.
 */
import { expect, test, type Request } from '@playwright/test';
import { E2E } from './env.js';
import { atBank, backAtShop, checkout, expectLastNotification, orderRow, payWithBank, widget } from './shop.js';

const PAYEE = 'Nordlys Goods ApS';

test('bank chosen in the widget → success with amount, payee and reference', async ({ page }) => {
  const { orderId, total } = await checkout(page);
  await payWithBank(page, 'Test Bank');
  // The hosted page shows the amount and the payee before the shopper confirms.
  await page.getByLabel('User ID').fill('test-user');
  await page.getByLabel('One-time code').fill('123456');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByText(PAYEE).first()).toBeVisible();
  await page.getByRole('radio', { name: 'Everyday account' }).check();
  await page.getByRole('button', { name: 'Confirm payment' }).click();

  await backAtShop(page);
  const w = widget(page);
  await expect(w.getByRole('heading', { name: 'Payment complete' })).toBeVisible();
  await expect(w.getByText(orderId)).toBeVisible();
  await expect(w.getByText(total)).toBeVisible();
  await expect(w.getByText(PAYEE)).toBeVisible();
  // The return parameters are gone from the address bar once read.
  await expect.poll(() => page.url()).not.toContain('pwb_return');
  expect(page.url()).not.toContain('pwb_payment');
  // The merchant's own page script heard the typed event.
  await expect(page.getByTestId('merchant-thanks')).toContainText(orderId);

  const row = await orderRow(page, orderId);
  await expect(row.getByTestId('session-state')).toHaveText('paid');
  await expect(row.getByTestId('payment-status')).toHaveText('completed (bank)');
  await expect(row.getByTestId('provider-status')).toHaveText('Succeeded');
  // The merchant's backend was told by a signed webhook, not only by the browser.
  await expectLastNotification(page, orderId, 'payment.completed');
});

test("bank chosen in the provider's UI → success", async ({ page }) => {
  const { orderId } = await checkout(page, { currency: 'SEK' });
  await payWithBank(page, null);
  await atBank(page, { chooseBank: 'Nordbank' });
  await backAtShop(page);
  await expect(widget(page).getByRole('heading', { name: 'Payment complete' })).toBeVisible();
  await expect(widget(page).getByText(orderId)).toBeVisible();
});

test('shopper rejects at the bank → cancelled, and can pay another way', async ({ page }) => {
  const { orderId } = await checkout(page);
  await payWithBank(page, 'Test Bank');
  await atBank(page, { action: 'reject' });
  await backAtShop(page);
  const w = widget(page);
  await expect(w.getByRole('heading', { name: 'Payment cancelled' })).toBeVisible();
  await expect(w.getByText('No money was taken')).toBeVisible();

  const row = await orderRow(page, orderId);
  await expect(row.getByTestId('payment-status')).toHaveText('cancelled (bank)');
  await expect(row.getByTestId('session-state')).toHaveText('open');
});

test('the bank fails the payment → a clear reason and a retry that succeeds', async ({ page }) => {
  const { orderId } = await checkout(page);
  await payWithBank(page, 'Fail Bank');
  await atBank(page);
  await backAtShop(page);
  const w = widget(page);
  await expect(w.getByRole('heading', { name: 'Payment failed' })).toBeVisible();
  await expect(w.locator('[data-failure-reason]')).toContainText(/declined|not enough|did not go through/i);

  // An explicit new attempt, with another bank.
  await w.getByRole('button', { name: 'Choose another way' }).click();
  await payWithBank(page, 'Test Bank');
  await atBank(page);
  await backAtShop(page);
  await expect(widget(page).getByRole('heading', { name: 'Payment complete' })).toBeVisible();

  const row = await orderRow(page, orderId);
  await expect(row.getByTestId('payment-status')).toHaveText('completed (bank)');
});

test('a slow bank: the widget waits while the bank executes, then confirms', async ({ page }) => {
  const { orderId } = await checkout(page);
  await payWithBank(page, 'Slow Bank');
  await atBank(page);
  await backAtShop(page);
  const w = widget(page);
  // Authorised by the shopper, not yet executed by the bank (Mastercard "Pending"): the widget says so…
  await expect(w.getByRole('heading', { name: 'Waiting for your bank' })).toBeVisible();
  // …and shows the confirmation by itself once the bank has executed the payment (5 s in the sandbox).
  await expect(w.getByRole('heading', { name: 'Payment complete' })).toBeVisible({ timeout: 20_000 });
  await expect(w.getByText(orderId)).toBeVisible();
  const row = await orderRow(page, orderId);
  await expect(row.getByTestId('provider-status')).toHaveText('Succeeded');
});

test('an account without enough money → insufficient funds explained', async ({ page }) => {
  await checkout(page);
  await payWithBank(page, 'Test Bank');
  await atBank(page, { account: 'Budget account' });
  await backAtShop(page);
  const w = widget(page);
  await expect(w.getByRole('heading', { name: 'Payment failed' })).toBeVisible();
  await expect(w.locator('[data-failure-reason]')).toContainText(/not enough money/i);
});

test('shopper abandons at the bank and comes back → continues where they left off', async ({ page }) => {
  const { orderId } = await checkout(page);
  const checkoutUrl = page.url();
  await payWithBank(page, 'Test Bank');
  await atBank(page, { action: 'abandon' });

  // Back to the shop's checkout page, as a shopper would with the back button or a bookmark.
  await page.goto(checkoutUrl);
  const w = widget(page);
  await expect(w.getByRole('heading', { name: 'Waiting for your bank' })).toBeVisible();
  await w
    .getByRole('link', { name: 'Continue at your bank' })
    .or(w.getByRole('button', { name: 'Continue at your bank' }))
    .click();
  await page.waitForURL(new RegExp(`^${E2E.sandboxUrl}/mastercard/`));
  await atBank(page);
  await backAtShop(page);
  await expect(widget(page).getByRole('heading', { name: 'Payment complete' })).toBeVisible();
  await expect(widget(page).getByText(orderId)).toBeVisible();
});

test('shopper abandons at the bank, comes back and explicitly pays with another bank', async ({ page }) => {
  const { orderId } = await checkout(page);
  const checkoutUrl = page.url();
  await payWithBank(page, 'Test Bank');
  await atBank(page, { action: 'abandon' });

  await page.goto(checkoutUrl);
  const w = widget(page);
  await expect(w.getByRole('heading', { name: 'Waiting for your bank' })).toBeVisible();
  // Replacing the open payment is the shopper's explicit choice.
  await w.getByRole('button', { name: /Choose another way/ }).click();
  await payWithBank(page, 'Fjord Bank');
  await atBank(page);
  await backAtShop(page);
  await expect(widget(page).getByRole('heading', { name: 'Payment complete' })).toBeVisible();
  const row = await orderRow(page, orderId);
  await expect(row.getByTestId('payment-status')).toHaveText('completed (bank)');
});

test('the return URL opened in a fresh browser context shows the right result', async ({ page, browser }) => {
  const { orderId } = await checkout(page);
  let returnUrl = '';
  page.on('request', (req: Request) => {
    if (req.isNavigationRequest() && req.url().startsWith(`${E2E.shopUrl}/checkout/return`)) returnUrl = req.url();
  });
  await payWithBank(page, 'Test Bank');
  await atBank(page);
  await backAtShop(page);
  await expect(widget(page).getByRole('heading', { name: 'Payment complete' })).toBeVisible();
  expect(returnUrl).toContain('pwb_return=');

  // No cookies, no storage: a different browser (context) on the same URL.
  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await other.goto(returnUrl);
  await expect(widget(other).getByRole('heading', { name: 'Payment complete' })).toBeVisible();
  await expect(widget(other).getByText(orderId)).toBeVisible();
  await fresh.close();
});

test("changing the amount in the browser's request is refused", async ({ page, request }) => {
  const { total } = await checkout(page);
  let answered: { status: number; body: string } | null = null;
  await page.route(`${E2E.serverUrl}/v1/checkout/payments`, async (route) => {
    const body = JSON.parse(route.request().postData() ?? '{}');
    const response = await route.fetch({
      postData: JSON.stringify({ ...body, amount: { value: 100, currency: 'DKK' } }),
    });
    answered = { status: response.status(), body: await response.text() };
    await route.fulfill({ response });
  });
  const w = widget(page);
  const method = w.getByRole('button', { name: /Pay with your bank/ });
  if (await method.isVisible().catch(() => false)) await method.click();
  await w.getByRole('radio', { name: 'Test Bank', exact: true }).check();
  await w.getByRole('button', { name: /^Pay / }).click();
  await expect(w.getByRole('alert')).toContainText(/not accepted/i);
  expect(answered).not.toBeNull();
  expect(answered!.status).toBe(400);
  expect(JSON.parse(answered!.body).error.code).toBe('invalid_request');
  await expect(page).toHaveURL(/\/checkout\/ord-\d+$/);

  // Without the tampering the payment goes through, for the amount the server fixed.
  await page.unroute(`${E2E.serverUrl}/v1/checkout/payments`);
  await w.getByRole('button', { name: /^Pay / }).click();
  await page.waitForURL(new RegExp(`^${E2E.sandboxUrl}/mastercard/`));
  const providerPaymentId = new URL(page.url()).searchParams.get('paymentId');
  expect(providerPaymentId).toBeTruthy();
  const res = await request.get(`${E2E.sandboxUrl}/__sandbox/mastercard/payments/${providerPaymentId}`);
  expect(res.ok()).toBe(true);
  const { payment } = (await res.json()) as { payment: { request: { amount: { value: number; currency: string } } } };
  // The provider received the session's amount (one mug: 149.00 DKK), not the tampered 1.00.
  expect(total).toContain('149.00');
  expect(payment.request.amount).toEqual({ value: 149, currency: 'DKK' });
});

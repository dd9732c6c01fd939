/**
 * Page objects for the journeys: the demo shop, the widget inside it, and the providers' hosted pages
 * in the sandbox. Locators use accessible names the way a shopper reads the page.
 */
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { E2E } from './env.js';

export type ShopCurrency = 'DKK' | 'NOK' | 'SEK' | 'EUR';

/** Put a product in the cart and go to checkout. Returns the order id the shop assigned. */
export async function checkout(page: Page, opts: { currency?: ShopCurrency; product?: string } = {}) {
  await page.goto('/');
  if (opts.currency) {
    await page.getByLabel('Currency').selectOption(opts.currency);
    await page.getByRole('button', { name: 'Change' }).click();
  }
  await page.getByRole('button', { name: `Add ${opts.product ?? 'Stoneware mug'} to cart` }).click();
  await page.getByRole('button', { name: 'Go to checkout' }).click();
  await expect(page).toHaveURL(/\/checkout\/ord-\d+$/);
  const orderId = (await page.getByTestId('order-id').textContent())!.trim();
  const total = (await page.getByTestId('order-total').textContent())!.trim();
  return { orderId, total };
}

/**
 * Close a second tab (the sandbox phone). Chromium may acknowledge a close that races a navigation
 * commit, in this tab or in the one beside it, and never close (crbug.com/536385539, playwright#41900:
 * `page.close()` then waits forever; about 1 close in 20 here, when the landing page leaves for the
 * shop as the phone closes). If the tab is still open after a second, ask its own session to close it.
 */
export async function closeTab(tab: Page) {
  const closed = tab.waitForEvent('close', { timeout: 0 }).then(
    () => true,
    () => true,
  );
  void tab.close().catch(() => undefined);
  for (let attempt = 0; attempt < 3; attempt++) {
    const done = await Promise.race([closed, new Promise<false>((resolve) => setTimeout(resolve, 1000, false))]);
    if (done) return;
    await tab.close({ runBeforeUnload: true }).catch(() => undefined);
  }
  throw new Error(`the tab ${tab.url()} did not close`);
}

/** The widget: its shadow root is open, so Playwright's locators reach inside. */
export function widget(page: Page) {
  return page.locator('pay-with-bank');
}

export async function chooseBankMethod(page: Page) {
  const w = widget(page);
  const method = w.getByRole('button', { name: /Pay with your bank/ });
  // The method choice is skipped when only one method is offered.
  if (await method.isVisible().catch(() => false)) await method.click();
  await expect(w.getByRole('heading', { name: 'Choose your bank' })).toBeVisible();
}

/** Choose a bank in the widget (or null: "choose my bank on the next page") and press Pay. */
export async function payWithBank(page: Page, bankName: string | null, country?: string) {
  await chooseBankMethod(page);
  const w = widget(page);
  if (country) await w.getByLabel('Country').selectOption(country);
  if (bankName === null) await w.getByRole('radio', { name: /Choose my bank on the next page/ }).check();
  else await w.getByRole('radio', { name: bankName, exact: true }).check();
  await w.getByRole('button', { name: /^Pay / }).click();
  await page.waitForURL(new RegExp(`^${E2E.sandboxUrl}/mastercard/`));
}

/** On the sandbox's hosted pages: choose the bank (when the widget did not), log in, act. */
export async function atBank(
  page: Page,
  opts: { chooseBank?: string; account?: string; action?: 'confirm' | 'reject' | 'cancel' | 'abandon' } = {},
) {
  if (opts.chooseBank) {
    await expect(page.getByRole('heading', { name: 'Choose your bank' })).toBeVisible();
    await page.getByRole('radio', { name: opts.chooseBank }).first().check();
    await page.getByRole('button', { name: 'Continue' }).click();
  }
  await page.getByLabel('User ID').fill('test-user');
  await page.getByLabel('One-time code').fill('123456');
  await page.getByRole('button', { name: 'Log in' }).click();
  if (opts.action === 'abandon') return;
  if (opts.action === 'cancel') {
    await page.getByRole('button', { name: 'Cancel' }).click();
    return;
  }
  await page.getByRole('radio', { name: opts.account ?? 'Everyday account' }).check();
  if (opts.action === 'reject') await page.getByRole('button', { name: 'Reject' }).click();
  else await page.getByRole('button', { name: 'Confirm payment' }).click();
}

/** Wait until the shopper is back on the shop's return page. */
export async function backAtShop(page: Page) {
  await page.waitForURL(new RegExp(`^${E2E.shopUrl}/checkout/return`));
}

/** The merchant's view of an order, read from the orders page. */
export async function orderRow(page: Page, orderId: string) {
  await page.goto('/orders');
  return page.getByTestId(`order-row-${orderId}`);
}

/** Choose Vipps in the widget, optionally give a phone number, and press Pay. Lands on Vipps's page. */
export async function payWithVipps(page: Page, sandboxUrl: string, phone?: string) {
  const w = widget(page);
  await w.getByRole('button', { name: /Vipps/ }).click();
  if (phone) await w.getByLabel(/Mobile number/).fill(phone);
  await w.getByRole('button', { name: /with Vipps/ }).click();
  await page.waitForURL(new RegExp(`^${sandboxUrl}/vipps/`));
}

/** On the desktop landing page: send the push, then act on the sandbox "phone" (opened as a new page). */
export async function atVippsLanding(page: Page, action: 'confirm' | 'reject' | 'none', phone = '91234567') {
  const field = page.getByLabel('Mobile number');
  if ((await field.inputValue()) === '') await field.fill(phone);
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('status')).toContainText('We sent a payment request');
  if (action === 'none') return null;
  const [phonePage] = await Promise.all([
    page.context().waitForEvent('page'),
    page.getByRole('link', { name: 'Open the sandbox phone' }).click(),
  ]);
  await expect(phonePage.getByRole('heading', { name: 'Payment request' })).toBeVisible();
  await phonePage.getByRole('button', { name: action === 'confirm' ? 'Confirm' : 'Reject' }).click();
  return phonePage;
}

/** The merchant API's view of an order's latest payment (as the merchant's backend would read it). */
export async function latestPayment(request: APIRequestContext, serverUrl: string, orderId: string) {
  const res = await request.get(`${serverUrl}/v1/payments?reference=${orderId}`, {
    headers: { authorization: `Bearer ${E2E.merchantApiKey}` },
  });
  expect(res.ok()).toBe(true);
  const { payments } = (await res.json()) as {
    payments: { id: string; providerPaymentId: string; status: string; providerStatus: string }[];
  };
  expect(payments.length).toBeGreaterThan(0);
  return payments[0]!;
}

/** Merchant action on the orders page; returns the flash message shown. */
export async function merchantAction(
  page: Page,
  orderId: string,
  action: 'Ship & capture' | 'Cancel' | 'Refund' | 'Erase shopper',
  amount?: string,
) {
  const row = await orderRow(page, orderId);
  if (amount !== undefined) await row.getByLabel(`${action} amount for ${orderId}`).fill(amount);
  await row.getByRole('button', { name: action }).click();
  await expect(page.getByTestId('flash')).toBeVisible();
  return (await page.getByTestId('flash').textContent())!.trim();
}

/** The last verified payment notification the merchant's backend received for an order (webhooks are asynchronous). */
export async function expectLastNotification(page: Page, orderId: string, type: string) {
  await expect
    .poll(async () => (await (await orderRow(page, orderId)).getByTestId('last-notification').textContent())?.trim(), {
      timeout: 15_000,
    })
    .toBe(type);
}

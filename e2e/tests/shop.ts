/**
 * Page objects for the journeys: the demo shop, the widget inside it, and the providers' hosted pages
 * in the sandbox. Locators use accessible names the way a shopper reads the page.
 */
import { expect, type Page } from '@playwright/test';
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

/**
 * Page objects for the express checkout journeys (Vipps Hurtigkasse on eCom, Express on ePayment):
 * the merchant's express settings, the product page's "buy now" button, and the sandbox phone.
 */
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { expectAccessible } from './axe.js';
import type { DemoInstance } from './env.js';
import { closeTab, latestPayment, orderRow, widget } from './shop.js';

/** The merchant's express settings on the orders page. */
export async function expressSettings(page: Page, shipping: 'dynamic' | 'static', confirmAddress: boolean) {
  await page.goto('/orders');
  const form = page.getByRole('form', { name: 'Express checkout settings' });
  await form.getByRole('radio', { name: shipping === 'static' ? /fixed list/ : /By address/ }).check();
  await form.getByRole('checkbox', { name: /confirm address and shipping/ }).setChecked(confirmAddress);
  await form.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByTestId('flash')).toHaveText('Express checkout settings saved.');
}

/** On the mug's product page in NOK, press the express button; lands on Vipps' landing page. */
export async function buyNowWithVipps(page: Page, demo: DemoInstance, product = 'mug') {
  await page.goto('/');
  await page.getByLabel('Currency').selectOption('NOK');
  await page.getByRole('button', { name: 'Change' }).click();
  await page.goto(`/products/${product}`);
  const button = widget(page).getByRole('button', { name: /Vipps/ });
  await expect(button).toHaveAccessibleName('Buy now with Vipps');
  await expectAccessible(page, 'express button', 'pay-with-bank');
  await button.click();
  await page.waitForURL(new RegExp(`^${demo.sandboxUrl}/vipps/`));
}

/** Landing page: send the push, open the sandbox phone (a new page, standing in for the app). */
export async function openPhone(page: Page) {
  await page.getByLabel('Mobile number').fill('91234567');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('status')).toContainText('We sent a payment request');
  const [phone] = await Promise.all([
    page.context().waitForEvent('page'),
    page.getByRole('link', { name: 'Open the sandbox phone' }).click(),
  ]);
  await expect(phone.getByRole('heading', { name: 'Share your information?' })).toBeVisible();
  return phone;
}

export async function orderIdOf(page: Page) {
  // The newest express order on the orders page.
  await page.goto('/orders');
  const first = page.locator('tr[data-testid^="order-row-"]').first();
  return (await first.getAttribute('data-testid'))!.replace('order-row-', '');
}

/** Back on the shop's return page from Vipps, the widget showing `heading`. */
export async function backFromVipps(page: Page, demo: DemoInstance, heading: string) {
  await page.waitForURL(new RegExp(`^${demo.shopUrl}/checkout/return`));
  await expect(widget(page).getByRole('heading', { name: heading })).toBeVisible();
}

/** Back from Vipps with nothing paid: the widget says cancelled, and so does the newest order's row (returned). */
export async function cancelledExpressOrder(page: Page, demo: DemoInstance) {
  await backFromVipps(page, demo, 'Payment cancelled');
  const row = await orderRow(page, await orderIdOf(page));
  await expect(row.getByTestId('payment-status')).toHaveText('cancelled (vipps)');
  return row;
}

/**
 * An express order paid with the fixed options and the shopper's defaults (share, confirm), back on
 * the shop; its order id, its payment, and the orders page showing who to ship to.
 */
export async function paidExpressOrder(page: Page, request: APIRequestContext, demo: DemoInstance) {
  await expressSettings(page, 'static', false);
  await buyNowWithVipps(page, demo);
  const phone = await openPhone(page);
  await phone.getByRole('button', { name: 'Share and continue' }).click();
  await phone.getByRole('button', { name: 'Confirm' }).click();
  await closeTab(phone);
  await backFromVipps(page, demo, 'Payment approved');
  const orderId = await orderIdOf(page);
  await expect((await orderRow(page, orderId)).getByTestId('ship-to')).toContainText('Kari Nordmann');
  return { orderId, payment: await latestPayment(request, demo.serverUrl, orderId) };
}

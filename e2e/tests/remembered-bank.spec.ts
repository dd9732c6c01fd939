/**
 * Issue 9: a merchant highlights banks at the top of the list and opts in to the element remembering
 * the shopper's bank on this device (`highlighted-banks`, `remember-bank`). The checkout page is
 * served as such a merchant renders it. The first order is paid with Fjord Bank; the second offers
 * Fjord Bank first ("Last used", selected), the highlighted Nordbank next, and pays with it in one click.
 * What is remembered lives in the shop origin's localStorage, never in the return: a fresh browser
 * still shows the result from the return URL alone.
 */
import { expect, test, type Page } from '@playwright/test';
import { E2E } from './env.js';
import { atBank, backAtShop, checkout, chooseBankMethod, orderRow, widget } from './shop.js';

const REMEMBERED = '@pay-with-bank/remembered';

/** The checkout page as such a merchant renders it (set before the element upgrades, in every document). */
async function withMerchantAttributes(page: Page) {
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      const el = document.querySelector('pay-with-bank');
      if (!el) return;
      el.setAttribute('highlighted-banks', 'DK_Nordbank DK_TestBank');
      el.setAttribute('remember-bank', '');
      observer.disconnect();
    }).observe(document, { childList: true, subtree: true });
  });
}

/** The bank rows as the shopper reads them: name, and the tag if any. */
const rows = (page: Page) =>
  widget(page)
    .locator('[data-bank-id]')
    .evaluateAll((labels) =>
      labels.map((label) => [label.getAttribute('data-bank-id'), label.getAttribute('part')] as const),
    );

test('highlighted banks first; the bank used last on this device offered first, selected, next time', async ({
  page,
  browser,
}) => {
  await withMerchantAttributes(page);
  const first = await checkout(page);
  await chooseBankMethod(page);
  const w = widget(page);
  // The merchant's highlights, in the merchant's order, before the rest; nothing selected for the shopper.
  const before = await rows(page);
  expect(before.slice(0, 2)).toEqual([
    ['DK_Nordbank', 'bank bank-highlighted'],
    ['DK_TestBank', 'bank bank-highlighted'],
  ]);
  expect(before.slice(2).every(([, part]) => part === 'bank')).toBe(true);
  await expect(w.getByRole('radio', { checked: true })).toHaveCount(0);
  expect(await page.evaluate((key) => localStorage.getItem(key), REMEMBERED)).toBeNull();

  let returnUrl = '';
  page.on('request', (req) => {
    if (req.isNavigationRequest() && req.url().startsWith(`${E2E.shopUrl}/checkout/return`)) returnUrl = req.url();
  });
  await w.getByRole('radio', { name: 'Fjord Bank', exact: true }).check();
  await w.getByRole('button', { name: /^Pay / }).click();
  await page.waitForURL(new RegExp(`^${E2E.sandboxUrl}/mastercard/`));
  await atBank(page);
  await backAtShop(page);
  await expect(w.getByRole('heading', { name: 'Payment complete' })).toBeVisible();
  expect(JSON.parse((await page.evaluate((key) => localStorage.getItem(key), REMEMBERED))!)).toEqual({
    bank: { bankId: 'DK_Fjordbank', country: 'DK' },
  });

  // The next order on this device.
  const second = await checkout(page);
  await chooseBankMethod(page);
  const after = await rows(page);
  expect(after.slice(0, 3)).toEqual([
    ['DK_Fjordbank', 'bank bank-last-used'],
    ['DK_Nordbank', 'bank bank-highlighted'],
    ['DK_TestBank', 'bank bank-highlighted'],
  ]);
  const fjord = w.getByRole('radio', { name: /^Fjord Bank/ });
  await expect(fjord).toBeChecked();
  await expect(w.locator('[data-bank-id="DK_Fjordbank"]')).toContainText('Last used');
  await w.getByRole('button', { name: /^Pay / }).click(); // one click: the remembered bank is chosen
  await page.waitForURL(new RegExp(`^${E2E.sandboxUrl}/mastercard/`));
  await atBank(page);
  await backAtShop(page);
  await expect(w.getByRole('heading', { name: 'Payment complete' })).toBeVisible();
  await expect(w.getByText(second.orderId)).toBeVisible();
  for (const { orderId } of [first, second]) {
    const row = await orderRow(page, orderId);
    await expect(row.getByTestId('payment-status')).toHaveText('completed (bank)');
  }

  // The return never depends on it: a browser without the storage shows the first order's result.
  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await other.goto(returnUrl);
  await expect(widget(other).getByRole('heading', { name: 'Payment complete' })).toBeVisible();
  expect(await other.evaluate(() => localStorage.length)).toBe(0);
  await fresh.close();
});

/**
 * Issue 9: a whole bank payment in Norwegian. The shop's checkout and return pages are served as a
 * Norwegian merchant would render them (`<pay-with-bank locale="nb">`); the element loads its Bokmål
 * catalogue (a chunk next to the script-tag entry) beside the session read, shows nothing in English
 * on the way, and every widget screen passes axe with the WCAG 2.2 AA rules.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { axeViolations } from './axe.js';
import { E2E } from './env.js';
import { atBank, backAtShop, checkout, orderRow, widget } from './shop.js';

const DIST = new URL('../../packages/element/dist/', import.meta.url);

/** WCAG 2.2 AA violations inside the widget (its shadow root included). */
async function widgetViolations(page: Page): Promise<string[]> {
  const violations = await axeViolations(page, 'pay-with-bank');
  return violations.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/**
 * The shop's checkout and return pages as a Norwegian shop renders them: `locale="nb"` on the element,
 * set before it upgrades (an init script runs in every document, also after the redirects back from
 * the provider, which request routing does not see).
 */
async function inNorwegian(page: Page) {
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      const el = document.querySelector('pay-with-bank');
      if (!el) return;
      el.setAttribute('locale', 'nb');
      observer.disconnect();
    }).observe(document, { childList: true, subtree: true });
  });
  // The element's chunks sit next to its entry. Where the shop serves only the entry (the demo before
  // it serves the entry's directory), answer for it the way any static host would.
  await page.route(new RegExp(`^${E2E.shopUrl}/assets/pay-with-bank-[\\w-]+\\.js$`), async (route) => {
    const response = await route.fetch();
    if (response.status() !== 404) return route.fulfill({ response });
    const name = new URL(route.request().url()).pathname.split('/').pop()!;
    return route.fulfill({ body: readFileSync(new URL(name, DIST)), contentType: 'text/javascript; charset=utf-8' });
  });
}

test('a bank payment in Norwegian, every widget screen accessible', async ({ page }) => {
  await inNorwegian(page);
  const english: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') english.push(msg.text());
  });
  const { orderId } = await checkout(page, { currency: 'NOK' });
  const w = widget(page);
  await expect(w.getByRole('heading', { name: 'Hvordan vil du betale?' })).toBeVisible();
  await expect(w.getByRole('heading', { name: 'Laster inn betalingen…' })).toHaveCount(0);
  await expect(w.locator('[data-screen]')).toHaveAttribute('lang', 'nb');
  expect(await widgetViolations(page)).toEqual([]);

  await w.getByRole('button', { name: /Betal med banken din/ }).click();
  await expect(w.getByRole('heading', { name: 'Velg bank' })).toBeVisible();
  await expect(w.getByLabel('Søk etter banken din')).toBeVisible();
  expect(await widgetViolations(page)).toEqual([]);
  // Pay without a bank: the Norwegian error, announced.
  await w.getByRole('button', { name: /^Betal / }).click();
  await expect(w.getByRole('alert')).toHaveText('Velg en bank for å fortsette.');
  expect(await widgetViolations(page)).toEqual([]);

  await w.getByRole('radio', { name: 'Test Bank', exact: true }).check();
  await expect(w.getByRole('button', { name: /^Betal .* til Nordlys Goods ApS$/ })).toBeVisible();
  await w.getByRole('button', { name: /^Betal / }).click();
  await page.waitForURL(new RegExp(`^${E2E.sandboxUrl}/mastercard/`));
  await atBank(page);
  await backAtShop(page);

  await expect(w.getByRole('heading', { name: 'Betalingen er fullført' })).toBeVisible();
  await expect(w.getByText(orderId)).toBeVisible();
  await expect(w.getByText('Referanse', { exact: true })).toBeVisible();
  await expect(w.getByText(/\d+,\d{2}\s*kr/)).toBeVisible(); // the amount in Norwegian format
  await expect(w.locator('[data-screen]')).toHaveAttribute('lang', 'nb');
  expect(await widgetViolations(page)).toEqual([]);
  expect(english).toEqual([]);

  const row = await orderRow(page, orderId);
  await expect(row.getByTestId('payment-status')).toHaveText('completed (bank)');
});

test('the Vipps screen and a declined payment in Norwegian are accessible', async ({ page }) => {
  await inNorwegian(page);
  await checkout(page, { currency: 'NOK' });
  const w = widget(page);
  await w.getByRole('button', { name: /^Vipps/ }).click();
  await expect(w.getByRole('heading', { name: 'Betal med Vipps' })).toBeVisible();
  await w.getByLabel(/Mobilnummer/).fill('123');
  await w.getByRole('button', { name: /med Vipps$/ }).click();
  await expect(w.getByRole('alert')).toBeVisible();
  expect(await widgetViolations(page)).toEqual([]);

  await w.getByRole('button', { name: 'Tilbake' }).click();
  await w.getByRole('button', { name: /Betal med banken din/ }).click();
  await w.getByRole('radio', { name: 'Fail Bank', exact: true }).check();
  await w.getByRole('button', { name: /^Betal / }).click();
  await page.waitForURL(new RegExp(`^${E2E.sandboxUrl}/mastercard/`));
  await atBank(page);
  await backAtShop(page);
  await expect(w.getByRole('heading', { name: 'Betalingen mislyktes' })).toBeVisible();
  await expect(w.getByRole('button', { name: 'Prøv igjen' })).toBeVisible();
  expect(await widgetViolations(page)).toEqual([]);
});

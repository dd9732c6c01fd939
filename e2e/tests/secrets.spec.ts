/**
 * Invariant 1: provider credentials and the merchant's API key exist only on the server. Walk a whole
 * payment and look for them in every URL, page, script and response the browser saw.
 */
import { expect, test } from '@playwright/test';
import { E2E } from './env.js';
import { atBank, backAtShop, checkout, payWithBank, widget } from './shop.js';

const SECRETS = {
  'merchant API key': E2E.merchantApiKey,
  'webhook secret': E2E.webhookSecret,
  'Mastercard client secret': E2E.mastercardClientSecret,
  'Vipps client secret': E2E.vippsClientSecret,
  'Vipps subscription key': E2E.vippsSubscriptionKey,
  'Vipps callback secret': E2E.vippsCallbackSecret,
};

test('no credential or API key appears in any page, bundle, response or URL', async ({ page, request }) => {
  const seen: { url: string; body: string }[] = [];
  page.on('response', async (response) => {
    const type = response.headers()['content-type'] ?? '';
    let body = '';
    if (/json|text|javascript|html|svg|css/.test(type)) body = await response.text().catch(() => '');
    seen.push({ url: response.url(), body: `${JSON.stringify(response.headers())}\n${body}` });
  });
  page.on('request', (req) =>
    seen.push({ url: req.url(), body: `${JSON.stringify(req.headers())}\n${req.postData() ?? ''}` }),
  );

  await checkout(page);
  await payWithBank(page, 'Test Bank');
  await atBank(page);
  await backAtShop(page);
  await expect(widget(page).getByRole('heading', { name: 'Payment complete' })).toBeVisible();
  seen.push({ url: page.url(), body: await page.content() });

  // The script-tag bundle and the server's public documents, fetched directly.
  for (const url of [
    `${E2E.shopUrl}/assets/pay-with-bank.js`,
    `${E2E.serverUrl}/openapi.json`,
    `${E2E.serverUrl}/healthz`,
  ]) {
    const res = await request.get(url);
    seen.push({ url, body: await res.text() });
  }

  expect(seen.length).toBeGreaterThan(20);
  expect(seen.some((s) => s.url.startsWith(E2E.serverUrl))).toBe(true);
  expect(seen.some((s) => s.url.startsWith(E2E.sandboxUrl))).toBe(true);
  for (const [name, secret] of Object.entries(SECRETS)) {
    const leaks = seen.filter((s) => s.url.includes(secret) || s.body.includes(secret)).map((s) => s.url);
    expect(leaks, `${name} leaked to the browser`).toEqual([]);
  }
});

/**
 * The checkout runs under a strict Content-Security-Policy (no 'unsafe-inline', no 'unsafe-eval') and
 * the element never frames a provider page: a whole payment, watched for CSP violations and frames.
 */
import { expect, test } from '@playwright/test';
import { atBank, backAtShop, checkout, payWithBank, widget } from './shop.js';

test('a payment under a strict CSP: no violation, no inline script or eval, no frames', async ({ page }) => {
  const violations: string[] = [];
  // Policies of every rendered document (redirects render nothing and carry none).
  const policies: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
  });
  page.on('response', (res) => {
    if (res.request().resourceType() === 'document' && (res.status() < 300 || res.status() >= 400)) {
      policies.push(res.headers()['content-security-policy'] ?? '');
    }
  });
  page.on('frameattached', (frame) => violations.push(`frame attached: ${frame.url()}`));
  // Every document also reports violations to the page itself (securitypolicyviolation events).
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`Refused to load: CSP violation ${e.violatedDirective} ${e.blockedURI}`),
    );
  });

  const { orderId } = await checkout(page);
  const shopPolicy = policies.at(-1)!;
  expect(shopPolicy).toContain("script-src 'self'");
  expect(shopPolicy).toContain("style-src 'self'");
  expect(shopPolicy).not.toMatch(/unsafe-inline|unsafe-eval/);
  expect(page.frames()).toHaveLength(1);

  await payWithBank(page, 'Test Bank');
  await atBank(page);
  await backAtShop(page);
  await expect(widget(page).getByRole('heading', { name: 'Payment complete' })).toBeVisible();
  await expect(widget(page).getByText(orderId)).toBeVisible();
  // The shop's pages and the provider's hosted pages alike.
  expect(policies.length).toBeGreaterThanOrEqual(5);
  for (const policy of policies) {
    expect(policy).toMatch(/default-src/);
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval/);
  }
  expect(violations).toEqual([]);
});

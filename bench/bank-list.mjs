#!/usr/bin/env node
// Measures, in Chromium, the time from navigation start of the demo's checkout page to the bank list
// being visible (first bank button rendered), over N fresh page loads. Prints the median and spread.
// Usage: start the demo (npm run demo) in another shell, then: node bench/bank-list.mjs [runs=15]
// The demo must be reachable at PWB_DEMO_URL (default http://localhost:4030).
import { launchChromium } from './browser.mjs';

const shop = process.env.PWB_DEMO_URL ?? 'http://localhost:4030';
const runs = Number(process.argv[2] ?? 15);
const browser = await launchChromium();
const samples = [];
try {
  for (let i = 0; i < runs + 1; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    // A fresh order each run (the checkout page embeds a new session).
    await page.goto(shop);
    await page
      .getByRole('button', { name: /add .* to cart/i })
      .first()
      .click();
    await page.getByRole('button', { name: /go to checkout/i }).click();
    const checkoutUrl = page.url();
    await page.goto('about:blank');
    await page.goto(checkoutUrl);
    const bankButton = page.getByRole('button', { name: /pay with your bank|bank/i }).first();
    // If the widget opens on the method choice, choose bank first (counted: it is part of reaching the list).
    if (await bankButton.isVisible().catch(() => false)) await bankButton.click();
    await page.getByRole('radio').or(page.getByRole('option')).first().waitFor({ state: 'visible' });
    const ms = await page.evaluate(() => performance.now());
    if (i > 0) samples.push(ms); // first run warms the server's bank cache and the bundle
    await context.close();
  }
} finally {
  await browser.close();
}
samples.sort((a, b) => a - b);
const q = (p) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))];
console.log(
  `page load → bank list visible, ${samples.length} runs: median ${q(0.5).toFixed(0)} ms (p10 ${q(0.1).toFixed(0)} ms, p90 ${q(0.9).toFixed(0)} ms)`,
);

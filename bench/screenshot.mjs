#!/usr/bin/env node
// Takes docs/screenshot.png: the widget's bank list in the demo shop's checkout.
// Usage: start the demo (npm run demo), then: node bench/screenshot.mjs
import { launchChromium } from './browser.mjs';

const shop = process.env.PWB_DEMO_URL ?? 'http://localhost:4030';
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1000, height: 1100 }, deviceScaleFactor: 1 });
await page.goto(shop);
await page.getByRole('button', { name: /add stoneware mug to cart/i }).click();
await page.getByRole('button', { name: /go to checkout/i }).click();
const method = page.getByRole('button', { name: /pay with your bank/i });
if (await method.isVisible().catch(() => false)) await method.click();
await page.getByRole('radio', { name: 'Test Bank', exact: true }).check();
await page.waitForTimeout(300); // logos
await page.screenshot({ path: new URL('../docs/screenshot.png', import.meta.url).pathname, fullPage: true });
await browser.close();
console.log('wrote docs/screenshot.png');

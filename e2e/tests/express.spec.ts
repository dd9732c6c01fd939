/**
 * Vipps Hurtigkasse (express checkout) from a product page, the seed's step 1 and 3: the shopper
 * presses the express button, shares name, contact and address in Vipps, chooses a shipping method
 * there, and pays items + shipping. The merchant (orders page) sees who and where to ship to, ships
 * and captures the total. Runs on the demo instance configured with Vipps eCom v2.
 */
import { expect, test } from '@playwright/test';
import { expectAccessible } from './axe.js';
import { INSTANCES, SECRETS } from './env.js';
import {
  backFromVipps,
  buyNowWithVipps,
  cancelledExpressOrder,
  expressSettings,
  openPhone,
  orderIdOf,
  paidExpressOrder,
} from './express-shop.js';
import { closeTab, expectLastNotification, latestPayment, merchantAction, orderRow, widget } from './shop.js';

const demo = INSTANCES.ecom;
const control = (path: string) => `${demo.sandboxUrl}/__sandbox/vipps${path}`;

test.beforeEach(async ({ request }) => {
  await request.put(control('/callback-mode'), { data: { mode: 'on-time' } });
  await request.put(control('/shipping-details-scenario'), { data: { mode: 'normal' } });
});

test('static shipping options: the shopper picks one in Vipps, pays items + shipping; the merchant ships and captures the total', async ({
  page,
}) => {
  await expressSettings(page, 'static', false);
  await buyNowWithVipps(page, demo);
  const phone = await openPhone(page);
  await phone.getByRole('button', { name: 'Share and continue' }).click();
  await expect(phone.getByRole('heading', { name: 'Payment request' })).toBeVisible();
  await expectAccessible(phone, 'express: payment request (old flow)');
  // The merchant's fixed list, default preselected; the shopper picks the free pick-up instead… then
  // changes their mind back to Posten (NOK 79.00 on top of the mug's NOK 229.00).
  await phone.getByRole('radio', { name: /^Pick up in our Oslo shop,/ }).check();
  await phone.getByRole('radio', { name: /^Posten Servicepakke, NOK 79\.00, total NOK 308\.00/ }).check();
  await phone.getByRole('button', { name: 'Confirm' }).click();
  await closeTab(phone);

  await backFromVipps(page, demo, 'Payment approved');
  const w = widget(page);
  await expect(w.getByText('Posten Servicepakke')).toBeVisible();
  await expect(w.getByText('NOK 308.00')).toBeVisible();

  const orderId = await orderIdOf(page);
  let row = await orderRow(page, orderId);
  await expect(row.getByTestId('payment-status')).toHaveText('authorized (vipps)');
  await expect(row.getByTestId('order-total')).toHaveText('NOK 308.00');
  await expect(row.getByTestId('ship-to')).toContainText('Kari Nordmann');
  await expect(row.getByTestId('ship-to')).toContainText('Karl Johans gate 22');
  await expect(row.getByTestId('ship-to')).toContainText('0159 Oslo');
  await expect(row.getByTestId('shipping')).toHaveText('Posten Servicepakke (NOK 79.00)');

  const captured = await merchantAction(page, orderId, 'Ship & capture');
  expect(captured).toMatch(/capture done — payment completed, captured NOK\s308\.00/);
  row = await orderRow(page, orderId);
  await expect(row.getByTestId('amounts')).toContainText('NOK 308.00');
  // A full capture completes the payment.
  await expectLastNotification(page, orderId, 'payment.completed');
});

test("dynamic shipping: the merchant's shipping endpoint prices the address the shopper chose", async ({
  page,
  request,
}) => {
  await expressSettings(page, 'dynamic', false);
  await buyNowWithVipps(page, demo);
  const phone = await openPhone(page);
  await phone.getByRole('button', { name: 'Share and continue' }).click();
  // Home in Oslo: home delivery NOK 69.00 is the shop's default there.
  await expect(phone.getByRole('radio', { name: /^Helthjem home delivery, NOK 69\.00/ })).toBeChecked();
  // Ship to Bergen instead: the shop is asked again and has other options and prices there.
  await phone.getByRole('radio', { name: /Bryggen 15/ }).check();
  await phone.getByRole('button', { name: 'Use this address' }).click();
  await expect(phone.getByRole('radio', { name: /^Posten Servicepakke, NOK 99\.00, total NOK 328\.00/ })).toBeChecked();
  await expect(phone.getByRole('radio', { name: /Pick up in our Oslo shop/ })).toHaveCount(0);
  await phone.getByRole('button', { name: 'Confirm' }).click();
  await closeTab(phone);

  await backFromVipps(page, demo, 'Payment approved');
  await expect(widget(page).getByText('NOK 328.00')).toBeVisible();
  const orderId = await orderIdOf(page);
  const row = await orderRow(page, orderId);
  await expect(row.getByTestId('ship-to')).toContainText('Bryggen 15');
  await expect(row.getByTestId('ship-to')).toContainText('5003 Bergen');
  await expect(row.getByTestId('shipping')).toHaveText('Posten Servicepakke (NOK 99.00)');
  const payment = await latestPayment(request, demo.serverUrl, orderId);
  expect(payment.status).toBe('authorized');
  // The sandbox asked the companion server twice (Oslo, then Bergen), and both were answered.
  const exchanges = (await (
    await request.get(control(`/express-exchanges?orderId=${payment.providerPaymentId}`))
  ).json()) as { kind: string; outcome: string }[];
  expect(exchanges.filter((e) => e.kind === 'shipping-details').map((e) => e.outcome)).toEqual([
    'accepted',
    'accepted',
  ]);
});

test('explicit flow (useExplicitCheckoutFlow): the shopper confirms address and shipping on their own step', async ({
  page,
}) => {
  await expressSettings(page, 'dynamic', true);
  await buyNowWithVipps(page, demo);
  const phone = await openPhone(page);
  await expectAccessible(phone, 'express consent');
  await phone.getByRole('button', { name: 'Share and continue' }).click();
  await expect(phone.getByRole('heading', { name: 'Choose delivery' })).toBeVisible();
  await expectAccessible(phone, 'express: choose delivery');
  await phone.getByRole('radio', { name: /^Posten Servicepakke, NOK 79\.00/ }).check();
  await phone.getByRole('button', { name: 'Confirm address and shipping' }).click();
  await expect(phone.getByRole('heading', { name: 'Payment request' })).toBeVisible();
  await expectAccessible(phone, 'express: payment request (explicit flow)');
  await expect(phone.getByText('NOK 308.00').first()).toBeVisible();
  await phone.getByRole('button', { name: 'Confirm' }).click();
  await closeTab(phone);

  await backFromVipps(page, demo, 'Payment approved');
  await expect(widget(page).getByText('Posten Servicepakke')).toBeVisible();
  await expectAccessible(page, 'express result', 'pay-with-bank');
  const orderId = await orderIdOf(page);
  const row = await orderRow(page, orderId);
  await expect(row.getByTestId('shipping')).toHaveText('Posten Servicepakke (NOK 79.00)');
  await expect(row.getByTestId('order-total')).toHaveText('NOK 308.00');
});

test('the shopper refuses to share their information → no payment, nothing stored about them', async ({ page }) => {
  await expressSettings(page, 'static', true);
  await buyNowWithVipps(page, demo);
  const phone = await openPhone(page);
  await phone.getByRole('button', { name: 'Do not share' }).click();
  await expect(phone.getByRole('heading', { name: 'Payment rejected' })).toBeVisible();
  await expectAccessible(phone, 'express: consent refused');
  await closeTab(phone);

  const row = await cancelledExpressOrder(page, demo);
  await expect(row.getByTestId('ship-to')).toHaveText('—');
  await expect(row.getByTestId('shipping')).toHaveText('—');
});

test("the merchant's shipping endpoint fails → Vipps cannot show shipping, the shopper backs out, nothing is reserved", async ({
  page,
  request,
}) => {
  await expressSettings(page, 'dynamic', false);
  // The shop's shipping service answers 500 (the sandbox's scenario stands in for the merchant's outage).
  await request.put(control('/shipping-details-scenario'), { data: { mode: 'fail' } });
  await buyNowWithVipps(page, demo);
  const phone = await openPhone(page);
  await phone.getByRole('button', { name: 'Share and continue' }).click();
  await expect(phone.getByRole('alert')).toContainText('Payment failed');
  await expectAccessible(phone, 'express: shipping failed');
  await expect(phone.getByRole('button', { name: 'Confirm' })).toHaveCount(0);
  await phone.getByRole('button', { name: 'Reject' }).click();
  await closeTab(phone);

  const row = await cancelledExpressOrder(page, demo);
  await expect(row.getByTestId('amounts')).toContainText('NOK 0.00');
});

test("consent removed afterwards: the shopper's details are erased and the merchant is told", async ({
  page,
  request,
}) => {
  const { orderId, payment } = await paidExpressOrder(page, request, demo);

  // In Vipps, the shopper withdraws the consent: Vipps calls the consent removal endpoint.
  const removed = await request.post(control(`/payments/${payment.providerPaymentId}/remove-consent`));
  expect(removed.ok()).toBe(true);
  const { exchanges } = (await removed.json()) as { exchanges: { outcome: string }[] };
  expect(exchanges.map((e) => e.outcome)).toContain('delivered');

  await expectLastNotification(page, orderId, 'payment.shopper_erased');
  const row = await orderRow(page, orderId);
  await expect(row.getByTestId('ship-to')).toHaveText('—');
  // The shipping method and price are not personal data: the merchant still knows what was bought.
  await expect(row.getByTestId('shipping')).toHaveText('Posten Servicepakke (NOK 79.00)');
  const res = await request.get(`${demo.serverUrl}/v1/payments/${payment.id}`, {
    headers: { authorization: `Bearer ${SECRETS.merchantApiKey}` },
  });
  expect(res.ok()).toBe(true);
  expect(((await res.json()) as { payment: { shopper: unknown } }).payment.shopper).toBeNull();
});

test('the shopper asks the shop to erase their data: Erase shopper on the orders page, the merchant is told, the order stays', async ({
  page,
  request,
}) => {
  const { orderId, payment } = await paidExpressOrder(page, request, demo);

  const flash = await merchantAction(page, orderId, 'Erase shopper');
  expect(flash).toMatch(/shopper details erased from \d+ payments?\./);
  await expectLastNotification(page, orderId, 'payment.shopper_erased');
  const row = await orderRow(page, orderId);
  await expect(row.getByTestId('ship-to')).toHaveText('—');
  await expect(row.getByRole('button', { name: 'Erase shopper' })).toHaveCount(0);
  await expect(row.getByTestId('shipping')).toHaveText('Posten Servicepakke (NOK 79.00)');
  const res = await request.get(`${demo.serverUrl}/v1/payments/${payment.id}`, {
    headers: { authorization: `Bearer ${SECRETS.merchantApiKey}` },
  });
  expect(((await res.json()) as { payment: { shopper: unknown; status: string } }).payment).toMatchObject({
    shopper: null,
    status: 'authorized',
  });
  // The order can still be shipped and captured.
  expect(await merchantAction(page, orderId, 'Ship & capture')).toMatch(/capture done — payment completed/);
});

test("the express button's file does not load at first: the widget says so, Try again fetches it, and it pays", async ({
  page,
}) => {
  await expressSettings(page, 'static', false);
  // The first request for express mode's chunk fails (a dropped connection); later ones pass. Chromium
  // keeps a failed module fetch for the page's life, so Try again has to ask under another URL.
  const requested: string[] = [];
  await page.route(new RegExp(`^${demo.shopUrl}/assets/pay-with-bank-express-[\\w-]+\\.js(\\?.*)?$`), async (route) => {
    requested.push(new URL(route.request().url()).search);
    if (requested.length === 1) await route.abort('connectionreset');
    else await route.continue();
  });
  await page.goto('/');
  await page.getByLabel('Currency').selectOption('NOK');
  await page.getByRole('button', { name: 'Change' }).click();
  await page.goto('/products/mug');
  const w = widget(page);
  await expect(w.getByRole('alert')).toBeVisible();
  const tryAgain = w.getByRole('button', { name: 'Try again' });
  await expect(tryAgain).toBeVisible();
  await expectAccessible(page, 'express: its chunk did not load', 'pay-with-bank');
  await tryAgain.click();
  const button = w.getByRole('button', { name: 'Buy now with Vipps' });
  await expect(button).toBeVisible();
  expect(requested).toEqual(['', '?retry=1']);
  await button.click();
  await page.waitForURL(new RegExp(`^${demo.sandboxUrl}/vipps/`));
});

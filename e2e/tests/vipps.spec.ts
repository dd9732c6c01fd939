/**
 * Vipps, the seed's journey, for both APIs (project vipps-ecom: eCom v2; project vipps-epayment:
 * ePayment v1): pay with Vipps → landing page (desktop) or app switch (mobile) → confirm → reserved →
 * back to the shop → the merchant captures when shipping, refunds later.
 */
import { devices, expect, test, type APIRequestContext } from '@playwright/test';
import { INSTANCES } from './env.js';
import {
  atVippsLanding,
  checkout,
  closeTab,
  expectLastNotification,
  latestPayment,
  merchantAction,
  orderRow,
  payWithVipps,
  widget,
} from './shop.js';

const demo = () => (test.info().project.name === 'vipps-epayment' ? INSTANCES.epayment : INSTANCES.ecom);
const control = (path: string) => `${demo().sandboxUrl}/__sandbox/vipps${path}`;

/** What the sandbox sent to the server about one payment: eCom callbacks or ePayment webhooks. */
async function notificationsSent(request: APIRequestContext, providerPaymentId: string) {
  const ecom = test.info().project.name === 'vipps-ecom';
  const res = await request.get(
    ecom
      ? control(`/callbacks?orderId=${providerPaymentId}`)
      : control(`/webhook-deliveries?reference=${providerPaymentId}`),
  );
  expect(res.ok()).toBe(true);
  const list = (await res.json()) as { state: string; status?: string; event?: string }[];
  return list.map((d) => ({ state: d.state, what: d.status ?? d.event ?? '' }));
}

test.beforeEach(async ({ request }) => {
  // Callbacks and webhooks on time unless a test says otherwise.
  await request.put(control('/callback-mode'), { data: { mode: 'on-time' } });
  await request.put(control('/webhook-delivery'), { data: { enabled: true } });
});

test('desktop: confirm in Vipps → reserved → merchant captures → partial refund', async ({ page }) => {
  const { orderId, total } = await checkout(page, { currency: 'NOK' });
  await payWithVipps(page, demo().sandboxUrl, '91234567');
  // The number the shopper gave in the widget is pre-filled on the landing page.
  await expect(page.getByLabel('Mobile number')).toHaveValue(/91234567|912 ?34 ?567/);
  await atVippsLanding(page, 'confirm');
  await page.waitForURL(new RegExp(`^${demo().shopUrl}/checkout/return`));

  const w = widget(page);
  await expect(w.getByRole('heading', { name: 'Payment approved' })).toBeVisible();
  await expect(w.getByText(orderId)).toBeVisible();
  await expect(w.getByText(total)).toBeVisible();

  let row = await orderRow(page, orderId);
  await expect(row.getByTestId('payment-status')).toHaveText('authorized (vipps)');
  await expect(row.getByTestId('session-state')).toHaveText('paid');

  // Ship: capture everything reserved.
  const captured = await merchantAction(page, orderId, 'Ship & capture');
  expect(captured).toMatch(/capture done — payment completed/);
  row = await orderRow(page, orderId);
  await expect(row.getByTestId('payment-status')).toHaveText('completed (vipps)');
  await expect(row.getByTestId('amounts')).toContainText(total);

  // A partial refund later.
  const refunded = await merchantAction(page, orderId, 'Refund', '50.00');
  expect(refunded).toMatch(/refund done/);
  row = await orderRow(page, orderId);
  await expect(row.getByTestId('amounts')).toContainText('50.00');
  await expectLastNotification(page, orderId, 'payment.refunded');
});

test('the user rejects in Vipps → cancelled', async ({ page }) => {
  const { orderId } = await checkout(page, { currency: 'NOK' });
  await payWithVipps(page, demo().sandboxUrl);
  await atVippsLanding(page, 'reject');
  await page.waitForURL(new RegExp(`^${demo().shopUrl}/checkout/return`));
  await expect(widget(page).getByRole('heading', { name: 'Payment cancelled' })).toBeVisible();
  const row = await orderRow(page, orderId);
  await expect(row.getByTestId('payment-status')).toHaveText('cancelled (vipps)');
});

test('the payment expires when the user does nothing', async ({ page, request }) => {
  const { orderId } = await checkout(page, { currency: 'NOK' });
  await payWithVipps(page, demo().sandboxUrl);
  await atVippsLanding(page, 'none');
  const payment = await latestPayment(request, demo().serverUrl, orderId);
  // Time runs out (5 + 5 minutes at Vipps; the sandbox's control skips the wait).
  expect((await request.post(control(`/payments/${payment.providerPaymentId}/expire`))).ok()).toBe(true);
  await page.waitForURL(new RegExp(`^${demo().shopUrl}/checkout/return`));
  await expect(widget(page).getByRole('heading', { name: 'The payment timed out' })).toBeVisible();
  const row = await orderRow(page, orderId);
  await expect(row.getByTestId('payment-status')).toHaveText('expired (vipps)');
});

test('the callback never arrives → polling completes the payment', async ({ page, request }) => {
  await request.put(control('/callback-mode'), { data: { mode: 'never' } });
  await request.put(control('/webhook-delivery'), { data: { enabled: false } });
  const { orderId } = await checkout(page, { currency: 'NOK' });
  await payWithVipps(page, demo().sandboxUrl);
  await atVippsLanding(page, 'confirm');
  await page.waitForURL(new RegExp(`^${demo().shopUrl}/checkout/return`));
  await expect(widget(page).getByRole('heading', { name: 'Payment approved' })).toBeVisible();
  const payment = await latestPayment(request, demo().serverUrl, orderId);
  expect(payment.status).toBe('authorized');
  // Nothing was delivered to the server: it learnt the result by asking.
  const sent = await notificationsSent(request, payment.providerPaymentId);
  expect(sent.filter((d) => d.state === 'delivered')).toEqual([]);
});

test('the callback arrives before the shopper returns', async ({ page, request }) => {
  const { orderId } = await checkout(page, { currency: 'NOK' });
  await payWithVipps(page, demo().sandboxUrl);
  const landing = page;
  const phone = await atVippsLanding(landing, 'confirm');
  // The server already knows, from the callback/webhook, before the shopper is back: the sandbox's
  // delivery of the reservation was accepted (2xx) and the merchant API shows it.
  const { providerPaymentId } = await latestPayment(request, demo().serverUrl, orderId);
  await expect
    .poll(async () =>
      (await notificationsSent(request, providerPaymentId)).some(
        (d) => d.state === 'delivered' && /RESERVED|authorized/i.test(d.what),
      ),
    )
    .toBe(true);
  expect((await latestPayment(request, demo().serverUrl, orderId)).status).toBe('authorized');
  await closeTab(phone!);
  await landing.waitForURL(new RegExp(`^${demo().shopUrl}/checkout/return`));
  await expect(widget(landing).getByRole('heading', { name: 'Payment approved' })).toBeVisible();
});

test('the return in a fresh browser (the phone opens the default browser) shows the result', async ({
  page,
  browser,
}) => {
  const { orderId } = await checkout(page, { currency: 'NOK' });
  let returnUrl = '';
  page.on('request', (req) => {
    if (req.isNavigationRequest() && req.url().startsWith(`${demo().shopUrl}/checkout/return`)) returnUrl = req.url();
  });
  await payWithVipps(page, demo().sandboxUrl);
  await atVippsLanding(page, 'confirm');
  await page.waitForURL(new RegExp(`^${demo().shopUrl}/checkout/return`));
  expect(returnUrl).toContain('pwb_return=');
  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await other.goto(returnUrl);
  await expect(widget(other).getByRole('heading', { name: 'Payment approved' })).toBeVisible();
  await expect(widget(other).getByText(orderId)).toBeVisible();
  await fresh.close();
});

test('mobile: the app switch goes straight to Vipps and back to the shop', async ({ browser }) => {
  const context = await browser.newContext({ ...devices['iPhone 13'], baseURL: demo().shopUrl });
  const page = await context.newPage();
  const { orderId } = await checkout(page, { currency: 'NOK' });
  await payWithVipps(page, demo().sandboxUrl);
  // No landing page: the "app" (the sandbox phone) opens directly.
  await expect(page.getByRole('heading', { name: 'Payment request' })).toBeVisible();
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.waitForURL(new RegExp(`^${demo().shopUrl}/checkout/return`));
  await expect(widget(page).getByRole('heading', { name: 'Payment approved' })).toBeVisible();
  await expect(widget(page).getByText(orderId)).toBeVisible();
  await context.close();
});

test('capturing more than was reserved is refused with a clear message', async ({ page }) => {
  const { orderId } = await checkout(page, { currency: 'NOK' });
  await payWithVipps(page, demo().sandboxUrl);
  await atVippsLanding(page, 'confirm');
  await page.waitForURL(new RegExp(`^${demo().shopUrl}/checkout/return`));
  await expect(widget(page).getByRole('heading', { name: 'Payment approved' })).toBeVisible();

  const refused = await merchantAction(page, orderId, 'Ship & capture', '9999.00');
  expect(refused).toMatch(/exceeds|more than|too high/i);
  const row = await orderRow(page, orderId);
  await expect(row.getByTestId('payment-status')).toHaveText('authorized (vipps)');
  await expect(row.getByTestId('amounts')).toContainText('0.00');
});

test('the merchant cancels a reservation it will not ship', async ({ page }) => {
  const { orderId } = await checkout(page, { currency: 'NOK' });
  await payWithVipps(page, demo().sandboxUrl);
  await atVippsLanding(page, 'confirm');
  await page.waitForURL(new RegExp(`^${demo().shopUrl}/checkout/return`));
  await expect(widget(page).getByRole('heading', { name: 'Payment approved' })).toBeVisible();

  const cancelled = await merchantAction(page, orderId, 'Cancel');
  expect(cancelled).toMatch(/cancel done — payment cancelled/);
  const row = await orderRow(page, orderId);
  await expect(row.getByTestId('payment-status')).toHaveText('cancelled (vipps)');
  // Nothing left to capture or refund.
  await expect(row.getByRole('button', { name: 'Ship & capture' })).toHaveCount(0);
  await expect(row.getByRole('button', { name: 'Refund' })).toHaveCount(0);
});

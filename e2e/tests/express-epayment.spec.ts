/**
 * Express checkout on Vipps ePayment (the demo's default Vipps API): the same product-page button
 * and the same merchant options as Hurtigkasse on eCom, through ePayment's `shipping.fixedOptions`
 * and `dynamicOptions`. In ePayment the app always has the shopper confirm address and shipping on a
 * step of its own, and Vipps tells an ePayment merchant nothing when consent is withdrawn (so that
 * journey is eCom's only, in express.spec.ts).
 */
import { expect, test } from '@playwright/test';
import { expectAccessible } from './axe.js';
import { INSTANCES } from './env.js';
import {
  backFromVipps,
  buyNowWithVipps,
  cancelledExpressOrder,
  expressSettings,
  openPhone,
  orderIdOf,
} from './express-shop.js';
import { closeTab, expectLastNotification, latestPayment, merchantAction, orderRow, widget } from './shop.js';

const demo = INSTANCES.epayment;
const control = (path: string) => `${demo.sandboxUrl}/__sandbox/vipps${path}`;

test.beforeEach(async ({ request }) => {
  await request.put(control('/webhook-delivery'), { data: { enabled: true } });
  await request.put(control('/shipping-details-scenario'), { data: { mode: 'normal' } });
});

test('fixed options: chosen on the delivery step, items + shipping authorised, the merchant captures the total', async ({
  page,
}) => {
  await expressSettings(page, 'static', true);
  await buyNowWithVipps(page, demo);
  const phone = await openPhone(page);
  await phone.getByRole('button', { name: 'Share and continue' }).click();
  await expect(phone.getByRole('heading', { name: 'Choose delivery' })).toBeVisible();
  await expectAccessible(phone, 'ePayment express: choose delivery');
  await phone.getByRole('radio', { name: /^Posten Servicepakke, NOK 79\.00, total NOK 308\.00/ }).check();
  await phone.getByRole('button', { name: 'Confirm address and shipping' }).click();
  await expect(phone.getByRole('heading', { name: 'Payment request' })).toBeVisible();
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
  await expect(row.getByTestId('shipping')).toHaveText('Posten Servicepakke (NOK 79.00)');
  const captured = await merchantAction(page, orderId, 'Ship & capture');
  expect(captured).toMatch(/capture done — payment completed, captured NOK\s308\.00/);
  row = await orderRow(page, orderId);
  await expect(row.getByTestId('amounts')).toContainText('NOK 308.00');
  await expectLastNotification(page, orderId, 'payment.completed');
});

test("options by address: the merchant's shipping endpoint answers for the address the shopper picks", async ({
  page,
  request,
}) => {
  await expressSettings(page, 'dynamic', true);
  await buyNowWithVipps(page, demo);
  const phone = await openPhone(page);
  await phone.getByRole('button', { name: 'Share and continue' }).click();
  await expect(phone.getByRole('radio', { name: /^Helthjem home delivery, NOK 69\.00/ })).toBeChecked();
  await phone.getByRole('radio', { name: /Bryggen 15/ }).check();
  await phone.getByRole('button', { name: 'Use this address' }).click();
  await expect(phone.getByRole('radio', { name: /^Posten Servicepakke, NOK 99\.00, total NOK 328\.00/ })).toBeChecked();
  await expect(phone.getByRole('radio', { name: /Pick up in our Oslo shop/ })).toHaveCount(0);
  await phone.getByRole('button', { name: 'Confirm address and shipping' }).click();
  await phone.getByRole('button', { name: 'Confirm' }).click();
  await closeTab(phone);

  await backFromVipps(page, demo, 'Payment approved');
  await expect(widget(page).getByText('NOK 328.00')).toBeVisible();
  const orderId = await orderIdOf(page);
  const row = await orderRow(page, orderId);
  await expect(row.getByTestId('ship-to')).toContainText('5003 Bergen');
  await expect(row.getByTestId('shipping')).toHaveText('Posten Servicepakke (NOK 99.00)');
  const payment = await latestPayment(request, demo.serverUrl, orderId);
  const exchanges = (await (
    await request.get(control(`/express-exchanges?orderId=${payment.providerPaymentId}`))
  ).json()) as { kind: string; outcome: string }[];
  expect(exchanges.filter((e) => e.kind === 'shipping-details').map((e) => e.outcome)).toEqual([
    'accepted',
    'accepted',
  ]);
});

test("the merchant's shipping endpoint fails → the app cannot deliver, the shopper cancels, nothing is authorised", async ({
  page,
  request,
}) => {
  await expressSettings(page, 'dynamic', true);
  await request.put(control('/shipping-details-scenario'), { data: { mode: 'fail' } });
  await buyNowWithVipps(page, demo);
  const phone = await openPhone(page);
  await phone.getByRole('button', { name: 'Share and continue' }).click();
  await expect(phone.getByRole('alert')).toBeVisible();
  await expectAccessible(phone, 'ePayment express: shipping failed');
  await expect(phone.getByRole('button', { name: 'Confirm address and shipping' })).toHaveCount(0);
  await phone.getByRole('button', { name: 'Cancel payment' }).click();
  await closeTab(phone);

  const row = await cancelledExpressOrder(page, demo);
  await expect(row.getByTestId('ship-to')).toHaveText('—');
});

/**
 * Every page of the provider sandbox a shopper can see passes axe-core with the WCAG 2.2 AA rule set,
 * the standard the widget is held to: the Vipps landing page (form, validation error, waiting page),
 * the sandbox phone (inbox, payment request, app switch, every result) and its error page, and
 * Mastercard's hosted pages (bank choice, login, account choice, results, error pages).
 * Payments are created directly against the sandbox of the `ecom` demo instance with its documented
 * credentials; the pages are then driven in the browser as a shopper would.
 */
import { devices, expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { expectAccessible } from './axe.js';
import { INSTANCES } from './env.js';

const SANDBOX = INSTANCES.ecom.sandboxUrl;

// ------------------------------------------------------------------------------------------- Vipps

const VIPPS_HEADERS = {
  client_id: 'sandbox-vipps-client-id',
  client_secret: 'sandbox-vipps-client-secret',
  'Ocp-Apim-Subscription-Key': 'sandbox-vipps-subscription-key',
  'Merchant-Serial-Number': '123456',
};
/** Where the pages send the shopper back to: any page of ours that is not a sandbox page. */
const VIPPS_RETURN_URL = `${SANDBOX}/healthz?from=vipps`;

let paymentCount = 0;
const reference = (prefix: string) => `${prefix}-${Date.now()}-${++paymentCount}`;

async function vippsHeaders(request: APIRequestContext) {
  const res = await request.post(`${SANDBOX}/vipps/accesstoken/get`, { headers: VIPPS_HEADERS });
  expect(res.status(), await res.text()).toBe(200);
  const { access_token } = (await res.json()) as { access_token: string };
  expect(access_token).toBeTruthy();
  return {
    Authorization: `Bearer ${access_token}`,
    'Ocp-Apim-Subscription-Key': VIPPS_HEADERS['Ocp-Apim-Subscription-Key'],
    'Merchant-Serial-Number': VIPPS_HEADERS['Merchant-Serial-Number'],
  };
}

/** An ePayment: WEB_REDIRECT (landing page) or PUSH_MESSAGE (straight to the phone). */
async function createVippsPayment(request: APIRequestContext, flow: 'WEB_REDIRECT' | 'PUSH_MESSAGE') {
  const ref = reference('a11y');
  const res = await request.post(`${SANDBOX}/vipps/epayment/v1/payments`, {
    headers: { ...(await vippsHeaders(request)), 'Idempotency-Key': ref },
    data: {
      amount: { currency: 'NOK', value: 24900 },
      paymentMethod: { type: 'WALLET' },
      reference: ref,
      paymentDescription: 'Stoneware mug',
      userFlow: flow,
      ...(flow === 'WEB_REDIRECT' ? { returnUrl: VIPPS_RETURN_URL } : { customer: { phoneNumber: '4791234567' } }),
    },
  });
  expect(res.status(), await res.text()).toBe(201);
  const body = (await res.json()) as { redirectUrl?: string };
  const inspection = await request.get(`${SANDBOX}/__sandbox/vipps/payments/${ref}`);
  expect(inspection.ok()).toBe(true);
  const { user } = (await inspection.json()) as { user: { phonePath: string } };
  expect(user.phonePath).toMatch(/^\/vipps\/sandbox-phone\//);
  return { reference: ref, redirectUrl: body.redirectUrl ?? null, phoneUrl: `${SANDBOX}${user.phonePath}` };
}

async function cancelVippsPayment(request: APIRequestContext, ref: string) {
  const res = await request.post(`${SANDBOX}/vipps/epayment/v1/payments/${ref}/cancel`, {
    headers: { ...(await vippsHeaders(request)), 'Idempotency-Key': `cancel-${ref}` },
  });
  expect(res.status(), await res.text()).toBe(200);
}

test.describe('Vipps sandbox pages (WCAG 2.2 AA)', () => {
  test('landing page, validation error, phone inbox, waiting page, payment request and result', async ({
    page,
    context,
  }) => {
    const payment = await createVippsPayment(page.request, 'WEB_REDIRECT');
    await page.goto(payment.redirectUrl!);
    await expect(page.getByRole('heading', { name: 'Pay with Vipps' })).toBeVisible();
    await expectAccessible(page, 'Vipps landing page');

    await page.getByLabel('Mobile number').fill('1234');
    await page.getByRole('button', { name: 'Next' }).click();
    await expect(page.getByRole('alert')).toContainText('Enter a valid mobile number');
    await expectAccessible(page, 'Vipps landing page, invalid number');

    const phone = await context.newPage();
    await phone.goto(payment.phoneUrl);
    await expect(phone.getByRole('heading', { name: 'No payment requests' })).toBeVisible();
    await expectAccessible(phone, 'Vipps sandbox phone, no payment request yet');

    await page.getByLabel('Mobile number').fill('91234567');
    await page.getByRole('button', { name: 'Next' }).click();
    await expect(page.getByRole('status')).toContainText('We sent a payment request to +47 912 34 567');
    await expectAccessible(page, 'Vipps waiting page');

    await phone.goto(payment.phoneUrl);
    await expect(phone.getByRole('heading', { name: 'Payment request' })).toBeVisible();
    await expectAccessible(phone, 'Vipps sandbox phone, payment request');

    await phone.getByRole('button', { name: 'Confirm' }).click();
    await expect(phone.getByRole('heading', { name: 'Payment confirmed' })).toBeVisible();
    await expectAccessible(phone, 'Vipps sandbox phone, payment confirmed');

    // The waiting page moves on by itself once the user has acted on the phone.
    await page.waitForURL(VIPPS_RETURN_URL);
  });

  test('the phone after a rejection, an expiry and a cancellation by the merchant', async ({ page }) => {
    const rejected = await createVippsPayment(page.request, 'PUSH_MESSAGE');
    await page.goto(rejected.phoneUrl);
    await page.getByRole('button', { name: 'Reject' }).click();
    await expect(page.getByRole('heading', { name: 'Payment rejected' })).toBeVisible();
    await expectAccessible(page, 'Vipps sandbox phone, payment rejected');

    const expired = await createVippsPayment(page.request, 'PUSH_MESSAGE');
    expect((await page.request.post(`${SANDBOX}/__sandbox/vipps/payments/${expired.reference}/expire`)).ok()).toBe(
      true,
    );
    await page.goto(expired.phoneUrl);
    await expect(page.getByRole('heading', { name: 'Payment request expired' })).toBeVisible();
    await expectAccessible(page, 'Vipps sandbox phone, payment request expired');

    const cancelled = await createVippsPayment(page.request, 'PUSH_MESSAGE');
    await cancelVippsPayment(page.request, cancelled.reference);
    await page.goto(cancelled.phoneUrl);
    await expect(page.getByRole('heading', { name: 'Payment cancelled by the merchant' })).toBeVisible();
    await expectAccessible(page, 'Vipps sandbox phone, cancelled by the merchant');
  });

  test('mobile: the app switch and its result with the way back to the store', async ({ browser }) => {
    const context = await browser.newContext({ ...devices['iPhone 13'] });
    const page = await context.newPage();
    const payment = await createVippsPayment(page.request, 'WEB_REDIRECT');
    await page.goto(payment.redirectUrl!);
    await expect(page).toHaveURL(payment.phoneUrl);
    await expect(page.getByRole('heading', { name: 'Payment request' })).toBeVisible();
    await expectAccessible(page, 'Vipps app switch, payment request');

    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL(VIPPS_RETURN_URL);
    await page.goto(payment.phoneUrl);
    await expect(page.getByRole('link', { name: 'Back to the store' })).toBeVisible();
    await expectAccessible(page, 'Vipps app switch, payment confirmed');
    await context.close();
  });

  test('an invalid payment link', async ({ page }) => {
    expect((await page.goto(`${SANDBOX}/vipps/landing?token=not-a-token`))!.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'Payment not found' })).toBeVisible();
    await expectAccessible(page, 'Vipps landing page, payment not found');
    expect((await page.goto(`${SANDBOX}/vipps/sandbox-phone/not-a-token`))!.status()).toBe(404);
    await expectAccessible(page, 'Vipps sandbox phone, payment not found');
  });

  test('the waiting pages never reload themselves, and move on when the payment changes', async ({ page, context }) => {
    const payment = await createVippsPayment(page.request, 'WEB_REDIRECT');
    await page.goto(payment.redirectUrl!);
    const phone = await context.newPage();
    await phone.goto(payment.phoneUrl);
    await expect(phone.getByRole('heading', { name: 'No payment requests' })).toBeVisible();
    await page.getByLabel('Mobile number').fill('91234567');
    await page.getByRole('button', { name: 'Next' }).click();
    // The phone's inbox shows the request once it is sent, without the user reloading it.
    await expect(phone.getByRole('heading', { name: 'Payment request' })).toBeVisible();

    // While nothing happens, the waiting page stays put: no reload, no navigation.
    await expect(page.getByRole('status')).toContainText('We sent a payment request');
    await expect(page.locator('meta[http-equiv="refresh" i]')).toHaveCount(0);
    const countdown = page.getByText(/^Time left: \d+:\d\d$/);
    const shownFirst = await countdown.textContent();
    let navigations = 0;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations++;
    });
    await page.waitForTimeout(4_500);
    expect(navigations).toBe(0);
    // The countdown keeps running on the page itself.
    await expect(countdown).not.toHaveText(shownFirst!);

    const approved = await page.request.post(`${SANDBOX}/__sandbox/vipps/payments/${payment.reference}/approve`, {
      data: {},
    });
    expect(approved.ok()).toBe(true);
    await page.waitForURL(VIPPS_RETURN_URL);
  });
});

// -------------------------------------------------------------------------------------- Mastercard

const MASTERCARD_HEADERS = {
  'X-Client-ID': 'sandbox-client-id',
  'X-Client-Secret': 'sandbox-client-secret',
};
const MASTERCARD_RETURN_URL = `${SANDBOX}/healthz?from=mastercard`;

/** A payment whose hosted pages start at the bank choice (no bank) or at the bank's login. */
async function createBankPayment(request: APIRequestContext, providerId?: string, amount = '149.00') {
  const res = await request.post(`${SANDBOX}/mastercard/v1/payments/create`, {
    headers: MASTERCARD_HEADERS,
    data: {
      userHash: 'a11y-test',
      redirectUrl: MASTERCARD_RETURN_URL,
      ...(providerId ? { providerId } : {}),
      request: {
        destination: { bban: { bankCode: '1234', accountNumber: '0123456789' }, name: 'Nordlys Goods ApS' },
        amount: { value: amount, currency: 'DKK' },
        message: 'Order A-17',
      },
    },
  });
  expect(res.status(), await res.text()).toBe(200);
  const { redirectUrl } = (await res.json()) as { redirectUrl: string };
  expect(redirectUrl).toContain('/mastercard/auth/start/payment');
  return redirectUrl;
}

async function logIn(page: Page) {
  await page.getByLabel('User ID').fill('test-user');
  await page.getByLabel('One-time code').fill('123456');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('heading', { name: 'Confirm payment' })).toBeVisible();
}

test.describe('Mastercard hosted pages (WCAG 2.2 AA)', () => {
  test('bank choice, search without results and an unavailable bank', async ({ page }) => {
    const start = await createBankPayment(page.request);
    await page.goto(start);
    await expect(page.getByRole('heading', { name: 'Choose your bank' })).toBeVisible();
    await expectAccessible(page, 'Mastercard bank choice');

    await page.getByLabel('Search for your bank').fill('no such bank');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page.getByText('No banks match')).toBeVisible();
    await expectAccessible(page, 'Mastercard bank choice, no search results');

    // The unavailable bank is disabled in the list; a stale or forged form that names it gets an error.
    await page.goto(start);
    await page.locator('input[name="providerId"]:checked').evaluate((input: HTMLInputElement) => {
      input.value = 'DK_Kystsparekassen';
    });
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByRole('alert')).toContainText('temporarily unavailable');
    await expectAccessible(page, 'Mastercard bank choice, unavailable bank');

    await page.getByRole('radio', { name: 'Test Bank' }).first().check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByLabel('User ID')).toBeVisible();
  });

  test('login, login errors, account choice, account error and every result', async ({ page }) => {
    const start = await createBankPayment(page.request, 'DK_TestBank');
    await page.goto(start);
    await expect(page.getByLabel('User ID')).toBeVisible();
    await expectAccessible(page, 'Mastercard SCA login');

    // Blanks pass the browser's own `required` check; the bank trims them and asks again.
    await page.getByLabel('User ID').fill('  ');
    await page.getByLabel('One-time code').fill('  ');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByText('Enter your user ID.')).toBeVisible();
    await expect(page.getByText('Enter the one-time code.')).toBeVisible();
    await expectAccessible(page, 'Mastercard SCA login, missing fields');

    await logIn(page);
    await expectAccessible(page, 'Mastercard account choice and confirm');

    await page.locator('input[name="accountId"]:checked').evaluate((input: HTMLInputElement) => {
      input.value = 'no-such-account';
    });
    await page.getByRole('button', { name: 'Confirm payment' }).click();
    await expect(page.getByRole('alert')).toContainText('Choose the account to pay from.');
    await expectAccessible(page, 'Mastercard account choice, no account chosen');

    await page.getByRole('radio', { name: 'Everyday account' }).check();
    await page.getByRole('button', { name: 'Confirm payment' }).click();
    await page.waitForURL(/\/healthz\?from=mastercard/);
    await page.goto(start);
    await expect(page.getByRole('heading', { name: 'Payment completed' })).toBeVisible();
    await expectAccessible(page, 'Mastercard result, completed');

    const slow = await createBankPayment(page.request, 'DK_SlowBank');
    await page.goto(slow);
    await logIn(page);
    await page.getByRole('button', { name: 'Confirm payment' }).click();
    await page.waitForURL(/\/healthz\?from=mastercard/);
    await page.goto(slow);
    await expect(page.getByRole('heading', { name: 'Payment being processed' })).toBeVisible();
    await expectAccessible(page, 'Mastercard result, pending');

    const failing = await createBankPayment(page.request, 'DK_FailBank');
    await page.goto(failing);
    await logIn(page);
    await page.getByRole('button', { name: 'Confirm payment' }).click();
    await page.waitForURL(/\/healthz\?from=mastercard/);
    await page.goto(failing);
    await expect(page.getByRole('heading', { name: 'Payment failed' })).toBeVisible();
    await expectAccessible(page, 'Mastercard result, failed');

    const rejected = await createBankPayment(page.request, 'DK_TestBank');
    await page.goto(rejected);
    await logIn(page);
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.waitForURL(/\/healthz\?from=mastercard/);
    await page.goto(rejected);
    await expect(page.getByRole('heading', { name: 'Payment cancelled' })).toBeVisible();
    await expectAccessible(page, 'Mastercard result, cancelled');
  });

  test('error pages: invalid link, another payment’s form, ended bank session, step already done', async ({
    page,
    context,
  }) => {
    await page.goto(`${SANDBOX}/mastercard/auth/start/payment?startToken=forged&paymentId=20240101.none`);
    await expect(page.getByRole('heading', { name: 'This payment link is not valid' })).toBeVisible();
    await expectAccessible(page, 'Mastercard error, invalid link');

    const start = await createBankPayment(page.request, 'DK_TestBank');
    await page.goto(start);
    await page.getByLabel('User ID').fill('test-user');
    await page.getByLabel('One-time code').fill('123456');
    await page
      .locator('input[name="token"]')
      .first()
      .evaluate((input: HTMLInputElement) => {
        input.value = 'forged';
      });
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('heading', { name: 'This form belongs to another payment' })).toBeVisible();
    await expectAccessible(page, 'Mastercard error, form of another payment');

    await page.goto(start);
    await logIn(page);
    await page
      .locator('input[name="bankSession"]')
      .first()
      .evaluate((input: HTMLInputElement) => {
        input.value = 'ended';
      });
    await page.getByRole('button', { name: 'Confirm payment' }).click();
    await expect(page.getByRole('heading', { name: 'Your bank session has ended' })).toBeVisible();
    await expectAccessible(page, 'Mastercard error, bank session ended');

    // Two tabs on one bank choice: the second one's choice comes too late.
    const choice = await createBankPayment(page.request);
    const other = await context.newPage();
    await page.goto(choice);
    await other.goto(choice);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByLabel('User ID')).toBeVisible();
    await other.getByRole('button', { name: 'Continue' }).click();
    await expect(other.getByRole('heading', { name: 'This step is already done' })).toBeVisible();
    await expectAccessible(other, 'Mastercard error, step already done');

    // …and a confirm from a stale tab after the payment was decided.
    await logIn(page);
    await other.goto(page.url());
    await page.getByRole('button', { name: 'Confirm payment' }).click();
    await page.waitForURL(/\/healthz\?from=mastercard/);
    await other.getByRole('button', { name: 'Confirm payment' }).click();
    await expect(other.getByRole('heading', { name: 'This payment is already decided' })).toBeVisible();
    await expectAccessible(other, 'Mastercard error, payment already decided');
  });
});

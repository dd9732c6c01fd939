import { describe, expect, it } from 'vitest';
import { PUBLIC_URL, setup, type Page } from './mastercard-helpers.js';

const RETURN_URL = 'https://shop.test/checkout/return?order=A-17&pwb_return=tok%20en';

function location(res: Response): string {
  expect(res.status).toBe(303);
  return res.headers.get('Location')!;
}

describe('hosted UI: full journeys', () => {
  it('without providerId: choose bank → log in → choose account → confirm → back to the shop, Succeeded', async () => {
    const { api, shopper } = setup();
    const { redirectUrl, paymentId } = await api.create({ redirectUrl: RETURN_URL });

    let page = await shopper.open(redirectUrl);
    expect(page.status).toBe(200);
    expect(page.html).toContain('<h1>Choose your bank</h1>');
    expect(page.text('payment-amount')).toBe('DKK\u00a02.00');
    expect(page.text('payment-payee')).toBe('John Doe');
    expect(page.text('payment-destination')).toBe('1234 ••••6789');
    const bankForm = page.formWithButton('Continue');
    const radios = bankForm.inputs.filter((i) => i.name === 'providerId');
    // DKK domestic: Danish banks only, the unavailable one shown but disabled.
    expect(radios.every((r) => r.value.startsWith('DK_'))).toBe(true);
    expect(radios.find((r) => r.value === 'DK_Kystsparekassen')?.disabled).toBe(true);
    expect(radios.find((r) => r.value === 'DK_TestBank')?.disabled).toBe(false);
    expect((await api.payment(paymentId)).status.code).toBe('Preparing');

    page = await shopper.submitAndFollow(bankForm, { providerId: 'DK_TestBank' });
    let payment = await api.payment(paymentId);
    expect(payment.status.code).toBe('ReadyForAuthorize');
    expect(payment.providerId).toBe('DK_TestBank');
    expect(page.html).toContain('<h1>Test Bank</h1>');
    expect(page.text('test-bank-note')).toContain('any user ID and one-time code are accepted');

    page = await shopper.submitAndFollow(page.formWithButton('Log in'), { userId: 'test-user', otp: '123456' });
    payment = await api.payment(paymentId);
    expect(payment.status.code).toBe('Authorizing');
    expect(page.html).toContain('<h1>Confirm payment</h1>');
    expect(page.text('payment-amount')).toBe('DKK\u00a02.00');
    const confirm = page.formWithButton('Confirm payment');
    expect(confirm.inputs.filter((i) => i.name === 'accountId').map((i) => i.value)).toEqual([
      'everyday',
      'savings',
      'budget',
    ]);
    expect(page.html).toContain('Available DKK\u00a025,000.00');

    const back = location(await shopper.submit(confirm, { accountId: 'savings' }));
    expect(back).toBe(`${RETURN_URL}&paymentId=${paymentId}`);

    payment = await api.refresh(paymentId);
    expect(payment.status).toMatchObject({ code: 'Succeeded', codeV2: 'Succeeded', terminal: true, details: null });
    expect(payment.state).toBe('Succeeded');
    expect(payment.providerPaymentId).toMatch(/^[0-9a-f-]{36}$/);
    expect(payment.providerId).toBe('DK_TestBank');
  });

  it('with providerId: the bank is pre-selected, the shopper goes straight to the bank login', async () => {
    const { api, shopper } = setup();
    const { redirectUrl, paymentId } = await api.create(
      { providerId: 'SE_Skargardsbanken' },
      { amount: { value: '149.90', currency: 'SEK' } },
    );
    expect((await api.payment(paymentId)).status.code).toBe('Preparing');

    const page = await shopper.open(redirectUrl);
    expect(page.forms.some((f) => f.testId === 'bank-choice')).toBe(false);
    expect(page.html).toContain('<h1>Skärgårdsbanken</h1>');
    expect(page.text('payment-amount')).toBe('SEK\u00a0149.90');
    expect((await api.payment(paymentId)).status.code).toBe('ReadyForAuthorize');

    const res = await shopper.pay(redirectUrl, { accountId: 'everyday' });
    expect(location(res)).toContain(`paymentId=${paymentId}`);
    expect((await api.payment(paymentId)).status.code).toBe('Succeeded');
  });

  it('SEPA in EUR offers Finnish and German banks and the SEPA-capable Nordbanks', async () => {
    const { api, shopper } = setup();
    const { redirectUrl, paymentId } = await api.create(
      {},
      {
        paymentMethod: 'SEPA',
        destination: { iban: { ibanNumber: 'DE89370400440532013000' }, name: 'Laden GmbH' },
        amount: { value: '25.00', currency: 'EUR' },
      },
    );
    const page = await shopper.open(redirectUrl);
    const ids = page
      .formWithButton('Continue')
      .inputs.filter((i) => i.name === 'providerId')
      .map((i) => i.value);
    expect(ids).toEqual(
      expect.arrayContaining(['FI_TestBank', 'DE_TestBank', 'DK_Nordbank', 'SE_Nordbank', 'NO_Nordbank']),
    );
    expect(ids.some((id) => id === 'DK_TestBank' || id === 'SE_TestBank')).toBe(false);
    expect(page.text('payment-destination')).toBe('DE89 •••• 3000');
    expect(page.html).toContain('<legend>Finland</legend>');
    expect(page.html).toContain('<legend>Germany</legend>');

    const res = await shopper.pay(redirectUrl, { bank: 'DE_Rheinbank' });
    location(res);
    const payment = await api.payment(paymentId);
    expect(payment).toMatchObject({ providerId: 'DE_Rheinbank', status: { code: 'Succeeded' } });
  });
});

describe('hosted UI: scenarios', () => {
  it('Reject on the account step → Cancelled with details', async () => {
    const { api, shopper } = setup();
    const { redirectUrl, paymentId } = await api.create({ providerId: 'DK_TestBank', redirectUrl: RETURN_URL });
    let page = await shopper.open(redirectUrl);
    page = await shopper.submitAndFollow(page.formWithButton('Log in'), { userId: 'u', otp: '1' });
    const back = location(await shopper.submit(page.formWithButton('Reject')));
    expect(back).toBe(`${RETURN_URL}&paymentId=${paymentId}`);
    const payment = await api.refresh(paymentId);
    expect(payment.status).toMatchObject({
      code: 'Cancelled',
      terminal: true,
      details: {
        providerStatusCode: 'CANC',
        reason: 'The payer rejected the payment at the bank',
        providerMessage: null,
        errorType: 'UserCancelled',
        errorCode: 'RejectedByUser',
        lastKnownStatus: 'Authorizing',
      },
    });
    expect(payment.providerPaymentId).toBeNull();
  });

  it.each([
    ['bank choice', 0, 'Preparing'],
    ['bank login', 1, 'ReadyForAuthorize'],
    ['account choice', 2, 'Authorizing'],
  ])('Cancel on the %s step → Cancelled, back to the shop', async (_step, stepsBefore, lastKnownStatus) => {
    const { api, shopper } = setup();
    const { redirectUrl, paymentId } = await api.create({ redirectUrl: RETURN_URL });
    let page = await shopper.open(redirectUrl);
    if (stepsBefore >= 1)
      page = await shopper.submitAndFollow(page.formWithButton('Continue'), { providerId: 'DK_Fjordbank' });
    if (stepsBefore >= 2)
      page = await shopper.submitAndFollow(page.formWithButton('Log in'), { userId: 'u', otp: '1' });
    const back = location(await shopper.submit(page.formWithButton('Cancel')));
    expect(back).toBe(`${RETURN_URL}&paymentId=${paymentId}`);
    const payment = await api.payment(paymentId);
    expect(payment.status).toMatchObject({
      code: 'Cancelled',
      terminal: true,
      details: { errorCode: 'CancelledByUser', errorType: 'UserCancelled', lastKnownStatus },
    });
  });

  it('Fail Bank: confirm → Failed with status.details', async () => {
    const { api, shopper } = setup();
    const { redirectUrl, paymentId } = await api.create({ providerId: 'DK_FailBank' });
    location(await shopper.pay(redirectUrl));
    const payment = await api.refresh(paymentId);
    expect(payment.status).toEqual({
      terminal: true,
      code: 'Failed',
      codeV2: 'Failed',
      lastUpdated: '2024-01-01T09:00:00.0000000+00:00',
      details: {
        providerStatusCode: 'RJCT',
        reason: 'The bank rejected the payment',
        providerMessage: 'Payment rejected by the bank (sandbox Fail Bank)',
        errorType: 'PaymentRejected',
        errorCode: 'RejectedByBank',
        lastKnownStatus: 'Authorizing',
      },
    });
  });

  it('low-balance account: confirm → Failed with insufficient funds; a small amount from it succeeds', async () => {
    const { api, shopper } = setup();
    const big = await api.create({ providerId: 'DK_TestBank' }, { amount: { value: '10.01', currency: 'DKK' } });
    location(await shopper.pay(big.redirectUrl, { accountId: 'budget' }));
    expect((await api.payment(big.paymentId)).status).toMatchObject({
      code: 'Failed',
      terminal: true,
      details: {
        errorCode: 'InsufficientFunds',
        providerMessage: 'AM04 InsufficientFunds',
        lastKnownStatus: 'Authorizing',
      },
    });

    const small = await api.create({ providerId: 'DK_TestBank' }, { amount: { value: '10.00', currency: 'DKK' } });
    location(await shopper.pay(small.redirectUrl, { accountId: 'budget' }));
    expect((await api.payment(small.paymentId)).status.code).toBe('Succeeded');
  });

  it('Slow Bank: Pending for the delay (default 5 s), then Succeeded on refresh or get', async () => {
    const { api, shopper, clock } = setup();
    const { redirectUrl, paymentId } = await api.create({ providerId: 'DK_SlowBank' });
    location(await shopper.pay(redirectUrl));
    expect((await api.refresh(paymentId)).status).toMatchObject({ code: 'Pending', terminal: false, details: null });

    clock.advance(4_999);
    expect((await api.refresh(paymentId)).status.code).toBe('Pending');
    expect((await api.payment(paymentId)).status.code).toBe('Pending');

    clock.advance(1);
    const payment = await api.refresh(paymentId);
    expect(payment.status).toMatchObject({
      code: 'Succeeded',
      terminal: true,
      lastUpdated: '2024-01-01T09:00:05.0000000+00:00',
    });
    expect((await api.payment(paymentId)).status.code).toBe('Succeeded');
  });

  it('Slow Bank delay is configurable by option and by control', async () => {
    const { api, shopper, clock, sandbox } = setup({ mastercard: { slowBankDelayMs: 60_000 } });
    const first = await api.create({ providerId: 'DK_SlowBank' });
    location(await shopper.pay(first.redirectUrl));
    clock.advance(59_999);
    expect((await api.refresh(first.paymentId)).status.code).toBe('Pending');
    clock.advance(1);
    expect((await api.refresh(first.paymentId)).status.code).toBe('Succeeded');

    sandbox.controls.mastercard.setSlowBankDelayMs(0);
    const second = await api.create({ providerId: 'SE_SlowBank' }, { amount: { value: '5', currency: 'SEK' } });
    location(await shopper.pay(second.redirectUrl));
    expect((await api.payment(second.paymentId)).status.code).toBe('Succeeded');
  });

  it('abandonment: a payment left at login or account choice just stays there', async () => {
    const { api, shopper, clock } = setup();
    const atLogin = await api.create({ providerId: 'DK_TestBank' });
    await shopper.open(atLogin.redirectUrl);
    const atAccounts = await api.create({ providerId: 'DK_TestBank' });
    const page = await shopper.open(atAccounts.redirectUrl);
    await shopper.submitAndFollow(page.formWithButton('Log in'), { userId: 'u', otp: '1' });
    clock.advance(24 * 60 * 60 * 1000);
    expect((await api.refresh(atLogin.paymentId)).status).toMatchObject({ code: 'ReadyForAuthorize', terminal: false });
    expect((await api.refresh(atAccounts.paymentId)).status).toMatchObject({ code: 'Authorizing', terminal: false });
  });
});

describe('hosted UI: guards', () => {
  async function succeeded() {
    const ctx = setup();
    const created = await ctx.api.create({ providerId: 'DK_TestBank' });
    const login = await ctx.shopper.open(created.redirectUrl);
    const accounts = await ctx.shopper.submitAndFollow(login.formWithButton('Log in'), { userId: 'u', otp: '1' });
    location(await ctx.shopper.submit(accounts.formWithButton('Confirm payment'), { accountId: 'everyday' }));
    return { ...ctx, ...created, login, accounts };
  }

  it('a terminal payment never moves: replayed Confirm, Reject and Cancel answer 409 and change nothing', async () => {
    const { api, shopper, paymentId, login, accounts } = await succeeded();
    const before = await api.payment(paymentId);
    for (const form of [
      accounts.formWithButton('Confirm payment'),
      accounts.formWithButton('Reject'),
      accounts.formWithButton('Cancel'),
      login.formWithButton('Log in'),
    ]) {
      const res = await shopper.submit(form, { userId: 'u', otp: '1', accountId: 'budget' });
      expect(res.status).toBe(409);
      const html = await res.text();
      expect(html).toContain('This payment is already decided');
      expect(html).toContain('data-testid="return-to-merchant"');
    }
    expect(await api.payment(paymentId)).toEqual(before);
  });

  it('coming back through the start link after login asks for the bank login again; old pages stop working', async () => {
    const { api, shopper, sandbox } = setup();
    const { redirectUrl, paymentId } = await api.create({ providerId: 'DK_TestBank', redirectUrl: RETURN_URL });
    const login = await shopper.open(redirectUrl);
    const firstAccounts = await shopper.submitAndFollow(login.formWithButton('Log in'), { userId: 'u', otp: '1' });
    expect(firstAccounts.url).toMatch(/\/auth\/payment\/[^/]+\/accounts\?bankSession=/);

    // The shopper wanders off and later re-enters through the same link (e.g. the shop's "Continue at your bank").
    const again = await shopper.open(redirectUrl);
    expect(again.html).toContain('<h1>Test Bank</h1>');
    expect(again.forms.some((f) => f.buttons.some((b) => b.text === 'Log in'))).toBe(true);
    expect((await api.payment(paymentId)).status.code).toBe('Authorizing');
    const secondAccounts = await shopper.submitAndFollow(again.formWithButton('Log in'), { userId: 'u', otp: '2' });

    // Pages of the first login belong to a bank session that has ended.
    const stale = await shopper.submit(firstAccounts.formWithButton('Confirm payment'));
    expect(stale.status).toBe(403);
    expect(await stale.text()).toContain('Your bank session has ended');
    expect((await shopper.open(firstAccounts.url)).status).toBe(404);
    expect((await api.payment(paymentId)).status.code).toBe('Authorizing');

    expect(location(await shopper.submit(secondAccounts.formWithButton('Confirm payment')))).toContain(paymentId);
    expect((await api.payment(paymentId)).status.code).toBe('Succeeded');
    const history = sandbox.controls.mastercard.inspectPayment(paymentId)!.sandbox.history.map((h) => h.code);
    expect(history).toEqual(['Preparing', 'ReadyForAuthorize', 'Authorizing', 'Pending', 'Succeeded']);
    // Once decided, the account-step link shows the result instead.
    const after = await shopper.open(secondAccounts.url);
    expect(after.text('result-heading')).toBe('Payment completed');
  });

  it('Confirm and Reject without the bank session are refused', async () => {
    const { api, shopper } = setup();
    const { redirectUrl, paymentId } = await api.create({ providerId: 'DK_TestBank' });
    const login = await shopper.open(redirectUrl);
    const accounts = await shopper.submitAndFollow(login.formWithButton('Log in'), { userId: 'u', otp: '1' });
    for (const button of ['Confirm payment', 'Reject']) {
      const form = accounts.formWithButton(button);
      const res = await shopper.submit({ ...form, inputs: form.inputs.filter((i) => i.name !== 'bankSession') });
      expect(res.status).toBe(403);
    }
    const guessed = await shopper.open(accounts.url.replace(/bankSession=[^&]+/, 'bankSession=guess'));
    expect(guessed.status).toBe(404);
    expect((await api.payment(paymentId)).status.code).toBe('Authorizing');
  });

  it('a cancelled payment cannot be confirmed afterwards', async () => {
    const { api, shopper } = setup();
    const { redirectUrl, paymentId } = await api.create({ providerId: 'DK_TestBank' });
    let page = await shopper.open(redirectUrl);
    page = await shopper.submitAndFollow(page.formWithButton('Log in'), { userId: 'u', otp: '1' });
    location(await shopper.submit(page.formWithButton('Cancel')));
    expect((await shopper.submit(page.formWithButton('Confirm payment'))).status).toBe(409);
    expect((await api.payment(paymentId)).status.code).toBe('Cancelled');
  });

  it('revisiting the start link of a decided payment shows the result with a way back', async () => {
    const { shopper, redirectUrl, paymentId } = await succeeded();
    const page = await shopper.open(redirectUrl);
    expect(page.status).toBe(200);
    expect(page.text('result-heading')).toBe('Payment completed');
    expect(page.html).toContain(
      `href="https://shop.test/checkout/return?order=A-17&amp;pwb_return=tok%20en&amp;paymentId=${paymentId}"`,
    );
    expect(page.forms).toEqual([]);
  });

  it("one payment's form token is refused on another payment", async () => {
    const { api, shopper } = setup();
    const a = await api.create({ providerId: 'DK_TestBank' });
    const b = await api.create({ providerId: 'DK_TestBank' });
    const pageA = await shopper.open(a.redirectUrl);
    await shopper.open(b.redirectUrl);
    const formA = pageA.formWithButton('Log in');
    const aimedAtB = { ...formA, action: formA.action.replace(a.paymentId, b.paymentId) };
    const res = await shopper.submit(aimedAtB, { userId: 'u', otp: '1' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('This form belongs to another payment');
    expect((await api.payment(b.paymentId)).status.code).toBe('ReadyForAuthorize');

    const noToken = await shopper.submit(
      { ...formA, inputs: formA.inputs.filter((i) => i.name !== 'token') },
      { userId: 'u', otp: '1' },
    );
    expect(noToken.status).toBe(403);
    expect((await api.payment(a.paymentId)).status.code).toBe('ReadyForAuthorize');
  });

  it.each([
    ['a wrong start token', (url: URL) => url.searchParams.set('startToken', 'x'.repeat(43))],
    ['an unknown payment', (url: URL) => url.searchParams.set('paymentId', '20240101.unknown')],
    ['no start token', (url: URL) => url.searchParams.delete('startToken')],
  ])('the start link with %s is refused', async (_label, tamper) => {
    const { api, shopper } = setup();
    const { redirectUrl, paymentId } = await api.create({ providerId: 'DK_TestBank' });
    const url = new URL(redirectUrl);
    tamper(url);
    const page = await shopper.open(url.toString());
    expect(page.status).toBe(404);
    expect(page.text('message-heading')).toBe('This payment link is not valid');
    expect((await api.payment(paymentId)).status.code).toBe('Preparing');
  });

  it('the redirect back keeps existing query parameters byte for byte and the fragment last', async () => {
    const { api, shopper } = setup();
    const redirect = 'https://shop.test/return?a=1&b=x%2By+z&empty=#section-2';
    const { redirectUrl, paymentId } = await api.create({ providerId: 'DK_TestBank', redirectUrl: redirect });
    const back = location(await shopper.pay(redirectUrl));
    expect(back).toBe(`https://shop.test/return?a=1&b=x%2By+z&empty=&paymentId=${paymentId}#section-2`);

    const bare = await api.create({ providerId: 'DK_TestBank', redirectUrl: 'http://localhost:4030/checkout' });
    expect(location(await shopper.pay(bare.redirectUrl))).toBe(
      `http://localhost:4030/checkout?paymentId=${bare.paymentId}`,
    );
  });

  it('login needs a user id and a code; the error is shown and nothing moves', async () => {
    const { api, shopper } = setup();
    const { redirectUrl, paymentId } = await api.create({ providerId: 'DK_TestBank' });
    const page = await shopper.open(redirectUrl);
    const res = await shopper.submit(page.formWithButton('Log in'), { userId: ' kim ', otp: '  ' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Enter the one-time code.');
    expect(html).not.toContain('Enter your user ID.');
    expect(html).toMatch(/id="otp"[^>]*aria-describedby="otp-hint otp-error"[^>]*aria-invalid="true"/);
    expect(html).toContain('value="kim"');
    expect((await api.payment(paymentId)).status.code).toBe('ReadyForAuthorize');
  });

  it('bank choice refuses an unavailable bank, a bank that cannot take the payment and no choice', async () => {
    const { api, shopper } = setup();
    const { redirectUrl, paymentId } = await api.create();
    const form = (await shopper.open(redirectUrl)).formWithButton('Continue');
    for (const [providerId, message] of [
      ['DK_Kystsparekassen', 'Kyst Sparekasse is temporarily unavailable. Choose another bank.'],
      ['SE_TestBank', 'Choose one of the banks listed.'],
      ['', 'Choose one of the banks listed.'],
    ] as const) {
      const res = await shopper.submit(form, { providerId });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain(message);
    }
    expect((await api.payment(paymentId)).status.code).toBe('Preparing');
  });

  it('confirm refuses an account that is not offered', async () => {
    const { api, shopper } = setup();
    const { redirectUrl, paymentId } = await api.create({ providerId: 'DK_TestBank' });
    let page = await shopper.open(redirectUrl);
    page = await shopper.submitAndFollow(page.formWithButton('Log in'), { userId: 'u', otp: '1' });
    const res = await shopper.submit(page.formWithButton('Confirm payment'), { accountId: 'someone-elses' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Choose the account to pay from.');
    expect((await api.payment(paymentId)).status.code).toBe('Authorizing');
  });

  it('a stale bank-choice form after login answers 409 with a way to continue', async () => {
    const { api, shopper } = setup();
    const { redirectUrl, paymentId } = await api.create();
    const bankPage = await shopper.open(redirectUrl);
    const login = await shopper.submitAndFollow(bankPage.formWithButton('Continue'), { providerId: 'DK_TestBank' });
    await shopper.submitAndFollow(login.formWithButton('Log in'), { userId: 'u', otp: '1' });
    const res = await shopper.submit(bankPage.formWithButton('Continue'), { providerId: 'DK_Fjordbank' });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('data-testid="resume"');
    expect(await api.payment(paymentId)).toMatchObject({ providerId: 'DK_TestBank', status: { code: 'Authorizing' } });
  });

  it('bank search filters by name, ignoring case and accents', async () => {
    const { api, shopper } = setup();
    const { redirectUrl } = await api.create({}, { amount: { value: '1', currency: 'SEK' } });
    const page = await shopper.open(redirectUrl);
    const search = page.forms.find((f) => f.method === 'get')!;
    const res = await shopper.submit(search, { q: 'SKARGARD' });
    const html = await res.text();
    expect(html).toContain('value="SE_Skargardsbanken"');
    expect(html).not.toContain('value="SE_TestBank"');
    const none = await shopper.submit(search, { q: 'zzz' });
    expect(await none.text()).toContain('No banks match “zzz”.');
  });
});

describe('hosted UI: markup, accessibility and headers', () => {
  async function pages(): Promise<Page[]> {
    const { api, shopper } = setup();
    const { redirectUrl } = await api.create();
    const bank = await shopper.open(redirectUrl);
    const login = await shopper.submitAndFollow(bank.formWithButton('Continue'), { providerId: 'DK_TestBank' });
    const accounts = await shopper.submitAndFollow(login.formWithButton('Log in'), { userId: 'u', otp: '1' });
    return [bank, login, accounts];
  }

  it('every step has lang, a title, one h1, labelled inputs, a Cancel button and no script or inline style', async () => {
    for (const page of await pages()) {
      expect(page.html).toContain('<html lang="en">');
      expect(page.html).toMatch(/<title>[^<]+<\/title>/);
      expect(page.html.match(/<h1[\s>]/g)).toHaveLength(1);
      expect(page.html).not.toMatch(/<script|\sstyle=|\son[a-z]+=/i);
      expect(page.formWithButton('Cancel').action).toMatch(/\/cancel$/);
      for (const form of page.forms) {
        expect(form.method === 'post' || form.action.endsWith('/auth/start/payment')).toBe(true);
        for (const input of form.inputs.filter((i) => i.type !== 'hidden')) {
          const id = page.html
            .match(new RegExp(`<input[^>]*name="${input.name}"[^>]*value="${input.value}"[^>]*>`))?.[0]
            .match(/\sid="([^"]+)"/)?.[1];
          expect(id, `input ${input.name}=${input.value} has an id`).toBeDefined();
          expect(page.html).toContain(`<label for="${id}"`);
        }
      }
    }
  });

  it('answers with a strict CSP that still lets the final form redirect to the shop', async () => {
    const [bank] = await pages();
    const csp = bank!.headers.get('Content-Security-Policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain(`form-action 'self' ${PUBLIC_URL} https://shop.test`);
    expect(csp).not.toContain('unsafe-inline');
    expect(bank!.headers.get('X-Frame-Options')).toBe('DENY');
    expect(bank!.headers.get('Referrer-Policy')).toBe('no-referrer');
    expect(bank!.headers.get('Cache-Control')).toBe('no-store');
  });

  it('serves the stylesheet from a file route, with a visible focus style', async () => {
    const { sandbox } = setup();
    const [bank] = await pages();
    const href = bank!.html.match(/<link rel="stylesheet" href="([^"]+)"/)![1]!;
    expect(href).toBe(`${PUBLIC_URL}/mastercard/auth/static/hosted.css`);
    const res = await sandbox.request(href.slice(PUBLIC_URL.length));
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/css; charset=utf-8');
    expect(await res.text()).toContain(':focus-visible');

    const icon = bank!.html.match(/<link rel="icon" href="([^"]+)"/)![1]!;
    const favicon = await sandbox.request(icon.slice(PUBLIC_URL.length));
    expect(favicon.status).toBe(200);
    expect(favicon.headers.get('Content-Type')).toBe('image/svg+xml');
  });

  it('scenario banks explain themselves and unavailable banks say why, linked to their radio', async () => {
    const [bank] = await pages();
    const radio = (id: string) => bank!.html.match(new RegExp(`<input[^>]*id="bank-${id}"[^>]*>`))![0];
    expect(radio('DK_FailBank')).toContain('aria-describedby="bank-DK_FailBank-detail"');
    expect(bank!.html).toContain(
      '<span class="of-option-detail" id="bank-DK_FailBank-detail">Sandbox: the bank rejects the payment</span>',
    );
    expect(bank!.html).toContain('id="bank-DK_SlowBank-detail">Sandbox: the payment stays pending for a while</span>');
    expect(radio('DK_Kystsparekassen')).toMatch(/aria-describedby="bank-DK_Kystsparekassen-detail" disabled/);
    expect(bank!.html).toContain('id="bank-DK_Kystsparekassen-detail">Temporarily unavailable</span>');
    expect(radio('DK_Fjordbank')).not.toContain('aria-describedby');
  });

  it('escapes what the integrator sent (payee name, message)', async () => {
    const { api, shopper } = setup();
    const { redirectUrl } = await api.create(
      {},
      {
        destination: { bban: { bankCode: '1234', accountNumber: '1' }, name: '<img src=x onerror=alert(1)>' },
        message: '"><script>alert(1)</script>',
      },
    );
    const page = await shopper.open(redirectUrl);
    expect(page.html).not.toContain('<img src=x');
    expect(page.html).not.toContain('<script>');
    expect(page.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('documented test ids and button names are present', async () => {
    const [bank, login, accounts] = await pages();
    for (const id of [
      'bank-choice',
      'bank-search',
      'bank-option-DK_TestBank',
      'continue',
      'cancel-payment',
      'payment-amount',
    ]) {
      expect(bank!.html).toContain(`data-testid="${id}"`);
    }
    for (const id of ['login-user-id', 'login-otp', 'log-in', 'test-bank-note'])
      expect(login!.html).toContain(`data-testid="${id}"`);
    for (const id of ['account-option-everyday', 'account-option-budget', 'confirm-payment', 'reject-payment']) {
      expect(accounts!.html).toContain(`data-testid="${id}"`);
    }
    expect(accounts!.forms.flatMap((f) => f.buttons.map((b) => b.text))).toEqual([
      'Confirm payment',
      'Reject',
      'Cancel',
    ]);
  });
});
